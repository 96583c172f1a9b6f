// Property tests for the MS-WMSP layer: decoders and parsers never throw anything but ProtocolError, and
// decode(encode(x)) == x for every chunk type (time-boxed, about 3 s per property).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ChunkDecoder, encodeChunk, type Chunk } from '../src/wmsp/framing.js';
import { parsePragmas } from '../src/wmsp/pragma.js';
import { streamSelection, startPoint } from '../src/wmsp/play-params.js';
import { classifyRequest } from '../src/wmsp/request.js';
import { planRequest } from '../src/wmsp/server-machine.js';
import { parseUserAgent } from '../src/wmsp/user-agent.js';
import { BUDGET, onlyProtocolErrors, split } from './helpers.js';

const u32 = fc.nat({ max: 0xffffffff });
const u8 = fc.nat({ max: 0xff });
const payload = fc.uint8Array({ maxLength: 600 }).map((a) => Buffer.from(a));
const chunkArb: fc.Arbitrary<Chunk> = fc.oneof(
  fc.record({
    type: fc.constantFrom('H' as const, 'D' as const, 'M' as const),
    locationId: u32,
    incarnation: u8,
    afFlags: u8,
    payload,
  }),
  fc.record({ type: fc.constantFrom('E' as const, 'C' as const), reason: u32 }),
  fc.constant({ type: 'T' as const }),
);
const plain = (c: Chunk): unknown =>
  'payload' in c ? { ...c, payload: c.payload.toString('hex') } : { ...c };

/** Bytes that look like MMSH often enough to reach the deeper branches. */
const mmshish = fc
  .array(
    fc.oneof(
      chunkArb.map((c) => new Uint8Array(encodeChunk(c))),
      fc.uint8Array({ maxLength: 16 }),
      fc
        .tuple(fc.constantFrom(0x24, 0xa4), fc.constantFrom(0x48, 0x44, 0x45, 0x43, 0x4d, 0x50, 0x54), u8, u8)
        .map((t) => Uint8Array.from(t)),
    ),
    { maxLength: 8 },
  )
  .map((parts) => Buffer.concat(parts));

describe('ChunkDecoder properties', () => {
  it('arbitrary bytes in arbitrary splits: chunks or ProtocolError, never another throw', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.uint8Array({ maxLength: 2000 }), mmshish),
        fc.array(fc.nat(), { maxLength: 10 }),
        (bytes, cuts) => {
          onlyProtocolErrors(() => {
            const d = new ChunkDecoder();
            for (const piece of split(bytes, cuts)) d.push(piece);
            d.end();
          });
        },
      ),
      BUDGET,
    );
  });

  it('decode(encode(chunks)) == chunks, in any split', () => {
    fc.assert(
      fc.property(
        fc.array(chunkArb, { maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        (chunks, cuts) => {
          const bytes = Buffer.concat(chunks.map(encodeChunk));
          const d = new ChunkDecoder();
          const out: Chunk[] = [];
          for (const piece of split(bytes, cuts)) out.push(...d.push(piece));
          d.end();
          assert.deepEqual(out.map(plain), chunks.map(plain));
        },
      ),
      BUDGET,
    );
  });
});

const pragmaText = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc
    .array(
      fc.oneof(
        fc.constantFrom(
          'xPlayStrm=1',
          'stream-time=',
          'stream-offset=',
          'packet-num=',
          'client-id=',
          'Speed=',
          'rate=',
          '"',
          ',',
          ' ',
          ':',
          'ffff:',
          '0',
          '4294967295',
          'Connection: Close',
        ),
        fc.string({ maxLength: 12 }),
        fc.nat().map(String),
      ),
      { maxLength: 20 },
    )
    .map((parts) => parts.join('')),
  fc
    .array(
      fc.tuple(
        fc.nat(0xfffff).map((n) => n.toString(16)),
        fc.nat(0x1ffff).map((n) => n.toString(16)),
        fc.nat(3),
      ),
      { maxLength: 10 },
    )
    .map((es) => `stream-switch-entry=${es.map(([a, b, t]) => `${a}:${b}:${t}`).join(' ')} `),
);
const headerName = fc.constantFrom(
  'Pragma',
  'pragma',
  'User-Agent',
  'Content-Type',
  'Content-Length',
  'X-Other',
);

describe('header parsing properties', () => {
  it('Pragma parsing, start point and selection throw nothing but ProtocolError', () => {
    fc.assert(
      fc.property(
        fc.array(pragmaText, { maxLength: 8 }),
        fc.array(fc.nat(200), { maxLength: 5 }),
        (values, streams) => {
          onlyProtocolErrors(() => {
            const p = parsePragmas(values);
            startPoint(p, {
              headerSize: 879,
              packetSize: 3200,
              packetCount: 385,
              preroll: 3100,
              live: false,
            });
            streamSelection(p, streams);
          });
        },
      ),
      BUDGET,
    );
  });

  it('classification and the whole plan: never a throw, always a well-formed head', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('GET', 'POST', 'HEAD', 'OPTIONS', 'PUT', 'get', ''),
        fc.constantFrom('1.0', '1.1', '2.0', ''),
        fc.array(
          fc.tuple(
            headerName,
            fc.oneof(pragmaText, fc.constantFrom('NSPlayer/9.0', 'NSPlayer/4.1.0.3856', 'Lavf/1')),
          ),
        ),
        fc.boolean(),
        (method, httpVersion, headers, found) => {
          const pragmas = headers.filter(([n]) => n.toLowerCase() === 'pragma').map(([, v]) => v);
          onlyProtocolErrors(() => {
            classifyRequest({
              method,
              pragmas: parsePragmas(pragmas),
              userAgent: parseUserAgent(headers[0]?.[1]),
            });
          });
          const content = found
            ? {
                headerBytes: Buffer.alloc(879),
                packetSize: 3200,
                packetCount: 385,
                preroll: 3100,
                streams: [1, 2, 3],
                live: false,
                seekable: true,
              }
            : null;
          const plan = planRequest({ method, path: '/x', httpVersion, headers }, content, {
            serverVersion: 't',
            newClientId: 1,
          });
          assert.match(plan.head, /^HTTP\/1\.[01] \d{3} [^\r\n]+\r\n(?:[^\r\n]+\r\n)*\r\n$/);
        },
      ),
      BUDGET,
    );
  });
});
