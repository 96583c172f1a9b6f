// The per-reader timing every reader of the fan-out benchmark keeps, whatever the protocol: play start,
// lateness of each data packet after the preroll burst, Send Time advance over the window (fanout.ts top
// comment, fanout-report.ts DEFINITIONS). MMSH `$D` chunks and MMS Data packets both go through `packet`.
import type { PacketTiming } from './asf.js';
import type { ReaderResult } from './mmsh-readers.js';
import type { Histogram } from './stats.js';
import { percentile, round } from './stats.js';

export type Histograms = { lateness: Histogram; jitter: Histogram };

/** The part of a reader's result this clock fills in. */
export type ClockedResult = {
  firstDataMs: number | null;
  contentBytes: number;
  packets: number;
  mediaMs: number;
};

export class PacketClock {
  /** Preroll of the header the reader got (ms); packets within it of the first are the start-up burst. */
  prerollMs: number;
  private playStart = NaN; // arrival of the first data packet
  private firstSend = NaN;
  private sendBeforeWindow = NaN; // send time of the last packet that arrived before the window
  private lastSendInWindow = NaN;
  private readonly late: number[] = [];

  constructor(
    private readonly window: { windowStart: number; windowEnd: number },
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
    if (arrival < this.window.windowStart) {
      this.sendBeforeWindow = t.sendTime;
    } else if (arrival < this.window.windowEnd) {
      if (Number.isNaN(this.sendBeforeWindow)) this.sendBeforeWindow = t.sendTime;
      this.lastSendInWindow = t.sendTime;
      r.packets++;
      r.contentBytes += t.contentBytes;
      const fromStart = t.sendTime - this.firstSend;
      // lateness = arrival - (playStart + (sendTime - firstSendTime)), only after the preroll burst
      if (fromStart >= this.prerollMs) this.late.push(arrival - (this.playStart + fromStart));
    }
  }

  /** At the window's end: the Send Time advance into `r`, lateness and jitter into the histograms. */
  finish(r: ClockedResult, h: Histograms): void {
    if (!Number.isNaN(this.lastSendInWindow)) r.mediaMs = this.lastSendInWindow - this.sendBeforeWindow;
    // jitter: lateness around this reader's own median, which removes the offset its first packet set
    const median = percentile(
      [...this.late].sort((a, b) => a - b),
      0.5,
    );
    for (const x of this.late) {
      h.lateness.add(x);
      h.jitter.add(x - median);
    }
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
    lost: 0,
    lostInWindow: 0,
    outOfOrder: 0,
    pings: 0,
    datagrams: 0,
    rtpPackets: 0,
  };
}
