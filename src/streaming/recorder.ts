// Writes a received ASF stream to disk as a valid, seekable file that survives being cut at any moment
// [asf.md 7.3 step 7]: packets are appended as they arrive, and every checkpoint (and the finish) writes the
// Simple Index after the last packet, then the header with the counts, each followed by an fsync.
//
//   create ─▶ header+data object+index ─▶ packet ─▶ packet ─▶ … checkpoint ─▶ packet … ─▶ finish
//                                           (the first packet after a checkpoint truncates the index)
//
// A kill -9 leaves the header of the last checkpoint, which counts only packets synced before it: the file
// is valid up to there, and `Recorder.resume` recovers every complete packet after it. A stream change (a new,
// different header) finishes the file and continues in `name-2.asf`, `name-3.asf`, …: one header per file
// is the only way every player reads every part.
import { randomBytes } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { format, parse } from 'node:path';
import {
  DATA_OBJECT_HEADER_SIZE,
  fileTimeFromUnixMs,
  headerObjectSize,
  parseFileStart,
  Recording,
  sameStreamHeader,
  type RecordingIdentity,
  type ResumePoint,
} from '../asf/index.js';
import { isProtocolError } from '../core/errors.js';

/**
 * What `feed` reads: the shape of the client's `AsfStream`, declared here because streaming sits below the
 * client and may not import it (the client's streams satisfy it structurally).
 */
export interface RecordableStream {
  /** The complete ASF Header Object as received. */
  readonly header: Buffer;
  /** Packets in order, and a new header at a stream change; throws when the transport drops. */
  readonly packets: AsyncIterable<StreamItem>;
  close(): Promise<void>;
}

export type StreamItem =
  { readonly kind: 'packet'; readonly data: Buffer } | { readonly kind: 'header'; readonly header: Buffer };

export interface RecorderOptions {
  /** Time between checkpoints, on `clock`; default 2000 ms. */
  readonly checkpointMs?: number;
  /** Monotonic ms; injected so tests decide when checkpoints fall due. */
  readonly clock?: { now(): number };
  /** Wall-clock ms since 1970, for the Creation Date; default `Date.now`. */
  readonly wallClock?: () => number;
}

export interface RecorderStats {
  /** Every file written, in order (more than one after stream changes). */
  readonly files: readonly string[];
  /** Packets written over all files, and in the current file. */
  readonly packets: number;
  readonly filePackets: number;
  readonly bytes: number;
  /** Send time (ms) of the last packet written. */
  readonly lastSendTime: number;
  readonly checkpoints: number;
  /** Received packets not written: unparseable or too long, replayed after a resume, only orphan fragments. */
  readonly malformed: number;
  readonly duplicates: number;
  readonly orphans: number;
}

export type PacketOutcome = 'packet' | 'duplicate' | 'orphans' | 'malformed';

const DEFAULT_CHECKPOINT_MS = 2000;
/** Packets read at once while scanning a recording to resume. */
const RESUME_CHUNK_PACKETS = 256;

export class Recorder {
  private fh: FileHandle;
  private rec: Recording;
  private indexOnDisk = false;
  private lastCheckpoint: number;
  private chain: Promise<unknown> = Promise.resolve();
  private finished: RecorderStats | undefined;
  private readonly fileList: string[];
  private readonly checkpointMs: number;
  private readonly clock: { now(): number };
  private readonly wallClock: () => number;
  private totals = { packets: 0, bytes: 0, checkpoints: 0, malformed: 0, duplicates: 0, orphans: 0 };
  private lastSendTime = 0;
  /** Set by `resume`: where to ask the server to restart. */
  resumePoint: ResumePoint | undefined;

  private constructor(fh: FileHandle, rec: Recording, path: string, options: RecorderOptions) {
    this.fh = fh;
    this.rec = rec;
    this.fileList = [path];
    this.checkpointMs = options.checkpointMs ?? DEFAULT_CHECKPOINT_MS;
    this.clock = options.clock ?? { now: () => performance.now() };
    this.wallClock = options.wallClock ?? Date.now;
    this.lastCheckpoint = this.clock.now();
  }

  /** Start a new recording at `path` (replacing any file there) for a stream with this header. */
  static async create(path: string, header: Buffer, options: RecorderOptions = {}): Promise<Recorder> {
    const rec = new Recording(header, newIdentity(options.wallClock ?? Date.now));
    const fh = await open(path, 'w');
    const r = new Recorder(fh, rec, path, options);
    await r.checkpointNow();
    return r;
  }

  /**
   * Continue a recording cut short: count its complete packets (ignoring a trailing partial packet and any
   * index), cut the file after the last one, and make it valid again at once. `resumePoint.startMs` is where
   * to reopen the stream; the packets the server sends again are then dropped by `packet`.
   */
  static async resume(path: string, options: RecorderOptions = {}): Promise<Recorder> {
    const fh = await open(path, 'r+');
    try {
      const first = await readAt(fh, 0, 24);
      const size = headerObjectSize(first);
      const header = await readAt(fh, 0, size + DATA_OBJECT_HEADER_SIZE);
      const fp = parseFileStart(header).header.fileProperties;
      const rec = new Recording(header, { fileId: fp.fileId, creationDate: fp.creationDate });
      await scanRecorded(fh, rec);
      const r = new Recorder(fh, rec, path, options);
      await fh.truncate(rec.dataEnd);
      await r.checkpointNow();
      r.resumePoint = rec.resume();
      r.lastSendTime = r.resumePoint.lastSendTime;
      return r;
    } catch (e) {
      await fh.close();
      throw e;
    }
  }

  /** The file being written now. */
  get path(): string {
    return this.fileList[this.fileList.length - 1]!;
  }

  get stats(): RecorderStats {
    return {
      files: [...this.fileList],
      filePackets: this.rec.packetCount,
      lastSendTime: this.lastSendTime,
      ...this.totals,
    };
  }

  write(item: StreamItem): Promise<unknown> {
    return item.kind === 'packet' ? this.packet(item.data) : this.header(item.header);
  }

  /** Append one received packet (padded to the packet size); a checkpoint follows when one is due. */
  packet(data: Buffer): Promise<PacketOutcome> {
    return this.serial(async () => {
      const at = this.rec.dataEnd;
      let result;
      try {
        result = this.rec.push(data);
      } catch (e) {
        if (!isProtocolError(e)) throw e;
        this.totals.malformed++;
        return 'malformed';
      }
      if (result.kind !== 'packet') {
        this.totals[result.kind === 'duplicate' ? 'duplicates' : 'orphans']++;
        return result.kind;
      }
      if (this.indexOnDisk) {
        // The packet takes the index's place; a cut from here on leaves the last checkpoint's counts.
        await this.fh.truncate(at);
        this.indexOnDisk = false;
      }
      await writeAt(this.fh, result.data, at);
      this.totals.packets++;
      this.totals.bytes += result.data.length;
      this.lastSendTime = result.packet.sendTime;
      if (this.clock.now() - this.lastCheckpoint >= this.checkpointMs) await this.checkpointNow();
      return 'packet';
    });
  }

  /**
   * A header from the stream: the same stream again changes nothing; another stream finishes this file and
   * continues in the next numbered one (or replaces this file while it holds no packet).
   */
  header(header: Buffer): Promise<void> {
    return this.serial(async () => {
      if (sameStreamHeader(header, this.rec.receivedHeader)) return;
      const rec = new Recording(header, newIdentity(this.wallClock));
      if (this.rec.packetCount === 0) {
        await this.fh.truncate(0);
        this.rec = rec;
      } else {
        await this.checkpointNow();
        await this.fh.close();
        const path = numbered(this.fileList[0]!, this.fileList.length + 1);
        this.fh = await open(path, 'w');
        this.fileList.push(path);
        this.rec = rec;
      }
      this.resumePoint = undefined;
      await this.checkpointNow();
    });
  }

  /** Make the file valid and indexed up to the last packet written, now. */
  checkpoint(): Promise<void> {
    return this.serial(() => this.checkpointNow());
  }

  /** Checkpoint and close; the file is then complete. Safe to call more than once. */
  finish(): Promise<RecorderStats> {
    return this.serial(async () => {
      if (!this.finished) {
        await this.checkpointNow();
        await this.fh.close();
        this.finished = this.stats;
      }
      return this.finished;
    });
  }

  /**
   * Data first, then what points at it: index after the last packet, sync, then the header counting those
   * packets, sync. A cut between the two leaves the previous header, which counts fewer packets: still valid.
   */
  private async checkpointNow(): Promise<void> {
    if (this.finished) throw new Error(`recording ${this.path} is already finished`);
    const index = this.rec.index();
    await writeAt(this.fh, index, this.rec.dataEnd);
    await this.fh.truncate(this.rec.dataEnd + index.length);
    await this.fh.sync();
    await writeAt(this.fh, this.rec.head(index.length), 0);
    await this.fh.sync();
    this.indexOnDisk = index.length > 0;
    this.lastCheckpoint = this.clock.now();
    this.totals.checkpoints++;
  }

  /** One file operation at a time, in call order, whoever calls (the stream loop, a Ctrl-C handler). */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn);
    this.chain = next.catch(() => undefined);
    return next;
  }
}

/** How feeding a stream to a recorder ended. */
export interface FeedOutcome {
  /** `end`: the server ended the stream; `stopped`: the signal fired; `dropped`: the transport failed. */
  readonly ended: 'end' | 'stopped' | 'dropped';
  /** The transport's error when `dropped`. */
  readonly error?: unknown;
}

export interface RecordOutcome extends FeedOutcome {
  readonly stats: RecorderStats;
}

/**
 * Everything the stream delivers goes to the recorder until it ends, drops or `signal` stops it; the
 * recorder stays open (a reconnection continues the same file). Errors of the recording itself (a full
 * disk) are thrown; the transport's are the outcome.
 */
export async function feed(
  recorder: Recorder,
  stream: RecordableStream,
  options: { signal?: AbortSignal } = {},
): Promise<FeedOutcome> {
  const { signal } = options;
  const stop = (): void => void stream.close();
  signal?.addEventListener('abort', stop, { once: true });
  let ended: FeedOutcome['ended'] = 'end';
  let error: unknown;
  try {
    await recorder.header(stream.header);
    const it = stream.packets[Symbol.asyncIterator]();
    for (;;) {
      if (signal?.aborted) break;
      let next: IteratorResult<StreamItem>;
      try {
        next = await it.next();
      } catch (e) {
        if (!signal?.aborted) {
          ended = 'dropped';
          error = e;
        }
        break;
      }
      if (next.done) break;
      await recorder.write(next.value);
    }
    if (signal?.aborted) ended = 'stopped';
  } finally {
    signal?.removeEventListener('abort', stop);
    await stream.close();
  }
  return error === undefined ? { ended } : { ended, error };
}

/**
 * Record a whole stream and finish the file whichever way the stream ends, so a stop, a Ctrl-C (`signal`)
 * or a dropped connection leaves a valid, indexed file up to the last complete packet.
 */
export async function recordStream(
  recorder: Recorder,
  stream: RecordableStream,
  options: { signal?: AbortSignal } = {},
): Promise<RecordOutcome> {
  const outcome = await feed(recorder, stream, options);
  return { ...outcome, stats: await recorder.finish() };
}

function newIdentity(wallClock: () => number): RecordingIdentity {
  return { fileId: randomBytes(16), creationDate: fileTimeFromUnixMs(wallClock()) };
}

/** `dir/name.asf` → `dir/name-2.asf`. */
export function numbered(path: string, n: number): string {
  const p = parse(path);
  return format({ dir: p.dir, name: `${p.name}-${n}`, ext: p.ext || '.asf' });
}

/** Count the complete, parseable packets after the data start; stop at the first slot that is not one. */
async function scanRecorded(fh: FileHandle, rec: Recording): Promise<void> {
  const { size } = await fh.stat();
  const S = rec.packetSize;
  const slots = Math.max(0, Math.floor((size - rec.dataStart) / S));
  for (let n = 0; n < slots; n += RESUME_CHUNK_PACKETS) {
    const k = Math.min(RESUME_CHUNK_PACKETS, slots - n);
    const chunk = await readAt(fh, rec.dataStart + n * S, k * S);
    for (let i = 0; i < k; i++) {
      try {
        // A copy: the recording keeps the last packet to recognise it when the server sends it again.
        rec.pushRecorded(Buffer.from(chunk.subarray(i * S, (i + 1) * S)));
      } catch (e) {
        if (!isProtocolError(e)) throw e;
        return;
      }
    }
  }
}

async function readAt(fh: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await fh.read(buf, done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return buf.subarray(0, done);
}

async function writeAt(fh: FileHandle, buf: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < buf.length) {
    const { bytesWritten } = await fh.write(buf, done, buf.length - done, position + done);
    done += bytesWritten;
  }
}
