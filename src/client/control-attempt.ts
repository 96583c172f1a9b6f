// What the MMS and RTSP adapters share around their pure client machines: one TCP control connection, the
// machine's timers, the open that settles once (a stream, a redirect, or a ClientError), an abort signal, and a
// close that sends the machine's last words before ending the connection [rollover.md §2.3].
import { connect, type Socket } from 'node:net';
import { systemClock } from '../core/clock.js';
import { StreamQueue, endControl } from './stream-queue.js';
import { ClientError, type AsfStream, type ClientProtocol, type OpenOptions } from './types.js';

/** What every client machine returns: bytes for the control connection and events for the adapter. */
export interface MachineOutput<E> {
  readonly out: readonly Buffer[];
  readonly events: readonly E[];
}

export interface ControlMachine<O> {
  receive(bytes: Buffer, nowMs: number): O;
  tick(nowMs: number): O;
  nextDeadline(): number | null;
}

/** The ASF header facts an adapter hands on once data flows. */
export interface OpenedHeader {
  readonly header: Buffer;
  readonly live: boolean;
  readonly server: string | null;
}

export const plainIp = (ip: string): string => ip.replace(/^::ffff:(?=\d+\.)/, '');

/** User and password from the options, else from the URL. */
export function credentials(url: URL, o: OpenOptions): { user?: string; password?: string } {
  const user = o.user ?? (url.username === '' ? undefined : decodeURIComponent(url.username));
  const password = o.password ?? (url.password === '' ? undefined : decodeURIComponent(url.password));
  return { ...(user === undefined ? {} : { user }), ...(password === undefined ? {} : { password }) };
}

export abstract class ControlAttempt<E, O extends MachineOutput<E>, Redirect = never> {
  protected socket: Socket | null = null;
  /** The machine's first message went out: from here it decides what a closed connection means. */
  protected started = false;
  protected closing: Promise<void> | null = null;
  protected readonly items: StreamQueue;
  protected abstract readonly machine: ControlMachine<O>;
  private cancelTick: (() => void) | null = null;
  private opened = false;
  private settle: { resolve: (s: AsfStream | Redirect) => void; reject: (e: unknown) => void } | null = null;
  private readonly onAbort = (): void =>
    this.fail(this.options.signal?.reason ?? new DOMException('aborted', 'AbortError'));

  constructor(
    protected readonly url: URL,
    protected readonly options: OpenOptions,
    protected readonly protocol: ClientProtocol,
    /** The URL as the machine uses it, for messages and the stream's `url`. */
    protected readonly shownUrl: string,
    dataOnControl: boolean,
  ) {
    this.items = new StreamQueue(
      () => (dataOnControl ? this.socket : null),
      () => this.close(),
    );
  }

  protected abstract onEvent(e: E): void;
  /** The control connection is up: bind what the transport needs, then start the machine. */
  protected abstract connected(s: Socket): Promise<void>;
  /** The control connection closed. */
  protected abstract closedOutput(): O;
  /** Releases the data sockets and returns the machine's last words for the control connection. */
  protected abstract shutdown(): readonly Buffer[];

  /** Connects and resolves once data flows (or with a redirect); rejects with a ClientError. */
  protected connectTo(defaultPort: number): Promise<AsfStream | Redirect> {
    return new Promise<AsfStream | Redirect>((resolve, reject) => {
      this.settle = { resolve, reject };
      const signal = this.options.signal;
      if (signal?.aborted) return this.onAbort();
      signal?.addEventListener('abort', this.onAbort, { once: true });
      this.schedule();
      const host = this.url.hostname.replace(/^\[(.*)\]$/, '$1');
      const port = this.url.port === '' ? defaultPort : Number(this.url.port);
      const s = connect({ host, port });
      this.socket = s;
      s.setNoDelay(true);
      s.once('connect', () => void this.connected(s));
      // Errors once the session runs end in 'close', which the machine judges by its state.
      s.on('error', (err: NodeJS.ErrnoException) => {
        if (this.started) return;
        const kind = err.code === 'ETIMEDOUT' ? 'timeout' : 'refused';
        this.fail(new ClientError(kind, `${this.shownUrl}: ${err.message}`, this.protocol));
      });
      s.on('data', (b: Buffer) => this.apply(this.machine.receive(b, systemClock.now())));
      s.once('close', () => this.apply(this.closedOutput()));
    });
  }

  protected apply(o: O): void {
    const s = this.socket;
    if (s !== null && !s.destroyed && s.writable) for (const b of o.out) s.write(b);
    for (const e of o.events) this.onEvent(e);
    this.schedule();
  }

  /** Data flows: the open resolves with the stream. */
  protected resolveOpen(h: OpenedHeader | null): void {
    if (this.opened || h === null) return;
    this.opened = true;
    this.settle?.resolve({
      protocol: this.protocol,
      url: this.shownUrl,
      ...(h.server === null ? {} : { server: h.server }),
      header: h.header,
      live: h.live,
      packets: this.items,
      close: () => this.close(),
    });
  }

  /** The open resolves with somewhere else to go; this attempt ends. */
  protected resolveRedirect(to: Redirect): void {
    this.opened = true;
    this.settle?.resolve(to);
    void this.close();
  }

  /** Before data flows: the open fails. After: the reader gets the error once the queue is read. */
  protected fail(err: unknown): void {
    if (this.items.settled || this.closing !== null) return;
    const failure = err instanceof Error ? err : new Error(String(err));
    this.items.fail(failure);
    if (!this.opened) this.settle?.reject(failure);
    void this.close();
  }

  protected failed(kind: ClientError['kind'], message: string): void {
    this.fail(new ClientError(kind, `${this.shownUrl}: ${message}`, this.protocol));
  }

  /** The machine's last words, then every socket closed; safe to call more than once. */
  close(): Promise<void> {
    this.closing ??= (() => {
      this.options.signal?.removeEventListener('abort', this.onAbort);
      this.cancelTick?.();
      this.cancelTick = null;
      this.items.end();
      return endControl(this.socket, this.shutdown());
    })();
    return this.closing;
  }

  private schedule(): void {
    this.cancelTick?.();
    this.cancelTick = null;
    const at = this.closing === null ? this.machine.nextDeadline() : null;
    if (at !== null)
      this.cancelTick = systemClock.at(at, () => this.apply(this.machine.tick(systemClock.now())));
  }
}
