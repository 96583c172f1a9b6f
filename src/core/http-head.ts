// Request heads of the HTTP-like protocols (MMSH here, RTSP later), parsed from raw bytes so that a
// transport keeps full control of what it answers; size caps keep a hostile peer from growing buffers.
//
//   METHOD SP target SP PROTO/1.x CRLF  *( name ":" value CRLF )  CRLF
import { ProtocolError } from './errors.js';

export const MAX_HEAD_BYTES = 16 * 1024;
const MAX_HEADERS = 100;

export interface RequestHead {
  readonly method: string;
  readonly target: string;
  /** e.g. "HTTP/1.0", "RTSP/1.0" */
  readonly version: string;
  /** In arrival order, names as sent; repeated headers (Pragma) stay separate. */
  readonly headers: readonly (readonly [string, string])[];
}

/** Every value of a header, case-insensitively. */
export function headerValues(head: RequestHead, name: string): string[] {
  const n = name.toLowerCase();
  return head.headers.filter(([k]) => k.toLowerCase() === n).map(([, v]) => v);
}

export function headerValue(head: RequestHead, name: string): string | undefined {
  return headerValues(head, name)[0];
}

/**
 * Finds a complete head at the start of `buf`. Returns null while more bytes are needed, or the head and
 * the number of bytes it took. Bare LF line ends are accepted (some clients send them).
 */
export function parseRequestHead(buf: Buffer): { head: RequestHead; length: number } | null {
  const end = findHeadEnd(buf);
  if (end === null) {
    if (buf.length > MAX_HEAD_BYTES) {
      throw new ProtocolError('E_HEAD_TOO_LARGE', `request head over ${MAX_HEAD_BYTES} bytes`, {
        offset: MAX_HEAD_BYTES,
        reply: { http: 431, rtsp: 400 },
      });
    }
    return null;
  }
  const text = buf.subarray(0, end.at).toString('latin1').replace(/\r$/, '');
  const lines = text.split(/\r?\n/);
  const requestLine = lines.shift() ?? '';
  const m = /^([A-Z_-]{1,32}) (\S{1,8192}) ([A-Z]{1,16}\/\d\.\d)$/.exec(requestLine);
  if (!m) {
    throw new ProtocolError(
      'E_BAD_REQUEST_LINE',
      `malformed request line ${JSON.stringify(requestLine.slice(0, 80))}`,
      {
        offset: 0,
        reply: { http: 400, rtsp: 400 },
      },
    );
  }
  const headers: [string, string][] = [];
  for (const line of lines) {
    if (line.length === 0) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) {
      throw new ProtocolError('E_BAD_HEADER', `malformed header line ${JSON.stringify(line.slice(0, 80))}`, {
        reply: { http: 400, rtsp: 400 },
      });
    }
    if (headers.length >= MAX_HEADERS) {
      throw new ProtocolError('E_TOO_MANY_HEADERS', `more than ${MAX_HEADERS} headers`, {
        reply: { http: 431, rtsp: 400 },
      });
    }
    headers.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
  }
  return { head: { method: m[1]!, target: m[2]!, version: m[3]!, headers }, length: end.at + end.sep };
}

/** Where the head ends (the blank line, CRLF or bare LF) within the first MAX_HEAD_BYTES; null if not yet. */
export function findHeadEnd(buf: Buffer): { at: number; sep: number } | null {
  const limit = Math.min(buf.length, MAX_HEAD_BYTES + 4);
  for (let i = 0; i < limit; i++) {
    if (buf[i] !== 0x0a) continue;
    if (buf[i + 1] === 0x0a) return { at: i, sep: 2 };
    if (buf[i + 1] === 0x0d && buf[i + 2] === 0x0a) return { at: i, sep: 3 };
  }
  return null;
}
