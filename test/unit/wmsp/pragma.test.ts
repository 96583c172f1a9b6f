// Pragma parsing with the lines each real client sends (wmsp.md §4, §9).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProtocolError } from '../../../src/core/errors.js';
import {
  MAX_PRAGMA_CHARS,
  MAX_PRAGMA_TOKENS,
  leadingU32,
  parsePragmas,
  parseSwitchEntries,
} from '../../../src/wmsp/pragma.js';
import { ffmpeg, libmms, mplayer, pragmasOf, vlc, wmp12 } from './client-requests.js';

describe('parsePragmas with real client requests', () => {
  it("FFmpeg's Play: the glued `stream-time=0Connection: Close` line reads as stream-time 0", () => {
    const p = parsePragmas(pragmasOf(ffmpeg.play()));
    assert.equal(p.u32('stream-time'), 0);
    assert.equal(p.value('stream-time'), '0Connection: Close');
    assert.equal(p.flag('xPlayStrm'), true);
    assert.equal(p.real('rate'), 1);
    assert.deepEqual(p.switchEntries, [
      { src: 0xffff, dst: 1, thin: 0 },
      { src: 0xffff, dst: 2, thin: 0 },
      { src: 0xffff, dst: 3, thin: 0 },
    ]);
  });

  it("FFmpeg's seek: stream-time=12000 glued to Connection", () => {
    assert.equal(parsePragmas(pragmasOf(ffmpeg.play(12000))).u32('stream-time'), 12000);
  });

  it("MPlayer's Play: entry line before the count, only the chosen streams, audio first", () => {
    const p = parsePragmas(pragmasOf(mplayer.play));
    assert.deepEqual(p.switchEntries, [
      { src: 0xffff, dst: 3, thin: 0 },
      { src: 0xffff, dst: 1, thin: 0 },
    ]);
    assert.equal(p.u32('stream-switch-count'), 2);
    assert.equal(p.value('stream-offset'), '0:0');
  });

  it("VLC's malformed xClientGUID is kept as text and does not disturb anything", () => {
    const p = parsePragmas(pragmasOf(vlc.play(489600, 3)));
    assert.equal(p.value('xClientGUID'), '{0xbabac001-0x37db-0xcf71-0xc36b2e2e41270eea}');
    assert.equal(p.value('stream-offset'), '0:489600');
    assert.equal(p.u32('request-context'), 3);
    assert.deepEqual(
      p.switchEntries?.map((e) => e.thin),
      [0, 2, 0],
    );
  });

  it('libmms time seek carries stream-time with the preroll and stream-offset 0:0', () => {
    const p = parsePragmas(pragmasOf(libmms.play(15100, '0:0')));
    assert.equal(p.u32('stream-time'), 15100);
    assert.equal(p.value('stream-offset'), '0:0');
  });

  it("WMP 12's Describe and Play tokens", () => {
    const d = parsePragmas(pragmasOf(wmp12.describe));
    assert.equal(d.flag('version11-enabled'), true);
    assert.equal(d.flag('pipeline-experiment'), true);
    assert.equal(d.u32('packet-num'), 4294967295);
    const p = parsePragmas(pragmasOf(wmp12.play(2716352801)));
    assert.equal(p.u32('client-id'), 2716352801);
    assert.equal(p.u32('AccelDuration'), 18000);
    assert.equal(p.u32('accelbw'), 2147483647, 'names match case-insensitively');
    assert.equal(p.real('Speed'), 1.07);
    assert.deepEqual(p.switchEntries?.length, 2, 'no trailing space is fine too');
  });
});

describe('parsePragmas tolerance', () => {
  it('keeps a quoted value with commas (a reply Pragma)', () => {
    const p = parsePragmas(['no-cache, client-id=93311, features="broadcast,playlist", timeout=60000']);
    assert.equal(p.value('features'), 'broadcast,playlist');
    assert.equal(p.u32('client-id'), 93311);
    assert.equal(p.u32('timeout'), 60000);
    assert.equal(p.has('no-cache'), true);
    assert.equal(p.value('no-cache'), '');
  });

  it('a repeated token keeps its last value', () => {
    assert.equal(parsePragmas(['stream-time=5', 'stream-time=7']).u32('stream-time'), 7);
  });

  it('skips junk: empty tokens, bare `=`, spaces after commas', () => {
    const p = parsePragmas([',, ,=x, rate = 2.5 ,xPlayStrm=1,', '   ', '']);
    assert.equal(p.real('rate'), 2.5);
    assert.equal(p.flag('xPlayStrm'), true);
    assert.equal(p.tokens.size, 2);
  });

  it('xPlayStrm=0 is not the Play flag', () => {
    assert.equal(parsePragmas(['xPlayStrm=0']).flag('xPlayStrm'), false);
  });

  it('no stream-switch-entry gives null; an empty or junk one gives []', () => {
    assert.equal(parsePragmas(['stream-switch-count=2']).switchEntries, null);
    assert.deepEqual(parsePragmas(['stream-switch-entry=']).switchEntries, []);
    assert.deepEqual(parsePragmas(['stream-switch-entry=garbage 1:2']).switchEntries, []);
  });

  it('several stream-switch-entry lines add up', () => {
    assert.deepEqual(
      parsePragmas(['stream-switch-entry=ffff:1:0', 'stream-switch-entry=ffff:2:1']).switchEntries?.map(
        (e) => e.dst,
      ),
      [1, 2],
    );
  });

  it('over the caps: ProtocolError with HTTP 400', () => {
    const is400 = (e: unknown): boolean => e instanceof ProtocolError && e.reply.http === 400;
    assert.throws(() => parsePragmas(['x'.repeat(MAX_PRAGMA_CHARS + 1)]), is400);
    assert.throws(
      () => parsePragmas([Array.from({ length: MAX_PRAGMA_TOKENS + 1 }, (_, i) => `t${i}`).join(',')]),
      is400,
    );
    assert.throws(() => parsePragmas([`stream-switch-entry=${'ffff:1:0 '.repeat(600)}`]), is400);
  });
});

describe('stream-switch-entry entries', () => {
  it('ids are hex per the spec; decimal and hex agree for 1-9', () => {
    for (let i = 1; i <= 9; i++) assert.equal(parseSwitchEntries(`ffff:${i}:0`)[0]?.dst, i);
    assert.equal(parseSwitchEntries('ffff:a:0')[0]?.dst, 10);
    assert.equal(parseSwitchEntries('ffff:10:0')[0]?.dst, 16);
    assert.equal(parseSwitchEntries('FFFF:7F:1')[0]?.dst, 127);
  });

  it('ids up to 0xffff; longer ids and thin levels other than 0-2 are skipped', () => {
    assert.deepEqual(parseSwitchEntries('ffff:ffff:2'), [{ src: 0xffff, dst: 0xffff, thin: 2 }]);
    assert.deepEqual(parseSwitchEntries('ffff:10000:0 ffff:1:3 ffff:1 1:1:0'), [{ src: 1, dst: 1, thin: 0 }]);
  });

  it('trailing and repeated spaces, tabs', () => {
    assert.equal(parseSwitchEntries('  ffff:1:0\tffff:2:0   ').length, 2);
  });
});

describe('leadingU32', () => {
  const cases: readonly [string, number | undefined][] = [
    ['0', 0],
    ['12000', 12000],
    ['0Connection: Close', 0],
    [' 42abc', 42],
    ['4294967295', 4294967295],
    ['4294967296', 4294967295],
    ['99999999999999999999999', 4294967295],
    ['0000000000000007', 7],
    ['', undefined],
    ['abc', undefined],
    ['-5', undefined],
  ];
  for (const [text, want] of cases) {
    it(JSON.stringify(text), () => assert.equal(leadingU32(text), want));
  }
});
