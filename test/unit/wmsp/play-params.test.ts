// Play parameters: the seek table of wmsp.md §6.3 on file d, stream selection of §6.4 on the MBR file c, rates.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ProtocolError } from '../../../src/core/errors.js';
import { parsePragmas } from '../../../src/wmsp/pragma.js';
import {
  packetForOffset,
  parseStreamOffset,
  rateParams,
  startPoint,
  streamSelection,
  type ContentShape,
} from '../../../src/wmsp/play-params.js';
import { parseUserAgent } from '../../../src/wmsp/user-agent.js';
import { ffmpeg, libmms, mplayer, pragmasOf, vlc } from './client-requests.js';

/** File d (d-indexed-30s.wmv): header 829 + 50 bytes, 385 packets of 3,200 bytes, preroll 3,100 ms. */
const D: ContentShape = { headerSize: 879, packetSize: 3200, packetCount: 385, preroll: 3100, live: false };
const MEDIA = '/work/shared/media/d-indexed-30s.wmv';

describe('file d facts', () => {
  it('match the real file', { skip: !existsSync(MEDIA) && 'lab media not present' }, () => {
    const f = readFileSync(MEDIA);
    const headerObjectSize = Number(f.readBigUInt64LE(16));
    assert.equal(headerObjectSize + 50, D.headerSize);
    assert.equal(Number(f.readBigUInt64LE(headerObjectSize + 40)), D.packetCount, 'Data Object packet count');
    // File Properties Object: GUID 8CABDCA1-A947-11CF-8EE4-00C00C205365.
    const fp = f.indexOf(Buffer.from('a1dcab8c47a9cf118ee400c00c205365', 'hex'));
    assert.ok(fp > 0);
    assert.equal(Number(f.readBigUInt64LE(fp + 80)), D.preroll);
    assert.equal(f.readUInt32LE(fp + 92), D.packetSize);
  });
});

const start = (lines: string[], c: ContentShape = D): unknown => {
  const d = startPoint(parsePragmas(lines), c);
  return { ...d.start, from: d.from, clamped: d.clamped };
};

describe('start point (wmsp.md §6.3)', () => {
  const cases: readonly [string, string[], unknown][] = [
    [
      'FFmpeg -ss 12: stream-time=12000 glued',
      pragmasOf(ffmpeg.play(12000)),
      { kind: 'time', ms: 12000, from: 'stream-time', clamped: false },
    ],
    [
      'FFmpeg from the start: stream-time=0 glued',
      pragmasOf(ffmpeg.play(0)),
      { kind: 'start', from: 'default', clamped: false },
    ],
    [
      'VLC --start-time=12: stream-time=0, stream-offset=0:489600 = 153 x 3200',
      pragmasOf(vlc.play(489600, 3)),
      { kind: 'packet', number: 153, from: 'stream-offset', clamped: false },
    ],
    [
      'VLC from the start: stream-offset=0:0',
      pragmasOf(vlc.play(0)),
      { kind: 'start', from: 'stream-offset', clamped: false },
    ],
    [
      'libmms mmsh_time_seek(12): stream-time=15100 (with preroll) wins over stream-offset=0:0',
      pragmasOf(libmms.play(15100, '0:0')),
      { kind: 'time', ms: 15100, from: 'stream-time', clamped: false },
    ],
    [
      'libmms mmsh_seek(packet 200): stream-offset=0:640879 = 879 + 200 x 3200',
      pragmasOf(libmms.play(0, '0:640879')),
      { kind: 'packet', number: 200, from: 'stream-offset', clamped: false },
    ],
    [
      'MPlayer: stream-offset=0:0',
      pragmasOf(mplayer.play),
      { kind: 'start', from: 'stream-offset', clamped: false },
    ],
    [
      'netshow client: stream-time wins over unspecified offset and packet-num',
      ['no-cache,rate=1.000000,stream-time=9000,stream-offset=4294967295:4294967295,packet-num=4294967295'],
      { kind: 'time', ms: 9000, from: 'stream-time', clamped: false },
    ],
    [
      'row 2: packet-num=42',
      ['stream-time=0,packet-num=42,stream-offset=0:0'],
      { kind: 'packet', number: 42, from: 'packet-num', clamped: false },
    ],
    [
      'row 2: stream-time 4294967295 means not given',
      ['stream-time=4294967295,packet-num=7'],
      { kind: 'packet', number: 7, from: 'packet-num', clamped: false },
    ],
    [
      'row 4: everything unspecified',
      ['stream-time=0,stream-offset=4294967295:4294967295,packet-num=4294967295'],
      { kind: 'start', from: 'default', clamped: false },
    ],
    ['row 4: nothing at all', [], { kind: 'start', from: 'default', clamped: false }],
    [
      'offset inside the header',
      ['stream-offset=0:500'],
      { kind: 'start', from: 'stream-offset', clamped: false },
    ],
    [
      'unaligned offset rounds down to its packet',
      [`stream-offset=0:${879 + 200 * 3200 + 5}`],
      { kind: 'packet', number: 200, from: 'stream-offset', clamped: false },
    ],
    [
      'offset past the end is clamped to the last packet',
      ['stream-offset=1:0'],
      { kind: 'packet', number: 384, from: 'stream-offset', clamped: true },
    ],
    [
      'packet-num past the end is clamped',
      ['packet-num=1000'],
      { kind: 'packet', number: 384, from: 'packet-num', clamped: true },
    ],
    [
      'junk stream-offset is ignored',
      ['stream-offset=abc'],
      { kind: 'start', from: 'default', clamped: false },
    ],
  ];
  for (const [name, lines, want] of cases) it(name, () => assert.deepEqual(start(lines), want));

  it('stream-time past a known duration is clamped to it', () => {
    assert.deepEqual(start(['stream-time=40000'], { ...D, durationMs: 30046 }), {
      kind: 'time',
      ms: 30046,
      from: 'stream-time',
      clamped: true,
    });
  });

  it('live content ignores positions; non-seekable content starts at the start', () => {
    assert.deepEqual(start(['stream-time=12000'], { ...D, live: true }), {
      kind: 'start',
      from: 'live',
      clamped: false,
    });
    assert.deepEqual(start(['packet-num=3'], { ...D, seekable: false }), {
      kind: 'start',
      from: 'not-seekable',
      clamped: false,
    });
  });
});

describe('packetForOffset: both client conventions (wmsp.md §6.3)', () => {
  const cases: readonly [number, number][] = [
    [0, 0],
    [879, 0],
    [879 + 3200, 1],
    [3200, 1],
    [489600, 153],
    [640879, 200],
    [640879 + 3199, 200],
    [100, 0],
  ];
  for (const [offset, packet] of cases)
    it(`${offset} -> ${packet}`, () => assert.equal(packetForOffset(offset, 879, 3200), packet));

  it('parseStreamOffset', () => {
    assert.equal(parseStreamOffset('0:640879'), 640879);
    assert.equal(parseStreamOffset('1:5'), 4294967301);
    assert.equal(parseStreamOffset('4294967295:4294967295'), undefined);
    assert.equal(parseStreamOffset('4294967295:0'), 4294967295 * 4294967296);
    assert.equal(parseStreamOffset(' 0 : 12 trailing'), 12);
    assert.equal(parseStreamOffset('12'), undefined);
    assert.equal(parseStreamOffset(undefined), undefined);
  });
});

/** File c-mbr: stream 1 video 257 kb/s, stream 2 video 141 kb/s, stream 3 audio; mutual exclusion 1/2. */
const MBR = [1, 2, 3];
const select = (lines: string[], streams = MBR): unknown => {
  const s = streamSelection(parsePragmas(lines), streams);
  return s === null ? null : Object.fromEntries(s);
};

describe('stream selection (wmsp.md §6.4) on the MBR file', () => {
  it('FFmpeg: all on, decimal ids', () =>
    assert.deepEqual(select(pragmasOf(ffmpeg.play())), { 1: 0, 2: 0, 3: 0 }));
  it('VLC and libmms: one video chosen, the other at thin 2', () =>
    assert.deepEqual(select(pragmasOf(vlc.play())), { 1: 0, 2: 2, 3: 0 }));
  it('MPlayer: only the chosen streams; unlisted stream 2 is off', () => {
    const s = streamSelection(parsePragmas(pragmasOf(mplayer.play)), MBR);
    assert.deepEqual(Object.fromEntries(s!), { 3: 0, 1: 0 });
    assert.equal(s!.get(2), undefined);
  });
  it('no stream-switch-entry at all: every stream (netshow decision)', () =>
    assert.equal(select(['no-cache,xPlayStrm=1', 'stream-switch-count=3']), null));
  it('key frames only: thin 1', () =>
    assert.deepEqual(select(['stream-switch-entry=ffff:1:1 ffff:3:0']), { 1: 1, 3: 0 }));
  it('entries naming streams not in the header are ignored', () =>
    assert.deepEqual(select(['stream-switch-entry=ffff:1:0 ffff:9:0 ffff:ffff:0']), { 1: 0 }));
  it('a later entry for the same stream wins', () =>
    assert.deepEqual(select(['stream-switch-entry=ffff:1:0 ffff:1:2']), { 1: 2 }));
  it('hex id a names stream 10', () =>
    assert.deepEqual(select(['stream-switch-entry=ffff:a:0'], [10]), { 10: 0 }));
  it('stream-switch-count is not relied on (count 1 with three entries)', () =>
    assert.deepEqual(select(['stream-switch-count=1', 'stream-switch-entry=ffff:1:0 ffff:2:2 ffff:3:0']), {
      1: 0,
      2: 2,
      3: 0,
    }));

  for (const [name, lines] of [
    ['an entry set naming no existing stream', ['stream-switch-entry=ffff:4:0 ffff:5:0']],
    ['an empty entry set', ['stream-switch-entry=']],
    ['a junk entry set', ['stream-switch-entry=all']],
  ] as const) {
    it(`${name}: ProtocolError with HTTP 400`, () => {
      assert.throws(
        () => select([...lines]),
        (e: unknown) => e instanceof ProtocolError && e.code === 'E_WMSP_NO_STREAM' && e.reply.http === 400,
      );
    });
  }
});

describe('rate, Speed, AccelBW/AccelDuration, LinkBW (wmsp.md §6.8)', () => {
  const wmp = parseUserAgent('NSPlayer/12.0.7601.17514');
  const old = parseUserAgent('NSPlayer/7.10.0.3059');
  const line = ['no-cache,rate=1.000', 'LinkBW=2147483647, AccelBW=1048576, AccelDuration=5000, Speed=1.070'];

  it('WMP 12 on-demand', () => {
    assert.deepEqual(rateParams(parsePragmas(line), wmp, false), {
      rate: 1,
      speed: 1.07,
      accel: { bitsPerSecond: 1048576, durationMs: 5000 },
      linkBW: null,
    });
  });
  it('AccelBW needs a client >= 8.0', () =>
    assert.equal(rateParams(parsePragmas(line), old, false).accel, null));
  it('AccelDuration 0 means ignore', () =>
    assert.equal(rateParams(parsePragmas(['AccelBW=1000, AccelDuration=0']), wmp, false).accel, null));
  it('Speed is on-demand only and capped', () => {
    assert.equal(rateParams(parsePragmas(line), wmp, true).speed, null);
    assert.equal(rateParams(parsePragmas(['Speed=500']), wmp, false).speed, 10);
    assert.equal(rateParams(parsePragmas(['Speed=-1']), wmp, false).speed, null);
    assert.equal(rateParams(parsePragmas(['Speed=junk']), wmp, false).speed, null);
  });
  it('rate defaults to 1; a real LinkBW is kept', () => {
    assert.deepEqual(rateParams(parsePragmas(['LinkBW=384000']), null, false), {
      rate: 1,
      speed: null,
      accel: null,
      linkBW: 384000,
    });
    assert.equal(rateParams(parsePragmas(['rate=-5.0']), null, false).rate, -5);
  });
});
