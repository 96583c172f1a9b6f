// Reads ASX metafiles (.asx, .wax, .wvx) the lenient way players do, XML form and the INI `[Reference]` form,
// into the stream URLs they list [rollover.md §4.1]; pure: bytes in, entries out.
import { ProtocolError } from '../../core/errors.js';

/** Metafiles are a few KB; anything past this is not one (resolve.ts reads no more than this either). */
export const METAFILE_MAX_BYTES = 1024 * 1024;
/** Deeper nesting than any real ASX (ASX > REPEAT > ENTRY > REF); the cap keeps the walk off the stack limit. */
const MAX_DEPTH = 32;
const MAX_ELEMENTS = 100_000;

export interface AsxMetadata {
  readonly title?: string;
  readonly author?: string;
  readonly copyright?: string;
  readonly abstract?: string;
}

export interface AsxEntry extends AsxMetadata {
  /** Stream URLs of this clip; several are alternatives, tried in order until one plays [rollover.md §4.1]. */
  readonly refs: string[];
  /** An `ENTRYREF`: another metafile whose entries stand in this place (the caller fetches it). */
  readonly entryRef?: string;
}

export interface Asx extends AsxMetadata {
  /** In document order; an `ENTRYREF` is an entry of its own with no refs. */
  readonly entries: AsxEntry[];
}

export interface AsxOptions {
  /** Where the metafile came from; relative HREFs without a `BASE` resolve against it. */
  readonly base?: string;
}

/**
 * Text of a metafile's bytes: a BOM decides (UTF-8, UTF-16LE, UTF-16BE); without one, NUL bytes in every
 * other position mean BOM-less UTF-16, valid UTF-8 is UTF-8, and anything else is the Windows "ANSI" code
 * page, which for a player's metafile means windows-1252 (latin1 with printable 0x80-0x9F).
 */
export function decodeMetafileText(bytes: Uint8Array): string {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length > METAFILE_MAX_BYTES) {
    throw new ProtocolError(
      'E_METAFILE_TOO_LARGE',
      `a metafile is at most ${METAFILE_MAX_BYTES} bytes, this one has ${b.length}`,
    );
  }
  if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return new TextDecoder('utf-8').decode(b.subarray(3));
  if (b[0] === 0xff && b[1] === 0xfe) return new TextDecoder('utf-16le').decode(b.subarray(2));
  if (b[0] === 0xfe && b[1] === 0xff) return new TextDecoder('utf-16be').decode(b.subarray(2));
  if (b.length >= 4 && b[0] !== 0 && b[1] === 0 && b[2] !== 0 && b[3] === 0) {
    return new TextDecoder('utf-16le').decode(b);
  }
  if (b.length >= 4 && b[0] === 0 && b[1] !== 0 && b[2] === 0 && b[3] !== 0) {
    return new TextDecoder('utf-16be').decode(b);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(b);
  } catch {
    return windows1252(b);
  }
}

/** windows-1252's printable 0x80-0x9F (the five holes stay C1 controls); Node 20's decoder reads them as latin1. */
const CP1252_HIGH =
  '\u20AC\u0081\u201A\u0192\u201E\u2026\u2020\u2021\u02C6\u2030\u0160\u2039\u0152\u008D\u017D\u008F' +
  '\u0090\u2018\u2019\u201C\u201D\u2022\u2013\u2014\u02DC\u2122\u0161\u203A\u0153\u009D\u017E\u0178';

function windows1252(b: Buffer): string {
  return b.toString('latin1').replace(/[\x80-\x9f]/g, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80]!);
}

/** True when the text is an ASX in either form (for sniffing an HTTP reply or a file without extension). */
export function looksLikeAsx(text: string): boolean {
  const head = text.replace(/^\uFEFF/, '').trimStart();
  return /^\[reference\]/i.test(head) || /<asx[\s>]/i.test(text.slice(0, 4096));
}

/** Parses an ASX metafile; throws a ProtocolError with a one-line reason when it lists nothing playable. */
export function parseAsx(input: Uint8Array | string, options: AsxOptions = {}): Asx {
  const text = typeof input === 'string' ? input : decodeMetafileText(input);
  if (text.length > METAFILE_MAX_BYTES) {
    throw new ProtocolError('E_METAFILE_TOO_LARGE', `a metafile is at most ${METAFILE_MAX_BYTES} characters`);
  }
  const body = text.replace(/^\uFEFF/, '');
  const asx = /^\s*\[reference\]/i.test(body) ? parseReferenceForm(body) : parseXmlForm(body, options.base);
  if (!asx.entries.some((e) => e.refs.length > 0 || e.entryRef !== undefined)) {
    throw new ProtocolError('E_ASX_EMPTY', 'the ASX metafile lists no REF or ENTRYREF with an HREF');
  }
  return asx;
}

/**
 * The INI form old Windows Media servers answer non-player user agents with:
 *   [Reference]
 *   Ref1=http://host/path?MSWMExt=.asf
 *   Ref2=http://host:80/path?MSWMExt=.asf
 * The RefN lines are one clip reached in several ways, so they become one entry's alternatives, by N.
 */
function parseReferenceForm(text: string): Asx {
  const refs: { n: number; url: string }[] = [];
  for (const line of text.split(/\r\n|\r|\n/)) {
    const m = /^\s*ref(\d{1,9})\s*=\s*(.*?)\s*$/i.exec(line);
    if (m && m[2] !== '') refs.push({ n: Number(m[1]), url: m[2]! });
  }
  refs.sort((a, b) => a.n - b.n);
  return { entries: [{ refs: dedupe(refs.map((r) => r.url)) }] };
}

interface Element {
  readonly name: string;
  readonly attrs: ReadonlyMap<string, string>;
  readonly children: Element[];
  text: string;
}

/**
 * Elements that never hold other elements. Real files leave them unclosed (`<Ref href="...">`) as often as
 * they self-close them, so they are never pushed on the open-element stack and their end tags are ignored.
 */
const EMPTY = new Set([
  'ref',
  'entryref',
  'base',
  'moreinfo',
  'banner',
  'logurl',
  'param',
  'duration',
  'starttime',
  'previewduration',
  'startmarker',
  'endmarker',
  'event',
]);

function parseXmlForm(text: string, base: string | undefined): Asx {
  const root = buildTree(text);
  const asx = findFirst(root, 'asx');
  if (!asx) {
    throw new ProtocolError(
      'E_ASX_NOT_ASX',
      'not an ASX metafile: no <ASX> element and no [Reference] section',
    );
  }
  const docBase = resolveUrl(attr(asx, 'base', 'href'), base) ?? base;
  const entries: AsxEntry[] = [];
  collectEntries(asx, docBase, entries);
  return { ...metadata(asx), entries };
}

/** ENTRY elements anywhere under ASX (REPEAT wraps some), plus ENTRYREF and stray REF outside an ENTRY. */
function collectEntries(el: Element, base: string | undefined, out: AsxEntry[]): void {
  for (const child of el.children) {
    if (child.name === 'entry') {
      const entryBase = resolveUrl(attr(child, 'base', 'href'), base) ?? base;
      const refs = child.children
        .filter((c) => c.name === 'ref')
        .map((c) => resolveUrl(c.attrs.get('href'), entryBase))
        .filter((u): u is string => u !== undefined);
      if (refs.length > 0) out.push({ ...metadata(child), refs: dedupe(refs) });
    } else if (child.name === 'entryref') {
      const href = resolveUrl(child.attrs.get('href'), base);
      if (href !== undefined) out.push({ refs: [], entryRef: href });
    } else if (child.name === 'ref') {
      // Not valid ASX, but WMP-era hand-written files do it; a bare REF is a clip of its own.
      const href = resolveUrl(child.attrs.get('href'), base);
      if (href !== undefined) out.push({ refs: [href] });
    } else {
      collectEntries(child, base, out);
    }
  }
}

function metadata(el: Element): AsxMetadata {
  const out: Record<string, string> = {};
  for (const key of ['title', 'author', 'copyright', 'abstract'] as const) {
    const found = el.children.find((c) => c.name === key);
    const value = found?.text.replace(/\s+/g, ' ').trim();
    if (value) out[key] = value;
  }
  return out;
}

function attr(el: Element, child: string, name: string): string | undefined {
  return el.children.find((c) => c.name === child)?.attrs.get(name);
}

function findFirst(el: Element, name: string): Element | undefined {
  for (const c of el.children) {
    if (c.name === name) return c;
    const deeper = findFirst(c, name);
    if (deeper) return deeper;
  }
  return undefined;
}

/**
 * An absolute HREF is kept byte for byte (rollover.md §2.2: path and query pass through untouched); only a
 * relative one goes through URL resolution. One that cannot be resolved is kept as written.
 */
function resolveUrl(href: string | undefined, base: string | undefined): string | undefined {
  const h = href?.trim();
  if (!h) return undefined;
  if (/^[a-z][a-z0-9+.-]+:/i.test(h) || base === undefined) return h;
  try {
    return new URL(h, base).href;
  } catch {
    return h;
  }
}

function dedupe(urls: string[]): string[] {
  return [...new Set(urls)];
}

/**
 * A forgiving tokenizer: comments, prolog, DOCTYPE and CDATA are handled; tag and attribute names are
 * lower-cased; an end tag closes up to the nearest open element of its name and is ignored when none is
 * open; text is kept only where metadata lives. Input that is not markup at all yields an empty tree.
 */
function buildTree(text: string): Element {
  const root: Element = { name: '#root', attrs: new Map(), children: [], text: '' };
  const stack: Element[] = [root];
  let count = 0;
  let i = 0;
  while (i < text.length) {
    const lt = text.indexOf('<', i);
    const top = stack[stack.length - 1]!;
    if (lt < 0) {
      top.text += decodeEntities(text.slice(i));
      break;
    }
    if (lt > i) top.text += decodeEntities(text.slice(i, lt));
    if (text.startsWith('<!--', lt)) {
      const end = text.indexOf('-->', lt + 4);
      i = end < 0 ? text.length : end + 3;
      continue;
    }
    if (text.startsWith('<![CDATA[', lt)) {
      const end = text.indexOf(']]>', lt + 9);
      top.text += text.slice(lt + 9, end < 0 ? text.length : end);
      i = end < 0 ? text.length : end + 3;
      continue;
    }
    if (text[lt + 1] === '?' || text[lt + 1] === '!') {
      const end = text.indexOf('>', lt + 2);
      i = end < 0 ? text.length : end + 1;
      continue;
    }
    const tag = readTag(text, lt);
    if (!tag) {
      top.text += '<';
      i = lt + 1;
      continue;
    }
    i = tag.end;
    if (tag.closing) {
      const at = stack.map((e) => e.name).lastIndexOf(tag.name);
      if (at > 0) stack.length = at;
      continue;
    }
    if (++count > MAX_ELEMENTS) {
      throw new ProtocolError('E_ASX_NESTING', `the ASX metafile has more than ${MAX_ELEMENTS} elements`);
    }
    const el: Element = { name: tag.name, attrs: tag.attrs, children: [], text: '' };
    top.children.push(el);
    if (!tag.selfClosing && !EMPTY.has(tag.name)) {
      if (stack.length > MAX_DEPTH) {
        throw new ProtocolError('E_ASX_NESTING', `the ASX metafile nests elements deeper than ${MAX_DEPTH}`);
      }
      stack.push(el);
    }
  }
  return root;
}

interface Tag {
  name: string;
  attrs: Map<string, string>;
  closing: boolean;
  selfClosing: boolean;
  end: number;
}

const TAG_NAME = /[A-Za-z_][\w:.-]*/y;
const ATTR_NAME = /[^\s=/>"']+/y;
const UNQUOTED = /[^\s>]*/y;
const SPACE = /\s*/y;

/** Runs a sticky regex at `at`; sticky so that a 1 MB input is never sliced per attribute. */
function matchAt(re: RegExp, text: string, at: number): string | undefined {
  re.lastIndex = at;
  return re.exec(text)?.[0];
}

/** Reads the tag starting at `<`, respecting quotes; undefined when `<` does not start a tag. */
function readTag(text: string, lt: number): Tag | undefined {
  let i = lt + 1;
  const closing = text[i] === '/';
  if (closing) i++;
  const rawName = matchAt(TAG_NAME, text, i);
  if (!rawName) return undefined;
  const name = rawName.toLowerCase();
  i += rawName.length;
  const attrs = new Map<string, string>();
  let selfClosing = false;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '>') return { name, attrs, closing, selfClosing, end: i + 1 };
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '/') {
      selfClosing = true;
      i++;
      continue;
    }
    selfClosing = false;
    const an = matchAt(ATTR_NAME, text, i);
    if (!an) {
      i++;
      continue;
    }
    i += an.length;
    i += matchAt(SPACE, text, i)?.length ?? 0;
    let value = '';
    if (text[i] === '=') {
      i++;
      i += matchAt(SPACE, text, i)?.length ?? 0;
      const q = text[i];
      if (q === '"' || q === "'") {
        const close = text.indexOf(q, i + 1);
        value = text.slice(i + 1, close < 0 ? text.length : close);
        i = close < 0 ? text.length : close + 1;
      } else {
        value = matchAt(UNQUOTED, text, i) ?? '';
        i += value.length;
      }
    }
    const key = an.toLowerCase();
    if (!attrs.has(key)) attrs.set(key, decodeEntities(value));
  }
  return { name, attrs, closing, selfClosing, end: text.length };
}

const NAMED: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Known entities only: a bare `&` (common in ASX URLs) or an unknown name stays as written. */
function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]{2,4});/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : Number(name.slice(1));
      return code > 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff)
        ? String.fromCodePoint(code)
        : whole;
    }
    return NAMED[name.toLowerCase()] ?? whole;
  });
}
