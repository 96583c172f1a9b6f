// The per-reader timing every reader of the fan-out benchmark keeps, whatever the protocol: play start,
// lateness of each data packet after the start-up burst, Send Time advance and jumps over the window (fanout.ts
// top comment, fanout-report.ts definitions). MMSH `$D`s, MMS Data packets and RTP-carried ASF packets all go
// through `packet`.
import type { PacketTiming } from './asf.js';
import type { ReaderResult } from './mmsh-readers.js';
import type { Histogram } from './stats.js';
import { percentile, round } from './stats.js';

export type Histograms = { lateness: Histogram; jitter: Histogram };

/** The part of a reader's result this clock fills in. */
export type ClockedResult = Pick<
  ReaderResult,
  | 'firstDataMs'
  | 'contentBytes'
  | 'packets'
  | 'mediaMs'
  | 'lateSamples'
  | 'latePackets'
  | 'latenessP99Ms'
  | 'sendJumps'
  | 'sendJumpMs'
  | 'sendBackSteps'
>;

export type ClockConfig = {
  windowStart: number;
  windowEnd: number;
  /**
   * Live: a packet's schedule is the reader's best (lowest) arrival - Send Time before the window, not its first
   * packet (a joiner's first packet is old: the Fast Start burst comes from the server's buffer).
   */
  live?: boolean;
  /** A packet later than this on its schedule counts in `latePackets`, ms. */
  lateMs?: number;
  /** A Send Time step forward larger than this between two packets is media skipped, ms. */
  jumpMs?: number;
};

export class PacketClock {
  /** Preroll of the header the reader got (ms); packets within it of the first are the start-up burst. */
  prerollMs: number;
  private playStart = NaN; // arrival of the first data packet
  private firstSend = NaN;
  /** Live: lowest arrival - Send Time before the window (or in the burst): the schedule's offset. */
  private anchor = Infinity;
  private prevSend = NaN;
  private sendBeforeWindow = NaN; // send time of the last packet that arrived before the window
  private lastSendInWindow = NaN;
  private readonly late: number[] = [];

  constructor(
    private readonly cfg: ClockConfig,
    prerollMs: number,
    private readonly started: number,
  ) {
    this.prerollMs = prerollMs;
  }

  /** One data packet whose ASF Send Time and content size are `t`, seen at `arrival` (epoch ms). */
  packet(arrival: number, t: PacketTiming, r: ClockedResult): void {
    if (Number.isNaN(this.playStart)) {
      this.playStart = arrival;
      this.firstSend = t.sendTime;
      r.firstDataMs = round(arrival - this.started, 2);
    }
    const fromStart = t.sendTime - this.firstSend;
    const burst = fromStart < this.prerollMs;
    const offset = arrival - t.sendTime;
    if (this.cfg.live && (burst || arrival < this.cfg.windowStart))
      this.anchor = Math.min(this.anchor, offset);
    if (arrival < this.cfg.windowStart) {
      this.sendBeforeWindow = t.sendTime;
    } else if (arrival < this.cfg.windowEnd) {
      if (Number.isNaN(this.sendBeforeWindow)) this.sendBeforeWindow = t.sendTime;
      this.lastSendInWindow = t.sendTime;
      r.packets++;
      r.contentBytes += t.contentBytes;
      const step = t.sendTime - this.prevSend; // NaN for a reader's first packet
      if (step > (this.cfg.jumpMs ?? Infinity)) {
        r.sendJumps++;
        r.sendJumpMs += step;
      } else if (step < 0) {
        r.sendBackSteps++;
      }
      // vod: arrival - (playStart + (sendTime - firstSendTime)); live: (arrival - sendTime) - anchor;
      // both only after the start-up burst
      if (!burst)
        this.late.push(this.cfg.live ? offset - this.anchor : arrival - (this.playStart + fromStart));
    }
    this.prevSend = t.sendTime;
  }

  /** At the window's end: the Send Time advance into `r`, lateness and jitter into the histograms. */
  finish(r: ClockedResult, h: Histograms): void {
    if (!Number.isNaN(this.lastSendInWindow)) r.mediaMs = this.lastSendInWindow - this.sendBeforeWindow;
    const sorted = [...this.late].sort((a, b) => a - b);
    // jitter: lateness around this reader's own median, which removes the offset its first packet set
    const median = percentile(sorted, 0.5);
    const lateMs = this.cfg.lateMs ?? Infinity;
    for (const x of this.late) {
      h.lateness.add(x);
      h.jitter.add(x - median);
      if (x > lateMs) r.latePackets++;
    }
    r.lateSamples = sorted.length;
    r.latenessP99Ms = sorted.length ? round(percentile(sorted, 0.99), 1) : null;
  }
}

/** A reader's result before anything happened. */
export function newResult(i: number): ReaderResult {
  return {
    i,
    status: 0,
    chunked: false,
    playing: false,
    error: null,
    closedEarly: false,
    endReason: null,
    connectMs: null,
    firstByteMs: null,
    firstDataMs: null,
    chunks: {},
    badPackets: 0,
    contentBytes: 0,
    wireBytes: 0,
    packets: 0,
    mediaMs: 0,
    lateSamples: 0,
    latePackets: 0,
    latenessP99Ms: null,
    sendJumps: 0,
    sendJumpMs: 0,
    sendBackSteps: 0,
    lost: 0,
    lostInWindow: 0,
    outOfOrder: 0,
    pings: 0,
    datagrams: 0,
    rtpPackets: 0,
  };
}
