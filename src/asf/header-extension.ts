// Header Extension Object: the container for the newer header objects [asf.md 2.4, ASF spec 3.4].
//
//   24 Reserved Field 1 GUID (Reserved 1) | 40 Reserved Field 2 u16 (6)
//   42 Header Extension Data Size u32 (= Object Size - 46) | 46 child objects
//
// The children are decoded by the caller's `decodeChildren`, so this file stays free of the object table
// (header.ts owns it) and the two do not import each other.
import { Writer } from '../core/bytes.js';
import { GUID } from './guids.js';
import { frameObject, openObject } from './object.js';

export interface HeaderExtensionObject<Child> {
  reserved1: Buffer;
  reserved2: number;
  objects: Child[];
}

export const HEADER_EXTENSION_FIXED_SIZE = 46;

export function decodeHeaderExtension<Child>(
  buf: Buffer,
  base: number,
  decodeChildren: (data: Buffer, base: number) => Child[],
): HeaderExtensionObject<Child> {
  const r = openObject(buf, base, 'headerExtension', 'Header Extension');
  const reserved1 = Buffer.from(r.bytes(16, 'Reserved Field 1'));
  const reserved2 = r.u16('Reserved Field 2');
  const sizeAt = r.offset;
  const dataSize = r.u32('Header Extension Data Size');
  if (dataSize !== r.remaining) {
    r.fail(
      'E_ASF_OBJECT',
      `Header Extension Data Size ${dataSize} but the object holds ${r.remaining}`,
      sizeAt,
    );
  }
  const dataAt = r.offset;
  const objects = decodeChildren(r.bytes(dataSize, 'Header Extension Data'), dataAt);
  return { reserved1, reserved2, objects };
}

export function encodeHeaderExtension<Child>(
  v: HeaderExtensionObject<Child>,
  encodeChild: (c: Child) => Buffer,
): Buffer {
  const children = v.objects.map(encodeChild);
  const dataSize = children.reduce((n, c) => n + c.length, 0);
  const w = new Writer(22 + dataSize);
  w.bytes(v.reserved1).u16(v.reserved2).u32(dataSize);
  for (const c of children) w.bytes(c);
  return frameObject(GUID.headerExtension, w.view());
}
