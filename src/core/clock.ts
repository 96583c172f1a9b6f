// Time as the streaming core sees it: an injected clock, so pacing is testable without waiting.

export interface Clock {
  /** Milliseconds on a monotonic scale. */
  now(): number;
  /** Run `fn` once the clock reaches `at` (ms); returns a cancel function. */
  at(at: number, fn: () => void): () => void;
}

/**
 * The real clock, with wake-ups rounded up to a shared grid of `gridMs`: a thousand paced sessions then
 * wake the event loop a hundred times a second in batches, not four thousand times one by one. A packet
 * leaves at most one grid step late, far inside any client's preroll.
 */
export function coalescingClock(gridMs = 10): Clock {
  const slots = new Map<number, { fns: Set<() => void>; timer: NodeJS.Timeout }>();
  const fire = (at: number): void => {
    const slot = slots.get(at);
    slots.delete(at);
    if (slot) for (const fn of slot.fns) fn();
  };
  return {
    now: () => performance.now(),
    at(at, fn) {
      const key = Math.ceil(at / gridMs) * gridMs;
      let slot = slots.get(key);
      if (!slot) {
        slot = { fns: new Set(), timer: setTimeout(fire, Math.max(0, key - performance.now()), key) };
        slots.set(key, slot);
      }
      const entry = (): void => fn();
      const mine = slot;
      mine.fns.add(entry);
      return () => {
        mine.fns.delete(entry);
        // An emptied slot must not keep its timer: a cancelled wake-up would otherwise hold the process.
        if (mine.fns.size === 0 && slots.get(key) === mine) {
          clearTimeout(mine.timer);
          slots.delete(key);
        }
      };
    },
  };
}

export const systemClock: Clock = coalescingClock();

/** A clock that moves only when told to; timers fire in time order during advance(). */
export class FakeClock implements Clock {
  private t: number;
  private seq = 0;
  private timers: { at: number; seq: number; fn: () => void }[] = [];
  constructor(start = 0) {
    this.t = start;
  }
  now(): number {
    return this.t;
  }
  at(at: number, fn: () => void): () => void {
    const timer = { at, seq: this.seq++, fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((x) => x !== timer);
    };
  }
  /** Move time forward by ms, firing each due timer at its own time. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers[0];
      if (!next || next.at > end) break;
      this.timers.shift();
      this.t = Math.max(this.t, next.at);
      next.fn();
    }
    this.t = end;
  }
  get pending(): number {
    return this.timers.length;
  }
}
