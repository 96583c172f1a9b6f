// What the MMS and RTSP adapters have received and the reader has not taken yet, handed out as an
// AsfStream's packets: it pauses a TCP source when the reader falls behind, ends after the last item, and
// gives the transport's failure only once everything received before it has been read.
import type { Socket } from 'node:net';
import type { StreamItem } from './types.js';

/** Items queued before the source is paused, and the level at which it is read again. */
const HIGH = 1024;
const LOW = 256;

export class StreamQueue implements AsyncIterable<StreamItem> {
  private readonly items: StreamItem[] = [];
  private ended = false;
  private error: Error | null = null;
  private wake: (() => void) | null = null;

  /**
   * `pausable` gives the socket to pause, or null when the data cannot be held back (UDP);
   * `close` runs when the reader stops or reaches the end.
   */
  constructor(
    private readonly pausable: () => Socket | null,
    private readonly close: () => Promise<void>,
  ) {}

  /** The stream has ended or failed: nothing more will be queued. */
  get settled(): boolean {
    return this.ended || this.error !== null;
  }

  push(item: StreamItem): void {
    this.items.push(item);
    if (this.items.length > HIGH) this.pausable()?.pause();
    this.wakeReader();
  }

  /** No more items; a failure already recorded stands. */
  end(): void {
    if (this.error === null) this.ended = true;
    this.wakeReader();
  }

  fail(error: Error): void {
    if (this.settled) return;
    this.error = error;
    this.wakeReader();
  }

  [Symbol.asyncIterator](): AsyncIterator<StreamItem> {
    return {
      next: async (): Promise<IteratorResult<StreamItem>> => {
        for (;;) {
          const item = this.items.shift();
          if (item !== undefined) {
            const s = this.pausable();
            if (this.items.length < LOW && s?.isPaused()) s.resume();
            return { value: item, done: false };
          }
          if (this.error !== null) throw this.error;
          if (this.ended) {
            await this.close();
            return { value: undefined, done: true };
          }
          await new Promise<void>((r) => (this.wake = r));
        }
      },
      return: async (): Promise<IteratorResult<StreamItem>> => {
        await this.close();
        return { value: undefined, done: true };
      },
    };
  }

  private wakeReader(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }
}

/** How long closing waits for the server to take the last requests and close its side. */
const CLOSE_WAIT_MS = 1000;

/** Sends the session's last requests and ends the control connection, destroying it if the server lingers. */
export function endControl(s: Socket | null, last: readonly Buffer[]): Promise<void> {
  if (s === null || s.destroyed || s.connecting || !s.writable) {
    s?.destroy();
    return Promise.resolve();
  }
  for (const b of last) s.write(b);
  s.end();
  return new Promise((resolve) => {
    const timer = setTimeout(() => s.destroy(), CLOSE_WAIT_MS);
    s.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
