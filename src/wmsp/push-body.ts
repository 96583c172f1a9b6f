// The body of an encoder's push, after transfer decoding, turned into the ASF header and data packets
// [MS-WMHTTP 2.2.2.2, 3.2.5.3-3.2.5.7; asf.md 7.3]. Three forms, told apart by the first bytes:
//
//   30 26 B2 75 8E 66 CF 11 ..             plain ASF (FFmpeg `-f asf`): Header Object, Data Object start (50),
//                                          fixed-size packets, then maybe a Simple Index and a 12-byte `$E`
//   24 48 LL LL 30 26 B2 75 ..             push framing [MS-WMHTTP 2.2.3] (Windows Media Encoder): $H $D.. $E
//   24 48 LL LL 00 00 00 00 00 0C LL LL 30 26 B2 75 ..
//                                          MMSH framing [MS-WMSP 2.2.3.1.2] (FFmpeg `-f asf_stream`)
//
// "The ASF header" is the Header Object plus the first 50 bytes of the Data Object, as `$H` carries it.
import { ProtocolError } from '../core/errors.js';
import {
  DATA_OBJECT_HEADER_SIZE,
  GUID,
  guidName,
  headerObjectSize,
  parseFileStart,
  repairedHeader,
} from '../asf/index.js';
import { ChunkDecoder, FRAME, REASON, type Chunk } from './framing.js';
import { PushChunkDecoder, type PushChunk } from './push-framing.js';

/** Largest ASF header (Header Object + 50) accepted from a pusher; real ones are a few KiB. */
export const MAX_PUSH_HEADER_SIZE = 1024 * 1024;

export type PushBodyForm = 'asf' | 'push' | 'mmsh';

export type PushBodyEvent =
  /** A (new) stream: Header Object + 50-byte Data Object start, a copy; `packetSize` from File Properties. */
  | { readonly type: 'header'; readonly bytes: Buffer; readonly packetSize: number }
  /** One data packet, a copy; at most `packetSize` bytes (the push forms may strip padding [MS-WMHTTP 2.2.3.3]). */
  | { readonly type: 'packet'; readonly data: Buffer }
  /** The encoder said the stream is over: `$E` (its Reason), the trailer of a plain stream, or its last packet. */
  | { readonly type: 'end'; readonly reason: number };

export interface PushBodyOptions {
  /**
   * A later PushStart of a session whose header is known: its body may begin with $D, $C, $E or $F in push
   * framing [MS-WMHTTP 2.2.2.2] (encoders behind a proxy split the stream over several PushStarts).
   */
  readonly packetSize?: number;
}

const INDEX_OBJECTS = new Set(['simpleIndex', 'index', 'mediaObjectIndex', 'timecodeIndex']);
/** First byte of a packet with error-correction data, as FFmpeg and Windows Media writers emit [ASF 5.2.1]. */
const EC_PRESENT = 0x82;
const EMPTY = Buffer.alloc(0);

function pushError(message: string, offset?: number): ProtocolError {
  return new ProtocolError('E_WMSP_PUSH', message, {
    reply: { http: 400 },
    ...(offset === undefined ? {} : { offset }),
  });
}

function truncated(message: string): ProtocolError {
  return new ProtocolError('E_TRUNCATED', message, { reply: { http: 400 } });
}

/** True while `have` is a prefix of `want`, compared over the bytes that have arrived. */
function startsLike(have: Buffer, want: Buffer, at = 0): boolean {
  const n = Math.min(have.length - at, want.length);
  return n <= 0 || have.subarray(at, at + n).equals(want.subarray(0, n));
}

/**
 * Push body bytes as they arrive, get back header, packet and end events; call `end()` when the body is over.
 * Bytes after an `end` event are ignored: the encoder is done (a server closes there [MS-WMHTTP 3.2.5.5]).
 * Throws only ProtocolError, and stays failed after one.
 */
export class PushBodyDecoder {
  form: PushBodyForm | null = null;
  /** Packet size of the header in force; null before the first header. */
  packetSize: number | null = null;
  ended = false;
  private buf: Buffer = EMPTY;
  private received = 0;
  private failed: ProtocolError | null = null;
  private pushChunks: PushChunkDecoder | null = null;
  private mmshChunks: ChunkDecoder | null = null;
  private headerPieces: Buffer[] | null = null;
  /** Plain form: packets announced (0 when live), packets seen, first byte of the first one. */
  private announced = 0;
  private packets = 0;
  private firstByte: number | null = null;

  constructor(options: PushBodyOptions = {}) {
    if (options.packetSize !== undefined) {
      this.packetSize = options.packetSize;
      this.form = 'push';
      this.pushChunks = new PushChunkDecoder();
    }
  }

  push(bytes: Buffer): PushBodyEvent[] {
    if (this.failed) throw this.failed;
    if (this.ended || bytes.length === 0) return [];
    try {
      const out: PushBodyEvent[] = [];
      this.received += bytes.length;
      if (this.form === null) {
        this.buf = this.buf.length === 0 ? bytes : Buffer.concat([this.buf, bytes]);
        if (!this.sniff()) return out;
        bytes = this.buf;
        this.buf = EMPTY;
      }
      if (this.form === 'asf') this.pushPlain(bytes, out);
      else if (this.pushChunks) for (const c of this.pushChunks.push(bytes)) this.onPushChunk(c, out);
      else if (this.mmshChunks) for (const c of this.mmshChunks.push(bytes)) this.onMmshChunk(c, out);
      return out;
    } catch (e) {
      if (e instanceof ProtocolError) this.failed = e;
      throw e;
    }
  }

  /**
   * The body is over. Returns a final `end` when what was left is a plain stream's `$E` trailer; throws
   * E_TRUNCATED when the body stopped inside the header, a packet or a chunk.
   */
  end(): PushBodyEvent[] {
    if (this.failed) throw this.failed;
    if (this.ended) return [];
    try {
      if (this.form === null) {
        if (this.buf.length > 0) throw truncated(`the push body ends after ${this.buf.length} bytes`);
        return [];
      }
      if (this.form === 'asf') return this.endPlain();
      this.pushChunks?.end();
      this.mmshChunks?.end();
      if (this.headerPieces !== null) throw truncated('the push body ends inside its $H header');
      return [];
    } catch (e) {
      if (e instanceof ProtocolError) this.failed = e;
      throw e;
    }
  }

  /** Decides the form from the first bytes; false while too few have arrived to tell. */
  private sniff(): boolean {
    const b = this.buf;
    if ((b[0]! & 0x7f) === FRAME) {
      if (b.length < 2) return false;
      if (b[1] !== 0x48)
        throw pushError(`a push body starts with $H, not 0x${b[1]!.toString(16)} [MS-WMHTTP 3.2.5.2]`, 1);
      // $H payload: the header GUID right after the 4-byte framing header (push), or after the 8-byte MMS data
      // packet header that follows it (MMSH).
      if (startsLike(b, GUID.header, 4) && b.length < 20) return false;
      if (b.length >= 20 && b.subarray(4, 20).equals(GUID.header)) {
        this.form = 'push';
        this.pushChunks = new PushChunkDecoder();
        return true;
      }
      if (startsLike(b, GUID.header, 12) && b.length < 28) return false;
      if (b.length >= 28 && b.subarray(12, 28).equals(GUID.header)) {
        this.form = 'mmsh';
        this.mmshChunks = new ChunkDecoder();
        return true;
      }
      throw pushError('the first $H does not carry an ASF Header Object', 4);
    }
    if (!startsLike(b, GUID.header)) {
      throw pushError(
        `the push body is neither an ASF stream nor $H framing (starts 0x${b.subarray(0, 8).toString('hex')})`,
        0,
      );
    }
    if (b.length < 16) return false;
    this.form = 'asf';
    return true;
  }

  /** A header event from Header Object + Data Object start; bytes past them are ignored. */
  private header(bytes: Buffer, out: PushBodyEvent[]): void {
    if (bytes.length < 24) throw pushError(`an ASF header of only ${bytes.length} bytes`);
    const need = this.headerNeed(bytes);
    if (bytes.length < need) throw pushError(`the ASF header stops at ${bytes.length} of ${need} bytes`);
    const layout = parseFileStart(repairedHeader(bytes.subarray(0, need)));
    this.packetSize = layout.packetSize;
    this.announced = layout.packetCount;
    out.push({ type: 'header', bytes: layout.headerBytes, packetSize: layout.packetSize });
  }

  /** Header Object size + 50, within the cap. */
  private headerNeed(first24: Buffer): number {
    const need = headerObjectSize(first24.subarray(0, 24)) + DATA_OBJECT_HEADER_SIZE;
    if (need > MAX_PUSH_HEADER_SIZE)
      throw new ProtocolError(
        'E_WMSP_PUSH_LIMIT',
        `an ASF header of ${need} bytes exceeds ${MAX_PUSH_HEADER_SIZE}`,
        {
          offset: 16,
          reply: { http: 413 },
        },
      );
    return need;
  }

  private packet(data: Buffer, out: PushBodyEvent[]): void {
    const size = this.packetSize;
    if (size === null) throw pushError('a data packet before the ASF header');
    if (data.length === 0 || data.length > size)
      throw pushError(`a data packet of ${data.length} bytes; the packet size is ${size}`);
    // A copy: packets are kept by the publishing point long after the pushed buffer is gone.
    out.push({ type: 'packet', data: Buffer.from(data) });
  }

  private finish(reason: number, out: PushBodyEvent[]): void {
    this.ended = true;
    out.push({ type: 'end', reason });
  }

  // ---- push framing [MS-WMHTTP 2.2.3] ----

  private onPushChunk(c: PushChunk, out: PushBodyEvent[]): void {
    if (this.ended) return;
    switch (c.type) {
      case 'H':
      case 'C':
        return this.header(c.payload, out);
      case 'D':
        return this.packet(c.payload, out);
      case 'E':
        // [MS-WMHTTP 3.2.5.5] S_FALSE: this entry is done, a $C with the next header follows.
        if (c.reason !== REASON.entryFinished) this.finish(c.reason, out);
        return;
      case 'F':
        return;
    }
  }

  // ---- MMSH framing [MS-WMSP 2.2.3] ----

  private onMmshChunk(c: Chunk, out: PushBodyEvent[]): void {
    if (this.ended) return;
    if (c.type !== 'H' && this.headerPieces !== null)
      throw pushError('a $H header cut short by another chunk');
    switch (c.type) {
      case 'H': {
        // A header may come in several $H pieces [MS-WMSP 2.2.3.5]; it is complete with its Data Object start.
        this.headerPieces ??= [];
        this.headerPieces.push(Buffer.from(c.payload));
        const have = Buffer.concat(this.headerPieces);
        if (have.length < 24 || have.length < this.headerNeed(have)) return;
        this.headerPieces = null;
        return this.header(have, out);
      }
      case 'D':
        return this.packet(c.payload, out);
      case 'E':
        // FFmpeg's asf_stream, the one pusher of this form, writes its chunk sequence number where the Reason
        // goes and never a $C (asf.md 9.5): its $E is the end, whatever the number.
        return this.finish(REASON.ok, out);
      default:
        // $C announces the next $H; $M, $P and $T carry nothing a publishing point needs.
        return;
    }
  }

  // ---- plain ASF [asf.md 1.2, 7.3] ----

  private pushPlain(bytes: Buffer, out: PushBodyEvent[]): void {
    let buf = this.buf.length === 0 ? bytes : Buffer.concat([this.buf, bytes]);
    if (this.packetSize === null) {
      if (buf.length < 24 || buf.length < this.headerNeed(buf)) {
        this.buf = buf;
        return;
      }
      const need = this.headerNeed(buf);
      this.header(buf, out);
      buf = buf.subarray(need);
    }
    const size = this.packetSize!;
    let at = 0;
    while (!this.ended) {
      const next = this.boundary(buf.subarray(at));
      if (next === 'end') this.finish(REASON.ok, out);
      if (next !== 'packet' || buf.length - at < size) break;
      this.firstByte ??= buf[at]!;
      this.packet(buf.subarray(at, at + size), out);
      this.packets++;
      at += size;
    }
    this.buf = this.ended ? EMPTY : buf.subarray(at);
  }

  /**
   * What starts at a packet boundary. After the last packet a live-written stream says nothing about its end:
   * FFmpeg appends a Simple Index and a 12-byte `$E` (asf.md 7.3), which must not be taken for packets.
   */
  private boundary(rest: Buffer): 'packet' | 'end' | 'more' {
    if (this.announced > 0 && this.packets === this.announced) return 'end';
    if (rest.length === 0) return 'more';
    if (this.firstByte === EC_PRESENT) {
      // Every packet of such a stream starts with 0x82; no index GUID and no `$` does.
      if (rest[0] === EC_PRESENT) return 'packet';
      if (rest[0] === FRAME) return 'end';
      if (rest.length < 16) return 'more';
      if (INDEX_OBJECTS.has(guidName(rest.subarray(0, 16)) ?? '')) return 'end';
      throw pushError(
        `the bytes after packet ${this.packets} are neither a data packet nor an index`,
        this.offsetOf(rest),
      );
    }
    if (rest.length < 16) return 'more';
    return INDEX_OBJECTS.has(guidName(rest.subarray(0, 16)) ?? '') ? 'end' : 'packet';
  }

  /** Stream offset of the first byte of `rest`, the unconsumed tail of everything received. */
  private offsetOf(rest: Buffer): number {
    return this.received - rest.length;
  }

  private endPlain(): PushBodyEvent[] {
    const rest = this.buf;
    if (this.packetSize === null)
      throw truncated(`the push body ends inside its ASF header (${rest.length} bytes)`);
    const out: PushBodyEvent[] = [];
    if (rest.length === 0) return out;
    // A stream without error-correction bytes leaves FFmpeg's 12-byte `$E` here, shorter than a packet.
    if (
      rest[0] === FRAME &&
      rest[1] === 0x45 &&
      rest.length >= 4 &&
      rest.length === 4 + rest.readUInt16LE(2)
    ) {
      this.finish(REASON.ok, out);
      return out;
    }
    throw truncated(`the push body ends inside packet ${this.packets} (${rest.length} bytes)`);
  }
}
