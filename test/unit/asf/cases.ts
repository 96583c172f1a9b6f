// The shared codec case runner (STYLE.md "Habits"): every case runs as decode, encode, round trip, every
// split point and with trailing bytes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProtocolError } from '../../../src/core/errors.js';
import { GUID, type GuidName } from '../../../src/asf/index.js';

export interface CodecCase<T> {
  name: string;
  hex: string;
  value: T;
}

export interface Codec<T> {
  decode(buf: Buffer): T;
  /** Omit for decode-only forms (bytes no writer of ours would produce). */
  encode?(value: T): Buffer;
  /** Prefixes at least this long may decode (e.g. a packet whose padding was stripped). */
  minValidPrefix?(value: T, full: Buffer): number;
}

export function hex(s: string): Buffer {
  return Buffer.from(s.replace(/[^0-9a-f]/gi, ''), 'hex');
}

export function throwsProtocolError(fn: () => unknown, what: string): void {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ProtocolError, `${what}: threw ${String(e)}, not a ProtocolError`);
    assert.equal(typeof e.offset, 'number', `${what}: ProtocolError without an offset`);
    return;
  }
  assert.fail(`${what}: did not throw`);
}

export function runCases<T>(suite: string, codec: Codec<T>, cases: CodecCase<T>[]): void {
  for (const c of cases) {
    const bytes = hex(c.hex);
    void test(`${suite}: ${c.name}: decode`, () => {
      assert.deepStrictEqual(codec.decode(bytes), c.value);
    });
    if (codec.encode) {
      const encode = codec.encode.bind(codec);
      void test(`${suite}: ${c.name}: encode`, () => {
        assert.equal(encode(c.value).toString('hex'), bytes.toString('hex'));
      });
      void test(`${suite}: ${c.name}: round trip`, () => {
        assert.deepStrictEqual(codec.decode(encode(c.value)), c.value);
      });
    }
    void test(`${suite}: ${c.name}: every split point`, () => {
      const limit = codec.minValidPrefix ? codec.minValidPrefix(c.value, bytes) : bytes.length;
      for (let n = 0; n < limit; n++)
        throwsProtocolError(() => codec.decode(bytes.subarray(0, n)), `prefix ${n}`);
    });
    void test(`${suite}: ${c.name}: trailing bytes`, () => {
      assert.deepStrictEqual(codec.decode(Buffer.concat([bytes, Buffer.alloc(7, 0xee)])), c.value);
    });
  }
}

/** Hex of an object: GUID, u64 size, then the body. */
export function objHex(name: GuidName, body: string): string {
  const b = hex(body);
  const size = Buffer.alloc(8);
  size.writeBigUInt64LE(BigInt(24 + b.length));
  return GUID[name].toString('hex') + size.toString('hex') + b.toString('hex');
}

export function guidHex(name: GuidName): string {
  return GUID[name].toString('hex');
}

export function u16(n: number): string {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n);
  return b.toString('hex');
}

export function u32(n: number): string {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b.toString('hex');
}

export function u64(n: number | bigint): string {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b.toString('hex');
}

export function wstr(s: string): string {
  return Buffer.from(s, 'utf16le').toString('hex');
}
