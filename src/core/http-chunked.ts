// Incremental decoder of the HTTP/1.1 chunked transfer coding of a request body [RFC 9112 §7.1]: bytes in as they
// arrive, body bytes out as soon as they arrive, chunk extensions and trailer fields read past and dropped. An
// encoder pushing a live stream sends its body this way (FFmpeg's `-method POST` does by default, one chunk per
// ASF packet), so a chunk is never waited for as a whole.
//
//   chunk          = chunk-size [ chunk-ext ] CRLF  chunk-data  CRLF        chunk-size = 1*HEXDIG
//   last-chunk     = 1*"0" [ chunk-ext ] CRLF
//   chunked-body   = *chunk  last-chunk  trailer-section  CRLF
//
// Lines may end in a bare LF, as core/http-head accepts for request heads.
import { ProtocolError } from './errors.js';

/** Longest size line, extensions included; a real one is a few bytes. */
export const MAX_CHUNK_LINE = 4096;
/** Largest chunk announced; nothing is buffered per chunk, the cap only bounds what a peer can claim. */
export const MAX_CHUNK_SIZE = 16 * 1024 * 1024;
/** All trailer lines together, as core/http-head bounds a head. */
export const MAX_TRAILER_BYTES = 16 * 1024;

type State = 'size' | 'data' | 'data-end' | 'trailer' | 'done';

const EMPTY = Buffer.alloc(0);
const SIZE_LINE = /^([0-9A-Fa-f]+)[ \t]*(?:;.*)?$/s;

function malformed(message: string, offset: number): ProtocolError {
  return new ProtocolError('E_HTTP_CHUNKED', message, { offset, reply: { http: 400 } });
}

function tooLarge(message: string, offset: number): ProtocolError {
  return new ProtocolError('E_HTTP_CHUNK_LIMIT', message, { offset, reply: { http: 413 } });
}

/**
 * Push the bytes after a request head as they arrive; get back the body bytes they hold (views into the pushed
 * buffers: copy what is kept). Throws only ProtocolError and stays failed after one.
 */
export class ChunkedDecoder {
  private state: State = 'size';
  private line: Buffer[] = [];
  private lineBytes = 0;
  /** Data bytes still due in the current chunk. */
  private left = 0;
  private trailerBytes = 0;
  /** Stream offset of the first byte of the current push, for errors. */
  private seen = 0;
  private rest: Buffer = EMPTY;
  private failed: ProtocolError | null = null;

  /** The last chunk and the trailer section have been read. */
  get done(): boolean {
    return this.state === 'done';
  }

  /** Bytes received after the end of the body (a pipelined next request); the decoder does not read them. */
  get leftover(): Buffer {
    return this.rest;
  }

  push(bytes: Buffer): Buffer[] {
    if (this.failed) throw this.failed;
    if (this.state === 'done') {
      this.rest = this.rest.length === 0 ? bytes : Buffer.concat([this.rest, bytes]);
      return [];
    }
    const out: Buffer[] = [];
    let at = 0;
    try {
      while (at < bytes.length && !this.done) {
        if (this.state === 'data') {
          const n = Math.min(this.left, bytes.length - at);
          out.push(bytes.subarray(at, at + n));
          at += n;
          this.left -= n;
          if (this.left === 0) this.state = 'data-end';
          continue;
        }
        const lf = bytes.indexOf(0x0a, at);
        const end = lf < 0 ? bytes.length : lf;
        this.collect(bytes.subarray(at, end), this.seen + at);
        if (lf < 0) {
          at = bytes.length;
          break;
        }
        at = lf + 1;
        this.onLine(this.takeLine(), this.seen + lf);
      }
    } catch (e) {
      if (e instanceof ProtocolError) this.failed = e;
      throw e;
    }
    if (this.done && at < bytes.length) this.rest = bytes.subarray(at);
    this.seen += bytes.length;
    return out;
  }

  /** The connection ended: throws when the body stopped before its last chunk and trailer section. */
  end(): void {
    if (this.failed) throw this.failed;
    if (this.state !== 'done') {
      const where =
        this.state === 'data' ? `inside a chunk (${this.left} bytes missing)` : 'before its last chunk';
      this.failed = new ProtocolError('E_TRUNCATED', `chunked body ends ${where}`, { offset: this.seen });
      throw this.failed;
    }
  }

  /** Adds part of a line, enforcing the caps before anything grows. */
  private collect(part: Buffer, offset: number): void {
    if (part.length === 0) return;
    this.lineBytes += part.length;
    if (this.state === 'data-end') {
      // Only the CR of the CRLF may sit between chunk data and the line feed.
      if (this.lineBytes > 1 || part[0] !== 0x0d)
        throw malformed('chunk data is not followed by CRLF', offset);
    } else if (this.state === 'trailer') {
      this.trailerBytes += part.length;
      if (this.trailerBytes > MAX_TRAILER_BYTES)
        throw tooLarge(`chunked trailer section over ${MAX_TRAILER_BYTES} bytes`, offset);
    } else if (this.lineBytes > MAX_CHUNK_LINE) {
      throw tooLarge(`chunk size line over ${MAX_CHUNK_LINE} bytes`, offset);
    }
    this.line.push(part);
  }

  /** The completed line without its CR. */
  private takeLine(): string {
    const text = Buffer.concat(this.line, this.lineBytes).toString('latin1');
    this.line = [];
    this.lineBytes = 0;
    return text.endsWith('\r') ? text.slice(0, -1) : text;
  }

  private onLine(line: string, offset: number): void {
    switch (this.state) {
      case 'size':
        return this.onSizeLine(line, offset);
      case 'data-end':
        this.state = 'size';
        return;
      case 'trailer':
        // [RFC 9112 §7.1.2] trailer fields may be discarded; the empty line ends the body.
        if (line === '') this.state = 'done';
        return;
      default:
        return;
    }
  }

  private onSizeLine(line: string, offset: number): void {
    const m = SIZE_LINE.exec(line);
    if (!m) throw malformed(`malformed chunk size line ${JSON.stringify(line.slice(0, 40))}`, offset);
    const digits = m[1]!.replace(/^0+/, '');
    // Eight hex digits already pass the cap; more could lose precision before the comparison.
    const size = digits.length > 8 ? Infinity : digits === '' ? 0 : parseInt(digits, 16);
    if (size > MAX_CHUNK_SIZE) throw tooLarge(`chunk of 0x${digits.slice(0, 16)} bytes over the cap`, offset);
    if (size === 0) {
      this.state = 'trailer';
      return;
    }
    this.left = size;
    this.state = 'data';
  }
}
