// Waits until a broadcast publishing point carries packets, by asking it for a stream with netshow's own MMSH
// client: the header and a first data packet, with the stream marked live. Whatever feeds the point (an encoder,
// a playlist, a command) may be watched meanwhile, so a feeder that died fails at once with its log. And a watcher
// that plays a point throughout a test and reports the stream changes and the steps back in time it saw.
import { liveHeader, padPacket, parsePacket } from '../../../src/asf/index.js';
import { openMmsh } from '../../../src/client/mmsh-adapter.js';

export interface FlowingOptions {
  /** How long the point may take to carry a packet, ms. */
  readyMs: number;
  /** Undefined while the feeder runs, else why it is gone (checked before every try). */
  feederGone?: () => string | undefined;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function broadcastFlowing(url: string, o: FlowingOptions): Promise<void> {
  const until = performance.now() + o.readyMs;
  let last = 'nothing tried';
  while (performance.now() < until) {
    const gone = o.feederGone?.();
    if (gone !== undefined) throw new Error(`${url}: ${gone}`);
    try {
      const stream = await openMmsh(new URL(url), { connectTimeoutMs: 3000, idleTimeoutMs: 3000 });
      try {
        for await (const item of stream.packets) {
          if (item.kind === 'packet') {
            if (!stream.live) throw new Error(`${url} is not a broadcast (live=false)`);
            return;
          }
        }
        last = 'the stream ended without a packet';
      } finally {
        await stream.close();
      }
    } catch (e) {
      last = (e as Error).message;
    }
    await sleep(250);
  }
  throw new Error(`${url} carried no packet within ${o.readyMs} ms: ${last}`);
}

export interface TimeStep {
  /** How often a media object of this stream started before one already received. */
  count: number;
  /** The largest such step back, ms, and where: the presentation times before and after it. */
  maxMs: number;
  from: number;
  to: number;
}

export interface WatchReport {
  packets: number;
  /** Stream changes the point announced ($C with a new header). */
  changes: number;
  /** Per stream number, where presentation times went back (absent: never). */
  backsteps: Map<number, TimeStep>;
  /** How the stream ended if it did before stop(). */
  ended?: string;
}

export interface BroadcastWatch {
  stop(): Promise<WatchReport>;
}

/**
 * Plays a point with netshow's own MMSH client until stopped, counting the stream changes it is told of (a source
 * that restarts, or a playlist moving to a file with the same streams, must cause none) and checking that each
 * stream's presentation times, at the start of every media object, never go back: a client that records what it
 * receives (mpv's --stream-record into Matroska) drops a packet whose time goes back.
 */
export async function watchBroadcast(url: string): Promise<BroadcastWatch> {
  const stream = await openMmsh(new URL(url), { connectTimeoutMs: 3000, idleTimeoutMs: 15_000 });
  const report: WatchReport = { packets: 0, changes: 0, backsteps: new Map() };
  let packetSize = liveHeader(stream.header).packetSize;
  const last = new Map<number, number>();
  let stopping = false;
  const look = (data: Buffer): void => {
    for (const p of parsePacket(padPacket(data, packetSize), packetSize).payloads) {
      if (p.offset !== 0) continue;
      const before = last.get(p.streamNumber);
      last.set(p.streamNumber, Math.max(before ?? -Infinity, p.presentationTime));
      if (before === undefined || p.presentationTime >= before) continue;
      const step = report.backsteps.get(p.streamNumber) ?? { count: 0, maxMs: 0, from: 0, to: 0 };
      step.count++;
      if (before - p.presentationTime > step.maxMs) {
        Object.assign(step, { maxMs: before - p.presentationTime, from: before, to: p.presentationTime });
      }
      report.backsteps.set(p.streamNumber, step);
    }
  };
  const reading = (async () => {
    try {
      for await (const item of stream.packets) {
        if (item.kind === 'packet') {
          report.packets++;
          look(item.data);
        } else {
          report.changes++;
          packetSize = liveHeader(item.header).packetSize;
          last.clear();
        }
      }
      if (!stopping) report.ended = 'the server ended the stream';
    } catch (e) {
      if (!stopping) report.ended = (e as Error).message;
    }
  })();
  return {
    async stop() {
      stopping = true;
      await stream.close();
      await reading;
      return report;
    },
  };
}
