// Incremental reader of one MMSH Play response, as a benchmark client sees it: the HTTP head, an optional
// chunked transfer coding (an HTTP/1.1 server may use it), then the `$X` framing of wmsp.md §5.
//
// ```
// byte 0   1     2-3                 4-7          8     9        10-11        12..
//      '$'  'H'  PacketLength u16 LE | LocationId | Inc | AFFlags | PacketSize | payload   ($H $D $M)
//      '$'  'E'  PacketLength u16 LE | Reason u32 LE                                     ($E $C)
// ```
// Byte 0 may carry the B bit (0xA4); PacketLength counts the bytes after itself.

export type MmshChunk = {
  /** The letter after '$': 'H', 'D', 'E', 'C', 'M', 'P', 'T', or '?' for anything else. */
  kind: string;
  /** For `$H`/`$D`/`$M`: the bytes after the 8-byte MMS data header. For `$E`/`$C`: empty. */
  payload: Buffer;
  /** LocationId for `$H`/`$D`/`$M`, Reason for `$E`/`$C`. */
  value: number;
};

export type MmshHead = { status: number; headers: Map<string, string>; chunked: boolean };

export type MmshStreamEvents = {
  head(head: MmshHead): void;
  chunk(chunk: MmshChunk): void;
};

const MAX_HEAD = 64 * 1024;
const KINDS = new Set(['H', 'D', 'E', 'C', 'M', 'P', 'T']);

/** Feed it socket bytes; it calls back once with the head, then once per complete `$X` chunk. */
export class MmshStreamReader {
  private head: MmshHead | null = null;
  private pending: Buffer = Buffer.alloc(0);
  private chunkedBody: Buffer = Buffer.alloc(0);
  /** Where the chunked transfer coding is: a size line, its data, the CRLF after the data, or the end. */
  private transfer: 'size' | 'data' | 'crlf' | 'done' = 'size';
  private transferLeft = 0;
  error: string | null = null;

  constructor(private readonly on: MmshStreamEvents) {}

  push(bytes: Buffer): void {
    if (this.error) return;
    if (!this.head) {
      this.pending = this.pending.length ? Buffer.concat([this.pending, bytes]) : bytes;
      const end = this.pending.indexOf('\r\n\r\n');
      if (end < 0) {
        if (this.pending.length > MAX_HEAD) this.error = 'response head too long';
        return;
      }
      this.head = parseHead(this.pending.toString('latin1', 0, end));
      const rest = this.pending.subarray(end + 4);
      this.pending = Buffer.alloc(0);
      this.on.head(this.head);
      if (this.head.status !== 200) {
        this.error = `HTTP ${this.head.status}`;
        return;
      }
      bytes = rest;
    }
    if (this.head.chunked) this.dechunk(bytes);
    else this.frames(bytes);
  }

  private dechunk(bytes: Buffer): void {
    let buf = this.chunkedBody.length ? Buffer.concat([this.chunkedBody, bytes]) : bytes;
    for (;;) {
      if (this.transfer === 'size') {
        const eol = buf.indexOf('\r\n');
        if (eol < 0) break;
        const size = parseInt(buf.toString('latin1', 0, eol), 16);
        if (!Number.isFinite(size)) {
          this.error = 'bad chunk size line';
          return;
        }
        buf = buf.subarray(eol + 2);
        if (size === 0) {
          this.transfer = 'done';
          break;
        }
        this.transferLeft = size;
        this.transfer = 'data';
      }
      if (this.transfer === 'data') {
        const take = Math.min(buf.length, this.transferLeft);
        if (take > 0) this.frames(buf.subarray(0, take));
        this.transferLeft -= take;
        buf = buf.subarray(take);
        if (this.transferLeft > 0) break;
        this.transfer = 'crlf';
      }
      if (this.transfer !== 'crlf' || buf.length < 2) break;
      buf = buf.subarray(2);
      this.transfer = 'size';
    }
    this.chunkedBody = this.transfer === 'done' ? Buffer.alloc(0) : buf;
  }

  private frames(bytes: Buffer): void {
    const buf = this.pending.length ? Buffer.concat([this.pending, bytes]) : bytes;
    let at = 0;
    while (buf.length - at >= 4) {
      const b0 = buf[at] ?? 0;
      const letter = String.fromCharCode(buf[at + 1] ?? 0);
      const length = buf.readUInt16LE(at + 2);
      if ((b0 & 0x7f) !== 0x24) {
        this.error = `not a $X chunk at body byte (0x${b0.toString(16)})`;
        return;
      }
      if (buf.length - at < 4 + length) break;
      const body = buf.subarray(at + 4, at + 4 + length);
      const kind = KINDS.has(letter) ? letter : '?';
      if ((kind === 'H' || kind === 'D' || kind === 'M') && body.length >= 8) {
        this.on.chunk({ kind, payload: body.subarray(8), value: body.readUInt32LE(0) });
      } else {
        this.on.chunk({ kind, payload: Buffer.alloc(0), value: body.length >= 4 ? body.readUInt32LE(0) : 0 });
      }
      at += 4 + length;
    }
    this.pending = at === buf.length ? Buffer.alloc(0) : buf.subarray(at);
  }
}

function parseHead(text: string): MmshHead {
  const [statusLine = '', ...lines] = text.split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0);
  const headers = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers.set(name, headers.has(name) ? `${headers.get(name)}, ${value}` : value);
  }
  const chunked = /chunked/i.test(headers.get('transfer-encoding') ?? '');
  return { status, headers, chunked };
}
