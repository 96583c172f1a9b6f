// The pushed body in its three forms: FFmpeg's real chunked `-f asf` and `-f asf_stream` pushes (test/fixtures/push),
// the 4-byte framing of [MS-WMHTTP 2.2.3] built from the same packets, split anywhere; truncation, garbage and caps;
// and the property that arbitrary bytes give events or a ProtocolError, never another exception.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ChunkedDecoder } from '../../../src/core/http-chunked.js';
import { ProtocolError } from '../../../src/core/errors.js';
import { GUID } from '../../../src/asf/index.js';
import { PushBodyDecoder, type PushBodyEvent, type PushBodyOptions } from '../../../src/wmsp/push-body.js';
import {
  decodePushChunks,
  encodePushChunk,
  PushChunkDecoder,
  type PushChunk,
} from '../../../src/wmsp/push-framing.js';

const HEADER_SIZE = 847;
const PACKET_SIZE = 3200;

/** The request body of a captured push, transfer-decoded. */
function capturedBody(name: string): Buffer {
  const wire = readFileSync(`test/fixtures/push/${name}`);
  const d = new ChunkedDecoder();
  const body = Buffer.concat(d.push(wire.subarray(wire.indexOf('\r\n\r\n') + 4)));
  d.end();
  return body;
}

const plainBody = capturedBody('ffmpeg-asf-chunked.http');
const header = plainBody.subarray(0, HEADER_SIZE);
const packets = Array.from({ length: 39 }, (_, i) =>
  plainBody.subarray(HEADER_SIZE + i * PACKET_SIZE, HEADER_SIZE + (i + 1) * PACKET_SIZE),
);
const trailer = plainBody.subarray(HEADER_SIZE + 39 * PACKET_SIZE);

/** Events with buffers as hex, so that deepEqual compares bytes. */
function plain(events: readonly PushBodyEvent[]): unknown[] {
  return events.map((e) =>
    e.type === 'header'
      ? { ...e, bytes: e.bytes.toString('hex') }
      : e.type === 'packet'
        ? { ...e, data: e.data.toString('hex') }
        : { ...e },
  );
}

function run(pieces: readonly Buffer[], options?: PushBodyOptions): PushBodyEvent[] {
  const d = new PushBodyDecoder(options);
  const out: PushBodyEvent[] = [];
  for (const p of pieces) out.push(...d.push(p));
  out.push(...d.end());
  return out;
}

function splitAt(bytes: Buffer, cuts: readonly number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let at = 0;
  for (const p of [...points, bytes.length]) {
    out.push(bytes.subarray(at, p));
    at = p;
  }
  return out;
}

function isCode(code: string): (e: unknown) => boolean {
  return (e: unknown) => e instanceof ProtocolError && e.code === code;
}

const expected = plain([
  { type: 'header', bytes: header, packetSize: PACKET_SIZE },
  ...packets.map((data) => ({ type: 'packet' as const, data })),
  { type: 'end', reason: 0 },
]);

/** Checks every split point in the first `head` and last `tail` bytes, and random splits in between. */
function splitsAgree(body: Buffer, want: unknown[], head = 4000, tail = 400): void {
  for (let i = 0; i <= body.length; i = i === head ? Math.max(head + 1, body.length - tail) : i + 1) {
    assert.deepEqual(plain(run([body.subarray(0, i), body.subarray(i)])), want, `split at ${i}`);
  }
  fc.assert(
    fc.property(fc.array(fc.nat(), { maxLength: 30 }), (cuts) => {
      assert.deepEqual(plain(run(splitAt(body, cuts))), want);
    }),
    { numRuns: 100 },
  );
}

describe('plain ASF: FFmpeg `-f asf -method POST` (captured)', () => {
  it('is header, 39 packets, then a Simple Index and the 12-byte $E, which are not packets', () => {
    assert.equal(trailer.length, 116);
    assert.ok(trailer.subarray(0, 16).equals(GUID.simpleIndex));
    assert.equal(trailer.subarray(-12).toString('hex'), '244508000000000000000800');
    const d = new PushBodyDecoder();
    const events = d.push(plainBody);
    assert.deepEqual(plain(events), expected);
    assert.equal(d.form, 'asf');
    assert.equal(d.packetSize, PACKET_SIZE);
    assert.deepEqual(d.end(), []);
  });

  it('gives the same events at every split point near both ends and at random splits', () => {
    splitsAgree(plainBody, expected);
  });

  it('one byte at a time', () => {
    assert.deepEqual(plain(run([...plainBody].map((b) => Buffer.from([b])))), expected);
  });

  it('chunked transfer decoding and the body decoder together, over random TCP segments of the request', () => {
    const wire = readFileSync('test/fixtures/push/ffmpeg-asf-chunked.http');
    const bodyAt = wire.indexOf('\r\n\r\n') + 4;
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 60 }), (cuts) => {
        const chunked = new ChunkedDecoder();
        const d = new PushBodyDecoder();
        const out: PushBodyEvent[] = [];
        for (const seg of splitAt(wire.subarray(bodyAt), cuts)) {
          for (const piece of chunked.push(seg)) out.push(...d.push(piece));
        }
        chunked.end();
        out.push(...d.end());
        assert.deepEqual(plain(out), expected);
      }),
      { numRuns: 100 },
    );
  });

  it('without the index: the $E alone ends it, even when it arrives with the last packet', () => {
    const body = Buffer.concat([header, ...packets, trailer.subarray(-12)]);
    assert.deepEqual(plain(run([body])), expected);
  });

  it('a body that stops at a packet boundary has no end event (the encoder went away)', () => {
    const body = Buffer.concat([header, ...packets.slice(0, 3)]);
    const events = run([body]);
    assert.deepEqual(
      events.map((e) => e.type),
      ['header', 'packet', 'packet', 'packet'],
    );
  });

  it('bytes after the end are ignored', () => {
    const d = new PushBodyDecoder();
    d.push(plainBody);
    assert.deepEqual(d.push(Buffer.from('anything at all')), []);
    assert.deepEqual(d.end(), []);
  });

  it('a finished file pushed whole stops after the packets its header counts', () => {
    const file = readFileSync('test/fixtures/media/a-wmv2-wmav2-10s.wmv');
    const events = run([file]);
    assert.equal(events.filter((e) => e.type === 'packet').length, 131);
    assert.deepEqual(events.at(-1), { type: 'end', reason: 0 });
  });

  it('packets without error-correction bytes: an index GUID or a lone $E still ends the stream', () => {
    const noEc = packets.slice(0, 2).map((p) => Buffer.concat([Buffer.from([0x5d]), p.subarray(1)]));
    const base = Buffer.concat([header, ...noEc]);
    const want = ['header', 'packet', 'packet', 'end'];
    for (const end of [trailer, trailer.subarray(-12)]) {
      const body = Buffer.concat([base, end]);
      for (let i = base.length - 20; i <= body.length; i++) {
        const events = run([body.subarray(0, i), body.subarray(i)]);
        assert.deepEqual(
          events.map((e) => e.type),
          want,
          `split at ${i}`,
        );
      }
    }
  });
});

describe('MMSH framing: FFmpeg `-f asf_stream -method POST` (captured)', () => {
  const body = capturedBody('ffmpeg-asf-stream-chunked.http');
  /** The payloads of the 13 `$D` (12-byte framing each, after the 12 + 847 bytes of `$H`). */
  const dPayloads = Array.from({ length: 13 }, (_, i) => {
    const at = 12 + HEADER_SIZE + i * (12 + PACKET_SIZE) + 12;
    return body.subarray(at, at + PACKET_SIZE);
  });
  const want = plain([
    { type: 'header', bytes: header, packetSize: PACKET_SIZE },
    ...dPayloads.map((data) => ({ type: 'packet' as const, data })),
    { type: 'end', reason: 0 },
  ]);

  it('carries the same header and first packets as the plain form (the 1-second cut ends packet 13 early)', () => {
    assert.ok(body.subarray(12, 12 + HEADER_SIZE).equals(header));
    for (let i = 0; i < 12; i++) assert.ok(dPayloads[i]!.equals(packets[i]!), `packet ${i}`);
    assert.equal(body.subarray(-12).toString('hex'), '244508000e00000000000800');
  });

  it('is $H + 13 $D + $E, the same header and packets as the plain form', () => {
    const d = new PushBodyDecoder();
    assert.deepEqual(plain(d.push(body)), want);
    assert.equal(d.form, 'mmsh');
  });

  it('gives the same events at every split point near both ends and at random splits', () => {
    splitsAgree(body, want, 1000, 200);
  });

  it('a header split over two $H pieces is put back together', () => {
    const h = (payload: Buffer, flags: number, loc: number): Buffer => {
      const b = Buffer.alloc(12);
      b.write('$H', 0, 'latin1');
      b.writeUInt16LE(8 + payload.length, 2);
      b.writeUInt32LE(loc, 4);
      b[9] = flags;
      b.writeUInt16LE(8 + payload.length, 10);
      return Buffer.concat([b, payload]);
    };
    const framed = Buffer.concat([
      h(header.subarray(0, 300), 0x04, 0),
      h(header.subarray(300), 0x08, 1),
      body.subarray(12 + HEADER_SIZE),
    ]);
    assert.deepEqual(plain(run([framed])), want);
  });
});

describe('push framing [MS-WMHTTP 2.2.3] (Windows Media Encoder)', () => {
  const frame = (c: PushChunk): Buffer => encodePushChunk(c);
  const body = Buffer.concat([
    frame({ type: 'H', payload: header }),
    ...packets.slice(0, 5).map((p) => frame({ type: 'D', payload: p })),
    frame({ type: 'E', reason: 0 }),
  ]);
  const want = plain([
    { type: 'header', bytes: header, packetSize: PACKET_SIZE },
    ...packets.slice(0, 5).map((data) => ({ type: 'packet' as const, data })),
    { type: 'end', reason: 0 },
  ]);

  it('$H, $D.., $E(0)', () => {
    const d = new PushBodyDecoder();
    assert.deepEqual(plain(d.push(body)), want);
    assert.equal(d.form, 'push');
  });

  it('gives the same events at every split point', () => {
    splitsAgree(body, want, body.length, 0);
  });

  it('$D with its padding removed, $F fillers, and an $E carrying an error HRESULT', () => {
    const short = packets[0]!.subarray(0, 1000);
    const events = run([
      Buffer.concat([
        frame({ type: 'H', payload: header }),
        frame({ type: 'F', payload: Buffer.alloc(0) }),
        frame({ type: 'D', payload: short }),
        frame({ type: 'F', payload: Buffer.alloc(300) }),
        frame({ type: 'E', reason: 0x80004005 }),
      ]),
    ]);
    assert.deepEqual(
      plain(events),
      plain([
        { type: 'header', bytes: header, packetSize: PACKET_SIZE },
        { type: 'packet', data: short },
        { type: 'end', reason: 0x80004005 },
      ]),
    );
  });

  it('$E(1) then $C with a new header continues the stream [MS-WMHTTP 3.2.5.5, 3.2.5.6]', () => {
    const events = run([
      Buffer.concat([
        frame({ type: 'H', payload: header }),
        frame({ type: 'D', payload: packets[0]! }),
        frame({ type: 'E', reason: 1 }),
        frame({ type: 'C', reason: 0, payload: header }),
        frame({ type: 'D', payload: packets[1]! }),
        frame({ type: 'E', reason: 0 }),
      ]),
    ]);
    assert.deepEqual(
      events.map((e) => e.type),
      ['header', 'packet', 'header', 'packet', 'end'],
    );
  });

  it('a $C with the header right after the framing header is read too', () => {
    const c = Buffer.concat([Buffer.from([0x24, 0x43]), Buffer.alloc(2), header]);
    c.writeUInt16LE(header.length, 2);
    assert.deepEqual(
      decodePushChunks(c).map((x) => x.type === 'C' && x.payload.length),
      [HEADER_SIZE],
    );
  });

  it('a later PushStart of the session starts with $D when given the packet size', () => {
    const events = run(
      [Buffer.concat([frame({ type: 'D', payload: packets[2]! }), frame({ type: 'E', reason: 0 })])],
      {
        packetSize: PACKET_SIZE,
      },
    );
    assert.deepEqual(
      plain(events),
      plain([
        { type: 'packet', data: packets[2]! },
        { type: 'end', reason: 0 },
      ]),
    );
  });

  it('round-trips every chunk type through the 4-byte codec, at every split point', () => {
    const chunks: PushChunk[] = [
      { type: 'H', payload: Buffer.from('hdr') },
      { type: 'D', payload: Buffer.alloc(0) },
      { type: 'C', reason: 0, payload: Buffer.from('new') },
      { type: 'E', reason: 1 },
      { type: 'F', payload: Buffer.alloc(5) },
      { type: 'E', reason: 0xc00d0001 },
    ];
    const wire = Buffer.concat(chunks.map(encodePushChunk));
    assert.equal(encodePushChunk({ type: 'E', reason: 1 }).toString('hex'), '2445040001000000');
    assert.equal(encodePushChunk({ type: 'D', payload: Buffer.from([0x82]) }).toString('hex'), '2444010082');
    const hex = (c: PushChunk): unknown =>
      'payload' in c ? { ...c, payload: c.payload.toString('hex') } : c;
    for (let i = 0; i <= wire.length; i++) {
      const d = new PushChunkDecoder();
      const got = [...d.push(wire.subarray(0, i)), ...d.push(wire.subarray(i))];
      d.end();
      assert.deepEqual(got.map(hex), chunks.map(hex), `split at ${i}`);
    }
    assert.throws(() => encodePushChunk({ type: 'D', payload: Buffer.alloc(65536) }), /PacketLength/);
  });
});

describe('truncated bodies', () => {
  const framedBody = Buffer.concat([
    encodePushChunk({ type: 'H', payload: header }),
    encodePushChunk({ type: 'D', payload: packets[0]! }),
  ]);
  const cuts: readonly [string, Buffer][] = [
    ['plain, inside the GUID', plainBody.subarray(0, 7)],
    ['plain, inside the header', plainBody.subarray(0, 500)],
    ['plain, inside the Data Object start', plainBody.subarray(0, HEADER_SIZE - 1)],
    ['plain, inside a packet', plainBody.subarray(0, HEADER_SIZE + 1000)],
    ['push framing, inside $H', framedBody.subarray(0, 100)],
    ['push framing, inside $D', framedBody.subarray(0, framedBody.length - 1)],
    ['mmsh framing, inside the sniffed prefix', Buffer.from([0x24, 0x48, 0x10, 0x00, 0, 0, 0, 0])],
  ];
  for (const [name, bytes] of cuts) {
    it(`${name}: E_TRUNCATED from end()`, () => {
      const d = new PushBodyDecoder();
      d.push(bytes);
      assert.throws(() => d.end(), isCode('E_TRUNCATED'));
    });
  }

  it('an empty body is no stream and no error', () => {
    assert.deepEqual(run([]), []);
  });
});

describe('garbage and caps', () => {
  const withHeader = (h: Buffer, ...rest: Buffer[]): Buffer => Buffer.concat([h, ...rest]);
  const bigHeader = Buffer.from(header);
  bigHeader.writeBigUInt64LE(2n * 1024n * 1024n, 16);
  const badPacketSize = Buffer.from(header);
  const fp = header.indexOf(GUID.fileProperties);
  badPacketSize.writeUInt32LE(20, fp + 92);
  badPacketSize.writeUInt32LE(20, fp + 96);
  const bad: readonly [string, Buffer, string][] = [
    ['an HTTP request instead of a body', Buffer.from('GET / HTTP/1.1\r\n\r\n'), 'E_WMSP_PUSH'],
    ['a body starting with $D', encodePushChunk({ type: 'D', payload: packets[0]! }), 'E_WMSP_PUSH'],
    [
      'a $H without an ASF header',
      encodePushChunk({ type: 'H', payload: Buffer.alloc(40, 7) }),
      'E_WMSP_PUSH',
    ],
    ['a header over 1 MiB', bigHeader, 'E_WMSP_PUSH_LIMIT'],
    ['a packet size below 24', badPacketSize, 'E_ASF_PACKET_SIZE'],
    [
      'a $D larger than the packet size',
      withHeader(
        encodePushChunk({ type: 'H', payload: header }),
        encodePushChunk({ type: 'D', payload: Buffer.alloc(3201, 0x82) }),
      ),
      'E_WMSP_PUSH',
    ],
    [
      'an empty $D',
      withHeader(
        encodePushChunk({ type: 'H', payload: header }),
        encodePushChunk({ type: 'D', payload: Buffer.alloc(0) }),
      ),
      'E_WMSP_PUSH',
    ],
    [
      'a $H payload shorter than its Header Object',
      encodePushChunk({ type: 'H', payload: header.subarray(0, 500) }),
      'E_WMSP_PUSH',
    ],
    [
      'an unknown push packet type',
      withHeader(encodePushChunk({ type: 'H', payload: header }), Buffer.from('$Z\0\0')),
      'E_WMSP_FRAMING',
    ],
    [
      'garbage after packets of a stream with error correction',
      withHeader(header, packets[0]!, Buffer.alloc(PACKET_SIZE, 0x11)),
      'E_WMSP_PUSH',
    ],
  ];
  for (const [name, bytes, code] of bad) {
    it(`${name}: ${code}, and it stays failed`, () => {
      const d = new PushBodyDecoder();
      assert.throws(() => {
        d.push(bytes);
        d.end();
      }, isCode(code));
      assert.throws(() => d.push(Buffer.from([0x82])), isCode(code));
      assert.throws(() => d.end(), isCode(code));
    });
  }
});

describe('PushBodyDecoder properties', () => {
  const framed = Buffer.concat([
    encodePushChunk({ type: 'H', payload: header }),
    ...packets.slice(0, 2).map((p) => encodePushChunk({ type: 'D', payload: p })),
    encodePushChunk({ type: 'E', reason: 0 }),
  ]);
  const prefixes = [plainBody.subarray(0, HEADER_SIZE + 2 * PACKET_SIZE + 50), framed];
  /** A real body with a few bytes overwritten: reaches the deep branches that random bytes do not. */
  const mutated = fc
    .tuple(
      fc.constantFrom(...prefixes),
      fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { minLength: 1, maxLength: 6 }),
    )
    .map(([base, edits]) => {
      const b = Buffer.from(base);
      for (const [at, v] of edits) b[at % b.length] = v;
      return b;
    });
  const framish = fc
    .array(
      fc.oneof(
        fc
          .constantFrom(0x48, 0x44, 0x43, 0x45, 0x46)
          .chain((t) =>
            fc
              .uint8Array({ maxLength: 64 })
              .map((p) => Buffer.concat([Buffer.from([0x24, t, p.length & 0xff, p.length >> 8]), p])),
          ),
        fc.uint8Array({ maxLength: 24 }).map((a) => Buffer.from(a)),
        fc.constant(GUID.header),
      ),
      { maxLength: 8 },
    )
    .map((parts) => Buffer.concat(parts));

  it('arbitrary bytes in arbitrary splits: events or ProtocolError, never another throw', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 2000 }).map((a) => Buffer.from(a)),
          framish,
          mutated,
        ),
        fc.array(fc.nat(), { maxLength: 8 }),
        fc.boolean(),
        (bytes, cuts, resume) => {
          try {
            const events = run(splitAt(bytes, cuts), resume ? { packetSize: 64 } : {});
            for (const e of events) if (e.type === 'packet') assert.ok(e.data.length > 0);
          } catch (e) {
            if (!(e instanceof ProtocolError)) throw e;
          }
        },
      ),
      { interruptAfterTimeLimit: 3000, numRuns: 1_000_000 },
    );
  });
});
