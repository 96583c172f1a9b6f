// The body of a reply as netshow's MMSH client reads it: `$X` chunks turned into the ASF header and data packets
// [MS-WMSP 3.1.5.7-3.1.5.14; wmsp.md §7], or a plain ASF file served by a web server (wmsp.md §6.11).
//
// Which of the two the body is comes from its first bytes, not from Content-Type (WMS may say
// application/octet-stream for both, web servers say anything):
//
//   24 48 ..  or A4 48 ..           `$H` (B bit tolerated): MMSH framing
//   30 26 B2 75 8E 66 CF 11 ..      the ASF Header Object GUID: a plain file, header then fixed-size packets
//
// "The ASF header" is the Header Object plus the first 50 bytes of the Data Object, as `$H` carries it.
import { ProtocolError } from '../core/errors.js';
import {
  DATA_OBJECT_HEADER_SIZE,
  GUID,
  fixedPacketSize,
  guidName,
  headerObjectSize,
  parseDataObjectHeader,
  parseHeader,
  repairedHeader,
  type AsfHeader,
} from '../asf/index.js';
import { AF_FLAGS, ChunkDecoder, FRAME, REASON, type Chunk } from './framing.js';

export interface HeaderInfo {
  /** Header Object plus the Data Object start, as received. */
  readonly bytes: Buffer;
  readonly asf: AsfHeader;
  readonly packetSize: number;
  /** Data packets announced by the header; 0 when unknown (live). */
  readonly packetCount: number;
  /** File Properties Broadcast flag [asf.md 7.1]. */
  readonly broadcast: boolean;
}

export type BodyEvent =
  | { readonly type: 'header'; readonly header: HeaderInfo }
  | { readonly type: 'packet'; readonly data: Buffer; readonly locationId: number | null }
  /** The server said the stream is over ($E, or the last packet of a file); `reason` is the $E HRESULT. */
  | { readonly type: 'end'; readonly reason: number };

export type BodyKind = 'mmsh' | 'asf';

const INDEX_OBJECTS = new Set(['simpleIndex', 'index', 'mediaObjectIndex', 'timecodeIndex']);

function bodyError(message: string): ProtocolError {
  return new ProtocolError('E_WMSP_REPLY', message);
}

/**
 * Packets in the Data Object: its count, else what its size holds, bounded by the file length when there is one
 * (a live-written file says 0 or 50) [asf.md 2.10].
 */
function dataPackets(bytes: Buffer, at: number, packetSize: number, fileLength?: number): number {
  const d = parseDataObjectHeader(bytes.subarray(at, at + DATA_OBJECT_HEADER_SIZE), at);
  const S = BigInt(packetSize);
  let count = d.totalDataPackets;
  if (count === 0n && d.objectSize > 50n) count = (d.objectSize - 50n) / S;
  if (fileLength !== undefined) {
    const fits = BigInt(Math.max(0, Math.floor((fileLength - at - DATA_OBJECT_HEADER_SIZE) / packetSize)));
    if (count === 0n || count > fits) count = fits;
  }
  // More packets than a u32 LocationId can number is no real stream; treat the count as unknown.
  return count > 0xffffffffn ? 0 : Number(count);
}

function headerInfo(received: Buffer, fileLength?: number): HeaderInfo {
  const bytes = repairedHeader(received);
  const asf = parseHeader(bytes.subarray(0, headerObjectSize(bytes)));
  const packetSize = fixedPacketSize(asf);
  const size = headerObjectSize(bytes);
  const packetCount =
    bytes.length >= size + DATA_OBJECT_HEADER_SIZE
      ? dataPackets(bytes, size, packetSize, fileLength)
      : Number(asf.fileProperties.dataPacketsCount);
  return { bytes, asf, packetSize, packetCount, broadcast: asf.fileProperties.broadcast };
}

/**
 * Push body bytes as they arrive, get back header, packet and end events; call `end()` when the connection
 * closes. Throws only ProtocolError (garbage, a header cut short, a `$D` larger than the packet size).
 */
export class ClientBodyReader {
  kind: BodyKind | null = null;
  /** The header in force: the latest one received. */
  header: HeaderInfo | null = null;
  /** The server signalled the end, or a file's last packet arrived; later bytes are ignored. */
  ended = false;
  private sniff: Buffer[] = [];
  private sniffed = 0;
  private readonly chunks = new ChunkDecoder();
  private pieces: Buffer[] | null = null;
  private pieceBytes = 0;
  private lastLocation = -1;
  private file: Buffer[] = [];
  private fileBytes = 0;
  private filePackets = 0;

  /** `fileLength` is the reply's Content-Length, which bounds the packet count of a live-written file. */
  constructor(private readonly fileLength?: number) {}

  push(bytes: Buffer): BodyEvent[] {
    if (this.ended || bytes.length === 0) return [];
    if (this.kind === null) {
      this.sniff.push(bytes);
      this.sniffed += bytes.length;
      const first = Buffer.concat(this.sniff);
      const kind = this.sniffKind(first);
      if (kind === null) return [];
      this.kind = kind;
      this.sniff = [];
      bytes = first;
    }
    return this.kind === 'mmsh' ? this.pushChunks(bytes) : this.pushFile(bytes);
  }

  /** The connection closed. Returns a final `end` when the content is known to be complete. */
  end(): BodyEvent[] {
    if (this.ended) return [];
    if (this.kind === null) throw bodyError(this.sniffed === 0 ? 'empty reply body' : 'reply body cut short');
    if (this.kind === 'mmsh') {
      this.chunks.end();
      const out = this.pieces === null ? [] : [this.finishHeader()];
      const h = this.header;
      // An on-demand server may close without $E once the last packet is out (wmsp.md §6.5).
      if (h && !h.broadcast && h.packetCount > 0 && this.lastLocation === h.packetCount - 1)
        out.push(this.finish(REASON.ok));
      return out;
    }
    if (this.header === null) throw bodyError('the ASF file ends inside its header');
    if (this.fileBytes > 0) throw bodyError(`the ASF file ends inside packet ${this.filePackets}`);
    return this.header.packetCount === 0 ? [this.finish(REASON.ok)] : [];
  }

  private sniffKind(first: Buffer): BodyKind | null {
    if (first.length === 0) return null;
    if ((first[0]! & 0x7f) === FRAME) return 'mmsh';
    const n = Math.min(first.length, 16);
    if (!first.subarray(0, n).equals(GUID.header.subarray(0, n)))
      throw bodyError(
        `the body is neither MMSH framing nor an ASF file (starts 0x${first.subarray(0, 8).toString('hex')})`,
      );
    return n === 16 ? 'asf' : null;
  }

  private finish(reason: number): BodyEvent {
    this.ended = true;
    return { type: 'end', reason };
  }

  private pushChunks(bytes: Buffer): BodyEvent[] {
    const out: BodyEvent[] = [];
    for (const c of this.chunks.push(bytes)) {
      this.onChunk(c, out);
      if (this.ended) break;
    }
    return out;
  }

  private onChunk(c: Chunk, out: BodyEvent[]): void {
    if (c.type !== 'H' && this.pieces !== null) out.push(this.finishHeader());
    switch (c.type) {
      case 'H': {
        this.pieces ??= [];
        this.pieces.push(Buffer.from(c.payload));
        this.pieceBytes += c.payload.length;
        const have = Buffer.concat(this.pieces, this.pieceBytes);
        if (have.length < 24) return;
        const size = headerObjectSize(have);
        // Complete with the Data Object start, or at the piece flagged last once the Header Object is in.
        const last = (c.afFlags & AF_FLAGS.last) !== 0;
        if (have.length >= size + DATA_OBJECT_HEADER_SIZE || (last && have.length >= size))
          out.push(this.finishHeader());
        return;
      }
      case 'D': {
        const h = this.header;
        if (h === null) throw bodyError('a $D before any $H');
        if (c.payload.length > h.packetSize)
          throw bodyError(`$D payload of ${c.payload.length} bytes exceeds the packet size ${h.packetSize}`);
        this.lastLocation = c.locationId;
        out.push({ type: 'packet', data: Buffer.from(c.payload), locationId: c.locationId });
        return;
      }
      case 'E':
        // [MS-WMSP 2.2.3.4] S_FALSE: this playlist entry is done and a $C follows; anything else ends it.
        if (c.reason !== REASON.entryFinished) out.push(this.finish(c.reason));
        return;
      default:
        // $C announces the next $H; $M, $P and $T carry nothing a recording needs [MS-WMSP 3.1.5.6-3.1.5.10].
        return;
    }
  }

  private finishHeader(): BodyEvent {
    const bytes = Buffer.concat(this.pieces ?? [], this.pieceBytes);
    this.pieces = null;
    this.pieceBytes = 0;
    if (bytes.length < 24) throw bodyError(`a $H header of only ${bytes.length} bytes`);
    const size = headerObjectSize(bytes);
    if (bytes.length < size) throw bodyError(`the $H header stops at ${bytes.length} of ${size} bytes`);
    this.header = headerInfo(bytes.subarray(0, size + DATA_OBJECT_HEADER_SIZE));
    return { type: 'header', header: this.header };
  }

  private pushFile(bytes: Buffer): BodyEvent[] {
    this.file.push(bytes);
    this.fileBytes += bytes.length;
    const out: BodyEvent[] = [];
    let buf = Buffer.concat(this.file, this.fileBytes);
    if (this.header === null) {
      if (buf.length < 24) return this.keep(buf, out);
      const need = headerObjectSize(buf) + DATA_OBJECT_HEADER_SIZE;
      if (buf.length < need) return this.keep(buf, out);
      this.header = headerInfo(Buffer.from(buf.subarray(0, need)), this.fileLength);
      out.push({ type: 'header', header: this.header });
      buf = buf.subarray(need);
    }
    const { packetSize, packetCount } = this.header;
    while (!this.ended) {
      if (packetCount > 0 && this.filePackets === packetCount) {
        out.push(this.finish(REASON.ok));
        break;
      }
      // A live-written file announces no count: stop where the index objects begin [asf.md 1.2].
      if (packetCount === 0 && buf.length >= 16 && INDEX_OBJECTS.has(guidName(buf.subarray(0, 16)) ?? '')) {
        out.push(this.finish(REASON.ok));
        break;
      }
      if (buf.length < packetSize) break;
      out.push({
        type: 'packet',
        data: Buffer.from(buf.subarray(0, packetSize)),
        locationId: this.filePackets,
      });
      this.filePackets++;
      buf = buf.subarray(packetSize);
    }
    return this.keep(this.ended ? Buffer.alloc(0) : buf, out);
  }

  private keep(rest: Buffer, out: BodyEvent[]): BodyEvent[] {
    this.file = rest.length > 0 ? [rest] : [];
    this.fileBytes = rest.length;
    return out;
  }
}
