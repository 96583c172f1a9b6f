// One face for a session's stream, on-demand or live, so each protocol transport wires a single kind of thing:
// an on-demand Playback paced from a file, or a LiveSubscription to a broadcast point.
import type { Clock } from '../core/clock.js';
import type { FileSource } from './file-source.js';
import type { BroadcastPoint, LiveFacts } from './live/broadcast-point.js';
import type { LiveSubscriber } from './live/live-subscription.js';
import { Playback } from './playback.js';
import { startPacket } from './start-packet.js';
import { filterFromLevels, type StartPoint, type ThinLevel } from './types.js';

export type Content =
  | { readonly kind: 'file'; readonly source: FileSource }
  | { readonly kind: 'live'; readonly point: BroadcastPoint; readonly facts: LiveFacts };

export interface Delivery {
  start(): void;
  /** The session's socket has room again. */
  resume(): void;
  stop(): void;
  setSelection(selection: ReadonlyMap<number, ThinLevel> | null): void;
  /** Where a paused on-demand session resumes; for live, the running packet number. */
  readonly nextPacket: number;
  /** `skips`: times a live client fell out of the point's buffer and went on from a key frame. */
  readonly stats: { readonly packetsSent: number; readonly bytesSent: number; readonly skips?: number };
}

export interface DeliveryOptions {
  readonly start: StartPoint;
  readonly selection: ReadonlyMap<number, ThinLevel> | null;
  readonly clock: Clock;
  readonly stallMs: number;
  readonly rate?: number;
  /** Fast-start lead of an on-demand play, ms (the preroll when absent). */
  readonly burstMs?: number;
  /** Live: begin with the ring's newest key frame at once (TCP); false waits for the next one (UDP). */
  readonly fastStart?: boolean;
  /** `newHeader` is only ever called for live content. */
  readonly subscriber: LiveSubscriber;
}

/** Stream numbers of the content, for stream selection. */
export function contentStreams(c: Content): readonly number[] {
  return c.kind === 'file'
    ? c.source.layout.header.streams.map((s) => s.streamNumber)
    : (c.point.facts ?? c.facts).streams;
}

export async function startDelivery(
  c: Content,
  o: DeliveryOptions,
): Promise<{ delivery: Delivery; first: number }> {
  const streams = contentStreams(c);
  if (c.kind === 'live') {
    // Live ignores the start point: a client always joins at the live edge [mmsp.md §5.8; wmsp.md §6.3].
    const sub = c.point.subscribe(o.subscriber, {
      filter: filterFromLevels(o.selection, streams),
      fastStart: o.fastStart ?? true,
    });
    const delivery: Delivery = {
      start: () => sub.start(),
      resume: () => sub.resume(),
      stop: () => sub.stop(),
      setSelection: (s) => sub.setFilter(filterFromLevels(s, streams)),
      get nextPacket() {
        return sub.nextPacket;
      },
      stats: sub.stats,
    };
    return { delivery, first: c.point.nextSeq };
  }
  const first = await startPacket(c.source, o.start);
  const playback = new Playback({
    source: c.source,
    firstPacket: first,
    filter: filterFromLevels(o.selection, streams),
    clock: o.clock,
    stallMs: o.stallMs,
    ...(o.rate === undefined ? {} : { rate: o.rate }),
    ...(o.burstMs === undefined ? {} : { burstMs: o.burstMs }),
    subscriber: o.subscriber,
  });
  const delivery: Delivery = {
    start: () => playback.start(),
    resume: () => playback.resume(),
    stop: () => playback.stop(),
    setSelection: (s) => playback.setFilter(filterFromLevels(s, streams)),
    get nextPacket() {
      return playback.nextPacket;
    },
    stats: playback.stats,
  };
  return { delivery, first };
}
