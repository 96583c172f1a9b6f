// RTSP/1.0 messages on one TCP connection: requests and responses (heads, Content-Length bodies) and the
// `$`-framed interleaved binary data between them, decoded incrementally with size caps [RFC 2326 4, 10.12;
// MS-RTSP 2.2; rtsp.md §0, §5.1].
//
//   request   METHOD SP url SP RTSP/1.0 CRLF *(name ":" value CRLF) CRLF [body of Content-Length bytes]
//   response  RTSP/1.0 SP status SP reason CRLF *(name ":" value CRLF) CRLF [body]
//   frame     24 ("$") | channel u8 | length u16 BE | length bytes (an RTP or RTCP packet)
//
// A server meets responses too: FFmpeg answers the EndOfStream SET_PARAMETER with a bare
// `RTSP/1.0 501 Not Implemented` and no CSeq (rtsp.md §4.5).
import { ProtocolError } from '../core/errors.js';
import { FrameDecoder } from '../core/frame-decoder.js';
import { MAX_HEAD_BYTES, parseRequestHead, type RequestHead } from '../core/http-head.js';

export type HeaderList = readonly (readonly [string, string])[];

export interface RtspRequest {
  readonly method: string;
  readonly url: string;
  /** "RTSP/1.0". */
  readonly version: string;
  readonly headers: HeaderList;
  readonly body: Buffer;
}

export interface RtspResponse {
  readonly version: string;
  readonly status: number;
  readonly reason: string;
  readonly headers: HeaderList;
  readonly body: Buffer;
}

export interface InterleavedFrame {
  readonly channel: number;
  /** A view into the received bytes. */
  readonly payload: Buffer;
}

export type RtspFrame =
  | { readonly kind: 'request'; readonly request: RtspRequest }
  | { readonly kind: 'response'; readonly response: RtspResponse }
  | ({ readonly kind: 'interleaved' } & InterleavedFrame);

/** Bodies a server accepts from a client (logs, SET_PARAMETER); a DESCRIBE reply may need more (options). */
export const MAX_BODY_BYTES = 64 * 1024;
export const INTERLEAVED_MAGIC = 0x24;
export const MAX_INTERLEAVED_PAYLOAD = 0xffff;
/** Empty lines tolerated between messages (some clients end a request with an extra CRLF). */
const MAX_BLANK_BYTES = 1024;

export const REASONS: Readonly<Record<number, string>> = {
  200: 'OK',
  301: 'Moved Permanently',
  302: 'Moved Temporarily',
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  408: 'Request Timeout',
  412: 'Precondition Failed',
  413: 'Request Entity Too Large',
  451: 'Parameter Not Understood',
  453: 'Not Enough Bandwidth',
  454: 'Session Not Found',
  455: 'Method Not Valid in This State',
  457: 'Invalid Range',
  459: 'Aggregate Operation Not Allowed',
  460: 'Only Aggregate Operation Allowed',
  461: 'Unsupported Transport',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
  505: 'RTSP Version Not Supported',
};

export function reasonPhrase(status: number): string {
  return REASONS[status] ?? (status < 300 ? 'OK' : status < 500 ? 'Client Error' : 'Server Error');
}

/** Every value of a header, case-insensitively, in arrival order. */
export function headerValues(headers: HeaderList, name: string): string[] {
  const n = name.toLowerCase();
  return headers.filter(([k]) => k.toLowerCase() === n).map(([, v]) => v);
}

export function headerValue(headers: HeaderList, name: string): string | undefined {
  return headerValues(headers, name)[0];
}

function writeHead(first: string, headers: HeaderList, body: Buffer): Buffer {
  const lines = [first, ...headers.map(([k, v]) => `${k}: ${v}`)];
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), body]);
}

/** The message as sent; `headers` must already carry Content-Length when there is a body. */
export function encodeRequest(r: RtspRequest): Buffer {
  return writeHead(`${r.method} ${r.url} ${r.version}`, r.headers, r.body);
}

export function encodeResponse(r: RtspResponse): Buffer {
  return writeHead(`${r.version} ${r.status} ${r.reason}`, r.headers, r.body);
}

export function encodeInterleaved(channel: number, payload: Buffer): Buffer {
  return Buffer.concat([interleavedHeader(channel, payload.length), payload]);
}

/** The 4-byte `$` header alone, so a transport can write it with a shared payload (cork/writev). */
export function interleavedHeader(channel: number, length: number): Buffer {
  if (!Number.isInteger(channel) || channel < 0 || channel > 0xff)
    throw new RangeError(`interleaved channel ${channel} is outside 0..255`);
  if (!Number.isInteger(length) || length < 0 || length > MAX_INTERLEAVED_PAYLOAD)
    throw new RangeError(`interleaved length ${length} is outside 0..65535`);
  const h = Buffer.allocUnsafe(4);
  h[0] = INTERLEAVED_MAGIC;
  h[1] = channel;
  h.writeUInt16BE(length, 2);
  return h;
}

function bad(code: string, message: string, offset?: number): ProtocolError {
  return new ProtocolError(code, message, { offset, reply: { rtsp: 400 } });
}

/**
 * Content-Length of a head: absent = 0; anything but digits is an error. When it is repeated the last one
 * counts: GStreamer 1.22 answers our end-of-stream SET_PARAMETER by sending it back with its headers
 * (Content-Length 42) and then its own Content-Length (43: the body and a NUL), which is the true one.
 */
export function contentLength(headers: HeaderList, max: number): number {
  const values = headerValues(headers, 'content-length');
  if (values.length === 0) return 0;
  const v = values[values.length - 1]!;
  if (!values.every((x) => /^\d{1,10}$/.test(x)))
    throw bad('E_RTSP_CONTENT_LENGTH', `bad Content-Length ${JSON.stringify(v.slice(0, 20))}`);
  const n = Number(v);
  if (n > max) {
    throw new ProtocolError('E_RTSP_BODY_TOO_LARGE', `body of ${n} bytes is over the ${max}-byte cap`, {
      reply: { rtsp: 413 },
    });
  }
  return n;
}

/** Index just past the blank line ending a head, or null while it is incomplete. */
function headEnd(buf: Buffer): number | null {
  for (let i = 0; i < buf.length; i++) {
    if (buf[i] !== 0x0a) continue;
    if (buf[i + 1] === 0x0a) return i + 2;
    if (buf[i + 1] === 0x0d && buf[i + 2] === 0x0a) return i + 3;
  }
  return null;
}

const MAX_HEADERS = 100;

/** A response head (status line and headers) from complete head bytes. */
export function parseResponseHead(
  head: Buffer,
): Pick<RtspResponse, 'version' | 'status' | 'reason' | 'headers'> {
  const lines = head.toString('latin1').split(/\r?\n/);
  const statusLine = lines.shift() ?? '';
  const m = /^(RTSP\/\d\.\d) (\d{3})(?: (.{0,256}))?$/.exec(statusLine);
  if (!m)
    throw bad('E_RTSP_STATUS_LINE', `malformed status line ${JSON.stringify(statusLine.slice(0, 80))}`, 0);
  const headers: [string, string][] = [];
  for (const line of lines) {
    if (line.length === 0) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) throw bad('E_BAD_HEADER', `malformed header line ${JSON.stringify(line.slice(0, 80))}`);
    if (headers.length >= MAX_HEADERS) throw bad('E_TOO_MANY_HEADERS', `more than ${MAX_HEADERS} headers`);
    headers.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
  }
  return { version: m[1]!, status: Number(m[2]), reason: m[3] ?? '', headers };
}

export interface RtspStreamDecoderOptions {
  /** Largest body accepted. Default MAX_BODY_BYTES. */
  readonly maxBodyBytes?: number;
}

type Pending =
  | { readonly kind: 'request'; readonly head: RequestHead; readonly bodyLength: number }
  | {
      readonly kind: 'response';
      readonly head: Pick<RtspResponse, 'version' | 'status' | 'reason' | 'headers'>;
      readonly bodyLength: number;
    };

/**
 * One TCP connection's RTSP byte stream, in any splits: requests, responses and interleaved frames in order.
 * Throws only ProtocolError (the decoder then stays failed; the connection is beyond repair).
 */
export class RtspStreamDecoder extends FrameDecoder<RtspFrame> {
  private readonly maxBody: number;
  private pendingHead: Pending | null = null;

  constructor(options: RtspStreamDecoderOptions = {}) {
    super('RTSP stream', 'message');
    this.maxBody = options.maxBodyBytes ?? MAX_BODY_BYTES;
  }

  protected next(): RtspFrame | null {
    if (this.pendingHead !== null) return this.body(this.pendingHead);
    this.skipBlankLines();
    if (this.buffered === 0) return null;
    const first = this.peek(1)[0];
    if (first === INTERLEAVED_MAGIC) {
      if (this.buffered < 4) return null;
      const length = this.peek(4).readUInt16BE(2);
      if (this.buffered < 4 + length) return null;
      const frame = this.take(4 + length);
      return { kind: 'interleaved', channel: frame[1]!, payload: frame.subarray(4) };
    }
    const window = this.peek(Math.min(this.buffered, MAX_HEAD_BYTES + 4));
    const end = headEnd(window);
    if (end === null) {
      if (this.buffered > MAX_HEAD_BYTES) {
        throw new ProtocolError('E_HEAD_TOO_LARGE', `RTSP head over ${MAX_HEAD_BYTES} bytes`, {
          offset: this.consumed,
          reply: { rtsp: 400 },
        });
      }
      return null;
    }
    const headBytes = window.subarray(0, end);
    if (headBytes.subarray(0, 5).toString('latin1') === 'RTSP/') {
      const head = parseResponseHead(headBytes);
      this.take(end);
      this.pendingHead = { kind: 'response', head, bodyLength: contentLength(head.headers, this.maxBody) };
    } else {
      const parsed = parseRequestHead(headBytes);
      if (parsed === null) return null;
      this.take(end);
      this.pendingHead = {
        kind: 'request',
        head: parsed.head,
        bodyLength: contentLength(parsed.head.headers, this.maxBody),
      };
    }
    return this.body(this.pendingHead);
  }

  /** The stream ended: throws if a message or frame was cut off. */
  override end(): void {
    if (this.pendingHead !== null) {
      throw new ProtocolError('E_TRUNCATED', 'RTSP stream ends inside a message body', {
        offset: this.consumed,
      });
    }
    super.end();
  }

  private skipBlankLines(): void {
    let n = 0;
    while (n < this.buffered && n <= MAX_BLANK_BYTES) {
      const b = this.peek(n + 1)[n];
      if (b !== 0x0d && b !== 0x0a) break;
      n++;
    }
    if (n > MAX_BLANK_BYTES)
      throw bad('E_RTSP_BLANK', `more than ${MAX_BLANK_BYTES} blank bytes`, this.consumed);
    if (n > 0) this.take(n);
  }

  private body(p: Pending): RtspFrame | null {
    if (this.buffered < p.bodyLength) return null;
    const body = p.bodyLength === 0 ? Buffer.alloc(0) : Buffer.from(this.take(p.bodyLength));
    this.pendingHead = null;
    if (p.kind === 'response') return { kind: 'response', response: { ...p.head, body } };
    const h = p.head;
    return {
      kind: 'request',
      request: { method: h.method, url: h.target, version: h.version, headers: h.headers, body },
    };
  }
}

/** Decodes one complete message (a test and client convenience); trailing bytes are an error. */
export function decodeMessage(bytes: Buffer, options?: RtspStreamDecoderOptions): RtspFrame {
  const d = new RtspStreamDecoder(options);
  const frames = d.push(bytes);
  d.end();
  if (frames.length !== 1) throw bad('E_RTSP_MESSAGE', `expected one message, found ${frames.length}`);
  return frames[0]!;
}
