// GUIDs as Windows stores them: first three groups little-endian, last eight bytes in text order [asf.md 1.3].
import { ProtocolError } from './errors.js';

const TEXT = /^([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})$/i;

/** The 16 on-disk bytes of a GUID given in canonical text form. */
export function guidBytes(text: string): Buffer {
  const m = TEXT.exec(text);
  if (!m) throw new ProtocolError('E_GUID', `not a GUID: ${text}`);
  const out = Buffer.alloc(16);
  out.writeUInt32LE(parseInt(m[1]!, 16), 0);
  out.writeUInt16LE(parseInt(m[2]!, 16), 4);
  out.writeUInt16LE(parseInt(m[3]!, 16), 6);
  Buffer.from(m[4]! + m[5]!, 'hex').copy(out, 8);
  return out;
}

/** Canonical upper-case text of 16 on-disk GUID bytes. */
export function guidText(b: Uint8Array): string {
  const buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  if (buf.length !== 16) throw new ProtocolError('E_GUID', `a GUID has 16 bytes, not ${buf.length}`);
  const h = (n: number, w: number): string => n.toString(16).padStart(w, '0');
  const tail = buf.subarray(8).toString('hex');
  return `${h(buf.readUInt32LE(0), 8)}-${h(buf.readUInt16LE(4), 4)}-${h(buf.readUInt16LE(6), 4)}-${tail.slice(0, 4)}-${tail.slice(4)}`.toUpperCase();
}

export function guidEquals(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(a, b) === 0;
}
