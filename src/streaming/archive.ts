// The archive of a broadcast publishing point: everything the point ingests goes to disk as valid, indexed,
// seekable ASF files named from a template, rotated by size or age at key frames [asf.md 7.3, via Recorder].
//
//   header ─▶ open file 1 ─▶ packet … packet ─(due, key frame)─▶ finish 1, open 2 ─▶ key-frame packet …
//   other header ─▶ finish, open next    same header ─▶ continue (unless send times went back: open next)
//
// The tap's calls are synchronous and must not block; each becomes an operation in an ordered queue that one
// loop writes to disk, so no call waits and no packet is skipped. A disk failure is logged once; the archive
// then opens a new file at the next header or key frame and goes on.
import { mkdir, open, unlink } from 'node:fs/promises';
import { dirname, format, parse } from 'node:path';
import type { Logger } from 'pino';
import { parsePacket, retimePacket, sameStreamHeader } from '../asf/index.js';
import type { Clock } from '../core/clock.js';
import { isProtocolError } from '../core/errors.js';
import type { ArchiveConfig, LiveTap } from './live/types.js';
import { Recorder } from './recorder.js';

export interface ArchiveOptions {
  /** The point's path without slashes: `{name}` in the template. */
  readonly name: string;
  readonly config: ArchiveConfig;
  /** Monotonic ms: file age, checkpoints. */
  readonly clock: Clock;
  readonly log: Logger;
  /** Told of each failure the archive logs (the disk, or a header that cannot be recorded). */
  readonly onError?: (error: Error) => void;
  /** Wall-clock ms since 1970 for `{date}`, `{time}` and Creation Dates; `clock` is monotonic. Default `Date.now`. */
  readonly wallClock?: () => number;
  /** Checkpoint interval while packets flow, and after this long without one; default 2000 ms. */
  readonly checkpointMs?: number;
}

export interface ArchiveStats {
  /** Every file opened, in order. */
  readonly files: readonly string[];
  /** Packets written (after Recorder's orphan dropping), over all files. */
  readonly packets: number;
  /** Packets that arrived while no file could be written (no header yet, or the disk failing). */
  readonly lost: number;
  readonly failures: number;
  /** Operations waiting for the disk. */
  readonly queued: number;
}

type Op =
  | { readonly kind: 'header'; readonly bytes: Buffer; readonly at: number }
  | { readonly kind: 'packet'; readonly data: Buffer; readonly keyFrame: boolean; readonly at: number }
  | { readonly kind: 'checkpoint' }
  | { readonly kind: 'close' };

const DEFAULT_CHECKPOINT_MS = 2000;
/** After a failure, the earliest a key frame may try a new file: a full disk is not hammered per packet. */
const RETRY_MS = 1000;
/** `-2` … `-N` tried before giving up on a name. */
const MAX_SUFFIX = 10_000;

export class Archive implements LiveTap {
  private readonly queue: (Op | undefined)[] = [];
  private head = 0;
  private draining: Promise<void> | undefined;
  private closed: Promise<void> | undefined;
  private readonly wallClock: () => number;
  private readonly checkpointMs: number;
  /** The stream being archived (as received); set even while no file could be opened for it. */
  private streamHeader: Buffer | undefined;
  private rec: Recorder | undefined;
  private openedAt = 0;
  /** Subtracted from every time in the current file: its first packet's earliest time. */
  private base = 0;
  private fileBytes = 0;
  /** The next packet may belong to a restarted source: compare its send time (see `packetOp`). */
  private checkSendTime = false;
  private failing = false;
  /** Arrival time of the operation being written, and when a key frame may next try a file after a failure. */
  private opAt = 0;
  private retryAt = 0;
  private counter = 1;
  private readonly files: string[] = [];
  private packets = 0;
  private lost = 0;
  private failures = 0;
  private lastPacketAt = 0;
  private dirty = false;
  private cancelIdle: (() => void) | undefined;

  constructor(private readonly options: ArchiveOptions) {
    this.wallClock = options.wallClock ?? Date.now;
    this.checkpointMs = options.checkpointMs ?? DEFAULT_CHECKPOINT_MS;
  }

  get stats(): ArchiveStats {
    const { files, packets, lost, failures } = this;
    return { files: [...files], packets, lost, failures, queued: this.queue.length - this.head };
  }

  header(bytes: Buffer): void {
    this.enqueue({ kind: 'header', bytes: Buffer.from(bytes), at: this.options.clock.now() });
  }

  packet(data: Buffer, keyFrame: boolean): void {
    const at = this.options.clock.now();
    this.enqueue({ kind: 'packet', data, keyFrame, at });
    this.lastPacketAt = at;
    if (!this.cancelIdle && !this.closed) this.armIdle(at + this.checkpointMs);
  }

  interrupted(): void {
    this.enqueue({ kind: 'checkpoint' });
  }

  /** Resolves once everything queued so far is on disk (as far as the disk allowed). Never rejects. */
  flush(): Promise<void> {
    return this.settle();
  }

  /** Finish the file (final counts and Simple Index) once everything queued is written. Never rejects. */
  close(): Promise<void> {
    if (!this.closed) {
      this.enqueue({ kind: 'close' });
      this.cancelIdle?.();
      this.closed = this.settle();
    }
    return this.closed;
  }

  private enqueue(op: Op): void {
    if (this.closed) return;
    this.queue.push(op);
    this.draining ??= this.drain();
  }

  private async settle(): Promise<void> {
    while (this.draining) await this.draining;
  }

  private async drain(): Promise<void> {
    while (this.head < this.queue.length) {
      const op = this.queue[this.head]!;
      this.queue[this.head++] = undefined;
      // Drop what was done from the front now and then, not per operation (shift is O(n) on a backlog).
      if (this.head >= 1024 && this.head * 2 >= this.queue.length) {
        this.queue.splice(0, this.head);
        this.head = 0;
      }
      if (op.kind === 'header' || op.kind === 'packet') this.opAt = op.at;
      try {
        await this.run(op);
      } catch (e) {
        if (op.kind === 'packet') this.lost++;
        await this.fail(e, op.kind === 'header' && isProtocolError(e));
      }
    }
    this.queue.length = 0;
    this.head = 0;
    this.draining = undefined;
  }

  private async run(op: Op): Promise<void> {
    switch (op.kind) {
      case 'header':
        return this.headerOp(op.bytes, op.at);
      case 'packet':
        return this.packetOp(op.data, op.keyFrame, op.at);
      case 'checkpoint':
        if (this.rec && this.dirty) await this.rec.checkpoint();
        this.dirty = false;
        return;
      case 'close':
        return this.finishFile();
    }
  }

  private async headerOp(bytes: Buffer, at: number): Promise<void> {
    if (this.streamHeader && sameStreamHeader(bytes, this.streamHeader)) {
      // The same stream again: a source that dropped and came back, or a playlist's next entry encoded alike.
      this.checkSendTime = true;
      if (!this.rec) await this.openFile(at);
      return;
    }
    // Set first: should finishing the old file fail, what follows is still recorded under the new header.
    this.streamHeader = bytes;
    this.checkSendTime = false;
    if (this.rec && this.rec.stats.filePackets === 0) {
      // Nothing recorded under the old header: the file takes the new one in place (no empty file left).
      await this.rec.header(bytes);
      this.fileBytes = bytes.length;
      return;
    }
    await this.finishFile();
    await this.openFile(at);
  }

  private async packetOp(data: Buffer, keyFrame: boolean, at: number): Promise<void> {
    if (!this.streamHeader || (!this.rec && (!keyFrame || at < this.retryAt))) {
      this.lost++;
      return;
    }
    const times = packetTimes(data);
    if (!this.rec) await this.openFile(at);
    else if (times && this.needsNewFile(times, keyFrame, at)) await this.nextFile(at);
    this.checkSendTime = false;
    const rec = this.rec!;
    // Each file starts near time 0 [asf.md 7.3 step 3]: without it FFmpeg shows a start time of B, a duration
    // too long by B, and the Simple Index grows by B / interval useless entries.
    if (times && rec.stats.filePackets === 0) this.base = times.earliest;
    const out = times && this.base !== 0 ? rebased(data, this.base) : data;
    if (!out) {
      this.lost++;
      return;
    }
    const outcome = await rec.packet(out);
    if (outcome === 'packet') {
      this.packets++;
      this.fileBytes += data.length;
      this.dirty = true;
    }
  }

  private needsNewFile(times: PacketTimes, keyFrame: boolean, at: number): boolean {
    const last = this.rec?.stats;
    if (!last || last.filePackets === 0) return false;
    // A restarted source (an encoder pushed again) sends the same header with send times from 0 again.
    // Recording would append them after the later ones: the file's send and presentation times would step
    // back, its Simple Index (built assuming increasing times) would point at the wrong packets, and players
    // seeking by send time would land anywhere. So a restart begins a new file.
    if (this.checkSendTime && times.send < this.base + last.lastSendTime) return true;
    // Likewise a packet timed before the file's start: it cannot be moved by the file's base.
    if (times.earliest < this.base) return true;
    return keyFrame && this.rotationDue(at);
  }

  private rotationDue(at: number): boolean {
    const { rotateBytes, rotateMs } = this.options.config;
    return (
      (rotateBytes !== undefined && this.fileBytes >= rotateBytes) ||
      (rotateMs !== undefined && at - this.openedAt >= rotateMs)
    );
  }

  private async nextFile(at: number): Promise<void> {
    await this.finishFile();
    await this.openFile(at);
  }

  private async finishFile(): Promise<void> {
    const rec = this.rec;
    if (!rec) return;
    await rec.finish();
    this.rec = undefined;
    this.dirty = false;
  }

  private async openFile(at: number): Promise<void> {
    const header = this.streamHeader;
    if (!header) return;
    const { name, config, clock, log } = this.options;
    const wall = this.wallClock();
    const path = await reserveFile(expandTemplate(config.template, { name, wallMs: wall, n: this.counter }));
    try {
      this.rec = await Recorder.create(path, header, {
        clock,
        wallClock: () => wall,
        checkpointMs: this.checkpointMs,
      });
    } catch (e) {
      await unlink(path).catch(() => undefined);
      throw e;
    }
    this.counter++;
    this.files.push(path);
    this.openedAt = at;
    this.fileBytes = header.length;
    if (this.failing) log.info({ file: path }, 'archive writing again');
    else log.info({ file: path }, 'archive file opened');
    this.failing = false;
  }

  /**
   * Give up the current file after an error: one log line per episode, then wait for the next header or key
   * frame. A header that cannot be recorded (`badHeader`) is the stream's fault; everything else the disk's.
   */
  private async fail(e: unknown, badHeader: boolean): Promise<void> {
    const err = e instanceof Error ? e : new Error(String(e));
    const rec = this.rec;
    this.rec = undefined;
    this.dirty = false;
    this.retryAt = this.opAt + RETRY_MS;
    // The file may still close cleanly (a transient error): then it stays valid up to its last checkpoint.
    await rec?.finish().catch(() => undefined);
    this.failures++;
    if (badHeader) {
      this.streamHeader = undefined;
      this.options.log.warn({ err: err.message }, 'archive: header cannot be recorded; waiting for another');
    } else if (!this.failing) {
      this.failing = true;
      this.options.log.error(
        { err: err.message },
        'archive write failed; a new file is tried at the next header or key frame',
      );
    } else {
      return;
    }
    try {
      this.options.onError?.(err);
    } catch (cbError) {
      this.options.log.error({ err: (cbError as Error).message }, 'archive onError listener threw');
    }
  }

  /** A source that goes quiet without dropping still gets what it sent onto disk within `checkpointMs`. */
  private armIdle(at: number): void {
    this.cancelIdle = this.options.clock.at(at, () => {
      this.cancelIdle = undefined;
      const due = this.lastPacketAt + this.checkpointMs;
      if (this.options.clock.now() >= due) this.enqueue({ kind: 'checkpoint' });
      else this.armIdle(due);
    });
  }
}

interface PacketTimes {
  readonly send: number;
  /** The least of the send time and every payload's presentation time: what a rebase may subtract. */
  readonly earliest: number;
}

/** Undefined for a packet that does not parse: Recorder counts it as malformed. */
function packetTimes(data: Buffer): PacketTimes | undefined {
  try {
    const p = parsePacket(data, data.length);
    const earliest = p.payloads.reduce((m, x) => Math.min(m, x.presentationTime), p.sendTime);
    return { send: p.sendTime, earliest };
  } catch (e) {
    if (isProtocolError(e)) return undefined;
    throw e;
  }
}

/** The packet with `base` taken off its times; undefined if it cannot be (Recorder would drop it as malformed). */
function rebased(data: Buffer, base: number): Buffer | undefined {
  try {
    return retimePacket(data, data.length, -base);
  } catch (e) {
    if (isProtocolError(e)) return undefined;
    throw e;
  }
}

/** The template with its tokens filled: `{name}`, `{date}` YYYYMMDD and `{time}` HHMMSS local, `{n}`. */
export function expandTemplate(template: string, v: { name: string; wallMs: number; n: number }): string {
  const d = new Date(v.wallMs);
  const two = (x: number): string => String(x).padStart(2, '0');
  const date = `${d.getFullYear()}${two(d.getMonth() + 1)}${two(d.getDate())}`;
  const time = `${two(d.getHours())}${two(d.getMinutes())}${two(d.getSeconds())}`;
  return template
    .replaceAll('{name}', v.name)
    .replaceAll('{date}', date)
    .replaceAll('{time}', time)
    .replaceAll('{n}', String(v.n));
}

/**
 * Create `path`, or `name-2.ext`, `name-3.ext`… if it exists, with its folders; never touches an existing
 * file. Creating exclusively (`wx`) makes the check and the claim one step, so two archives cannot race.
 */
export async function reserveFile(path: string): Promise<string> {
  await mkdir(dirname(path), { recursive: true });
  const p = parse(path);
  for (let k = 1; k <= MAX_SUFFIX; k++) {
    const candidate = k === 1 ? path : format({ dir: p.dir, name: `${p.name}-${k}`, ext: p.ext });
    try {
      await (await open(candidate, 'wx')).close();
      return candidate;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  throw new Error(`archive: ${path} and ${MAX_SUFFIX - 1} numbered variants all exist`);
}
