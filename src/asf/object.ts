// The 24-byte object header every ASF object starts with, and the small helpers all object codecs share
// [asf.md 1.1, 2.8].
//
//   0               16              24
//   +---------------+---------------+------------------------+
//   | Object ID     | Object Size   | object data            |
//   | GUID          | u64 (incl. 24)| Size - 24 bytes        |
//   +---------------+---------------+------------------------+
import { Reader, Writer } from '../core/bytes.js';
import { ProtocolError } from '../core/errors.js';
import { guidText } from '../core/guid.js';
import { GUID, guidName, type GuidName } from './guids.js';

export const OBJECT_HEADER_SIZE = 24;

/**
 * The largest header-level object we accept. Real headers are a few KB; album art in metadata can reach a
 * few MB. Anything beyond this is hostile or corrupt, and refusing it bounds every allocation.
 */
export const MAX_OBJECT_SIZE = 64 * 1024 * 1024;

export interface ObjectHeader {
  guid: Buffer;
  size: number;
  /** Absolute offset of the object's first byte. */
  offset: number;
}

/** Read an object header and check its size against the bytes that may hold it (`limit` from its start). */
export function readObjectHeader(r: Reader, limit: number = r.remaining): ObjectHeader {
  const offset = r.offset;
  const guid = r.bytes(16, 'Object ID');
  const size = r.u64n('Object Size');
  if (size < OBJECT_HEADER_SIZE) {
    r.fail('E_ASF_OBJECT', `object ${describeGuid(guid)} has size ${size}, less than 24`, offset);
  }
  if (size > MAX_OBJECT_SIZE) {
    r.fail(
      'E_ASF_OBJECT',
      `object ${describeGuid(guid)} size ${size} exceeds the cap of ${MAX_OBJECT_SIZE}`,
      offset,
    );
  }
  if (size > limit) {
    r.fail(
      'E_ASF_OBJECT',
      `object ${describeGuid(guid)} size ${size} overruns its container (${limit} left)`,
      offset,
    );
  }
  return { guid, size, offset };
}

/**
 * Open an object of the expected type: returns a Reader positioned after the 24-byte header and limited to
 * the object's declared size. `buf` holds the whole object (extra bytes after it are ignored).
 */
export function openObject(buf: Buffer, base: number, expect: GuidName, what: string): Reader {
  const r = new Reader(buf, base, what);
  const h = readObjectHeader(r);
  if (!h.guid.equals(GUID[expect])) {
    r.fail('E_ASF_OBJECT', `expected ${expect} object, found ${describeGuid(h.guid)}`, h.offset);
  }
  return new Reader(buf.subarray(OBJECT_HEADER_SIZE, h.size), base + OBJECT_HEADER_SIZE, what);
}

/** Reject bytes left inside an object after its last field: a writer that left them meant something else. */
export function expectEnd(r: Reader): void {
  if (r.remaining !== 0) r.fail('E_ASF_OBJECT', `${r.remaining} unexpected bytes at the end of the object`);
}

/** Frame an object body with its GUID and size. */
export function frameObject(guid: Buffer, body: Buffer): Buffer {
  const w = new Writer(OBJECT_HEADER_SIZE + body.length);
  w.bytes(guid)
    .u64(OBJECT_HEADER_SIZE + body.length)
    .bytes(body);
  return w.toBuffer();
}

export function describeGuid(guid: Uint8Array): string {
  if (guid.length !== 16) return '(short GUID)';
  return guidName(guid) ?? guidText(guid);
}

/**
 * Read `n` bytes of UTF-16LE and drop a trailing NUL (lengths in ASF include it). An odd length (old
 * FFmpeg wrote them) loses its last byte here; the header keeps such an object's raw bytes for writing.
 */
export function readUtf16(r: Reader, n: number, field: string): string {
  const s = r.bytes(n, field).toString('utf16le');
  return s.endsWith('\0') ? s.slice(0, -1) : s;
}

/** UTF-16LE bytes with a terminating NUL, or no bytes at all for the empty string. */
export function utf16z(s: string): Buffer {
  return s === '' ? Buffer.alloc(0) : Buffer.from(`${s}\0`, 'utf16le');
}

/** A u16 length that must fit the writer's field, or the encoder refuses (never silently truncates). */
export function checkU16(n: number, field: string): number {
  if (!Number.isInteger(n) || n < 0 || n > 0xffff) {
    throw new ProtocolError('E_ASF_RANGE', `${field} ${n} does not fit 16 bits`);
  }
  return n;
}
