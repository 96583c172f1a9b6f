// UTF-16LE ("WCHAR") strings as MMS carries them: NUL-terminated, or counted in characters or bytes per field
// [MS-MMSP 2.2.4; mmsp.md §0, §2.5]. Never percent-decoded.
import type { Reader, Writer } from '../../core/bytes.js';

/**
 * Reads characters up to the first 0x0000 or the end of the reader (an odd last byte is dropped), consuming the
 * terminator: clients append junk after it (VLC's "0"), and a missing terminator is tolerated.
 */
export function readWString(r: Reader, field: string): string {
  const rest = r.buf.subarray(r.pos);
  let end = 0;
  while (end + 1 < rest.length && (rest[end] !== 0 || rest[end + 1] !== 0)) end += 2;
  const text = rest.subarray(0, end - (end % 2)).toString('utf16le');
  r.skip(Math.min(end + 2, rest.length - (rest.length % 2)), field);
  return text;
}

/** Reads exactly `chars` characters and drops a trailing NUL (ConnectedEX counts include it). */
export function readWStringChars(r: Reader, chars: number, field: string): string {
  const text = r.bytes(chars * 2, field).toString('utf16le');
  return text.endsWith('\0') ? text.slice(0, -1) : text;
}

/** Writes the string, then a 0x0000 terminator. */
export function writeWString(w: Writer, s: string): void {
  w.bytes(Buffer.from(s, 'utf16le')).u16(0);
}

/** Characters of `s` with its NUL, or 0 for an empty string (ConnectedEX's cb* counts). */
export function wcharCount(s: string): number {
  return s.length === 0 ? 0 : s.length + 1;
}
