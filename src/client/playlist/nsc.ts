// Reads NetShow channel announcements (.nsc): the multicast address, the fallback Unicast URL and the ASF
// headers, decoding the NSC value encoding [rollover.md §4.2; MS-MSB 2.2.1]; pure: text in, fields out.
import { ProtocolError } from '../../core/errors.js';
import { METAFILE_MAX_BYTES, decodeMetafileText } from './asx.js';

export interface NscFormat {
  /** The Format ID the multicast packets refer to (the encoded block's Key, 11 bits) [MS-MSB 2.2.1.3.1]. */
  readonly id: number;
  /** The ASF Header Object of the multicast, as the announcement carries it. */
  readonly header: Buffer;
  readonly description?: string;
}

export interface Nsc {
  /** "Machine Name, Publishing Point Name" of the sender [MS-MSB 2.2.1.4]. */
  readonly name?: string;
  readonly description?: string;
  readonly version?: string;
  /** Multicast group. */
  readonly address?: string;
  /** UDP port of the multicast. */
  readonly port?: number;
  readonly ttl?: number;
  readonly multicastAdapter?: string;
  /** Where a player goes when multicast does not arrive: the way into the unicast rollover [rollover.md §4.2]. */
  readonly unicastUrl?: string;
  readonly logUrl?: string;
  /** The first format's ASF header, what a client needs to start. */
  readonly asfHeader?: Buffer;
  /** Every `FormatN` in N order, with its `DescriptionN`. */
  readonly formats: NscFormat[];
}

/** What one encoded value carries once decoded. */
export interface NscBlock {
  readonly key: number;
  readonly data: Buffer;
  /**
   * Whether the CRC byte matches. Reported, not enforced: VLC never checks it, and MS-MSB's own example
   * (section 4.3, the Name value) carries a CRC that does not match its text.
   */
  readonly checksumOk: boolean;
}

/**
 * An encoded value is a type prefix, then the block below written as characters [MS-MSB 2.2.1.3]:
 *   "02": six bits per character from 0-9 A-Z a-z { } (MSB first, the last group zero-padded)
 *   "01": two hex digits per byte (read by VLC's decoder; Microsoft's grammar only has "02")
 *
 *   +-----+-------------+----------------+-----------------------------------------+
 *   | CRC | Key (BE u32)| Length (BE u32)| data: Length bytes (UTF-16LE text with  |
 *   | u8  |             |                | its NUL, or an ASF header)               |
 *   +-----+-------------+----------------+-----------------------------------------+
 *   CRC = XOR of every byte of Key, Length and data.
 */
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz{}';
const SIX_BIT = new Map([...ALPHABET].map((c, i) => [c, i]));
const HEADER_BYTES = 9;

/** True when a value has the shape of an encoded block (a string may also be plain printable ASCII). */
export function looksNscEncoded(value: string): boolean {
  return /^02[0-9A-Za-z{}]{12,}$/.test(value) || /^01(?:[0-9A-Fa-f]{2}){9,}$/.test(value);
}

/** Decodes one encoded value; a ProtocolError says why when the characters or the length do not add up. */
export function decodeNscBlock(value: string): NscBlock {
  const type = value.slice(0, 2);
  const body = value.slice(2);
  let bytes: Buffer;
  if (type === '02') {
    bytes = Buffer.alloc(Math.floor((body.length * 6) / 8));
    let acc = 0;
    let bits = 0;
    let o = 0;
    for (const ch of body) {
      const v = SIX_BIT.get(ch);
      if (v === undefined) throw new ProtocolError('E_NSC_VALUE', `"${ch}" is not an NSC character`);
      acc = ((acc << 6) | v) & 0x3fff;
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        bytes[o++] = (acc >> bits) & 0xff;
      }
    }
  } else if (type === '01') {
    if (!/^(?:[0-9A-Fa-f]{2})*$/.test(body)) {
      throw new ProtocolError('E_NSC_VALUE', 'an "01" NSC value holds hex digit pairs only');
    }
    bytes = Buffer.from(body, 'hex');
  } else {
    throw new ProtocolError('E_NSC_VALUE', `unknown NSC value encoding "${type}" (known: 01, 02)`);
  }
  if (bytes.length < HEADER_BYTES) {
    throw new ProtocolError(
      'E_NSC_VALUE',
      `an NSC value needs ${HEADER_BYTES} header bytes, has ${bytes.length}`,
    );
  }
  const key = bytes.readUInt32BE(1);
  const length = bytes.readUInt32BE(5);
  if (length > bytes.length - HEADER_BYTES) {
    throw new ProtocolError(
      'E_NSC_VALUE',
      `an NSC value announces ${length} bytes but carries ${bytes.length - HEADER_BYTES}`,
    );
  }
  let crc = 0;
  for (let i = 1; i < HEADER_BYTES + length; i++) crc ^= bytes[i]!;
  return { key, data: bytes.subarray(HEADER_BYTES, HEADER_BYTES + length), checksumOk: crc === bytes[0] };
}

/**
 * A string property: plain printable ASCII is stored as is [MS-MSB 2.2.1.2]; an encoded one is UTF-16LE up to
 * its NUL. A value shaped like an encoding that does not decode is taken literally: a plain name can look
 * like one, and the caller checks what it needs (resolve.ts requires the Unicast URL to be a URL).
 */
function stringValue(raw: string): string {
  if (!looksNscEncoded(raw)) return raw;
  try {
    const text = decodeNscBlock(raw).data.toString('utf16le');
    const nul = text.indexOf('\0');
    return nul < 0 ? text : text.slice(0, nul);
  } catch (e) {
    if (e instanceof ProtocolError) return raw;
    throw e;
  }
}

/** `integer = "0x" 8HEXDIG` [MS-MSB 2.2.1.1]; decimal is accepted too, since hand-edited files use it. */
function integerValue(key: string, raw: string): number {
  const m = /^0x([0-9a-f]{1,8})$/i.exec(raw);
  if (m) return parseInt(m[1]!, 16);
  if (/^\d{1,10}$/.test(raw)) return Number(raw);
  throw new ProtocolError('E_NSC_VALUE', `NSC "${key}" should be a number like 0x00001F40, not "${raw}"`);
}

/** True when the text is an NSC announcement (for a file or reply whose name or type does not say). */
export function looksLikeNsc(text: string): boolean {
  // [ \t] rather than \s: with the m flag, \s* would run across lines and go quadratic on blank input.
  return /^[ \t]*\[address\][ \t]*\r?$/im.test(text) || /^[ \t]*nsc format version[ \t]*=/im.test(text);
}

/** Parses an .nsc file; throws a ProtocolError with a one-line reason when it is not one or a value is broken. */
export function parseNsc(input: Uint8Array | string): Nsc {
  const text = typeof input === 'string' ? input : decodeMetafileText(input);
  if (text.length > METAFILE_MAX_BYTES) {
    throw new ProtocolError('E_METAFILE_TOO_LARGE', `a metafile is at most ${METAFILE_MAX_BYTES} characters`);
  }
  // Keys are matched case-insensitively and the sections are not enforced: VLC's reader ignores them too,
  // and older NetShow files put Name and Description under a [Description] section of their own.
  const props = new Map<string, string>();
  const formats = new Map<number, { raw?: string; description?: string }>();
  let sawAddress = false;
  for (const line of text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/)) {
    const trimmed = line.trim();
    if (/^\[address\]$/i.test(trimmed)) sawAddress = true;
    const eq = trimmed.indexOf('=');
    if (trimmed.startsWith('[') || trimmed.startsWith(';') || eq <= 0) continue;
    const key = trimmed.slice(0, eq).trim().toLowerCase().replace(/\s+/g, ' ');
    const value = trimmed.slice(eq + 1).trim();
    const numbered = /^(format|description)(\d{1,4})$/.exec(key);
    if (numbered) {
      const n = Number(numbered[2]);
      const slot = formats.get(n) ?? {};
      if (numbered[1] === 'format') slot.raw = value;
      else slot.description = value;
      formats.set(n, slot);
    } else if (!props.has(key)) {
      props.set(key, value);
    }
  }
  if (!sawAddress && !['ip address', 'unicast url', 'nsc format version'].some((k) => props.has(k))) {
    throw new ProtocolError(
      'E_NSC_NOT_NSC',
      'not an NSC announcement: no [Address] section, IP Address or Unicast URL',
    );
  }

  const str = (k: string): string | undefined => {
    const raw = props.get(k);
    if (raw === undefined || raw === '') return undefined;
    const v = stringValue(raw);
    return v === '' ? undefined : v;
  };
  const int = (k: string): number | undefined => {
    const raw = props.get(k);
    return raw === undefined || raw === '' ? undefined : integerValue(k, raw);
  };

  const port = int('ip port');
  if (port !== undefined && port > 0xffff) {
    throw new ProtocolError('E_NSC_VALUE', `NSC "IP Port" ${port} is not a UDP port`);
  }
  const parsedFormats: NscFormat[] = [];
  for (const [n, slot] of [...formats].sort((a, b) => a[0] - b[0])) {
    if (slot.raw === undefined || slot.raw === '') continue;
    const compact = slot.raw.replace(/\s+/g, '');
    let block: NscBlock;
    try {
      block = decodeNscBlock(compact);
    } catch (e) {
      if (e instanceof ProtocolError) {
        throw new ProtocolError('E_NSC_VALUE', `NSC "Format${n}": ${e.message}`, { cause: e });
      }
      throw e;
    }
    const description = slot.description ? stringValue(slot.description) : undefined;
    parsedFormats.push({
      id: block.key,
      header: Buffer.from(block.data),
      ...(description ? { description } : {}),
    });
  }

  return withoutUndefined({
    formats: parsedFormats,
    name: str('name'),
    description: str('description'),
    version: str('nsc format version'),
    address: str('ip address'),
    port,
    ttl: int('time to live'),
    multicastAdapter: str('multicast adapter'),
    unicastUrl: str('unicast url'),
    logUrl: str('log url'),
    asfHeader: parsedFormats[0]?.header,
  });
}

/** Absent fields are left out rather than set to undefined, so a result compares equal to a literal. */
function withoutUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
