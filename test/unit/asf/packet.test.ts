// Case tables for data packets: every length-type encoding, single, multiple and compressed payloads,
// error-correction bytes, and the writer's canonical form [asf.md 3].
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  packetSendTime,
  parsePacket,
  replicatedData,
  writePacket,
  type DataPacket,
  type Payload,
} from '../../../src/asf/index.js';
import { hex, runCases, throwsProtocolError, u16, u32, type CodecCase } from './cases.js';

function payload(p: Partial<Payload> & Pick<Payload, 'streamNumber' | 'data'>): Payload {
  const rep = p.replicatedData ?? Buffer.alloc(0);
  const out: Payload = {
    streamNumber: p.streamNumber,
    keyFrame: p.keyFrame ?? false,
    objectNumber: p.objectNumber ?? 0,
    offset: p.offset ?? 0,
    replicatedData: rep,
    presentationTime: p.presentationTime ?? 0,
    data: p.data,
    compressed: p.compressed ?? false,
  };
  if (rep.length >= 8) {
    out.objectSize = rep.readUInt32LE(0);
    out.presentationTime = rep.readUInt32LE(4);
  }
  if (p.subPayloads) {
    out.subPayloads = p.subPayloads;
    out.presentationTimeDelta = p.presentationTimeDelta ?? 0;
  }
  return out;
}

interface PacketCase extends CodecCase<DataPacket> {
  /** False for forms our writer never produces (decode-only). */
  canonical: boolean;
}

const example96 = `8200 0009 5d11 d007 0000 2800 8281 0700
0000 0008 1400 0000 b414 0000 1400 aaaa
aaaa aaaa aaaa aaaa aaaa aaaa aaaa aaaa
aaaa 0203 0000 0000 080c 0000 008a 1400
000c 00bb bbbb bbbb bbbb bbbb bbbb bb00
0000 0000 0000 0000 0000 0000 0000 0000`;

const cases: PacketCase[] = [
  {
    name: 'asf.md 3.9 worked example (two payloads, BYTE padding)',
    canonical: true,
    hex: example96,
    value: {
      sendTime: 2000,
      duration: 40,
      packetLength: 96,
      paddingLength: 17,
      multiple: true,
      errorCorrection: hex('820000'),
      lengthTypeFlags: 0x09,
      propertyFlags: 0x5d,
      sequence: 0,
      payloadLengthType: 2,
      usedLength: 79,
      payloads: [
        payload({
          streamNumber: 1,
          keyFrame: true,
          objectNumber: 7,
          replicatedData: replicatedData(20, 5300),
          data: Buffer.alloc(20, 0xaa),
        }),
        payload({
          streamNumber: 2,
          objectNumber: 3,
          replicatedData: replicatedData(12, 5258),
          data: Buffer.alloc(12, 0xbb),
        }),
      ],
    },
  },
  {
    name: 'single payload filling the packet, no padding field',
    canonical: true,
    hex:
      '820000' +
      '00' +
      '5d' +
      u32(46) +
      u16(0) +
      '81' +
      '01' +
      u32(2783) +
      '08' +
      u32(8378) +
      u32(3146) +
      'cc'.repeat(28),
    value: {
      sendTime: 46,
      duration: 0,
      packetLength: 54,
      paddingLength: 0,
      multiple: false,
      errorCorrection: hex('820000'),
      lengthTypeFlags: 0,
      propertyFlags: 0x5d,
      sequence: 0,
      payloadLengthType: 0,
      usedLength: 54,
      payloads: [
        payload({
          streamNumber: 1,
          keyFrame: true,
          objectNumber: 1,
          offset: 2783,
          replicatedData: replicatedData(8378, 3146),
          data: Buffer.alloc(28, 0xcc),
        }),
      ],
    },
  },
  {
    name: 'single payload with BYTE padding',
    canonical: false,
    hex:
      '820000' +
      '08' +
      '5d' +
      '05' +
      u32(7) +
      u16(1) +
      '02' +
      '09' +
      u32(0) +
      '08' +
      u32(4) +
      u32(3107) +
      'dddddddd' +
      '00'.repeat(5),
    value: {
      sendTime: 7,
      duration: 1,
      packetLength: 36,
      paddingLength: 5,
      multiple: false,
      errorCorrection: hex('820000'),
      lengthTypeFlags: 0x08,
      propertyFlags: 0x5d,
      sequence: 0,
      payloadLengthType: 0,
      usedLength: 31,
      payloads: [
        payload({
          streamNumber: 2,
          objectNumber: 9,
          replicatedData: replicatedData(4, 3107),
          data: hex('dddddddd'),
        }),
      ],
    },
  },
  {
    name: 'compressed payload (replicated length 1)',
    canonical: true,
    hex:
      '820000' +
      '09' +
      '5d' +
      '00' +
      u32(100) +
      u16(20) +
      '81' +
      '02' +
      '03' +
      u32(3200) +
      '01' +
      '0a' +
      u16(7) +
      '02aabb' +
      '03ccddee',
    value: {
      sendTime: 100,
      duration: 20,
      packetLength: 30,
      paddingLength: 0,
      multiple: true,
      errorCorrection: hex('820000'),
      lengthTypeFlags: 0x09,
      propertyFlags: 0x5d,
      sequence: 0,
      payloadLengthType: 2,
      usedLength: 30,
      payloads: [
        payload({
          streamNumber: 2,
          objectNumber: 3,
          offset: 3200,
          replicatedData: hex('0a'),
          presentationTime: 3200,
          data: hex('02aabb03ccddee'),
          compressed: true,
          subPayloads: [hex('aabb'), hex('ccddee')],
          presentationTimeDelta: 10,
        }),
      ],
    },
  },
  {
    name: 'no EC; WORD packet length (implicit padding), BYTE sequence, WORD padding; WORD object number, BYTE offset, WORD replicated length; BYTE payload lengths',
    canonical: false,
    // LTF: multiple | sequence BYTE (0x02) | padding WORD (0x10) | packet length WORD (0x40) = 0x53
    // PF: stream BYTE (0x40) | object WORD (0x20) | offset BYTE (0x04) | replicated WORD (0x02) = 0x66
    hex:
      '53' +
      '66' +
      u16(33) +
      '07' +
      u16(2) +
      u32(9) +
      u16(3) +
      '41' +
      '01' +
      u16(300) +
      '00' +
      u16(8) +
      u32(2) +
      u32(99) +
      '02' +
      'eeee' +
      '00'.repeat(2) +
      'ff'.repeat(4),
    value: {
      sendTime: 9,
      duration: 3,
      packetLength: 33,
      paddingLength: 2,
      multiple: true,
      errorCorrection: Buffer.alloc(0),
      lengthTypeFlags: 0x53,
      propertyFlags: 0x66,
      sequence: 7,
      payloadLengthType: 1,
      usedLength: 31,
      payloads: [
        payload({
          streamNumber: 1,
          objectNumber: 300,
          replicatedData: replicatedData(2, 99),
          data: hex('eeee'),
        }),
      ],
    },
  },
  {
    name: 'DWORD packet length, padding and payload length; no object number or offset; replicated length 0',
    canonical: false,
    // LTF: multiple | padding DWORD (0x18) | packet length DWORD (0x60) = 0x79; PF: stream BYTE, RDL BYTE = 0x41
    hex:
      '820000' +
      '79' +
      '41' +
      u32(35) +
      u32(4) +
      u32(500) +
      u16(0) +
      'c1' +
      '03' +
      '00' +
      u32(5) +
      '0102030405' +
      '00'.repeat(4),
    value: {
      sendTime: 500,
      duration: 0,
      packetLength: 35,
      paddingLength: 4,
      multiple: true,
      errorCorrection: hex('820000'),
      lengthTypeFlags: 0x79,
      propertyFlags: 0x41,
      sequence: 0,
      payloadLengthType: 3,
      usedLength: 31,
      payloads: [payload({ streamNumber: 3, presentationTime: 500, data: hex('0102030405') })],
    },
  },
];

for (const c of cases) {
  const size = hex(c.hex).length;
  runCases<DataPacket>(
    'packet',
    {
      decode: (b) => parsePacket(b, size),
      encode: c.canonical ? (v) => writePacket(v, size) : undefined,
      // Bytes after the last payload are padding: a receiver may get them stripped (asf.md 3.7).
      minValidPrefix: (v) => v.usedLength,
    },
    [c],
  );
}

void test('packetSendTime agrees with parsePacket on every case', () => {
  for (const c of cases) assert.equal(packetSendTime(hex(c.hex)), c.value.sendTime, c.name);
});

void test('padding stripped on the wire: a multiple-payload packet parses from its used bytes', () => {
  const full = hex(example96);
  const p = parsePacket(full.subarray(0, 79), 96);
  assert.equal(p.payloads.length, 2);
  assert.equal(p.paddingLength, 17);
});

void test('writePacket picks the padding width: room 0, BYTE, WORD', () => {
  const one = (n: number) => ({
    sendTime: 1,
    duration: 0,
    payloads: [
      {
        streamNumber: 1,
        keyFrame: false,
        objectNumber: 1,
        offset: 0,
        replicatedData: replicatedData(n, 3100),
        data: Buffer.alloc(n, 1),
      },
    ],
  });
  // multiple form overhead: 3 EC + 2 flags + 6 times + 1 payload flags + (1+1+4+1+8+2) payload header = 29
  for (const [size, n, ltf] of [
    [29 + 10, 10, 0x01],
    [29 + 10 + 1, 10, 0x09],
    [29 + 10 + 300, 10, 0x11],
  ] as const) {
    const b = writePacket(one(n), size);
    assert.equal(b.length, size);
    assert.equal(b[3], ltf);
    const p = parsePacket(b, size);
    assert.deepEqual(p.payloads[0]!.data, Buffer.alloc(n, 1));
  }
});

void test('writePacket refuses what does not fit, with a ProtocolError', () => {
  const p = {
    sendTime: 0,
    duration: 0,
    payloads: [
      {
        streamNumber: 1,
        keyFrame: false,
        objectNumber: 0,
        offset: 0,
        replicatedData: replicatedData(100, 0),
        data: Buffer.alloc(100),
      },
    ],
  };
  throwsProtocolErrorNoOffset(() => writePacket(p, 64));
  throwsProtocolErrorNoOffset(() => writePacket({ ...p, payloads: [] }, 3200));
});

function throwsProtocolErrorNoOffset(fn: () => unknown): void {
  assert.throws(fn, (e: unknown) => e instanceof Error && e.name === 'ProtocolError');
}

void test('malformed packets raise ProtocolError with an offset', () => {
  const base = hex(example96);
  const bad: [string, (b: Buffer) => void][] = [
    ['EC length type 01', (b) => (b[0] = 0xa2)],
    ['opaque EC data', (b) => (b[0] = 0x92)],
    ['LTF with bit 7', (b) => (b[3] = 0x89)],
    ['stream number length type not BYTE', (b) => (b[4] = 0x9d)],
    ['padding 255 > packet size', (b) => (b[5] = 0xff)],
    ['payload count 0', (b) => (b[12] = 0x80)],
    ['payload length type 0', (b) => (b[12] = 0x02)],
    ['payload count 63 in a 2-payload packet', (b) => (b[12] = 0xbf)],
    ['replicated data length 5', (b) => (b[19] = 5)],
    ['payload length 0xFFFF', (b) => b.writeUInt16LE(0xffff, 0x1c)],
    ['payload length 0', (b) => b.writeUInt16LE(0, 0x1c)],
    ['media object size 0x7FFFFFFF', (b) => b.writeUInt32LE(0x7fffffff, 0x14)],
    ['offset beyond object', (b) => b.writeUInt32LE(10, 0x0f)],
    ['stream number 0', (b) => (b[0x0d] = 0x80)],
  ];
  for (const [name, mutate] of bad) {
    const b = Buffer.from(base);
    mutate(b);
    throwsProtocolError(() => parsePacket(b, 96), name);
  }
  throwsProtocolError(() => parsePacket(base, 0), 'packet size 0');
  throwsProtocolError(() => packetSendTime(Buffer.alloc(0)), 'empty send time');
});
