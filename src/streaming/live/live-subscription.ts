// One session's view of a broadcast point: a cursor into the point's ring. It starts at the newest key frame (the
// Fast Start burst is the ring from there to the live edge), thins to the client's streams, drops fragments whose
// object start the client never got, and skips to a key frame, counted, when the ring has moved past it
// [asf.md 7.2; wmsp.md §6.2 item 6; mmsp.md §5.8].
import { OrphanFilter, parsePacket, thinPacket } from '../../asf/index.js';
import type { Clock } from '../../core/clock.js';
import type { EndReason, PayloadFilter, Subscriber } from '../types.js';
import type { BroadcastPoint, LiveFacts, LivePacket } from './broadcast-point.js';

/** A protocol session on a broadcast point: a Subscriber told about header changes. */
export interface LiveSubscriber extends Subscriber {
  /** The next packet belongs to a new stream: send its header (`$C` + `$H`, ReportStreamChange, ...) first. */
  newHeader(facts: LiveFacts): void;
}

export interface LiveSubscriptionOptions {
  /** The stream whose header the client was given. */
  readonly facts: LiveFacts;
  readonly filter: PayloadFilter;
  /** Start with the ring from its newest key frame (TCP); false: wait for the next key frame (UDP). */
  readonly fastStart: boolean;
  readonly clock: Clock;
  readonly stallMs: number;
}

export interface LiveSubscriptionStats {
  packetsSent: number;
  bytesSent: number;
  packetsDropped: number;
  /** Times the subscriber fell out of the ring and went on from a later key frame. */
  skips: number;
}

/** After a join or a skip, fragments are checked for their object start for this much media (ms). */
const ORPHAN_WINDOW_MS = 5_000;

export class LiveSubscription {
  readonly stats: LiveSubscriptionStats = { packetsSent: 0, bytesSent: 0, packetsDropped: 0, skips: 0 };
  private cursor = 0;
  private awaitKey = false;
  private incarnation: number;
  private filter: PayloadFilter;
  private orphans: { filter: OrphanFilter; until: number | null } | null = null;
  private paused = false;
  private started = false;
  private ended = false;
  private pumping = false;
  private cancelStall: (() => void) | null = null;

  constructor(
    private readonly point: BroadcastPoint,
    private readonly subscriber: LiveSubscriber,
    private readonly o: LiveSubscriptionOptions,
  ) {
    this.incarnation = o.facts.incarnation;
    this.filter = o.filter;
  }

  start(): void {
    if (this.started || this.ended) return;
    this.started = true;
    const key = this.o.fastStart ? this.point.latestKey(this.incarnation) : null;
    if (key !== null) this.cursor = key;
    else {
      this.cursor = this.point.nextSeq;
      this.awaitKey = true;
    }
    this.watchOrphans(this.o.facts);
    this.kick();
  }

  /** The session's socket has room again. */
  resume(): void {
    if (!this.paused || this.ended) return;
    this.paused = false;
    this.cancelStall?.();
    this.cancelStall = null;
    this.kick();
  }

  /** A new stream selection from the next packet on. */
  setFilter(filter: PayloadFilter): void {
    this.filter = filter;
  }

  /** The session ended (client left or asked to stop). */
  stop(): void {
    this.end({ kind: 'stopped' });
  }

  /** Running number of the next packet (the live LocationId). */
  get nextPacket(): number {
    return this.cursor;
  }

  /** Called by the point when packets were released. */
  kick(): void {
    if (!this.started || this.ended || this.paused || this.pumping) return;
    this.pumping = true;
    try {
      this.pump();
    } catch (e) {
      // One session's failure (a socket gone wrong, a machine refusing) ends that session, never the point.
      this.pumping = false;
      this.end({ kind: 'error', error: e instanceof Error ? e : new Error(String(e)) });
    } finally {
      this.pumping = false;
    }
  }

  end(reason: EndReason): void {
    if (this.ended) return;
    this.ended = true;
    this.cancelStall?.();
    this.cancelStall = null;
    this.point.removed(this);
    this.subscriber.end(reason);
  }

  private pump(): void {
    while (!this.ended && !this.paused) {
      if (this.cursor < this.point.firstSeq) this.skip();
      const p = this.point.packetAt(this.cursor);
      if (!p) return;
      this.cursor++;
      if (p.facts.incarnation !== this.incarnation) {
        this.incarnation = p.facts.incarnation;
        this.subscriber.newHeader(p.facts);
        this.watchOrphans(p.facts);
        if (this.ended) return;
      }
      if (this.awaitKey) {
        if (!p.keyFrame) continue;
        this.awaitKey = false;
      }
      const data = this.payloadsFor(p);
      if (data === null) {
        this.stats.packetsDropped++;
        continue;
      }
      this.stats.packetsSent++;
      this.stats.bytesSent += data.length;
      if (!this.subscriber.packet({ number: p.seq, sendTime: p.sendTime, data })) this.pause();
    }
  }

  /** The ring moved past the cursor: go on from its newest key frame, or wait for the next one. */
  private skip(): void {
    this.stats.skips++;
    const key = this.point.latestKey(this.incarnation, this.point.firstSeq);
    if (key !== null) this.cursor = key;
    else {
      this.cursor = this.point.firstSeq;
      this.awaitKey = true;
    }
    const facts = this.point.packetAt(this.cursor)?.facts ?? this.point.facts;
    if (facts) this.watchOrphans(facts);
  }

  private watchOrphans(facts: LiveFacts): void {
    this.orphans = { filter: new OrphanFilter([...facts.videoStreams]), until: null };
  }

  private payloadsFor(p: LivePacket): Buffer | null {
    let data: Buffer | null = p.data;
    const f = this.filter;
    if (f !== null) {
      p.thinned ??= new Map();
      let thinned = p.thinned.get(f.key);
      if (thinned === undefined) {
        thinned = thinPacket(p.data, p.facts.packetSize, f.keep);
        p.thinned.set(f.key, thinned);
      }
      data = thinned;
    }
    const o = this.orphans;
    if (data === null || o === null) return data;
    o.until ??= p.sendTime + ORPHAN_WINDOW_MS;
    if (p.sendTime > o.until) {
      this.orphans = null;
      return data;
    }
    const keep = o.filter.keep(parsePacket(data, p.facts.packetSize));
    if (keep.every(Boolean)) return data;
    return thinPacket(data, p.facts.packetSize, (_s, _k, i) => keep[i] ?? false);
  }

  private pause(): void {
    this.paused = true;
    this.cancelStall = this.o.clock.at(this.o.clock.now() + this.o.stallMs, () => {
      this.cancelStall = null;
      if (this.paused) this.end({ kind: 'stalled', afterMs: this.o.stallMs });
    });
  }
}
