// The ASF engine against the real sample media (test/fixtures/media, described in its README).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  buildSimpleIndex,
  packetSendTime,
  parseFileStart,
  parseHeader,
  parseSimpleIndex,
  simpleIndexPacketFor,
  writeHeader,
  writeSimpleIndex,
  type SimpleIndex,
} from '../../../src/asf/index.js';
import { FIXTURES, fixture } from './fixtures.js';

const expected = {
  a: { packets: 131, headerSize: 797, streams: ['1 video', '2 audio'], index: 15 },
  b: { packets: 27, headerSize: 532, streams: ['1 audio'], index: 0 },
  c: { packets: 187, headerSize: 1188, streams: ['1 video', '2 video', '3 audio'], index: 15 },
  d: { packets: 385, headerSize: 829, streams: ['1 video', '2 audio'], index: 35 },
  e: { packets: 131, headerSize: 817, streams: ['1 video', '2 audio'], index: 15 },
} as const;

function simpleIndexOf(key: keyof typeof FIXTURES): SimpleIndex | undefined {
  const f = fixture(key);
  if (f.bytes.length < f.layout.dataEnd + 56) return undefined;
  return parseSimpleIndex(f.bytes.subarray(f.layout.dataEnd), f.layout.dataEnd);
}

for (const key of Object.keys(FIXTURES) as (keyof typeof FIXTURES)[]) {
  const want = expected[key];
  void test(`${key}: header round-trips byte for byte`, () => {
    const f = fixture(key);
    assert.equal(f.layout.headerObjectSize, want.headerSize);
    assert.ok(writeHeader(f.layout.header).equals(f.bytes.subarray(0, want.headerSize)));
    assert.ok(f.layout.headerBytes.equals(f.bytes.subarray(0, want.headerSize + 50)));
    assert.equal(f.layout.firstPacketOffset, want.headerSize + 50);
    // Every known object is canonical, so nothing fell back to raw bytes except objects we do not decode.
    for (const o of f.layout.header.objects) if (o.type !== 'raw') assert.equal(o.raw, undefined, o.type);
  });

  void test(`${key}: streams and packet layout`, () => {
    const f = fixture(key);
    assert.deepEqual(
      f.layout.header.streams.map((s) => `${s.streamNumber} ${s.kind}`),
      want.streams,
    );
    assert.equal(f.layout.packetSize, 3200);
    assert.equal(f.layout.packetCount, want.packets);
    assert.equal(f.layout.header.fileProperties.preroll, 3100);
  });

  void test(`${key}: every packet parses, is full, and send times never go back`, () => {
    const f = fixture(key);
    let last = 0;
    f.packets.forEach((p, n) => {
      assert.equal(packetSendTime(f.raw[n]!), p.sendTime);
      assert.ok(p.sendTime >= last, `packet ${n} send time ${p.sendTime} < ${last}`);
      last = p.sendTime;
      assert.equal(p.packetLength, 3200);
      assert.ok(p.usedLength + p.paddingLength <= 3200);
      for (const x of p.payloads) {
        assert.ok(x.presentationTime >= p.sendTime, `packet ${n}: PT before send time`);
        assert.ok(x.presentationTime - p.sendTime <= 3100 + 1000, `packet ${n}: PT lead too large`);
      }
    });
  });

  void test(`${key}: simple index`, () => {
    const idx = simpleIndexOf(key);
    if (want.index === 0) {
      assert.equal(fixture(key).bytes.length, fixture(key).layout.dataEnd);
      return;
    }
    assert.ok(idx);
    assert.equal(idx.intervalMs, 1000);
    assert.equal(idx.entries.length, want.index);
    const f = fixture(key);
    assert.ok(
      writeSimpleIndex(idx).equals(
        f.bytes.subarray(f.layout.dataEnd, f.layout.dataEnd + 56 + 6 * want.index),
      ),
    );
  });
}

void test('a: the first key frame spans packets 0-2 as in asf.md 3.5', () => {
  const { packets } = fixture('a');
  const frag = packets
    .slice(0, 3)
    .map((p) => p.payloads.find((x) => x.streamNumber === 1 && x.objectNumber === 1)!);
  assert.deepEqual(
    frag.map((x) => [x.offset, x.keyFrame, x.objectSize, x.presentationTime]),
    [
      [0, true, 8378, 3146],
      [2783, true, 8378, 3146],
      [5957, true, 8378, 3146],
    ],
  );
  assert.equal(packets[1]!.multiple, false);
});

void test('b: audio only, no index, packets of whole 371-byte WMA objects', () => {
  const f = fixture('b');
  assert.equal(f.layout.header.streams[0]!.audio?.formatTag, 0x161);
  assert.equal(f.layout.header.streams[0]!.bitrate, 64000);
  for (const p of f.packets) for (const x of p.payloads) assert.equal(x.objectSize, 371);
});

void test('c: MBR objects: bitrates and mutual exclusions', () => {
  const h = fixture('c').layout.header;
  assert.deepEqual(
    h.streams.map((s) => s.bitrate),
    [256822, 140722, 64108],
  );
  assert.deepEqual(h.mutualExclusions, [
    { kind: 'bitrate', streams: [1, 2], object: 'bitrateMutualExclusion' },
    { kind: 'bitrate', streams: [1, 2], object: 'advancedMutualExclusion' },
  ]);
  assert.deepEqual(
    h.streams.map((s) => s.video && `${s.video.width}x${s.video.height}`),
    ['320x240', '160x120', undefined],
  );
});

void test('d: 35 index entries at 1 s; lookups and a rebuilt index agree with the file', () => {
  const f = fixture('d');
  const idx = simpleIndexOf('d')!;
  const built = buildSimpleIndex(f.packets, {
    streamNumber: 1,
    playDuration: f.layout.header.fileProperties.playDuration,
  });
  assert.equal(built.entries.length, 35);
  assert.deepEqual(
    built.entries.map((e) => e.packetNumber),
    idx.entries.map((e) => e.packetNumber),
  );
  // FFmpeg's Packet Count is often one lower than the real span (asf.md 5.1).
  built.entries.forEach((e, i) => assert.ok(e.packetCount - idx.entries[i]!.packetCount <= 1));
  assert.equal(simpleIndexPacketFor(idx, 0, 3100), idx.entries[3]!.packetNumber);
  assert.equal(simpleIndexPacketFor(idx, 10_000, 3100), idx.entries[13]!.packetNumber);
  assert.equal(simpleIndexPacketFor(idx, 1e9, 3100), idx.entries[34]!.packetNumber);
  // The entry names a packet holding a key-frame start of stream 1.
  for (const e of idx.entries.slice(4)) {
    assert.ok(
      f.packets[e.packetNumber]!.payloads.some((x) => x.streamNumber === 1 && x.keyFrame && x.offset === 0),
    );
  }
});

void test('e: live header: broadcast, 0 packets declared, count from the file size', () => {
  const f = fixture('e');
  const fp = f.layout.header.fileProperties;
  assert.equal(fp.broadcast, true);
  assert.equal(fp.dataPacketsCount, 0n);
  assert.equal(f.layout.dataObjectSize, 50);
  assert.equal(parseFileStart(f.bytes.subarray(0, f.layout.firstPacketOffset)).packetCount, 0);
  assert.equal(f.layout.packetCount, 131);
});

void test('editing a parsed header value is written back', () => {
  const f = fixture('e');
  const h = parseHeader(f.bytes);
  h.fileProperties.flags = 2;
  h.fileProperties.dataPacketsCount = 131n;
  h.metadata.title = 'ignored: views are not objects';
  const out = parseHeader(writeHeader(h));
  assert.equal(out.fileProperties.flags, 2);
  assert.equal(out.fileProperties.seekable, true);
  assert.equal(out.fileProperties.broadcast, false);
  assert.equal(out.fileProperties.dataPacketsCount, 131n);
  const cd = h.objects.find((o) => o.type === 'contentDescription');
  assert.ok(cd && cd.type === 'contentDescription');
  cd.value.title = 'renamed';
  assert.equal(parseHeader(writeHeader(h)).metadata.title, 'renamed');
});
