// The source of a relay (edge) point: netshow's own client opens another server's stream (http, mmsh, mms/mmst/mmsu,
// rtsp; any rollover) and feeds the point; when the origin drops or refuses, it tries again with backoff (1 s doubling
// to 30 s), and the clients of the edge stay connected meanwhile.
import type { Logger } from 'pino';
import type { LiveSink, LiveSource } from '../streaming/live/types.js';
import { openStream } from './open-stream.js';
import type { AsfStream } from './types.js';

const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 30_000;

export interface PullSourceOptions {
  readonly url: string;
  readonly logger?: Logger;
  /** Per-attempt connect limit (ms). */
  readonly connectTimeoutMs?: number;
}

export class PullSource implements LiveSource {
  readonly kind = 'pull' as const;
  readonly description: string;
  private stopped = false;
  private stream: AsfStream | null = null;
  private wake: (() => void) | null = null;
  private running: Promise<void> = Promise.resolve();
  private sleeping: { timer: NodeJS.Timeout; done: () => void } | null = null;

  constructor(private readonly o: PullSourceOptions) {
    this.description = `pull ${o.url}`;
  }

  start(sink: LiveSink): void {
    sink.onDrain(() => {
      const w = this.wake;
      this.wake = null;
      w?.();
    });
    this.running = this.run(sink);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    if (this.sleeping) {
      clearTimeout(this.sleeping.timer);
      this.sleeping.done();
    }
    await this.stream?.close();
    await this.running;
  }

  private async run(sink: LiveSink): Promise<void> {
    let backoff = FIRST_RETRY_MS;
    while (!this.stopped) {
      let received = 0;
      try {
        const opened = await openStream(this.o.url, {
          connectTimeoutMs: this.o.connectTimeoutMs ?? 5_000,
          idleTimeoutMs: 15_000,
        });
        this.stream = opened.stream;
        if (this.stopped) break;
        this.o.logger?.info({ protocol: opened.stream.protocol, url: opened.stream.url }, 'pulling');
        sink.header(opened.stream.header);
        for await (const item of opened.stream.packets) {
          if (this.stopped) break;
          if (item.kind === 'header') {
            sink.header(item.header);
            continue;
          }
          received++;
          if (!sink.packet(item.data)) await new Promise<void>((r) => (this.wake = r));
        }
        if (!this.stopped) sink.interrupted('the origin ended the stream');
      } catch (e) {
        if (this.stopped) break;
        this.o.logger?.warn(`pull ${this.o.url}: ${(e as Error).message}`);
        if (received > 0) sink.interrupted((e as Error).message);
      } finally {
        await this.stream?.close();
        this.stream = null;
      }
      if (received > 0) backoff = FIRST_RETRY_MS;
      if (this.stopped) break;
      await new Promise<void>((done) => {
        this.sleeping = { timer: setTimeout(done, backoff), done };
      });
      this.sleeping = null;
      backoff = Math.min(MAX_RETRY_MS, backoff * 2);
    }
  }
}
