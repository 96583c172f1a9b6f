// Extended Content Description Object: named, typed metadata such as WM/AlbumTitle or WM/EncodingSettings
// [asf.md 2.8, ASF spec 3.11].
//
//   24 Content Descriptors Count u16
//   26 descriptors: { Name Length u16 (bytes, incl. NUL), Name, Value Data Type u16,
//                     Value Length u16 (bytes), Value }
import { Reader, Writer } from '../core/bytes.js';
import { GUID } from './guids.js';
import { checkU16, expectEnd, frameObject, openObject, readUtf16, utf16z } from './object.js';

export const DataType = { unicode: 0, bytes: 1, bool: 2, dword: 3, qword: 4, word: 5, guid: 6 } as const;

export type DescriptorValue = string | number | bigint | boolean | Buffer;

export interface ContentDescriptor {
  name: string;
  type: number;
  value: DescriptorValue;
}

export interface ExtendedContentDescriptionObject {
  descriptors: ContentDescriptor[];
}

/** Read a typed value; a value whose length does not suit its type stays raw bytes. */
export function readTypedValue(r: Reader, type: number, len: number, boolSize: 2 | 4): DescriptorValue {
  const at = r.offset;
  const b = r.bytes(len, 'Value');
  const v = new Reader(b, at, 'value');
  if (type === DataType.unicode) return readUtf16(v, len, 'Value');
  if (type === DataType.bool && len === boolSize) return (boolSize === 4 ? v.u32() : v.u16()) !== 0;
  if (type === DataType.dword && len === 4) return v.u32();
  if (type === DataType.qword && len === 8) return v.u64();
  if (type === DataType.word && len === 2) return v.u16();
  return Buffer.from(b);
}

export function typedValueBytes(type: number, value: DescriptorValue, boolSize: 2 | 4): Buffer {
  if (Buffer.isBuffer(value)) return value;
  const w = new Writer(8);
  if (type === DataType.unicode) return utf16z(String(value));
  if (type === DataType.bool) {
    if (boolSize === 4) w.u32(value ? 1 : 0);
    else w.u16(value ? 1 : 0);
  } else if (type === DataType.dword) w.u32(Number(value));
  else if (type === DataType.qword) w.u64(BigInt(value));
  else if (type === DataType.word) w.u16(Number(value));
  else return utf16z(String(value));
  return w.toBuffer();
}

export function decodeExtendedContentDescription(buf: Buffer, base = 0): ExtendedContentDescriptionObject {
  const r = openObject(buf, base, 'extendedContentDescription', 'Extended Content Description');
  const count = r.u16('Content Descriptors Count');
  // Six bytes of lengths and type at least per descriptor: a count of 65535 in a tiny object fails here.
  if (count * 6 > r.remaining) r.fail('E_ASF_OBJECT', `${count} descriptors cannot fit ${r.remaining} bytes`);
  const descriptors: ContentDescriptor[] = [];
  for (let i = 0; i < count; i++) {
    const nameLen = r.u16('Descriptor Name Length');
    const name = readUtf16(r, nameLen, 'Descriptor Name');
    const type = r.u16('Descriptor Value Data Type');
    const len = r.u16('Descriptor Value Length');
    descriptors.push({ name, type, value: readTypedValue(r, type, len, 4) });
  }
  expectEnd(r);
  return { descriptors };
}

export function encodeExtendedContentDescription(v: ExtendedContentDescriptionObject): Buffer {
  const w = new Writer(256);
  w.u16(checkU16(v.descriptors.length, 'Content Descriptors Count'));
  for (const d of v.descriptors) {
    const name = utf16z(d.name);
    const value = typedValueBytes(d.type, d.value, 4);
    w.u16(checkU16(name.length, 'Descriptor Name Length')).bytes(name).u16(d.type);
    w.u16(checkU16(value.length, 'Descriptor Value Length')).bytes(value);
  }
  return frameObject(GUID.extendedContentDescription, w.view());
}
