// One on-demand session's delivery: reads packets from a shared FileSource, drops the streams the client
// did not select, and hands each packet to the subscriber when the pacer says it is due. Backpressure
// pauses the session; a session paused longer than `stallMs` is ended so it cannot hold resources.
import { packetSendTime } from '../asf/index.js';
import type { Clock } from '../core/clock.js';
import type { FileSource } from './file-source.js';
import { dueAt, type PaceOrigin } from './pacer.js';
import type { EndReason, PayloadFilter, Subscriber } from './types.js';

export interface PlaybackOptions {
  readonly source: FileSource;
  readonly firstPacket: number;
  readonly filter: PayloadFilter;
  readonly clock: Clock;
  readonly subscriber: Subscriber;
  /** 1 = real time. */
  readonly rate?: number;
  /** Fast-start lead, ms; defaults to the file's preroll. */
  readonly burstMs?: number;
  /** End a session whose subscriber has not taken a packet for this long. */
  readonly stallMs?: number;
}

export interface PlaybackStats {
  packetsSent: number;
  bytesSent: number;
  packetsDropped: number;
}

export class Playback {
  readonly stats: PlaybackStats = { packetsSent: 0, bytesSent: 0, packetsDropped: 0 };
  private next: number;
  private filter: PayloadFilter;
  private origin: PaceOrigin | null = null;
  private paused = false;
  private running = false;
  /** A wake-up that came while the pump was still finishing; honoured when it returns. */
  private rekick = false;
  private ended = false;
  private cancelTimer: (() => void) | null = null;
  private cancelStall: (() => void) | null = null;

  constructor(private readonly o: PlaybackOptions) {
    this.next = o.firstPacket;
    this.filter = o.filter;
  }

  start(): void {
    this.kick();
  }

  /** The subscriber's queue has room again. */
  resume(): void {
    if (!this.paused || this.ended) return;
    this.paused = false;
    this.cancelStall?.();
    this.cancelStall = null;
    this.kick();
  }

  /** The number of the next packet this playback would send (where a paused session resumes). */
  get nextPacket(): number {
    return this.next;
  }

  /** A new stream selection, from the next packet on (mid-play stream switching). */
  setFilter(filter: PayloadFilter): void {
    this.filter = filter;
  }

  /** The client went away or asked to stop. */
  stop(): void {
    this.finish({ kind: 'stopped' });
  }

  private kick(): void {
    if (this.ended) return;
    if (this.running) {
      this.rekick = true;
      return;
    }
    this.running = true;
    this.pump().then(
      () => {
        this.running = false;
        if (this.rekick) {
          this.rekick = false;
          this.kick();
        }
      },
      (error: unknown) => {
        this.running = false;
        this.finish({ kind: 'error', error: error instanceof Error ? error : new Error(String(error)) });
      },
    );
  }

  private async pump(): Promise<void> {
    const { source, clock, subscriber } = this.o;
    while (!this.ended && !this.paused) {
      if (this.next >= source.packetCount) {
        this.finish({ kind: 'eos' });
        return;
      }
      const got = source.packet(this.next);
      const pkt = got instanceof Promise ? await got : got;
      if (this.ended) return;
      const sendTime = packetSendTime(pkt);
      this.origin ??= {
        t0: clock.now(),
        s0: sendTime,
        burstMs: this.o.burstMs ?? source.layout.header.fileProperties.preroll,
        rate: this.o.rate ?? 1,
      };
      const due = dueAt(this.origin, sendTime);
      if (due > clock.now()) {
        this.cancelTimer = clock.at(due, () => {
          this.cancelTimer = null;
          this.kick();
        });
        return;
      }
      const number = this.next++;
      const data = this.filter === null ? pkt : source.thinned(number, pkt, this.filter);
      if (data === null) {
        this.stats.packetsDropped++;
        continue;
      }
      this.stats.packetsSent++;
      this.stats.bytesSent += data.length;
      if (!subscriber.packet({ number, sendTime, data })) this.pause();
    }
  }

  private pause(): void {
    this.paused = true;
    const stallMs = this.o.stallMs;
    if (stallMs === undefined) return;
    this.cancelStall = this.o.clock.at(this.o.clock.now() + stallMs, () => {
      this.cancelStall = null;
      if (this.paused) this.finish({ kind: 'stalled', afterMs: stallMs });
    });
  }

  private finish(reason: EndReason): void {
    if (this.ended) return;
    this.ended = true;
    this.cancelTimer?.();
    this.cancelStall?.();
    this.cancelTimer = this.cancelStall = null;
    this.o.subscriber.end(reason);
  }
}
