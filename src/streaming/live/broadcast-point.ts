// A broadcast publishing point: one live source ingested once, paced by its send times, kept in a bounded ring, and
// fanned out to every session of every protocol [wmsp.md §6.5; mmsp.md §5.8; rtsp.md §4.2; asf.md §7].
//
//   source ──header/packet──▶ ingest (pad, key frames, continuous time line) ──▶ taps (archive: everything, at once)
//                                 │ pending, released at its due time
//                                 ▼
//                              ring (≤ bufferMs) ──cursor per subscriber──▶ LiveSubscription ──▶ session
//
// Each subscriber is only a cursor into the ring: a slow one never delays another, one that falls out of the ring
// skips to a key frame, one that stops reading is ended after stallMs (STYLE.md "Backpressure").
import {
  liveHeader,
  padPacket,
  parsePacket,
  retimePacket,
  type AsfHeader,
  type Payload,
} from '../../asf/index.js';
import type { Clock } from '../../core/clock.js';
import { ProtocolError } from '../../core/errors.js';
import { dueAt, type PaceOrigin } from '../pacer.js';
import type { PayloadFilter } from '../types.js';
import { compatibleStreams } from './compatible.js';
import { LiveSubscription, type LiveSubscriber } from './live-subscription.js';
import type { LiveSink, LiveSource, LiveTap } from './types.js';

/** What a session needs to know about the stream it serves; a new object for every header change. */
export interface LiveFacts {
  /** 1, 2, ...: bumped when the source changes to streams a client must be told about. */
  readonly incarnation: number;
  /** Live header: Header Object + 50-byte Data Object start [asf.md 7.1]. */
  readonly headerBytes: Buffer;
  readonly header: AsfHeader;
  readonly packetSize: number;
  readonly preroll: number;
  readonly streams: readonly number[];
  readonly videoStreams: ReadonlySet<number>;
  readonly maxBitrate: number;
}

export interface LivePacket {
  /** Running number from 1 for the life of the point (LocationId on the wire). */
  readonly seq: number;
  /** On the point's continuous time line, ms. */
  readonly sendTime: number;
  /** Exactly packetSize bytes. */
  readonly data: Buffer;
  /** A video key frame starts here (or the stream has no video and an object starts here). */
  readonly keyFrame: boolean;
  readonly facts: LiveFacts;
  /** Thinned forms, per filter key, shared by the subscribers that chose the same streams. */
  thinned?: Map<string, Buffer | null>;
}

export interface BroadcastPointOptions {
  readonly path: string;
  readonly source: LiveSource;
  readonly clock: Clock;
  readonly taps?: readonly LiveTap[];
  /** How much recent media the ring keeps for late joiners and slow readers, ms. */
  readonly bufferMs?: number;
  /** Hard cap of the ring, bytes. */
  readonly maxBufferBytes?: number;
  /** Packets not yet due beyond which the source is asked to slow down, bytes. */
  readonly maxPendingBytes?: number;
  /** End a subscriber that has taken nothing for this long, ms. */
  readonly stallMs?: number;
  readonly onEvent?: (e: PointEvent) => void;
}

export type PointEvent =
  | { readonly type: 'header'; readonly incarnation: number; readonly changed: boolean }
  | { readonly type: 'interrupted'; readonly reason: string }
  | { readonly type: 'discontinuity'; readonly fromMs: number; readonly toMs: number }
  | { readonly type: 'malformed'; readonly message: string };

export interface PointStats {
  packetsIn: number;
  bytesIn: number;
  malformed: number;
  /** Packets that arrived before any header. */
  orphaned: number;
  subscribers: number;
  skips: number;
}

/** Send times further apart than this between two packets are a restart, not a stream (ms). */
const DISCONTINUITY_MS = 5_000;
/** A released packet later than this resets the pacing origin instead of bursting to catch up (ms). */
const LATE_REBASE_MS = 2_000;

interface Pending {
  readonly sendTime: number;
  readonly data: Buffer;
  readonly keyFrame: boolean;
  readonly facts: LiveFacts;
  /** The time line restarts here: pace from this packet as if the stream had just begun. */
  readonly rebase: boolean;
}

export class BroadcastPoint implements LiveSink {
  readonly stats: PointStats = {
    packetsIn: 0,
    bytesIn: 0,
    malformed: 0,
    orphaned: 0,
    subscribers: 0,
    skips: 0,
  };
  /** The newest header ingested. */
  private current: LiveFacts | null = null;
  /** The header of the newest packet released: what a session joining now is given. */
  private onAir: LiveFacts | null = null;
  private rebaseNext = true;
  private currentRaw: AsfHeader | null = null;
  private incarnation = 0;
  private readonly ring: LivePacket[] = [];
  private ringStart = 0;
  private ringBytes = 0;
  private nextSeqNo = 1;
  /** The newest key-frame packet released: the ring never drops it for age (a joiner must find one). */
  private newestKey = 0;
  private readonly pending: Pending[] = [];
  private pendingStart = 0;
  private pendingBytes = 0;
  private origin: PaceOrigin | null = null;
  private cancelRelease: (() => void) | null = null;
  /** Added to the source's times so the point's time line never jumps (restarts, loops). */
  private delta = 0;
  private lastOut: number | null = null;
  /** Per stream, on the point's time line: the latest object's presentation time and the step before it (ms). */
  private readonly presented = new Map<number, { at: number; step: number }>();
  private gap = false;
  private readonly subs = new Set<LiveSubscription>();
  private readonly drainListeners: (() => void)[] = [];
  private readyWaiters: (() => void)[] = [];
  private stopped = false;
  private readonly bufferMs: number;
  private readonly maxBufferBytes: number;
  private readonly maxPendingBytes: number;

  constructor(private readonly o: BroadcastPointOptions) {
    this.bufferMs = o.bufferMs ?? 10_000;
    this.maxBufferBytes = o.maxBufferBytes ?? 64 * 1024 * 1024;
    this.maxPendingBytes = o.maxPendingBytes ?? 4 * 1024 * 1024;
  }

  get path(): string {
    return this.o.path;
  }

  get source(): LiveSource {
    return this.o.source;
  }

  /** The stream now on air; null until the source sent a header. */
  get facts(): LiveFacts | null {
    return this.onAir ?? this.current;
  }

  start(): void {
    this.o.source.start(this);
  }

  /** Resolves with the facts once a header arrived, or null after `ms`. */
  whenReady(ms: number): Promise<LiveFacts | null> {
    if (this.current || this.stopped) return Promise.resolve(this.facts);
    return new Promise((resolve) => {
      const cancel = this.o.clock.at(this.o.clock.now() + ms, () => {
        this.readyWaiters = this.readyWaiters.filter((w) => w !== done);
        resolve(null);
      });
      const done = (): void => {
        cancel();
        resolve(this.facts);
      };
      this.readyWaiters.push(done);
    });
  }

  subscribe(subscriber: LiveSubscriber, o: { filter: PayloadFilter; fastStart?: boolean }): LiveSubscription {
    const facts = this.facts;
    if (!facts)
      throw new ProtocolError('E_LIVE_NOT_READY', `${this.o.path}: the source has sent nothing yet`);
    const sub = new LiveSubscription(this, subscriber, {
      facts,
      filter: o.filter,
      fastStart: o.fastStart ?? true,
      clock: this.o.clock,
      stallMs: this.o.stallMs ?? 30_000,
    });
    this.subs.add(sub);
    this.stats.subscribers = this.subs.size;
    return sub;
  }

  /** Ends the source and every session; the taps are closed. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.cancelRelease?.();
    for (const w of this.readyWaiters) w();
    this.readyWaiters = [];
    for (const s of [...this.subs]) s.end({ kind: 'eos' });
    await this.o.source.stop().catch(() => undefined);
    await Promise.all((this.o.taps ?? []).map((t) => t.close()));
  }

  // ---- LiveSink: what the source calls ----

  header(bytes: Buffer): void {
    if (this.stopped) return;
    let live;
    try {
      live = liveHeader(bytes);
    } catch (e) {
      this.stats.malformed++;
      this.o.onEvent?.({ type: 'malformed', message: `header: ${(e as Error).message}` });
      return;
    }
    const previous = this.currentRaw;
    this.currentRaw = live.header;
    if (previous && this.current && compatibleStreams(previous, live.header)) {
      // Same streams again (an encoder reconnecting, the next file of a playlist made alike): the clients never see
      // a change; only the time line is carried on.
      this.gap = true;
      this.o.onEvent?.({ type: 'header', incarnation: this.current.incarnation, changed: false });
    } else {
      const fp = live.header.fileProperties;
      this.current = {
        incarnation: ++this.incarnation,
        headerBytes: live.bytes,
        header: live.header,
        packetSize: live.packetSize,
        preroll: fp.preroll,
        streams: live.header.streams.map((s) => s.streamNumber),
        videoStreams: new Set(
          live.header.streams.filter((s) => s.kind === 'video').map((s) => s.streamNumber),
        ),
        maxBitrate: fp.maxBitrate,
      };
      this.delta = 0;
      this.lastOut = null;
      this.presented.clear();
      this.gap = false;
      this.rebaseNext = true;
      this.o.onEvent?.({ type: 'header', incarnation: this.incarnation, changed: previous !== null });
    }
    for (const t of this.o.taps ?? []) t.header(live.bytes);
    const waiters = this.readyWaiters;
    this.readyWaiters = [];
    for (const w of waiters) w();
  }

  packet(data: Buffer): boolean {
    if (this.stopped) return true;
    const facts = this.current;
    if (!facts) {
      this.stats.orphaned++;
      return true;
    }
    let padded: Buffer;
    let keyFrame: boolean;
    let sendTime: number;
    try {
      padded = padPacket(data, facts.packetSize);
      const parsed = parsePacket(padded, facts.packetSize);
      const payloads = parsed.payloads;
      sendTime = parsed.sendTime;
      const starts = payloads.filter((p) => p.offset === 0 || p.compressed);
      this.carryTimeLine(sendTime, starts);
      if (this.delta !== 0) padded = retimePacket(padded, facts.packetSize, this.delta);
      sendTime += this.delta;
      this.notePresented(starts);
      keyFrame = startsKeyFrame(payloads, facts);
    } catch (e) {
      this.stats.malformed++;
      this.o.onEvent?.({ type: 'malformed', message: (e as Error).message });
      return true;
    }
    this.lastOut = this.lastOut === null ? sendTime : Math.max(this.lastOut, sendTime);
    this.stats.packetsIn++;
    this.stats.bytesIn += padded.length;
    for (const t of this.o.taps ?? []) t.packet(padded, keyFrame);
    this.pending.push({ sendTime, data: padded, keyFrame, facts, rebase: this.rebaseNext });
    this.rebaseNext = false;
    this.pendingBytes += padded.length;
    if (this.cancelRelease === null) this.release();
    return this.pendingBytes < this.maxPendingBytes;
  }

  interrupted(reason: string): void {
    if (this.stopped) return;
    this.gap = true;
    this.o.onEvent?.({ type: 'interrupted', reason });
    for (const t of this.o.taps ?? []) t.interrupted();
  }

  onDrain(listener: () => void): void {
    this.drainListeners.push(listener);
  }

  // ---- what subscriptions read ----

  /** Sequence number of the oldest packet still in the ring. */
  get firstSeq(): number {
    return this.ring[this.ringStart]?.seq ?? this.nextSeqNo;
  }

  /** Sequence number the next released packet will get. */
  get nextSeq(): number {
    return this.nextSeqNo;
  }

  packetAt(seq: number): LivePacket | undefined {
    return this.ring[this.ringStart + (seq - this.firstSeq)];
  }

  /** The newest key-frame packet of this incarnation still in the ring, at or after `from`. */
  latestKey(incarnation: number, from = 0): number | null {
    for (let i = this.ring.length - 1; i >= this.ringStart; i--) {
      const p = this.ring[i]!;
      if (p.seq < from) break;
      if (p.keyFrame && p.facts.incarnation === incarnation) return p.seq;
    }
    return null;
  }

  /** A subscription ended (by itself or by its session). */
  removed(sub: LiveSubscription): void {
    this.subs.delete(sub);
    this.stats.subscribers = this.subs.size;
    this.stats.skips += sub.stats.skips;
  }

  /**
   * Keeps the time line continuous: after an interruption or a header with the same streams, and whenever the send
   * times jump by more than DISCONTINUITY_MS, the source's times are moved to follow on from the last one sent.
   */
  private carryTimeLine(sendTime: number, starts: readonly Payload[]): void {
    if (this.lastOut === null) return;
    const out = sendTime + this.delta;
    if (!this.gap && Math.abs(out - this.lastOut) <= DISCONTINUITY_MS) return;
    this.gap = false;
    this.o.onEvent?.({ type: 'discontinuity', fromMs: this.lastOut, toMs: out });
    this.delta = this.lastOut + 1 - sendTime;
    // Presentation times run ahead of send times: the new stream's first objects must also come after the last
    // object of every stream already sent has ended, or players see time go back (mpv drops the key frame).
    if (starts.length > 0) {
      const first = Math.min(...starts.map((p) => p.presentationTime));
      let end = -Infinity;
      for (const s of this.presented.values()) end = Math.max(end, s.at + s.step);
      if (first + this.delta < end) this.delta = end - first;
    }
    // Pace from here as if the stream had just started, so nothing bursts to "catch up" on the gap.
    this.rebaseNext = true;
  }

  private notePresented(starts: readonly Payload[]): void {
    for (const p of starts) {
      const at = p.presentationTime + this.delta;
      const was = this.presented.get(p.streamNumber);
      if (!was) this.presented.set(p.streamNumber, { at, step: 0 });
      else if (at > was.at) this.presented.set(p.streamNumber, { at, step: at - was.at });
    }
  }

  private release(): void {
    this.cancelRelease = null;
    const now = this.o.clock.now();
    while (this.pendingStart < this.pending.length) {
      const p = this.pending[this.pendingStart]!;
      if (p.rebase || this.origin === null) this.origin = { t0: now, s0: p.sendTime, burstMs: 0, rate: 1 };
      let due = dueAt(this.origin, p.sendTime);
      if (due < now - LATE_REBASE_MS) {
        this.origin = { t0: now, s0: p.sendTime, burstMs: 0, rate: 1 };
        due = now;
      }
      if (due > now) {
        this.cancelRelease = this.o.clock.at(due, () => this.release());
        break;
      }
      this.pendingStart++;
      this.pendingBytes -= p.data.length;
      this.append(p);
    }
    if (this.pendingStart > 1024 && this.pendingStart * 2 > this.pending.length) {
      this.pending.splice(0, this.pendingStart);
      this.pendingStart = 0;
    }
    if (this.pendingBytes < this.maxPendingBytes / 2 && this.drainListeners.length > 0) {
      for (const l of this.drainListeners) l();
    }
    for (const s of [...this.subs]) s.kick();
  }

  private append(p: Pending): void {
    const packet: LivePacket = {
      seq: this.nextSeqNo++,
      sendTime: p.sendTime,
      data: p.data,
      keyFrame: p.keyFrame,
      facts: p.facts,
    };
    this.onAir = p.facts;
    if (p.keyFrame) this.newestKey = packet.seq;
    this.ring.push(packet);
    this.ringBytes += p.data.length;
    // Keep bufferMs of media, and always from the newest key frame on, within the byte cap.
    while (this.ring.length - this.ringStart > 1) {
      const oldest = this.ring[this.ringStart]!;
      const tooOld = packet.sendTime - oldest.sendTime > this.bufferMs;
      const tooBig = this.ringBytes > this.maxBufferBytes;
      if (!tooOld && !tooBig) break;
      if (!tooBig && oldest.seq === this.newestKey) break;
      this.ringStart++;
      this.ringBytes -= oldest.data.length;
    }
    if (this.ringStart > 4096 && this.ringStart * 2 > this.ring.length) {
      this.ring.splice(0, this.ringStart);
      this.ringStart = 0;
    }
  }
}

/** A packet a joiner can start with: a video key frame begins in it, or (no video) some object begins in it. */
function startsKeyFrame(payloads: readonly Payload[], facts: LiveFacts): boolean {
  if (facts.videoStreams.size === 0) return payloads.some((p) => p.offset === 0 || p.compressed);
  return payloads.some((p) => p.keyFrame && p.offset === 0 && facts.videoStreams.has(p.streamNumber));
}
