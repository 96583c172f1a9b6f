// Parses the `Pragma` request and response headers of MS-WMSP into a token map [MS-WMSP 2.2.1.4; wmsp.md §4].
//
// Node joins repeated Pragma headers, so the caller passes every raw value (from `rawHeaders`). Each value is a
// comma-separated list of `name[=value]` tokens; a quoted value (`features="seekable,stridable"`) keeps its commas.
// `stream-switch-entry` sits alone on its line and holds space-separated `src:dst:thin` entries in hex. The parser
// is tolerant: unknown tokens are kept, junk is skipped, and numbers are read from their leading digits (FFmpeg
// sends `stream-time=0Connection: Close` on one line). Only the size caps below make it throw.
import { ProtocolError } from '../core/errors.js';

/** All Pragma values of one message together may not exceed this many characters. */
export const MAX_PRAGMA_CHARS = 16384;
/** Most tokens accepted in one message. */
export const MAX_PRAGMA_TOKENS = 256;
/** Most `stream-switch-entry` entries in one message (ASF has at most 127 streams; ids go up to 0xffff). */
export const MAX_SWITCH_ENTRIES = 512;

/** u32 "not specified" value of stream-time, packet-num and each half of stream-offset [MS-WMSP 2.2.1.4]. */
export const U32_UNSPECIFIED = 0xffffffff;

export type ThinLevel = 0 | 1 | 2;

/** One `src:dst:thin` entry: switch from stream `src` (0xffff = none) to `dst` at thinning level `thin`. */
export interface StreamSwitchEntry {
  readonly src: number;
  readonly dst: number;
  readonly thin: ThinLevel;
}

const NUMBER = /^\s*(\d+)/;
const REAL = /^\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+))/;
const ENTRY = /^([0-9a-f]{1,4}):([0-9a-f]{1,4}):([012])$/i;

/** The merged tokens of every Pragma value of one message. Names are matched case-insensitively. */
export class PragmaSet {
  /** Lower-cased name -> value as sent ('' for a bare token); a repeated token keeps its last value. */
  readonly tokens: ReadonlyMap<string, string>;
  /** Entries of every `stream-switch-entry` token in order, or null when none was sent. */
  readonly switchEntries: readonly StreamSwitchEntry[] | null;

  constructor(tokens: ReadonlyMap<string, string>, switchEntries: readonly StreamSwitchEntry[] | null) {
    this.tokens = tokens;
    this.switchEntries = switchEntries;
  }

  has(name: string): boolean {
    return this.tokens.has(name.toLowerCase());
  }

  value(name: string): string | undefined {
    return this.tokens.get(name.toLowerCase());
  }

  /** The token's leading decimal digits, clamped to u32; undefined when absent or without digits. */
  u32(name: string): number | undefined {
    const v = this.value(name);
    return v === undefined ? undefined : leadingU32(v);
  }

  /** The token's leading real number (`rate=1.000000`, `Speed=1.070`); undefined when absent or not a number. */
  real(name: string): number | undefined {
    const v = this.value(name);
    if (v === undefined) return undefined;
    const m = REAL.exec(v);
    if (!m) return undefined;
    const n = Number(m[1]);
    return Number.isFinite(n) ? n : undefined;
  }

  /** True when the token is present with the numeric value 1 (`xPlayStrm=1`). */
  flag(name: string): boolean {
    return this.u32(name) === 1;
  }
}

/** Leading decimal digits of `text` as a number clamped to 0..0xffffffff, or undefined without digits. */
export function leadingU32(text: string): number | undefined {
  const m = NUMBER.exec(text);
  if (!m) return undefined;
  const digits = m[1]!.replace(/^0+(?=\d)/, '');
  if (digits.length > 10) return U32_UNSPECIFIED;
  return Math.min(Number(digits), U32_UNSPECIFIED);
}

/** Splits one Pragma value on commas that are outside double quotes. */
function splitTokens(value: string): string[] {
  const out: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x22) quoted = !quoted;
    else if (c === 0x2c && !quoted) {
      out.push(value.slice(start, i));
      start = i + 1;
    }
  }
  out.push(value.slice(start));
  return out;
}

function unquote(v: string): string {
  return v.length >= 2 && v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1) : v;
}

/**
 * The entries of one `stream-switch-entry` value. Ids are hex per [MS-WMSP 2.2.1.4.27]; FFmpeg and libmms print
 * decimal, which agrees for 1-9. Malformed entries are skipped.
 */
export function parseSwitchEntries(value: string): StreamSwitchEntry[] {
  const out: StreamSwitchEntry[] = [];
  for (const word of value.split(/\s+/)) {
    const m = ENTRY.exec(word);
    if (!m) continue;
    out.push({ src: parseInt(m[1]!, 16), dst: parseInt(m[2]!, 16), thin: Number(m[3]) as ThinLevel });
  }
  return out;
}

function tooBig(what: string, limit: number): ProtocolError {
  return new ProtocolError('E_WMSP_PRAGMA_LIMIT', `Pragma: more than ${limit} ${what}`, {
    reply: { http: 400 },
  });
}

/** Parses every raw Pragma value of one message. Throws only ProtocolError, and only past the size caps. */
export function parsePragmas(values: readonly string[]): PragmaSet {
  let chars = 0;
  for (const v of values) chars += v.length;
  if (chars > MAX_PRAGMA_CHARS) throw tooBig('characters', MAX_PRAGMA_CHARS);
  const tokens = new Map<string, string>();
  let entries: StreamSwitchEntry[] | null = null;
  let count = 0;
  for (const raw of values) {
    for (const part of splitTokens(raw)) {
      const token = part.trim();
      if (token === '') continue;
      if (++count > MAX_PRAGMA_TOKENS) throw tooBig('tokens', MAX_PRAGMA_TOKENS);
      const eq = token.indexOf('=');
      const name = (eq < 0 ? token : token.slice(0, eq)).trim().toLowerCase();
      if (name === '') continue;
      const value = eq < 0 ? '' : unquote(token.slice(eq + 1).trim());
      tokens.set(name, value);
      // [MS-WMSP 2.2.1.4.27] the entry list holds spaces, not commas, so it is one token; lines add up.
      if (name === 'stream-switch-entry') {
        entries ??= [];
        entries.push(...parseSwitchEntries(value));
        if (entries.length > MAX_SWITCH_ENTRIES)
          throw tooBig('stream-switch-entry entries', MAX_SWITCH_ENTRIES);
      }
    }
  }
  return new PragmaSet(tokens, entries);
}

/** The values of every header named `name` in raw `[name, value]` pairs (Node's `rawHeaders`, paired). */
export function headerValues(headers: readonly (readonly [string, string])[], name: string): string[] {
  const lower = name.toLowerCase();
  return headers.filter(([n]) => n.toLowerCase() === lower).map(([, v]) => v);
}
