// Chunked transfer coding [RFC 9112 §7.1]: case table at every split point, FFmpeg's real push body, caps, errors,
// and the property that arbitrary bytes give body bytes or a ProtocolError, never another exception.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ProtocolError } from '../../../src/core/errors.js';
import {
  ChunkedDecoder,
  MAX_CHUNK_LINE,
  MAX_CHUNK_SIZE,
  MAX_TRAILER_BYTES,
} from '../../../src/core/http-chunked.js';

const FIXTURE = 'test/fixtures/push/ffmpeg-asf-chunked.http';

/** Decodes `wire` pushed in the given pieces; returns the body and the decoder. */
function decode(pieces: readonly Buffer[]): { body: Buffer; d: ChunkedDecoder } {
  const d = new ChunkedDecoder();
  const out: Buffer[] = [];
  for (const p of pieces) out.push(...d.push(p));
  d.end();
  return { body: Buffer.concat(out), d };
}

function isCode(code: string): (e: unknown) => boolean {
  return (e: unknown) => e instanceof ProtocolError && e.code === code;
}

const cases: readonly { name: string; wire: string; body: string }[] = [
  { name: 'one chunk', wire: '5\r\nhello\r\n0\r\n\r\n', body: 'hello' },
  { name: 'two chunks, upper-case hex', wire: 'A\r\n0123456789\r\n1\r\n!\r\n0\r\n\r\n', body: '0123456789!' },
  { name: 'empty body', wire: '0\r\n\r\n', body: '' },
  { name: 'leading zeros', wire: '0003\r\nabc\r\n000\r\n\r\n', body: 'abc' },
  { name: 'chunk extensions are dropped', wire: '3;name=value;x\r\nabc\r\n0;last\r\n\r\n', body: 'abc' },
  { name: 'whitespace before an extension', wire: '3 \t;ext\r\nabc\r\n0\r\n\r\n', body: 'abc' },
  {
    name: 'trailer fields are dropped',
    wire: '3\r\nabc\r\n0\r\nX-Checksum: 1\r\nOther: 2\r\n\r\n',
    body: 'abc',
  },
  { name: 'bare LF line ends', wire: '3\nabc\n0\n\n', body: 'abc' },
  { name: 'CRLF inside chunk data is data', wire: '4\r\n\r\n\r\n\r\n0\r\n\r\n', body: '\r\n\r\n' },
];

describe('ChunkedDecoder case table', () => {
  for (const c of cases) {
    const wire = Buffer.from(c.wire, 'latin1');
    it(`${c.name}: every split point`, () => {
      for (let i = 0; i <= wire.length; i++) {
        const { body, d } = decode([wire.subarray(0, i), wire.subarray(i)]);
        assert.equal(body.toString('latin1'), c.body, `split at ${i}`);
        assert.ok(d.done);
      }
    });
    it(`${c.name}: one byte at a time`, () => {
      const pieces = [...wire].map((b) => Buffer.from([b]));
      assert.equal(decode(pieces).body.toString('latin1'), c.body);
    });
    it(`${c.name}: bytes after the body are left over, not decoded`, () => {
      const d = new ChunkedDecoder();
      const out = d.push(Buffer.concat([wire, Buffer.from('POST / HTTP/1.1\r\n')]));
      assert.equal(Buffer.concat(out).toString('latin1'), c.body);
      d.push(Buffer.from('Host: x\r\n'));
      assert.equal(d.leftover.toString(), 'POST / HTTP/1.1\r\nHost: x\r\n');
      d.end();
    });
  }

  it('returns views of the pushed bytes, no copies', () => {
    const wire = Buffer.from('5\r\nhello\r\n0\r\n\r\n');
    const [piece] = new ChunkedDecoder().push(wire);
    assert.equal(piece!.buffer, wire.buffer);
    assert.equal(piece!.byteOffset, wire.byteOffset + 3);
  });
});

describe('ChunkedDecoder on a real FFmpeg push (test/fixtures/push)', () => {
  const wire = readFileSync(FIXTURE);
  const bodyAt = wire.indexOf('\r\n\r\n') + 4;
  const chunked = wire.subarray(bodyAt);

  /** The body by a naive whole-buffer reading of the same chunks: the reference. */
  function reference(): Buffer {
    const parts: Buffer[] = [];
    for (let at = 0; ;) {
      const lf = chunked.indexOf('\r\n', at);
      const n = parseInt(chunked.subarray(at, lf).toString(), 16);
      parts.push(chunked.subarray(lf + 2, lf + 2 + n));
      at = lf + 2 + n + 2;
      if (n === 0) return Buffer.concat(parts);
    }
  }

  it('decodes the 41 chunks: header, 39 packets, then index and $E in one chunk', () => {
    const { body, d } = decode([chunked]);
    assert.equal(body.length, 847 + 39 * 3200 + 116);
    assert.ok(d.done);
    assert.deepEqual(body, reference());
    assert.equal(body.subarray(-12).toString('hex'), '244508000000000000000800');
  });

  it('gives the same body at every split point of the first 4 KiB and at random splits', () => {
    const want = reference();
    for (let i = 0; i <= 4096; i++) {
      assert.deepEqual(decode([chunked.subarray(0, i), chunked.subarray(i)]).body, want, `split at ${i}`);
    }
    fc.assert(
      fc.property(fc.array(fc.nat({ max: chunked.length }), { maxLength: 40 }), (cuts) => {
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        const pieces: Buffer[] = [];
        let at = 0;
        for (const p of [...points, chunked.length]) {
          pieces.push(chunked.subarray(at, p));
          at = p;
        }
        assert.deepEqual(decode(pieces).body, want);
      }),
      { numRuns: 200 },
    );
  });

  it('a body cut anywhere before its last chunk is E_TRUNCATED', () => {
    for (const cut of [0, 1, 5, 600, chunked.length - 6, chunked.length - 1]) {
      const d = new ChunkedDecoder();
      d.push(chunked.subarray(0, cut));
      assert.throws(() => d.end(), isCode('E_TRUNCATED'), `cut at ${cut}`);
    }
  });
});

describe('ChunkedDecoder errors and caps', () => {
  const bad: readonly [string, string, string][] = [
    ['size line that is not hex', 'zz\r\n', 'E_HTTP_CHUNKED'],
    ['empty size line', '\r\n', 'E_HTTP_CHUNKED'],
    ['negative size', '-5\r\n', 'E_HTTP_CHUNKED'],
    ['leading space', ' 5\r\n', 'E_HTTP_CHUNKED'],
    ['0x prefix', '0x5\r\n', 'E_HTTP_CHUNKED'],
    ['data longer than its size', '3\r\nabcd\r\n', 'E_HTTP_CHUNKED'],
    ['data not followed by CRLF', '3\r\nabc0\r\n\r\n', 'E_HTTP_CHUNKED'],
    ['a size over the cap', `${(MAX_CHUNK_SIZE + 1).toString(16)}\r\n`, 'E_HTTP_CHUNK_LIMIT'],
    ['a size past 64 bits', 'fffffffffffffffffffffff\r\n', 'E_HTTP_CHUNK_LIMIT'],
  ];
  for (const [name, wire, code] of bad) {
    it(`${name}: ${code}`, () => {
      const d = new ChunkedDecoder();
      assert.throws(() => d.push(Buffer.from(wire, 'latin1')), isCode(code));
      assert.throws(() => d.push(Buffer.from('0\r\n\r\n')), isCode(code), 'stays failed');
      assert.throws(() => d.end(), isCode(code));
    });
  }

  it('accepts a chunk of exactly the cap and streams it without holding it', () => {
    const d = new ChunkedDecoder();
    assert.deepEqual(d.push(Buffer.from(`${MAX_CHUNK_SIZE.toString(16)}\r\n`)), []);
    const piece = Buffer.alloc(65536, 1);
    let got = 0;
    for (let sent = 0; sent < MAX_CHUNK_SIZE; sent += piece.length) {
      for (const b of d.push(piece)) got += b.length;
    }
    assert.equal(got, MAX_CHUNK_SIZE);
    d.push(Buffer.from('\r\n0\r\n\r\n'));
    d.end();
  });

  it('a size line over 4 KiB without its LF is refused before it grows', () => {
    const d = new ChunkedDecoder();
    d.push(Buffer.from('1'));
    assert.throws(() => d.push(Buffer.alloc(MAX_CHUNK_LINE, 0x30)), isCode('E_HTTP_CHUNK_LIMIT'));
  });

  it('a long chunk extension within the line cap is fine', () => {
    const ext = `;${'x'.repeat(MAX_CHUNK_LINE - 10)}`;
    assert.equal(decode([Buffer.from(`3${ext}\r\nabc\r\n0\r\n\r\n`)]).body.toString(), 'abc');
  });

  it('a trailer section over 16 KiB is refused', () => {
    const d = new ChunkedDecoder();
    d.push(Buffer.from('0\r\n'));
    const line = Buffer.from(`X-Pad: ${'p'.repeat(1000)}\r\n`);
    assert.throws(() => {
      for (let i = 0; i <= MAX_TRAILER_BYTES / line.length + 1; i++) d.push(line);
    }, isCode('E_HTTP_CHUNK_LIMIT'));
  });

  it('reports the offset where the input stopped making sense', () => {
    const d = new ChunkedDecoder();
    d.push(Buffer.from('3\r\nabc\r\n'));
    assert.throws(
      () => d.push(Buffer.from('q\r\n')),
      (e: unknown) => e instanceof ProtocolError && e.offset === 10 && e.reply.http === 400,
    );
  });
});

describe('ChunkedDecoder properties', () => {
  it('arbitrary bytes in arbitrary splits: body bytes or ProtocolError, never another throw', () => {
    const chunkish = fc
      .array(
        fc.oneof(
          fc
            .uint8Array({ maxLength: 40 })
            .map((a) => Buffer.concat([Buffer.from(`${a.length.toString(16)}\r\n`), a, Buffer.from('\r\n')])),
          fc.constantFrom('0\r\n\r\n', '\r\n', ';', '\n', 'ff', '0\r\nA: b\r\n').map((s) => Buffer.from(s)),
          fc.uint8Array({ maxLength: 12 }).map((a) => Buffer.from(a)),
        ),
        { maxLength: 10 },
      )
      .map((parts) => Buffer.concat(parts));
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 400 }).map((a) => Buffer.from(a)),
          chunkish,
        ),
        fc.array(fc.nat(), { maxLength: 8 }),
        (bytes, cuts) => {
          try {
            const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
            const d = new ChunkedDecoder();
            let at = 0;
            let total = 0;
            for (const p of [...points, bytes.length]) {
              for (const b of d.push(bytes.subarray(at, p))) total += b.length;
              at = p;
            }
            d.end();
            assert.ok(total <= bytes.length);
          } catch (e) {
            if (!(e instanceof ProtocolError)) throw e;
          }
        },
      ),
      { interruptAfterTimeLimit: 2000, numRuns: 1_000_000 },
    );
  });

  it('decode(encode(body)) is the body, for any chunking', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 1, maxLength: 300 }), { maxLength: 8 }),
        fc.nat(),
        (parts, cut) => {
          const wire = Buffer.concat([
            ...parts.map((p) =>
              Buffer.concat([Buffer.from(`${p.length.toString(16)}\r\n`), p, Buffer.from('\r\n')]),
            ),
            Buffer.from('0\r\n\r\n'),
          ]);
          const at = cut % (wire.length + 1);
          assert.deepEqual(
            decode([wire.subarray(0, at), wire.subarray(at)]).body,
            Buffer.concat(parts.map((p) => Buffer.from(p))),
          );
        },
      ),
      { interruptAfterTimeLimit: 2000, numRuns: 1_000_000 },
    );
  });
});
