// $X framing: case table (decode, encode, round trip, every split point, trailing bytes) and wmsp.md §5.4 bytes.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ProtocolError } from '../../../src/core/errors.js';
import {
  ChunkDecoder,
  changeChunk,
  dataChunkHeader,
  decodeChunks,
  encodeChunk,
  endChunk,
  headerChunks,
  metadataPayload,
  type Chunk,
} from '../../../src/wmsp/framing.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/[\s|]/g, ''), 'hex');
const asfGuid = '3026b2758e66cf11a6d900aa0062ce6c';

interface Case {
  readonly name: string;
  readonly hex: string;
  readonly value: Chunk;
  /** Decoding only: the encoder writes a different (canonical) form. */
  readonly decodeOnly?: boolean;
}

const cases: readonly Case[] = [
  {
    name: '$H whole header, AFFlags 0x0C',
    hex: `24 48 18 00 | 00 00 00 00 | 00 | 0c | 18 00 | ${asfGuid}`,
    value: { type: 'H', locationId: 0, incarnation: 0, afFlags: 0x0c, payload: hex(asfGuid) },
  },
  {
    name: '$H second piece of a split header, incarnation 5',
    hex: '24 48 0b 00 | 01 00 00 00 | 05 | 08 | 0b 00 | 61 62 63',
    value: { type: 'H', locationId: 1, incarnation: 5, afFlags: 0x08, payload: Buffer.from('abc') },
  },
  {
    name: '$D packet 1234, sequence 7',
    hex: '24 44 0c 00 | d2 04 00 00 | 00 | 07 | 0c 00 | 82 00 00 11',
    value: { type: 'D', locationId: 1234, incarnation: 0, afFlags: 7, payload: hex('82000011') },
  },
  {
    name: '$D with an empty payload',
    hex: '24 44 08 00 | ff ff ff ff | ff | fe | 08 00',
    value: { type: 'D', locationId: 0xffffffff, incarnation: 255, afFlags: 254, payload: Buffer.alloc(0) },
  },
  {
    name: '$M metadata',
    hex: `24 4d 0e 00 | 00 00 00 00 | 00 | 0c | 0e 00 | ${Buffer.from('a=1, \0').toString('hex')}`,
    value: { type: 'M', locationId: 0, incarnation: 0, afFlags: 0x0c, payload: Buffer.from('a=1, \0') },
  },
  { name: '$E S_OK', hex: '24 45 04 00 | 00 00 00 00', value: { type: 'E', reason: 0 } },
  { name: '$E S_FALSE', hex: '24 45 04 00 | 01 00 00 00', value: { type: 'E', reason: 1 } },
  { name: '$E error HRESULT', hex: '24 45 04 00 | 05 40 00 80', value: { type: 'E', reason: 0x80004005 } },
  { name: '$C stream change', hex: '24 43 04 00 | 00 00 00 00', value: { type: 'C', reason: 0 } },
  { name: '$C previous entry', hex: '24 43 04 00 | be 14 0d 40', value: { type: 'C', reason: 0x400d14be } },
  { name: '$T test data', hex: '24 54 00 00', value: { type: 'T' } },
  {
    name: '$P first probe, Reason 500: 4 payload bytes',
    hex: '24 50 f8 01 | f4 01 00 00 | 01 02 03 04',
    value: { type: 'P', packetLength: 504, reason: 500, payload: hex('01020304') },
  },
  {
    name: '$D with the B bit (0xA4) decodes like 0x24',
    hex: '24 44 09 00 | 01 00 00 00 | 00 | 00 | 09 00 | 99'.replace(/^24/, 'a4'),
    value: { type: 'D', locationId: 1, incarnation: 0, afFlags: 0, payload: hex('99') },
    decodeOnly: true,
  },
  {
    name: '$D PacketSize disagreeing: PacketLength is trusted',
    hex: '24 44 09 00 | 01 00 00 00 | 00 | 00 | 6d 00 | 99',
    value: { type: 'D', locationId: 1, incarnation: 0, afFlags: 0, payload: hex('99') },
    decodeOnly: true,
  },
  {
    name: "$E of FFmpeg's asf_stream: 8 bytes after the length",
    hex: '24 45 08 00 | 00 00 00 00 | 84 00 00 00',
    value: { type: 'E', reason: 0 },
    decodeOnly: true,
  },
];

/** Chunk equality with Buffers compared by bytes. */
function plain(c: Chunk): unknown {
  return 'payload' in c ? { ...c, payload: c.payload.toString('hex') } : { ...c };
}

describe('chunk codec case table', () => {
  for (const c of cases) {
    const bytes = hex(c.hex);
    it(`${c.name}: decode`, () => {
      assert.deepEqual(decodeChunks(bytes).map(plain), [plain(c.value)]);
    });
    if (!c.decodeOnly) {
      it(`${c.name}: encode`, () => {
        assert.equal(encodeChunk(c.value).toString('hex'), bytes.toString('hex'));
      });
      it(`${c.name}: round trip`, () => {
        assert.deepEqual(decodeChunks(encodeChunk(c.value)).map(plain), [plain(c.value)]);
      });
    }
    it(`${c.name}: every split point`, () => {
      for (let i = 0; i <= bytes.length; i++) {
        const d = new ChunkDecoder();
        const out = [...d.push(bytes.subarray(0, i)), ...d.push(bytes.subarray(i))];
        d.end();
        assert.deepEqual(out.map(plain), [plain(c.value)], `split at ${i}`);
      }
    });
    it(`${c.name}: one byte at a time`, () => {
      const d = new ChunkDecoder();
      const out: Chunk[] = [];
      for (let i = 0; i < bytes.length; i++) out.push(...d.push(bytes.subarray(i, i + 1)));
      d.end();
      assert.deepEqual(out.map(plain), [plain(c.value)]);
    });
    it(`${c.name}: trailing bytes stay pending`, () => {
      const d = new ChunkDecoder();
      const out = d.push(Buffer.concat([bytes, hex('24 44 0c')]));
      assert.deepEqual(out.map(plain), [plain(c.value)]);
      assert.equal(d.pending, 3);
      assert.throws(
        () => d.end(),
        (e: unknown) => e instanceof ProtocolError && e.code === 'E_TRUNCATED',
      );
    });
  }

  it('decodes the whole table as one body, in any split', () => {
    const body = Buffer.concat(cases.map((c) => hex(c.hex)));
    const want = cases.map((c) => plain(c.value));
    for (const step of [1, 2, 3, 5, 7, 11, 64, body.length]) {
      const d = new ChunkDecoder();
      const out: Chunk[] = [];
      for (let i = 0; i < body.length; i += step) out.push(...d.push(body.subarray(i, i + step)));
      d.end();
      assert.deepEqual(out.map(plain), want, `step ${step}`);
    }
  });
});

describe('wmsp.md §5.4 byte examples', () => {
  it('$H carrying a 5,322-byte header in one piece', () => {
    const header = Buffer.concat([hex(asfGuid), Buffer.alloc(5322 - 16, 0x11)]);
    const chunks = headerChunks(header);
    assert.equal(chunks.length, 1);
    assert.equal(
      chunks[0]!.subarray(0, 28).toString('hex'),
      hex(`2448d214 00000000 00 0c d214 ${asfGuid}`).toString('hex'),
    );
    assert.equal(chunks[0]!.length, 12 + 5322);
  });

  it('$D header for ASF packet 1,234 with 3,190 bytes, first $D of the Play', () => {
    assert.equal(
      dataChunkHeader(1234, 0, 0, 3190).toString('hex'),
      '24447e0cd2040000' + '00' + '00' + '7e0c',
    );
  });

  it('$E S_OK, $E S_FALSE, $C', () => {
    assert.equal(endChunk().toString('hex'), '2445040000000000');
    assert.equal(endChunk(1).toString('hex'), '2445040001000000');
    assert.equal(changeChunk().toString('hex'), '2443040000000000');
  });
});

describe('encoders', () => {
  it('never sets the B bit and keeps PacketLength == PacketSize == 8 + payload', () => {
    for (const n of [0, 1, 3200, 65527]) {
      const h = dataChunkHeader(7, 1, 300, n);
      assert.equal(h[0], 0x24);
      assert.equal(h.readUInt16LE(2), 8 + n);
      assert.equal(h.readUInt16LE(10), 8 + n);
      assert.equal(h[9], 300 & 0xff, 'the $D sequence number keeps 8 bits');
    }
  });

  it('refuses payloads an MMS data packet cannot hold', () => {
    assert.throws(() => dataChunkHeader(0, 0, 0, 65528), /65527/);
    assert.throws(() => dataChunkHeader(0, 0, 0, -1), /65527/);
  });

  it('splits a header above 65,527 bytes: AFFlags 04, 00, 08, LocationId 0, 1, 2', () => {
    const header = Buffer.alloc(65527 * 2 + 10);
    for (let i = 0; i < header.length; i++) header[i] = i & 0xff;
    const chunks = headerChunks(header, 3);
    assert.deepEqual(
      chunks.map((c) => [c.readUInt32LE(4), c[8], c[9], c.readUInt16LE(2) - 8]),
      [
        [0, 3, 0x04, 65527],
        [1, 3, 0x00, 65527],
        [2, 3, 0x08, 10],
      ],
    );
    const back = decodeChunks(Buffer.concat(chunks));
    assert.deepEqual(Buffer.concat(back.map((c) => (c.type === 'H' ? c.payload : Buffer.alloc(0)))), header);
  });

  it('a header of exactly 65,527 bytes is one $H; one more byte makes two (04, 08)', () => {
    assert.deepEqual(
      headerChunks(Buffer.alloc(65527)).map((c) => c[9]),
      [0x0c],
    );
    assert.deepEqual(
      headerChunks(Buffer.alloc(65528)).map((c) => c[9]),
      [0x04, 0x08],
    );
  });

  it('the $M payload follows the Metadata-Payload syntax with a trailing NUL', () => {
    assert.equal(
      metadataPayload(0, 0, 'seekable,stridable').toString('latin1'),
      'playlist-gen-id=0, broadcast-id=0, features="seekable,stridable"\0',
    );
  });
});

describe('$P packet-pair probes [MS-WMSP 2.2.3.7]', () => {
  it('three probes after a 200-byte head: payloads 304, 504, 1,248', () => {
    const probe = (packetLength: number, size: number): Buffer =>
      encodeChunk({ type: 'P', packetLength, reason: 200, payload: Buffer.alloc(size, 0x5a) });
    const body = Buffer.concat([probe(504, 304), probe(504, 504), probe(1048, 1248), endChunk()]);
    for (const step of [1, 13, body.length]) {
      const d = new ChunkDecoder();
      const out: Chunk[] = [];
      for (let i = 0; i < body.length; i += step) out.push(...d.push(body.subarray(i, i + step)));
      d.end();
      assert.deepEqual(
        out.map((c) => (c.type === 'P' ? c.payload.length : c.type)),
        [304, 504, 1248, 'E'],
      );
    }
  });
});

describe('ChunkDecoder errors', () => {
  const bad: readonly [string, string, string][] = [
    ['not a frame byte', '47 45 54 20', 'E_WMSP_FRAMING'],
    ['unknown packet type', '24 5a 00 00', 'E_WMSP_FRAMING'],
    ['$D shorter than the MMS data packet header', '24 44 04 00 00 00 00 00', 'E_WMSP_FRAMING'],
    ['$E without a Reason', '24 45 02 00 00 00', 'E_WMSP_FRAMING'],
  ];
  for (const [name, bytes, code] of bad) {
    it(name, () => {
      assert.throws(
        () => decodeChunks(hex(bytes)),
        (e: unknown) => e instanceof ProtocolError && e.code === code && e.offset !== undefined,
      );
    });
  }

  it('reports the stream offset of garbage after good chunks, and stays failed', () => {
    const d = new ChunkDecoder();
    assert.equal(d.push(endChunk()).length, 1);
    assert.throws(
      () => d.push(hex('48 54 54 50')),
      (e: unknown) => e instanceof ProtocolError && e.offset === 8,
    );
    assert.throws(() => d.push(endChunk()), ProtocolError);
  });

  it('caps the $D payload at maxPayload', () => {
    const d = new ChunkDecoder({ maxPayload: 3200 });
    assert.throws(
      () => d.push(dataChunkHeader(0, 0, 0, 3201)),
      (e: unknown) => e instanceof ProtocolError && e.code === 'E_WMSP_LIMIT',
    );
    assert.equal(
      new ChunkDecoder({ maxPayload: 3200 }).push(
        Buffer.concat([dataChunkHeader(0, 0, 0, 3200), Buffer.alloc(3200)]),
      ).length,
      1,
    );
  });

  it('a body ending inside a chunk is truncated', () => {
    assert.throws(
      () => decodeChunks(hex('24 45 04 00 00')),
      (e: unknown) => e instanceof ProtocolError && e.code === 'E_TRUNCATED',
    );
  });

  const fileF = '/work/shared/media/f-mmsh-body-10s.bin';
  it(
    "decodes FFmpeg's asf_stream body (file f): $H, 131 $D, an 8-byte $E",
    { skip: !existsSync(fileF) && 'lab media not present' },
    () => {
      const chunks = decodeChunks(readFileSync(fileF));
      assert.deepEqual(
        [chunks[0]!.type, chunks.filter((c) => c.type === 'D').length, chunks.at(-1)!.type],
        ['H', 131, 'E'],
      );
    },
  );
});
