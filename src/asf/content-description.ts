// Content Description Object: title, author, copyright, description and rating
// [asf.md 2.8, ASF spec 3.10].
//
//   24 Title Length u16 | 26 Author Length u16 | 28 Copyright Length u16 | 30 Description Length u16
//   32 Rating Length u16 | 34 the five UTF-16LE strings, NUL-terminated, lengths in bytes
import { Writer } from '../core/bytes.js';
import { GUID } from './guids.js';
import { checkU16, expectEnd, frameObject, openObject, readUtf16, utf16z } from './object.js';

export interface ContentDescriptionObject {
  title: string;
  author: string;
  copyright: string;
  description: string;
  rating: string;
}

const FIELDS = ['title', 'author', 'copyright', 'description', 'rating'] as const;

export function decodeContentDescription(buf: Buffer, base = 0): ContentDescriptionObject {
  const r = openObject(buf, base, 'contentDescription', 'Content Description');
  const lengths = FIELDS.map((f) => r.u16(`${f} length`));
  const out = { title: '', author: '', copyright: '', description: '', rating: '' };
  FIELDS.forEach((f, i) => {
    out[f] = readUtf16(r, lengths[i]!, f);
  });
  expectEnd(r);
  return out;
}

export function encodeContentDescription(v: ContentDescriptionObject): Buffer {
  const strings = FIELDS.map((f) => utf16z(v[f]));
  const w = new Writer(64);
  for (const [i, s] of strings.entries()) w.u16(checkU16(s.length, `${FIELDS[i]} length`));
  for (const s of strings) w.bytes(s);
  return frameObject(GUID.contentDescription, w.view());
}
