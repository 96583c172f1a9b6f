// A minimal scripted MMS client for integration tests: sends MMSP messages over a real TCP connection and
// collects every message and Data packet the server sends, so tests assert on the wire.
import { connect, type Socket } from 'node:net';
import {
  TcpMessageDecoder,
  decodeMessage,
  encodeMessage,
  type DataPacket,
  type MmspMessage,
  type UnknownMessage,
} from '../../src/mmsp/index.js';

export type Received = MmspMessage | UnknownMessage | { type: 'Data'; packet: DataPacket };

export class MmsTestClient {
  readonly received: Received[] = [];
  closed = false;
  private seq = 0;
  private readonly decoder = new TcpMessageDecoder({ allowData: true });
  private waiters: (() => void)[] = [];

  private constructor(readonly socket: Socket) {
    socket.on('data', (b: Buffer) => {
      for (const f of this.decoder.push(b)) {
        this.received.push(f.kind === 'data' ? { type: 'Data', packet: f.packet } : decodeMessage(f.message));
      }
      this.wake();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
  }

  static open(port: number, localAddress = '127.0.0.1'): Promise<MmsTestClient> {
    return new Promise((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port, localAddress }, () => resolve(new MmsTestClient(s)));
      s.once('error', reject);
    });
  }

  send(m: MmspMessage): void {
    this.socket.write(encodeMessage(m, { seq: this.seq++ }));
  }

  /** Waits until `pred` holds for what was received (or the connection closed), at most `ms`. */
  async until(pred: (r: Received[]) => boolean, ms = 30_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!pred(this.received) && !this.closed) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out; got ${this.received.map((r) => r.type).join(',')}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  has(type: string): boolean {
    return this.received.some((r) => r.type === type);
  }

  close(): void {
    this.socket.destroy();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}
