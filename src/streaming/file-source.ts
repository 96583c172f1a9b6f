// An on-demand ASF file as a packet source: the header parsed once, packets read lazily in chunks that
// every session at the same place shares (a 2 GB file is never loaded whole), and the Simple Index.
import { open, type FileHandle } from 'node:fs/promises';
import {
  headerObjectSize,
  parseFileStart,
  parseSimpleIndex,
  thinPacket,
  type AsfFileLayout,
  type SimpleIndex,
} from '../asf/index.js';
import { guidBytes, guidEquals } from '../core/guid.js';
import { NetshowError, ProtocolError } from '../core/errors.js';
import type { PayloadFilter } from './types.js';

const SIMPLE_INDEX_GUID = guidBytes('33000890-E5B1-11CF-89F4-00A0C90349CB');
/** Headers larger than this are refused: no real file comes near it, and it bounds memory per file. */
const MAX_HEADER = 16 * 1024 * 1024;
const MAX_INDEX = 64 * 1024 * 1024;
/** Packets read per disk read; sessions at the same position share the chunk. */
const CHUNK_PACKETS = 32;
/** Chunks kept per file (LRU); 64 × 32 × 3200 B ≈ 6.5 MB for the usual packet size. */
const CACHE_CHUNKS = 64;
/** Distinct stream selections whose thinned packets are kept, and packets kept per selection. */
const THIN_SELECTIONS = 16;
const THIN_PACKETS = 1024;

export class FileSource {
  private readonly chunks = new Map<number, Promise<Buffer>>();
  private readonly ready = new Map<number, Buffer>();
  private readonly thinCache = new Map<string, Map<number, Buffer | null>>();
  private refs = 1;

  private constructor(
    readonly path: string,
    private readonly fh: FileHandle,
    readonly fileSize: number,
    readonly mtimeMs: number,
    readonly layout: AsfFileLayout,
    readonly index: SimpleIndex | null,
  ) {}

  static async open(path: string): Promise<FileSource> {
    const fh = await open(path, 'r');
    try {
      const st = await fh.stat();
      const first = await readAt(fh, 0, 24);
      const hsize = headerObjectSize(first);
      if (hsize > MAX_HEADER) {
        throw new ProtocolError('E_HEADER_TOO_LARGE', `ASF header of ${hsize} bytes is over the limit`, {
          offset: 16,
        });
      }
      const start = await readAt(fh, 0, Math.min(hsize + 50, st.size));
      const layout = parseFileStart(start, st.size);
      const index = await readSimpleIndex(fh, layout, st.size);
      return new FileSource(path, fh, st.size, st.mtimeMs, layout, index);
    } catch (e) {
      await fh.close();
      throw e;
    }
  }

  get packetCount(): number {
    return this.layout.packetCount;
  }

  get packetSize(): number {
    return this.layout.packetSize;
  }

  /** Packet n as a shared view: synchronous when its chunk is in memory, a promise otherwise. */
  packet(n: number): Buffer | Promise<Buffer> {
    if (n < 0 || n >= this.packetCount) throw new RangeError(`packet ${n} out of range`);
    const c = Math.floor(n / CHUNK_PACKETS);
    const at = (n - c * CHUNK_PACKETS) * this.packetSize;
    const chunk = this.ready.get(c);
    if (chunk) {
      this.touch(c);
      return this.slice(chunk, at, n);
    }
    return this.loadChunk(c).then((b) => this.slice(b, at, n));
  }

  /**
   * Packet n re-packed to a selection's streams (null when nothing of it is left), computed once per
   * selection and shared by every session that chose the same streams.
   */
  thinned(n: number, pkt: Buffer, filter: NonNullable<PayloadFilter>): Buffer | null {
    let cache = this.thinCache.get(filter.key);
    if (!cache) {
      cache = new Map();
      this.thinCache.set(filter.key, cache);
      if (this.thinCache.size > THIN_SELECTIONS) this.thinCache.delete(this.thinCache.keys().next().value!);
    }
    const hit = cache.get(n);
    if (hit !== undefined) return hit;
    const out = thinPacket(pkt, this.packetSize, filter.keep);
    cache.set(n, out);
    if (cache.size > THIN_PACKETS) cache.delete(cache.keys().next().value!);
    return out;
  }

  /** Another user of this file; close() releases one. */
  retain(): this {
    this.refs++;
    return this;
  }

  async close(): Promise<void> {
    if (--this.refs > 0) return;
    this.chunks.clear();
    this.ready.clear();
    this.thinCache.clear();
    await this.fh.close();
  }

  private slice(chunk: Buffer, at: number, n: number): Buffer {
    if (at + this.packetSize > chunk.length) {
      throw new ProtocolError('E_TRUNCATED', `packet ${n} is cut short by the end of the file`, {
        offset: this.layout.firstPacketOffset + n * this.packetSize + (chunk.length - at),
      });
    }
    return chunk.subarray(at, at + this.packetSize);
  }

  private touch(c: number): void {
    const p = this.chunks.get(c);
    if (p) {
      this.chunks.delete(c);
      this.chunks.set(c, p);
    }
  }

  private loadChunk(c: number): Promise<Buffer> {
    const pending = this.chunks.get(c);
    if (pending) return pending;
    const first = c * CHUNK_PACKETS;
    const count = Math.min(CHUNK_PACKETS, this.packetCount - first);
    const offset = this.layout.firstPacketOffset + first * this.packetSize;
    const length = Math.max(0, Math.min(count * this.packetSize, this.fileSize - offset));
    const p = readAt(this.fh, offset, length).then((b) => {
      if (this.chunks.get(c) === p) this.ready.set(c, b);
      return b;
    });
    p.catch(() => this.chunks.delete(c));
    this.chunks.set(c, p);
    while (this.chunks.size > CACHE_CHUNKS) {
      const oldest = this.chunks.keys().next().value as number;
      this.chunks.delete(oldest);
      this.ready.delete(oldest);
    }
    return p;
  }
}

async function readAt(fh: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await fh.read(buf, done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done === length ? buf : buf.subarray(0, done);
}

/** The first Simple Index after the Data Object, if the file has one; a broken index is ignored, not fatal. */
async function readSimpleIndex(
  fh: FileHandle,
  layout: AsfFileLayout,
  fileSize: number,
): Promise<SimpleIndex | null> {
  let at = layout.dataObjectOffset + layout.dataObjectSize;
  if (layout.dataObjectSize <= 50) return null;
  while (at + 24 <= fileSize) {
    const head = await readAt(fh, at, 24);
    const size = Number(head.readBigUInt64LE(16));
    if (size < 24 || at + size > fileSize) return null;
    if (guidEquals(head.subarray(0, 16), SIMPLE_INDEX_GUID)) {
      if (size > MAX_INDEX) return null;
      try {
        return parseSimpleIndex(await readAt(fh, at, size));
      } catch (e) {
        if (e instanceof NetshowError) return null;
        throw e;
      }
    }
    at += size;
  }
  return null;
}
