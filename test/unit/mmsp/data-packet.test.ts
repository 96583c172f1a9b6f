// Data packets, header pieces, packet pairs and RequestPacketListResend (mmsp.md §1.5-1.7, §4.2), and the TCP
// decoder on a client's stream that interleaves units and Data packets (§1.4).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProtocolError } from '../../../src/core/errors.js';
import {
  dataPacketHeader,
  decodeDataPacket,
  decodeRequestPacketListResend,
  encodeDataPacket,
  encodeRequestPacketListResend,
  headerPieces,
  packetPairPackets,
  type DataPacket,
} from '../../../src/mmsp/data-packet.js';
import { TcpMessageDecoder, sniffFirstBytes, type TcpFrame } from '../../../src/mmsp/tcp-message.js';
import { V, hex } from './vectors.js';

const protocolError = (e: unknown): boolean => e instanceof ProtocolError;

interface Case {
  readonly name: string;
  readonly hex: string;
  readonly value: DataPacket;
}

const cases: readonly Case[] = [
  {
    name: 'V13-style header piece: incarnation 2, AFFlags 0x0C',
    hex: '00000000 02 0c 0b00 010101',
    value: { locationId: 0, playIncarnation: 2, afFlags: 0x0c, payload: hex('010101') },
  },
  {
    name: 'ASF data packet 264, incarnation 4, sequence 0xFE',
    hex: '08010000 04 fe 0c00 82000000',
    value: { locationId: 264, playIncarnation: 4, afFlags: 0xfe, payload: hex('82000000') },
  },
  {
    name: 'packet-pair packet',
    hex: '00f0f0f0 ff 10 0900 aa',
    value: { locationId: 0xf0f0f000, playIncarnation: 0xff, afFlags: 0x10, payload: hex('aa') },
  },
];

describe('Data packet case table', () => {
  for (const c of cases) {
    const bytes = hex(c.hex);
    it(`${c.name}: decode / encode / round trip`, () => {
      assert.deepEqual(decodeDataPacket(bytes), c.value);
      assert.equal(encodeDataPacket(c.value).toString('hex'), bytes.toString('hex'));
      assert.deepEqual(decodeDataPacket(encodeDataPacket(c.value)), c.value);
    });
    it(`${c.name}: every split point through the client TCP decoder, trailing bytes pending`, () => {
      for (let i = 0; i <= bytes.length; i++) {
        const d = new TcpMessageDecoder({ allowData: true });
        const frames = [
          ...d.push(bytes.subarray(0, i)),
          ...d.push(Buffer.concat([bytes.subarray(i), hex('0000')])),
        ];
        assert.deepEqual(frames, [{ kind: 'data', packet: c.value }], `split at ${i}`);
        assert.equal(d.pending, 2);
      }
    });
  }

  it('V13 and V18: the headers of the first header piece and the first data packet', () => {
    assert.equal(dataPacketHeader(0, 2, 0x0c, 809).toString('hex'), hex(V.V13).toString('hex'));
    assert.equal(dataPacketHeader(0, 4, 0, 3200).toString('hex'), hex(V.V18).toString('hex'));
  });

  it('a PacketSize not above 8, or not matching the datagram, is a ProtocolError', () => {
    assert.throws(() => decodeDataPacket(hex('00000000 04 00 0800')), protocolError);
    assert.throws(() => decodeDataPacket(hex('00000000 04 00 0a00 01')), protocolError);
    assert.throws(
      () => new TcpMessageDecoder({ allowData: true }).push(hex('00000000 04 00 0800')),
      protocolError,
    );
    assert.throws(
      () => new TcpMessageDecoder({ allowData: true, maxDataPayload: 100 }).push(hex('00000000 04 00 0004')),
      protocolError,
    );
  });

  it('an empty payload is refused by the encoder (clients require PacketSize > 8)', () => {
    assert.throws(() => dataPacketHeader(0, 4, 0, 0));
  });
});

describe('TCP stream decoder', () => {
  it('interleaves units and Data packets, in every step', () => {
    const stream = Buffer.concat([
      hex(V.V17),
      hex('00000000 04 00 0b00 aabbcc'),
      hex(V.V23),
      hex('01000000 04 01 0900 dd'),
    ]);
    for (const step of [1, 5, 9, 48, stream.length]) {
      const d = new TcpMessageDecoder({ allowData: true });
      const frames: TcpFrame[] = [];
      for (let i = 0; i < stream.length; i += step) frames.push(...d.push(stream.subarray(i, i + step)));
      d.end();
      assert.deepEqual(
        frames.map((f) => (f.kind === 'data' ? f.packet.locationId : f.message.mid)),
        [0x00040005, 0, 0x0004001b, 1],
      );
    }
  });

  it('the server decoder refuses Data packets and garbage, and stays failed', () => {
    const d = new TcpMessageDecoder();
    assert.throws(() => d.push(hex('00000000 04 00 0b00 aabbcc')), protocolError);
    assert.throws(() => d.push(hex(V.V24)), protocolError);
  });

  it('caps messageLength and checks the seal', () => {
    const big = hex(V.V24);
    big.writeUInt32LE(0x7fffffff, 8);
    assert.throws(() => new TcpMessageDecoder().push(big), protocolError);
    const small = hex(V.V24);
    small.writeUInt32LE(16, 8);
    assert.throws(() => new TcpMessageDecoder().push(small), protocolError);
    const seal = hex(V.V24);
    seal.writeUInt32LE(0x12345678, 12);
    assert.throws(() => new TcpMessageDecoder().push(seal), protocolError);
  });

  it('uses min(chunkLen x 8, messageLength - 16) as the message size', () => {
    const u = hex(V.V24);
    u.writeUInt32LE(200, 32);
    const [f] = new TcpMessageDecoder().push(u);
    assert.equal(f?.kind === 'message' && f.message.body.length, 8);
  });

  it('sniffs HTTP and RTSP on the MMS port', () => {
    assert.equal(sniffFirstBytes(Buffer.from('GET /x HTTP/1.0')), 'http');
    assert.equal(sniffFirstBytes(Buffer.from('DESCRIBE rtsp://')), 'http');
    assert.equal(sniffFirstBytes(hex(V.V1)), 'mms');
    assert.equal(sniffFirstBytes(hex('0100')), 'need-more');
    assert.equal(sniffFirstBytes(hex('deadbeef')), 'unknown');
  });
});

describe('header pieces (mmsp.md §4.2)', () => {
  const header = Buffer.concat([Buffer.alloc(807, 0x30), hex('0101')]);

  it('one piece with AFFlags 0x0C when the header fits a packet', () => {
    const [p, ...rest] = headerPieces(header, 3200, 2);
    assert.equal(rest.length, 0);
    assert.equal(p!.subarray(0, 8).toString('hex'), hex(V.V13).toString('hex'));
    assert.deepEqual(p!.subarray(8), header);
  });

  it('three pieces of at most 300 bytes: 0x04, 0x04, 0x0C, LocationId 0, 1, 2', () => {
    const pieces = headerPieces(header, 300, 2).map((b) => decodeDataPacket(b));
    assert.deepEqual(
      pieces.map((p) => [p.locationId, p.playIncarnation, p.afFlags, p.payload.length]),
      [
        [0, 2, 0x04, 300],
        [1, 2, 0x04, 300],
        [2, 2, 0x0c, 209],
      ],
    );
    assert.deepEqual(Buffer.concat(pieces.map((p) => p.payload)), header);
  });

  it('no piece but the last ends in 01 01 (MPlayer guard)', () => {
    const h = Buffer.concat([Buffer.alloc(8, 0x30), hex('0101'), Buffer.alloc(10, 0x30), hex('0101')]);
    const pieces = headerPieces(h, 10, 5).map((b) => decodeDataPacket(b));
    assert.equal(pieces[0]!.payload.length, 9);
    for (const p of pieces.slice(0, -1)) assert.notEqual(p.payload.subarray(-2).toString('hex'), '0101');
    assert.deepEqual(Buffer.concat(pieces.map((p) => p.payload)), h);
  });
});

describe('packet pair and RequestPacketListResend', () => {
  it('packet-pair packets: 0xF0F0F000 / 0xF0F0F001, incarnation 0xFF, AFFlags 0x10', () => {
    const [a, b] = packetPairPackets(Buffer.alloc(1464, 1), Buffer.alloc(1464, 2));
    assert.deepEqual(
      [decodeDataPacket(a), decodeDataPacket(b)].map((p) => [
        p.locationId,
        p.playIncarnation,
        p.afFlags,
        p.payload.length,
      ]),
      [
        [0xf0f0f000, 0xff, 0x10, 1464],
        [0xf0f0f001, 0xff, 0x10, 1464],
      ],
    );
  });

  const v26 = { clientId: 0x1234abcd, sourceId: 1, packets: [261, 262] };
  it('V26: decode, encode, round trip', () => {
    assert.deepEqual(decodeRequestPacketListResend(hex(V.V26)), v26);
    assert.equal(encodeRequestPacketListResend(v26).toString('hex'), hex(V.V26).toString('hex'));
  });

  it('bounds the count by the datagram and by 32; refuses bad signatures and empty lists', () => {
    const claimed = hex(V.V26);
    claimed.writeUInt16LE(9, 10);
    assert.deepEqual(decodeRequestPacketListResend(claimed).packets, [261, 262]);
    const many = encodeRequestPacketListResend({
      clientId: 1,
      sourceId: 1,
      packets: Array.from({ length: 32 }, (_, i) => i),
    });
    const more = Buffer.concat([many, Buffer.alloc(40)]);
    more.writeUInt16LE(42, 10);
    assert.equal(decodeRequestPacketListResend(more).packets.length, 32);
    const bad = hex(V.V26);
    bad[0] = 0;
    assert.throws(() => decodeRequestPacketListResend(bad), protocolError);
    assert.throws(() => decodeRequestPacketListResend(hex(V.V26).subarray(0, 12)), protocolError);
  });
});
