// The media a server-side playlist (.wsx, the SMIL subset of Windows Media Services) names, in play order: every
// `<media src="...">` inside `<smil>`, nested `<seq>` flattened. Anything else in the file is ignored; a file with no
// media is an error a person can act on.
import { NetshowError } from '../../core/errors.js';

const MAX_WSX = 1024 * 1024;

function decodeEntities(v: string): string {
  return v.replace(/&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);/gi, (m, e: string) => {
    const k = e.toLowerCase();
    if (k === 'amp') return '&';
    if (k === 'lt') return '<';
    if (k === 'gt') return '>';
    if (k === 'quot') return '"';
    if (k === 'apos') return "'";
    const code = k.startsWith('#x') ? parseInt(k.slice(2), 16) : parseInt(k.slice(1), 10);
    return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : m;
  });
}

/** The `src` of each `<media>` element, in order. */
export function parseWsx(text: string, name: string): string[] {
  if (text.length > MAX_WSX) throw new NetshowError('E_PLAYLIST', `${name}: playlist over 1 MiB`);
  const body = text.replace(/<!--[\s\S]*?-->/g, '');
  if (!/<smil[\s>]/i.test(body))
    throw new NetshowError('E_PLAYLIST', `${name}: not a .wsx playlist (no <smil>)`);
  const out: string[] = [];
  for (const m of body.matchAll(/<media\b([^>]*)>/gi)) {
    const src = /\bsrc\s*=\s*(?:"([^"]*)"|'([^']*)')/i.exec(m[1] ?? '');
    const value = src?.[1] ?? src?.[2];
    if (value) out.push(decodeEntities(value.trim()));
  }
  if (out.length === 0)
    throw new NetshowError('E_PLAYLIST', `${name}: the playlist names no <media src="...">`);
  return out;
}
