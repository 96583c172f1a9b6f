// Codec List Object: a human-readable name and description per codec in the file
// [asf.md 2.9, ASF spec 3.5].
//
//   24 Reserved GUID (Reserved 2) | 40 Codec Entries Count u32
//   44 entries: { Type u16 (1 video, 2 audio, 0xFFFF unknown), Name Length u16 (WCHARs, incl. NUL), Name,
//                 Description Length u16 (WCHARs), Description, Information Length u16 (bytes), Information }
import { Writer, type Reader } from '../core/bytes.js';
import { GUID } from './guids.js';
import { checkU16, expectEnd, frameObject, openObject, readUtf16, utf16z } from './object.js';

export interface CodecEntry {
  type: 'video' | 'audio' | 'unknown';
  /** The Type field as read, written back as is. */
  typeCode: number;
  name: string;
  description: string;
  /** Audio: the u16 format tag; video: the FourCC. */
  information: Buffer;
}

export interface CodecListObject {
  reserved: Buffer;
  entries: CodecEntry[];
}

function readWString(r: Reader, field: string): string {
  const chars = r.u16(`${field} Length`);
  return readUtf16(r, chars * 2, field);
}

function wstring(w: Writer, s: string, field: string): void {
  const b = utf16z(s);
  w.u16(checkU16(b.length / 2, `${field} Length`)).bytes(b);
}

export function decodeCodecList(buf: Buffer, base = 0): CodecListObject {
  const r = openObject(buf, base, 'codecList', 'Codec List');
  const reserved = Buffer.from(r.bytes(16, 'Reserved'));
  const count = r.u32('Codec Entries Count');
  // Each entry takes at least 8 bytes (type and three lengths).
  if (count * 8 > r.remaining)
    r.fail('E_ASF_OBJECT', `${count} codec entries cannot fit ${r.remaining} bytes`);
  const entries: CodecEntry[] = [];
  for (let i = 0; i < count; i++) {
    const typeCode = r.u16('Type');
    const name = readWString(r, 'Codec Name');
    const description = readWString(r, 'Codec Description');
    const infoLen = r.u16('Codec Information Length');
    const information = Buffer.from(r.bytes(infoLen, 'Codec Information'));
    const type = typeCode === 1 ? 'video' : typeCode === 2 ? 'audio' : 'unknown';
    entries.push({ type, typeCode, name, description, information });
  }
  expectEnd(r);
  return { reserved, entries };
}

export function encodeCodecList(v: CodecListObject): Buffer {
  const w = new Writer(256);
  w.bytes(v.reserved).u32(v.entries.length);
  for (const e of v.entries) {
    w.u16(e.typeCode);
    wstring(w, e.name, 'Codec Name');
    wstring(w, e.description, 'Codec Description');
    w.u16(checkU16(e.information.length, 'Codec Information Length')).bytes(e.information);
  }
  return frameObject(GUID.codecList, w.view());
}
