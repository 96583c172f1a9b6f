// The one pending wake-up a protocol session keeps for its machine's timers (keep-alive, idle, linger):
// replaced after every output of the machine, cleared at teardown.
import type { Clock } from '../core/clock.js';

export class Deadline {
  private cancel: (() => void) | null = null;
  constructor(private readonly clock: Clock) {}

  /** Calls `fn` at `at`, replacing any earlier wake-up; null only clears. */
  set(at: number | null, fn: () => void): void {
    this.clear();
    if (at === null) return;
    this.cancel = this.clock.at(at, () => {
      this.cancel = null;
      fn();
    });
  }

  clear(): void {
    this.cancel?.();
    this.cancel = null;
  }
}
