// Stream thinning [asf.md 6.2] on the MBR sample: full-size valid packets, same send times, payloads
// byte-identical, no payload of a dropped stream, and FFmpeg decodes the kept streams frame for frame.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parsePacket, thinPacket, writeDataObjectHeader, type DataPacket } from '../../../src/asf/index.js';
import { hex } from './cases.js';
import { fixture } from './fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'netshow-thin-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function thinAll(keep: Set<number>): { out: Buffer[]; from: number[] } {
  const f = fixture('c');
  const out: Buffer[] = [];
  const from: number[] = [];
  f.raw.forEach((p, n) => {
    const t = thinPacket(p, f.layout.packetSize, (s) => keep.has(s));
    if (t) {
      out.push(t);
      from.push(n);
    }
  });
  return { out, from };
}

function kept(p: DataPacket, keep: Set<number>): DataPacket['payloads'] {
  return p.payloads.filter((x) => keep.has(x.streamNumber));
}

for (const keepList of [
  [1, 3],
  [2, 3],
]) {
  const keep = new Set(keepList);
  const name = `{${keepList.join(',')}}`;

  void test(`thin c-mbr to ${name}: full-size packets, same send times, payloads unchanged`, () => {
    const f = fixture('c');
    const { out, from } = thinAll(keep);
    const expectedCount = f.packets.filter((p) => kept(p, keep).length > 0).length;
    assert.equal(out.length, expectedCount);
    assert.ok(out.length < f.packets.length);
    out.forEach((b, i) => {
      assert.equal(b.length, 3200);
      const original = f.packets[from[i]!]!;
      const p = parsePacket(b, 3200);
      assert.equal(p.sendTime, original.sendTime);
      assert.equal(p.duration, original.duration);
      assert.ok(p.payloads.every((x) => keep.has(x.streamNumber)));
      assert.deepStrictEqual(p.payloads, kept(original, keep));
      if (b !== f.raw[from[i]!]) assert.equal(p.usedLength + p.paddingLength, 3200, 'exact Padding Length');
      assert.ok(
        b.subarray(p.usedLength).every((x) => x === 0),
        'padding is zeros',
      );
      if (b === f.raw[from[i]!]) assert.equal(kept(original, keep).length, original.payloads.length);
    });
  });

  void test(`thin c-mbr to ${name}: ffmpeg decodes the kept streams frame for frame`, (t) => {
    try {
      execFileSync('ffmpeg', ['-version'], { stdio: 'ignore' });
    } catch {
      t.skip('ffmpeg is not installed');
      return;
    }
    const f = fixture('c');
    const { out } = thinAll(keep);
    const data = writeDataObjectHeader({
      ...f.layout.dataObject,
      objectSize: BigInt(50 + out.length * 3200),
      totalDataPackets: BigInt(out.length),
    });
    const file = join(dir, `thin-${keepList.join('')}.wmv`);
    writeFileSync(file, Buffer.concat([f.bytes.subarray(0, f.layout.headerObjectSize), data, ...out]));
    const frames = (path: string): string[] =>
      execFileSync('ffmpeg', ['-v', 'error', '-i', path, '-map', '0', '-f', 'framemd5', '-'], {
        encoding: 'utf8',
      })
        .split('\n')
        .filter((l) => l && !l.startsWith('#'));
    // framemd5 numbers streams from 0 in header order: ASF stream n is index n - 1 here.
    const keptIndex = new Set(keepList.map((s) => String(s - 1)));
    const want = frames(f.path).filter((l) => keptIndex.has(l.split(',')[0]!.trim()));
    const got = frames(file);
    assert.ok(want.length > 100);
    assert.deepEqual(got, want);
  });
}

void test('thinPacket returns the same Buffer when nothing is dropped, null when everything is', () => {
  const f = fixture('c');
  const p = f.raw[5]!;
  assert.equal(
    thinPacket(p, 3200, () => true),
    p,
  );
  assert.equal(
    thinPacket(p, 3200, () => false),
    null,
  );
});

void test('thinPacket keeps or drops a single-payload packet whole', () => {
  const f = fixture('a');
  const n = f.packets.findIndex((p) => !p.multiple);
  assert.ok(n >= 0);
  const only = f.packets[n]!.payloads[0]!.streamNumber;
  assert.equal(
    thinPacket(f.raw[n]!, 3200, (s) => s === only),
    f.raw[n],
  );
  assert.equal(
    thinPacket(f.raw[n]!, 3200, (s) => s !== only),
    null,
  );
});

void test('thinPacket on the asf.md 3.9 example: drop the video, keep the audio', () => {
  const example = hex(`8200 0009 5d11 d007 0000 2800 8281 0700 0000 0008 1400 0000 b414 0000 1400
    ${'aa'.repeat(20)} 0203 0000 0000 080c 0000 008a 1400 000c 00 ${'bb'.repeat(12)} ${'00'.repeat(17)}`);
  const t = thinPacket(example, 96, (s) => s === 2)!;
  assert.equal(t.length, 96);
  const p = parsePacket(t, 96);
  assert.equal(p.sendTime, 2000);
  assert.equal(p.payloads.length, 1);
  assert.deepEqual(p.payloads[0]!.data, Buffer.alloc(12, 0xbb));
  assert.equal(p.usedLength + p.paddingLength, 96);
});

void test('thinPacket of a short (padding-stripped) packet still gives a full-size packet', () => {
  const f = fixture('c');
  const n = f.packets.findIndex(
    (p) =>
      p.multiple &&
      p.payloads.some((x) => x.streamNumber === 2) &&
      p.payloads.some((x) => x.streamNumber !== 2),
  );
  const short = f.raw[n]!.subarray(0, f.packets[n]!.usedLength);
  const t = thinPacket(short, 3200, (s) => s !== 2)!;
  assert.equal(t.length, 3200);
  assert.deepStrictEqual(parsePacket(t, 3200).payloads, kept(f.packets[n]!, new Set([1, 3])));
});
