// The source of a push publishing point: encoders connect to it (server/push-ingest.ts hands over what they send),
// one at a time; when one drops, the point waits for the next with everything it had kept, and the clients stay.
import type { LiveSink, LiveSource } from '../streaming/live/types.js';

/** One encoder's connection, as the push transport drives it. */
export interface PushSession {
  header(bytes: Buffer): void;
  /** false: stop reading the encoder until `onDrain`. */
  packet(data: Buffer): boolean;
  onDrain(listener: () => void): void;
  /** The encoder's connection is over (ended or broken). */
  end(reason: string): void;
}

export class PushSource implements LiveSource {
  readonly kind = 'push' as const;
  readonly description = 'push';
  private sink: LiveSink | null = null;
  private active: object | null = null;
  private drain: (() => void) | null = null;

  constructor(readonly password: string | undefined) {}

  start(sink: LiveSink): void {
    this.sink = sink;
    sink.onDrain(() => this.drain?.());
  }

  async stop(): Promise<void> {
    this.sink = null;
    this.active = null;
    return Promise.resolve();
  }

  /** Whether an encoder is pushing now. */
  get busy(): boolean {
    return this.active !== null;
  }

  /** A new encoder; null while another one is pushing (or the point is stopped). */
  connect(): PushSession | null {
    const sink = this.sink;
    if (!sink || this.active) return null;
    const token = {};
    this.active = token;
    const mine = (): boolean => this.active === token && this.sink !== null;
    return {
      header: (b) => {
        if (mine()) sink.header(b);
      },
      packet: (d) => (mine() ? sink.packet(d) : true),
      onDrain: (l) => {
        if (mine()) this.drain = l;
      },
      end: (reason) => {
        if (!mine()) return;
        this.active = null;
        this.drain = null;
        sink.interrupted(reason);
      },
    };
  }
}
