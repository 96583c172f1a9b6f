// Property and fuzz tests for the ASF decoders: arbitrary and mutated bytes give a value or a ProtocolError,
// never another exception or a hang; writers round-trip; the malformed inputs of asf.md 8.3 by name.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  GUID,
  headerObjectSize,
  packetBytesNeeded,
  packetSendTime,
  parseFileStart,
  parseHeader,
  parsePacket,
  parseSimpleIndex,
  replicatedData,
  thinPacket,
  writeHeader,
  writePacket,
  type PayloadInput,
} from '../src/asf/index.js';
import { ProtocolError } from '../src/core/errors.js';

/** Each property stops after this long, so the suite stays fast whatever the machine. */
const budget = { numRuns: 5000, interruptAfterTimeLimit: 3000 };

const media = (name: string): Buffer =>
  readFileSync(new URL(`../test/fixtures/media/${name}`, import.meta.url));
const A = media('a-wmv2-wmav2-10s.wmv');
const LAYOUT = parseFileStart(A, A.length);
const START = A.subarray(0, LAYOUT.firstPacketOffset);
const PACKETS = Array.from({ length: LAYOUT.packetCount }, (_, n) =>
  A.subarray(LAYOUT.firstPacketOffset + n * 3200, LAYOUT.firstPacketOffset + (n + 1) * 3200),
);
const INDEX = A.subarray(LAYOUT.dataEnd);

/** Run `fn`; a ProtocolError (with an offset) is a fine answer, anything else fails the property. */
function valueOrProtocolError(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof ProtocolError)) throw e;
    if (e.offset !== undefined && (!Number.isInteger(e.offset) || e.offset < 0))
      throw new Error(`bad offset ${e.offset}`, { cause: e });
  }
}

function expectProtocolError(fn: () => unknown, what: string): ProtocolError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ProtocolError, `${what}: ${String(e)}`);
    assert.equal(typeof e.offset, 'number', `${what}: no offset`);
    return e;
  }
  assert.fail(`${what}: accepted`);
}

const bytes = (max: number) => fc.uint8Array({ minLength: 0, maxLength: max }).map((u) => Buffer.from(u));
const keepFn = fc.func(fc.boolean()) as fc.Arbitrary<(s: number, k: boolean) => boolean>;

void test('arbitrary bytes: every decoder gives a value or a ProtocolError', () => {
  fc.assert(
    fc.property(bytes(600), fc.integer({ min: 1, max: 4096 }), keepFn, (b, size, keep) => {
      valueOrProtocolError(() => headerObjectSize(b));
      valueOrProtocolError(() => parseFileStart(b));
      valueOrProtocolError(() => parseFileStart(b, b.length));
      valueOrProtocolError(() => parseHeader(b));
      valueOrProtocolError(() => parsePacket(b, size));
      valueOrProtocolError(() => packetSendTime(b));
      valueOrProtocolError(() => parseSimpleIndex(b));
      valueOrProtocolError(() => thinPacket(b, size, keep));
    }),
    budget,
  );
});

void test('arbitrary bytes behind real GUIDs and plausible sizes', () => {
  const framed = fc
    .tuple(
      fc.constantFrom(GUID.header, GUID.simpleIndex, GUID.data),
      bytes(400),
      fc.integer({ min: 0, max: 500 }),
    )
    .map(([g, body, extra]) => {
      const size = Buffer.alloc(8);
      size.writeBigUInt64LE(BigInt(24 + body.length + (extra % 3 === 0 ? 0 : extra)));
      return Buffer.concat([g, size, body]);
    });
  fc.assert(
    fc.property(framed, (b) => {
      valueOrProtocolError(() => parseFileStart(b));
      valueOrProtocolError(() => parseHeader(b));
      valueOrProtocolError(() => parseSimpleIndex(b));
    }),
    budget,
  );
});

/** Mutations: flip bytes, write an absurd length, truncate. */
function mutated(base: Buffer): fc.Arbitrary<Buffer> {
  const flip = fc
    .array(fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 })), {
      minLength: 1,
      maxLength: 8,
    })
    .map((edits) => {
      const b = Buffer.from(base);
      for (const [at, v] of edits) b[at] = v;
      return b;
    });
  const absurd = fc
    .tuple(fc.nat(base.length - 8), fc.constantFrom(0, 1, 0x7fffffff, 0xffffffff), fc.constantFrom(2, 4, 8))
    .map(([at, v, w]) => {
      const b = Buffer.from(base);
      if (w === 2) b.writeUInt16LE(v & 0xffff, at);
      else if (w === 4) b.writeUInt32LE(v >>> 0, at);
      else b.writeBigUInt64LE(v === 0xffffffff ? 0xffffffffffffffffn : BigInt(v) << 20n, at);
      return b;
    });
  const cut = fc.nat(base.length).map((n) => base.subarray(0, n));
  return fc.oneof(flip, absurd, cut);
}

void test('mutated real header: a layout or a ProtocolError, and accepted headers still round-trip', () => {
  fc.assert(
    fc.property(mutated(START), (b) => {
      valueOrProtocolError(() => {
        const layout = parseFileStart(b);
        assert.ok(writeHeader(layout.header).equals(b.subarray(0, layout.headerObjectSize)));
      });
    }),
    budget,
  );
});

void test('mutated real packets: parse, send time and thinning give a value or a ProtocolError', () => {
  fc.assert(
    fc.property(
      fc.nat(PACKETS.length - 1).chain((n) => mutated(PACKETS[n]!)),
      keepFn,
      (b, keep) => {
        valueOrProtocolError(() => parsePacket(b, 3200));
        valueOrProtocolError(() => packetSendTime(b));
        valueOrProtocolError(() => {
          const t = thinPacket(b, 3200, keep);
          if (t && t !== b) assert.equal(t.length, 3200);
        });
      },
    ),
    budget,
  );
});

void test('mutated real Simple Index: a value or a ProtocolError', () => {
  fc.assert(
    fc.property(mutated(INDEX), (b) => valueOrProtocolError(() => parseSimpleIndex(b))),
    budget,
  );
});

const payloadArb: fc.Arbitrary<PayloadInput> = fc.oneof(
  fc
    .record({
      streamNumber: fc.integer({ min: 1, max: 127 }),
      keyFrame: fc.boolean(),
      objectNumber: fc.integer({ min: 0, max: 70000 }),
      offset: fc.integer({ min: 0, max: 100000 }),
      extra: fc.nat(1000),
      pt: fc.nat(0xffffffff),
      ext: bytes(4),
      data: fc.uint8Array({ minLength: 1, maxLength: 300 }).map((u) => Buffer.from(u)),
    })
    .map((x) => ({
      streamNumber: x.streamNumber,
      keyFrame: x.keyFrame,
      objectNumber: x.objectNumber,
      offset: x.offset,
      replicatedData: replicatedData(x.offset + x.data.length + x.extra, x.pt, x.ext),
      data: x.data,
    })),
  fc
    .record({
      streamNumber: fc.integer({ min: 1, max: 127 }),
      objectNumber: fc.nat(255),
      pt: fc.nat(0xffffffff),
      delta: fc.nat(255),
      subs: fc.array(fc.uint8Array({ maxLength: 40 }), { minLength: 1, maxLength: 6 }),
    })
    .map((x) => ({
      streamNumber: x.streamNumber,
      keyFrame: false,
      objectNumber: x.objectNumber,
      offset: x.pt,
      replicatedData: Buffer.from([x.delta]),
      data: Buffer.concat(x.subs.flatMap((s) => [Buffer.from([s.length]), Buffer.from(s)])),
    })),
);

const packetArb = fc
  .record({
    size: fc.integer({ min: 64, max: 4000 }),
    sendTime: fc.nat(0xffffffff),
    duration: fc.nat(0xffff),
    payloads: fc.array(payloadArb, { minLength: 1, maxLength: 12 }),
  })
  .filter(
    (p) =>
      packetBytesNeeded(p.payloads) <= p.size ||
      (p.payloads.length === 1 && packetBytesNeeded(p.payloads) - 3 <= p.size),
  );

void test('decode(encode(x)) == x for packets built from arbitrary payload lists', () => {
  fc.assert(
    fc.property(packetArb, (p) => {
      const b = writePacket(p, p.size);
      assert.equal(b.length, p.size);
      const d = parsePacket(b, p.size);
      assert.equal(d.sendTime, p.sendTime);
      assert.equal(d.duration, p.duration);
      assert.equal(packetSendTime(b), p.sendTime);
      assert.equal(d.usedLength + d.paddingLength, p.size);
      assert.deepStrictEqual(
        d.payloads.map((x) => ({
          streamNumber: x.streamNumber,
          keyFrame: x.keyFrame,
          objectNumber: x.objectNumber,
          offset: x.offset,
          replicatedData: Buffer.from(x.replicatedData),
          data: Buffer.from(x.data),
        })),
        p.payloads,
      );
    }),
    budget,
  );
});

void test('thinning arbitrary packets keeps exactly the wanted payloads in a full-size packet', () => {
  fc.assert(
    fc.property(packetArb, fc.func(fc.boolean()), (p, keepStream) => {
      const b = writePacket(p, p.size);
      const keep = (s: number): boolean => keepStream(s);
      const t = thinPacket(b, p.size, keep);
      const want = parsePacket(b, p.size).payloads.filter((x) => keep(x.streamNumber));
      if (want.length === 0) return assert.equal(t, null);
      assert.ok(t);
      assert.equal(t.length, p.size);
      const d = parsePacket(t, p.size);
      assert.equal(d.sendTime, p.sendTime);
      assert.deepStrictEqual(d.payloads, want);
    }),
    budget,
  );
});

// The malformed inputs of asf.md 8.3, each as one mutation of the sample (a).

/** File Properties is the first child in every sample header. */
function fpOffset(): number {
  return 30;
}

function patchedStart(edit: (b: Buffer) => void): Buffer {
  const b = Buffer.from(A);
  edit(b);
  return b;
}

const H = LAYOUT.headerObjectSize;

void test('8.3: File Properties Object Size = 0', () => {
  const b = patchedStart((x) => x.writeBigUInt64LE(0n, fpOffset() + 16));
  expectProtocolError(() => parseFileStart(b), 'fp size 0');
});

void test('8.3: Header Object Size 100 KB too big', () => {
  const b = patchedStart((x) => x.writeBigUInt64LE(BigInt(H + 100_000), 16));
  expectProtocolError(() => parseFileStart(b.subarray(0, H + 50)), 'header size too big');
  expectProtocolError(() => parseFileStart(b), 'header size too big, whole file');
});

void test('8.3: Data Object Size 0 (with and without Broadcast), 2^40, and packet count 2^48', () => {
  const zero = patchedStart((x) => x.writeBigUInt64LE(0n, H + 16));
  assert.equal(parseFileStart(zero, zero.length).packetCount, 131);
  const bc = patchedStart((x) => {
    x.writeBigUInt64LE(0n, H + 16);
    x.writeUInt32LE(3, fpOffset() + 88);
  });
  assert.equal(parseFileStart(bc, bc.length).packetCount, 131);
  const huge = patchedStart((x) => x.writeBigUInt64LE(2n ** 40n, H + 16));
  assert.equal(parseFileStart(huge, huge.length).packetCount, 131);
  const count = patchedStart((x) => {
    x.writeBigUInt64LE(2n ** 48n, H + 40);
    x.writeBigUInt64LE(2n ** 48n, fpOffset() + 56);
  });
  assert.equal(parseFileStart(count, count.length).packetCount, 131);
  expectProtocolError(
    () => parseFileStart(patchedStart((x) => x.writeBigUInt64LE(2n ** 63n, H + 40))),
    'count 2^63',
  );
});

void test('8.3: Data Object smaller than 50', () => {
  expectProtocolError(
    () => parseFileStart(patchedStart((x) => x.writeBigUInt64LE(30n, H + 16))),
    'data size 30',
  );
});

void test('8.3: Min/Max packet size 0, 2^30, and Min != Max', () => {
  for (const [min, max] of [
    [0, 0],
    [2 ** 30, 2 ** 30],
    [3200, 3201],
  ]) {
    const b = patchedStart((x) => {
      x.writeUInt32LE(min!, fpOffset() + 92);
      x.writeUInt32LE(max!, fpOffset() + 96);
    });
    expectProtocolError(() => parseFileStart(b), `packet size ${min}/${max}`);
  }
});

/** A multiple-payload packet of (a) with a BYTE padding field, to mutate its fields. */
const MULTI = (() => {
  const n = PACKETS.findIndex((p) => p[3] === 0x09 && p[5]! > 0);
  return { n, b: PACKETS[n]! };
})();

function packetCase(name: string, edit: (b: Buffer) => void): void {
  void test(`8.3: ${name}`, () => {
    const b = Buffer.from(MULTI.b);
    edit(b);
    expectProtocolError(() => parsePacket(b, 3200), name);
    expectProtocolError(() => thinPacket(b, 3200, () => false), `${name} (thin)`);
  });
}

// Offsets in a 82 00 00 | 09 | 5d | pad | send(4) | dur(2) | payload flags | first payload ... packet.
const PF = 12;
const P1 = 13;
packetCase('Padding Length (255) covering payload bytes', (b) => (b[5] = 0xff));
void test('8.3: Padding Length > packet size (96-byte packet)', () => {
  const b = Buffer.from(MULTI.b.subarray(0, 96));
  b[5] = 0xff;
  expectProtocolError(() => parsePacket(b, 96), 'padding 255 in 96');
});
packetCase('EC flags 0x83 (length 3)', (b) => (b[0] = 0x83));
packetCase('Payload count 0', (b) => (b[PF] = 0x80));
packetCase('Payload count 63 in a smaller packet', (b) => (b[PF] = 0xbf));
packetCase('Payload Length 0xFFFF', (b) => b.writeUInt16LE(0xffff, P1 + 1 + 1 + 4 + 1 + 8));
packetCase('Replicated Data Length 5', (b) => (b[P1 + 6] = 5));
packetCase('Media Object Size 0x7FFFFFFF', (b) => b.writeUInt32LE(0x7fffffff, P1 + 7));
packetCase('Offset Into Media Object beyond the object', (b) => b.writeUInt32LE(0x00ffffff, P1 + 2));

void test('8.3: File truncated mid-packet', () => {
  const b = PACKETS[1]!.subarray(0, 1000);
  expectProtocolError(() => parsePacket(b, 3200), 'truncated single payload');
  const layout = parseFileStart(A.subarray(0, 100_000));
  assert.equal(layout.packetCount, 131, 'declared count kept without a file size');
  assert.equal(
    parseFileStart(A.subarray(0, 100_000), 100_000).packetCount,
    Math.floor((100_000 - H - 50) / 3200),
  );
});

void test('8.3: Padding stripped from a single-payload packet without a Packet Length field', () => {
  const n = PACKETS.findIndex((p) => (p[3]! & 1) === 0);
  const p = parsePacket(PACKETS[n]!, 3200);
  expectProtocolError(() => parsePacket(PACKETS[n]!.subarray(0, p.usedLength - 1), 3200), 'stripped single');
});

void test('8.3 (ours): Header Extension Data Size != Object Size - 46', () => {
  const at = findObject(GUID.headerExtension);
  const b = patchedStart((x) => x.writeUInt32LE(x.readUInt32LE(at + 42) + 1, at + 42));
  expectProtocolError(() => parseFileStart(b), 'HE data size');
});

void test('8.3 (ours): SPO with TSD length past the object end, stream number 0', () => {
  const at = findObject(GUID.streamProperties);
  expectProtocolError(() => parseFileStart(patchedStart((x) => x.writeUInt32LE(0xffff, at + 64))), 'TSD');
  expectProtocolError(() => parseFileStart(patchedStart((x) => x.writeUInt16LE(0, at + 72))), 'stream 0');
  expectProtocolError(() => parseFileStart(patchedStart((x) => x.writeUInt32LE(0xffffffff, at + 68))), 'ECD');
});

void test('8.3 (ours): Extended Content Description count 65535 in a tiny object', () => {
  const at = findObject(GUID.extendedContentDescription);
  expectProtocolError(
    () => parseFileStart(patchedStart((x) => x.writeUInt16LE(0xffff, at + 24))),
    'ECD count',
  );
});

void test('8.3 (ours): Simple Index count larger than the object', () => {
  const b = Buffer.from(INDEX);
  b.writeUInt32LE(0xffffffff, 52);
  expectProtocolError(() => parseSimpleIndex(b), 'index count');
  const z = Buffer.from(INDEX);
  z.writeBigUInt64LE(0n, 40);
  expectProtocolError(() => parseSimpleIndex(z), 'index interval 0');
});

void test('8.3 (ours): compressed payload whose sub-payload length exceeds the payload', () => {
  const p = writePacket(
    {
      sendTime: 0,
      duration: 0,
      payloads: [
        {
          streamNumber: 1,
          keyFrame: false,
          objectNumber: 0,
          offset: 0,
          replicatedData: Buffer.from([5]),
          data: Buffer.from([9, 1, 2]),
        },
      ],
    },
    64,
  );
  expectProtocolError(() => parsePacket(p, 64), 'sub-payload');
});

void test('8.3 (ours): Packet Length field larger than the packet size', () => {
  const b = Buffer.from(MULTI.b.subarray(0, 200));
  // LTF with a WORD Packet Length replaces the padding field; value 3200 > 200.
  b[3] = 0x41;
  b.writeUInt16LE(3200, 5);
  expectProtocolError(() => parsePacket(b, 200), 'packet length > size');
});

void test('8.3 (ours): an object size below 24 or past its container', () => {
  const at = findObject(GUID.codecList);
  expectProtocolError(() => parseFileStart(patchedStart((x) => x.writeBigUInt64LE(10n, at + 16))), 'size 10');
  expectProtocolError(
    () => parseFileStart(patchedStart((x) => x.writeBigUInt64LE(1n << 40n, at + 16))),
    'size 2^40',
  );
});

function findObject(guid: Buffer): number {
  const at = A.subarray(0, H).indexOf(guid);
  assert.ok(at > 0);
  return at;
}
