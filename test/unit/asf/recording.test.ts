// The recorder's pure half [asf.md 7.3, 5.1, 3.7]: padding received packets back to the packet size, the
// recorded header and Data Object header, the incremental Simple Index, orphan fragments, and resuming.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  buildSimpleIndex,
  decodeFileProperties,
  fileTimeFromUnixMs,
  padPacket,
  parseHeader,
  parsePacket,
  parseSimpleIndex,
  Recording,
  recordedDataObjectHeader,
  recordedHeader,
  replicatedData,
  sameStreamHeader,
  simpleIndexPacketFor,
  SimpleIndexBuilder,
  writeHeader,
  writePacket,
  type RecordedFileFields,
} from '../../../src/asf/index.js';
import { stripPadding } from '../../../src/rtsp/asf-padding.js';
import { hex, throwsProtocolError } from './cases.js';
import { fixture, FIXTURES } from './fixtures.js';

const KEYS = Object.keys(FIXTURES) as (keyof typeof FIXTURES)[];

const example96 = hex(`8200 0009 5d11 d007 0000 2800 8281 0700
0000 0008 1400 0000 b414 0000 1400 aaaa
aaaa aaaa aaaa aaaa aaaa aaaa aaaa aaaa
aaaa 0203 0000 0000 080c 0000 008a 1400
000c 00bb bbbb bbbb bbbb bbbb bbbb bb00
0000 0000 0000 0000 0000 0000 0000 0000`);
/** Payload bytes of the example: Payload Flags through the last audio byte. */
const example96Payloads = example96.subarray(0x0c, 0x4f);

/** A single-payload packet (one 40-byte fragment) of 96 bytes, as the writer makes it. */
const single96 = writePacket(
  {
    sendTime: 1000,
    duration: 0,
    multiple: false,
    payloads: [
      {
        streamNumber: 1,
        keyFrame: true,
        objectNumber: 2,
        offset: 0,
        replicatedData: replicatedData(100, 4100),
        data: Buffer.alloc(40, 0xcc),
      },
    ],
  },
  96,
);

interface PadCase {
  name: string;
  input: Buffer;
  /** The exact 96-byte packet expected. */
  output: Buffer;
}

const padCases: PadCase[] = [
  { name: 'exact packet: unchanged', input: example96, output: example96 },
  {
    name: 'RTSP form: WORD Packet Length 80, no Padding Length',
    input: Buffer.concat([hex('820000 41 5d 5000 d0070000 2800'), example96Payloads]),
    output: example96,
  },
  {
    name: 'MMSH form: padding cut, Padding Length field kept and set to 0',
    input: Buffer.concat([hex('820000 09 5d 00 d0070000 2800'), example96Payloads]),
    output: example96,
  },
  {
    name: 'padding cut and the Padding Length field removed',
    input: Buffer.concat([hex('820000 01 5d d0070000 2800'), example96Payloads]),
    output: example96,
  },
  {
    name: 'full size with a Packet Length of 80 (implicit padding)',
    input: Buffer.concat([hex('820000 41 5d 5000 d0070000 2800'), example96Payloads, Buffer.alloc(16)]),
    output: example96,
  },
  {
    name: 'full size and exact, but with a Packet Length field',
    input: Buffer.concat([hex('820000 49 5d 6000 0f d0070000 2800'), example96Payloads, Buffer.alloc(15)]),
    output: example96,
  },
  {
    name: 'full size and exact, but a WORD Padding Length field',
    input: Buffer.concat([hex('820000 11 5d 1000 d0070000 2800'), example96Payloads, Buffer.alloc(16)]),
    output: example96,
  },
  {
    name: 'no error correction bytes',
    input: Buffer.concat([hex('01 5d d0070000 2800'), example96Payloads]),
    output: Buffer.concat([hex('09 5d 14 d0070000 2800'), example96Payloads, Buffer.alloc(20)]),
  },
  {
    name: 'BYTE sequence field is kept',
    input: Buffer.concat([hex('820000 03 5d 07 d0070000 2800'), example96Payloads]),
    output: Buffer.concat([hex('820000 0b 5d 07 10 d0070000 2800'), example96Payloads, Buffer.alloc(16)]),
  },
  {
    name: 'single payload, padding stripped with Padding Length 0 and no Packet Length',
    input: Buffer.concat([hex('820000 08 5d 00'), single96.subarray(6, 6 + 6 + 15 + 40)]),
    output: single96,
  },
  {
    name: 'single payload, RTSP form',
    input: stripPadding(single96, 96).data,
    output: single96,
  },
];

for (const c of padCases) {
  void test(`padPacket: ${c.name}`, () => {
    const out = padPacket(c.input, 96);
    assert.equal(out.toString('hex'), c.output.toString('hex'));
    const p = parsePacket(out, 96);
    assert.equal(p.usedLength + p.paddingLength, 96, 'exact Padding Length');
    assert.deepEqual(p.payloads, parsePacket(c.output, 96).payloads);
  });
}

void test('padPacket: an exact packet comes back as the same Buffer', () => {
  assert.equal(padPacket(example96, 96), example96);
});

void test('padPacket: the case inputs were really different from the output', () => {
  assert.ok(padCases.slice(1).every((c) => !c.input.equals(c.output)));
});

void test('padPacket: rejects a packet longer than the packet size, and garbage', () => {
  throwsProtocolError(() => padPacket(Buffer.concat([example96, Buffer.alloc(1)]), 96), 'too long');
  throwsProtocolError(() => padPacket(example96, 64), 'larger than a smaller packet size');
  throwsProtocolError(() => padPacket(Buffer.alloc(0), 96), 'empty');
  throwsProtocolError(() => padPacket(Buffer.alloc(40), 96), 'zeros');
  throwsProtocolError(() => padPacket(example96.subarray(0, 40), 96), 'cut inside a payload');
  throwsProtocolError(() => padPacket(hex('820000 09 5d 60 d0070000 2800'), 96), 'padding beyond the packet');
});

for (const key of KEYS) {
  void test(`padPacket: every packet of ${key} survives stripPadding (RTSP) and a cut (MMSH) byte for byte`, () => {
    const f = fixture(key);
    const S = f.layout.packetSize;
    let stripped = 0;
    f.raw.forEach((raw, n) => {
      assert.equal(padPacket(raw, S), raw, `packet ${n} unchanged`);
      const rtsp = stripPadding(raw, S).data;
      if (rtsp.length < S) stripped++;
      assert.ok(padPacket(rtsp, S).equals(raw), `packet ${n} from RTSP`);
      // MMSH servers drop the padding bytes and write 0 in the Padding Length field.
      const p = f.packets[n]!;
      const cut = Buffer.from(raw.subarray(0, p.usedLength));
      const ltf = p.lengthTypeFlags;
      if ((ltf >> 3) & 3) cut[3 + 2 + [0, 1, 2, 4][(ltf >> 5) & 3]! + [0, 1, 2, 4][(ltf >> 1) & 3]!] = 0;
      const padded = padPacket(cut, S);
      assert.equal(padded.length, S);
      assert.deepEqual(parsePacket(padded, S).payloads, p.payloads, `packet ${n} from MMSH`);
      assert.ok(padded.equals(raw), `packet ${n} from MMSH, byte for byte`);
    });
    if (key !== 'b') assert.ok(stripped > 0);
  });
}

const fields: RecordedFileFields = {
  fileId: hex('00112233445566778899aabbccddeeff'),
  creationDate: fileTimeFromUnixMs(Date.UTC(2026, 0, 2, 3, 4, 5)),
  fileSize: 123456n,
  dataPacketsCount: 38n,
  playDuration: 131_460_000n,
  sendDuration: 100_060_000n,
};

void test('fileTimeFromUnixMs: the Unix epoch and a date', () => {
  assert.equal(fileTimeFromUnixMs(0), 116_444_736_000_000_000n);
  assert.equal(fileTimeFromUnixMs(1000), 116_444_736_010_000_000n);
});

void test('recordedHeader: a live header becomes finite and seekable, every other byte kept', () => {
  const e = fixture('e');
  const received = e.layout.headerBytes; // Header Object plus the 50-byte Data Object prefix, as MMSH sends
  assert.equal(e.layout.header.fileProperties.flags, 0x3);
  const out = recordedHeader(received, fields);
  assert.equal(out.length, e.layout.headerObjectSize);
  const h = parseHeader(out);
  const fp = h.fileProperties;
  assert.equal(fp.broadcast, false);
  assert.equal(fp.seekable, true);
  assert.equal(fp.flags, 0x2);
  assert.deepEqual(fp.fileId, fields.fileId);
  assert.equal(fp.fileSize, fields.fileSize);
  assert.equal(fp.creationDate, fields.creationDate);
  assert.equal(fp.dataPacketsCount, fields.dataPacketsCount);
  assert.equal(fp.playDuration, fields.playDuration);
  assert.equal(fp.sendDuration, fields.sendDuration);
  const before = e.layout.header.fileProperties;
  assert.equal(fp.preroll, before.preroll);
  assert.equal(fp.minPacketSize, before.minPacketSize);
  assert.equal(fp.maxBitrate, before.maxBitrate);
  const at = received.indexOf(hex('a1dcab8c47a9cf118ee400c00c205365'));
  const differ: number[] = [];
  for (let i = 0; i < out.length; i++) if (out[i] !== received[i]) differ.push(i);
  assert.ok(differ.length > 0);
  assert.ok(
    differ.every((i) => i >= at + 24 && i < at + 104),
    'only File Properties data changed',
  );
});

void test('recordedHeader: a file header given its own fields comes back byte for byte', () => {
  for (const key of ['a', 'b', 'c', 'd'] as const) {
    const f = fixture(key);
    const fp = f.layout.header.fileProperties;
    const out = recordedHeader(f.layout.headerBytes, fp);
    assert.ok(out.equals(f.bytes.subarray(0, f.layout.headerObjectSize)), key);
  }
});

void test('recordedHeader: a File Properties Object inside the Header Extension is found', () => {
  const a = fixture('a');
  const h = parseHeader(a.layout.headerBytes);
  const fpEntry = h.objects.find((o) => o.type === 'fileProperties')!;
  const he = h.objects.find((o) => o.type === 'headerExtension')!;
  assert.ok(he.type === 'headerExtension');
  // Move the File Properties Object into the Header Extension (readers accept it there, asf.md 1.2).
  const fpBytes = a.bytes.subarray(30, 30 + 104);
  assert.ok(fpBytes.subarray(0, 16).equals(hex('a1dcab8c47a9cf118ee400c00c205365')));
  const moved = {
    ...h,
    objects: h.objects
      .filter((o) => o !== fpEntry)
      .map((o) =>
        o.type === 'headerExtension'
          ? { ...o, value: { ...o.value, objects: [fpEntry, ...o.value.objects] } }
          : o,
      ),
  };
  const bytes = writeHeader(moved);
  const out = recordedHeader(bytes, fields);
  assert.equal(parseHeader(out).fileProperties.dataPacketsCount, 38n);
  assert.equal(out.length, bytes.length);
});

void test('recordedHeader: a header without File Properties or not ASF is a ProtocolError', () => {
  throwsProtocolError(() => recordedHeader(Buffer.alloc(64), fields), 'zeros');
  throwsProtocolError(() => recordedHeader(fixture('a').bytes.subarray(0, 100), fields), 'truncated');
});

void test('sameStreamHeader: the recorded form of a header is the same stream; another file is not', () => {
  const e = fixture('e').layout.headerBytes;
  assert.ok(sameStreamHeader(e, recordedHeader(e, fields)));
  assert.ok(sameStreamHeader(fixture('a').layout.headerBytes, fixture('a').layout.headerBytes));
  assert.ok(!sameStreamHeader(e, fixture('a').layout.headerBytes));
  assert.ok(!sameStreamHeader(fixture('b').layout.headerBytes, fixture('d').layout.headerBytes));
});

const dataObjectCases = [
  {
    name: 'no packets',
    packets: 0,
    hex: '3626b2758e66cf11a6d900aa0062ce6c 3200000000000000 00112233445566778899aabbccddeeff 0000000000000000 0101',
  },
  {
    name: '3 packets of 3200',
    packets: 3,
    hex: '3626b2758e66cf11a6d900aa0062ce6c b225000000000000 00112233445566778899aabbccddeeff 0300000000000000 0101',
  },
];
for (const c of dataObjectCases) {
  void test(`recordedDataObjectHeader: ${c.name}`, () => {
    assert.equal(
      recordedDataObjectHeader(fields.fileId, c.packets, 3200).toString('hex'),
      hex(c.hex).toString('hex'),
    );
  });
}

void test('SimpleIndexBuilder fed packet by packet equals buildSimpleIndex and the files own index', () => {
  for (const key of ['a', 'd'] as const) {
    const f = fixture(key);
    const b = new SimpleIndexBuilder(1);
    for (const p of f.packets) b.add(p);
    const opts = { playDuration: f.layout.header.fileProperties.playDuration };
    assert.deepEqual(b.build(opts), buildSimpleIndex(f.packets, { ...opts, streamNumber: 1 }));
    const rest = f.bytes.subarray(f.layout.dataEnd);
    const own = parseSimpleIndex(rest.subarray(0, Number(rest.readBigUInt64LE(16))));
    assert.deepEqual(
      b.build(opts).entries.map((e) => e.packetNumber),
      own.entries.map((e) => e.packetNumber),
    );
    assert.equal(b.packetCount, f.packets.length);
  }
});

void test('SimpleIndexBuilder: a partial recording indexes only its key frames', () => {
  const f = fixture('d');
  const b = new SimpleIndexBuilder(1);
  for (const p of f.packets.slice(0, 100)) b.add(p);
  const idx = b.build({ playDuration: 120_000_000n });
  assert.equal(idx.entries.length, 13);
  assert.ok(idx.entries.every((e) => e.packetNumber < 100));
  const keys = f.packets
    .slice(0, 100)
    .flatMap((p) => p.payloads.filter((x) => x.streamNumber === 1 && x.keyFrame && x.offset === 0));
  assert.ok(keys.length >= 3);
  assert.equal(b.lastKeyFrameTime, keys[keys.length - 1]!.presentationTime);
  assert.equal(new SimpleIndexBuilder(1).lastKeyFrameTime, undefined);
});

function identity(): { fileId: Buffer; creationDate: bigint } {
  return { fileId: fields.fileId, creationDate: fields.creationDate };
}

function recordAll(key: keyof typeof FIXTURES, packets = fixture(key).raw): Recording {
  const r = new Recording(fixture(key).layout.headerBytes, identity());
  for (const p of packets) assert.equal(r.push(p).kind, 'packet');
  return r;
}

void test('Recording: the live stream e gives the durations, counts and index of the file a', () => {
  const a = fixture('a');
  const r = recordAll('e');
  const index = r.index();
  const head = r.head(index.length);
  const h = parseHeader(head);
  const fp = h.fileProperties;
  assert.equal(fp.playDuration, a.layout.header.fileProperties.playDuration);
  assert.equal(fp.sendDuration, 100_060_000n, 'last send time + duration');
  assert.equal(fp.dataPacketsCount, 131n);
  assert.equal(fp.fileSize, BigInt(r.dataEnd + index.length));
  assert.equal(fp.flags, 0x2);
  assert.equal(r.dataEnd, fixture('e').layout.firstPacketOffset + 131 * 3200);
  const dataObject = head.subarray(head.length - 50);
  assert.equal(dataObject.readBigUInt64LE(16), 50n + 131n * 3200n);
  assert.equal(dataObject.readBigUInt64LE(40), 131n);
  const si = parseSimpleIndex(index);
  assert.deepEqual(si.fileId, fields.fileId);
  const rest = a.bytes.subarray(a.layout.dataEnd);
  const own = parseSimpleIndex(rest.subarray(0, Number(rest.readBigUInt64LE(16))));
  assert.deepEqual(
    si.entries.map((e) => e.packetNumber),
    own.entries.map((e) => e.packetNumber),
  );
});

void test('Recording: one Simple Index per video stream, none for audio only', () => {
  assert.equal(recordAll('b').index().length, 0);
  const c = recordAll('c').index();
  const first = parseSimpleIndex(c.subarray(0, Number(c.readBigUInt64LE(16))));
  const second = parseSimpleIndex(c.subarray(Number(c.readBigUInt64LE(16))));
  assert.equal(first.entries.length, second.entries.length);
  assert.notDeepEqual(first.entries, second.entries);
  const f = fixture('c');
  for (const [idx, stream] of [
    [first, 1],
    [second, 2],
  ] as const) {
    for (const e of idx.entries.slice(4)) {
      assert.ok(
        f.packets[e.packetNumber]!.payloads.some(
          (x) => x.streamNumber === stream && x.keyFrame && x.offset === 0,
        ),
      );
    }
  }
});

void test('Recording: play durations of every file equal what FFmpeg wrote', () => {
  for (const key of ['a', 'b', 'c', 'd'] as const) {
    assert.equal(recordAll(key).playDuration, fixture(key).layout.header.fileProperties.playDuration, key);
  }
});

void test('Recording: an empty recording is a valid header with no packets', () => {
  const r = new Recording(fixture('a').layout.headerBytes, identity());
  const index = r.index();
  const head = r.head(index.length);
  const fp = decodeFileProperties(head.subarray(30, 134));
  assert.equal(fp.dataPacketsCount, 0n);
  assert.equal(fp.playDuration, 0n);
  assert.equal(parseSimpleIndex(index).entries.length, 0);
  assert.deepEqual(r.resume(), { startMs: 0, lastSendTime: 0 });
});

void test('Recording: joined mid-object, orphan fragments and the delta frames before the first key frame are dropped', () => {
  const f = fixture('a');
  // Packet 1 is the single-payload middle of the first key frame (asf.md 3.5): joining there orphans it.
  const start = 1;
  assert.equal(f.packets[start]!.multiple, false);
  const r = new Recording(f.layout.headerBytes, identity());
  const written: Buffer[] = [];
  let orphans = 0;
  for (const raw of f.raw.slice(start)) {
    const res = r.push(raw);
    if (res.kind === 'packet') written.push(res.data);
    else if (res.kind === 'orphans') orphans++;
  }
  assert.ok(orphans >= 1);
  const seen = new Set<string>();
  let dropped = 0;
  const original = f.packets.slice(start).flatMap((p) => p.payloads);
  const kept = written.flatMap((b) => parsePacket(b, 3200).payloads);
  for (const x of kept) {
    const id = `${x.streamNumber}/${x.objectNumber}/${x.presentationTime}`;
    if (x.offset === 0) seen.add(id);
    else assert.ok(seen.has(id), `fragment of ${id} without its start`);
  }
  for (const x of original) if (!kept.some((k) => k.data.equals(x.data) && k.offset === x.offset)) dropped++;
  assert.ok(dropped >= 2, 'the orphaned key-frame fragments are gone');
  const videoNumbers = new Set(
    f.layout.header.streams.filter((s) => s.kind === 'video').map((s) => s.streamNumber),
  );
  const firstVideo = kept.find((x) => videoNumbers.has(x.streamNumber));
  assert.ok(firstVideo?.keyFrame && firstVideo.offset === 0, 'video starts at a key frame');
  const audio = (xs: typeof kept) => xs.filter((x) => !videoNumbers.has(x.streamNumber));
  assert.ok(audio(original).length - audio(kept).length <= 1, 'audio loses at most one orphan fragment');
  assert.equal(r.packetCount, written.length);
});

/** The packet an index-using server starts at for `startMs`, as src/streaming/start-packet.ts does. */
function serverStart(key: keyof typeof FIXTURES, startMs: number): number {
  const f = fixture(key);
  const rest = f.bytes.subarray(f.layout.dataEnd);
  const idx = parseSimpleIndex(rest.subarray(0, Number(rest.readBigUInt64LE(16))));
  return simpleIndexPacketFor(idx, startMs + f.layout.header.fileProperties.preroll);
}

for (const cut of [1, 40, 154, 300, 384]) {
  void test(`Recording: resume after ${cut} packets of d skips the replay up to the last recorded packet`, () => {
    const f = fixture('d');
    const r = recordAll('d', f.raw.slice(0, cut));
    const point = r.resume();
    assert.equal(point.lastSendTime, f.packets[cut - 1]!.sendTime);
    const from = serverStart('d', point.startMs);
    assert.ok(from <= cut - 1, `server restarts at ${from}, before the last recorded ${cut - 1}`);
    const after: Buffer[] = [];
    let duplicates = 0;
    for (const raw of f.raw.slice(from)) {
      const res = r.push(stripPadding(raw, 3200).data);
      if (res.kind === 'packet') after.push(res.data);
      else if (res.kind === 'duplicate') duplicates++;
    }
    assert.equal(duplicates, cut - from);
    assert.equal(after.length, f.raw.length - cut);
    after.forEach((b, i) => assert.ok(b.equals(f.raw[cut + i]!), `packet ${cut + i}`));
    assert.equal(r.playDuration, f.layout.header.fileProperties.playDuration);
  });
}

void test('Recording: resume with no byte-equal packet falls back to send times', () => {
  const f = fixture('d');
  const cut = 154;
  const r = recordAll('d', f.raw.slice(0, cut));
  const { lastSendTime } = r.resume();
  // A server that packetises differently: every packet differs from what was recorded.
  const other = f.raw.map((raw) => {
    const b = Buffer.from(raw);
    b[1] = 0x01;
    return b;
  });
  const written: number[] = [];
  for (const raw of other.slice(100)) {
    const res = r.push(raw);
    if (res.kind === 'packet') written.push(res.packet.sendTime);
  }
  assert.ok(written.length > 0);
  assert.ok(written.every((t) => t > lastSendTime));
  assert.equal(written[0], f.packets.find((p) => p.sendTime > lastSendTime)!.sendTime);
});

void test('Recording: pushRecorded rebuilds what push built', () => {
  const f = fixture('d');
  const a = recordAll('d');
  const b = new Recording(a.head(0), identity());
  for (const raw of f.raw) b.pushRecorded(raw);
  assert.ok(a.index().equals(b.index()));
  assert.equal(a.playDuration, b.playDuration);
  assert.deepEqual(a.resume(), b.resume());
  throwsProtocolError(() => b.pushRecorded(f.raw[0]!.subarray(0, 100)), 'short recorded packet');
});
