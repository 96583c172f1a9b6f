// The client's MS-MMSP adapter: one TCP control connection (and for MMSU one UDP data socket) around the pure
// MmspClientMachine, turned into an AsfStream [MS-MMSP 3.1; mmsp.md §3.4, §5.1, §5.2; rollover.md §2].
// UDP resend requests (RequestPacketListResend) are not sent: loopback and LANs do not lose datagrams, and a
// lost packet only leaves a gap the recorder tolerates.
import { randomUUID } from 'node:crypto';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, type Socket } from 'node:net';
import { systemClock } from '../core/clock.js';
import {
  DEFAULT_PLAYER,
  MmspClientMachine,
  type MmspClientEvent,
  type MmspClientOutput,
} from '../mmsp/client-machine.js';
import { selectStreams } from './select-streams.js';
import { StreamQueue, endControl } from './stream-queue.js';
import { ClientError, type AsfStream, type ClientProtocol, type OpenOptions } from './types.js';

const DEFAULT_MMS_PORT = 1755;
/** rollover.md §2.3: an MMS redirect restarts at the new URL, at most this many times. */
const MAX_REDIRECTS = 5;
/** A preroll's worth of datagrams may arrive at once; the default receive buffer would drop part of it. */
const UDP_RECEIVE_BUFFER = 4 * 1024 * 1024;

/** Opens `mmst://` or `mmsu://` `host[:port]/path?query` (any mms-like scheme) with data over TCP or UDP. */
export async function openMms(url: URL, options: OpenOptions, transport: 'tcp' | 'udp'): Promise<AsfStream> {
  let target = url;
  for (let hop = 0; ; hop++) {
    const outcome = await new MmsAttempt(target, options, transport).open();
    if (!(outcome instanceof URL)) return outcome;
    if (hop >= MAX_REDIRECTS)
      throw new ClientError('protocol', `more than ${MAX_REDIRECTS} MMS redirects`, protocolOf(transport));
    target = outcome;
  }
}

const protocolOf = (transport: 'tcp' | 'udp'): ClientProtocol => (transport === 'udp' ? 'mmsu' : 'mmst');
const plainIp = (ip: string): string => ip.replace(/^::ffff:(?=\d+\.)/, '');

class MmsAttempt {
  private readonly protocol: ClientProtocol;
  private readonly machine: MmspClientMachine;
  private socket: Socket | null = null;
  private udp: UdpSocket | null = null;
  private started = false;
  private cancelTick: (() => void) | null = null;
  private header: Extract<MmspClientEvent, { type: 'header' }> | null = null;
  private readonly items = new StreamQueue(
    () => (this.transport === 'tcp' ? this.socket : null),
    () => this.close(),
  );
  private opened = false;
  private settle: { resolve: (s: AsfStream | URL) => void; reject: (e: unknown) => void } | null = null;
  private closing: Promise<void> | null = null;
  private readonly onAbort = (): void =>
    this.fail(this.options.signal?.reason ?? new DOMException('aborted', 'AbortError'));

  constructor(
    private readonly url: URL,
    private readonly options: OpenOptions,
    private readonly transport: 'tcp' | 'udp',
  ) {
    this.protocol = protocolOf(transport);
    const user = options.user ?? (url.username === '' ? undefined : decodeURIComponent(url.username));
    const password = options.password ?? (url.password === '' ? undefined : decodeURIComponent(url.password));
    this.machine = new MmspClientMachine(
      {
        // mmsp.md §2.2: the path and query as the URL holds them, without the leading "/".
        fileName: `${url.pathname}${url.search}`.replace(/^\//, ''),
        host: url.host,
        transport,
        subscriberGuid: randomUUID().toUpperCase(),
        player: /^NSPlayer\//.test(options.userAgent ?? '') ? options.userAgent! : DEFAULT_PLAYER,
        ...(user === undefined ? {} : { user }),
        ...(password === undefined ? {} : { password }),
        ...(options.startMs === undefined ? {} : { startMs: options.startMs }),
        ...(options.fast === undefined ? {} : { fast: options.fast }),
        ...(options.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: options.connectTimeoutMs }),
        ...(options.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: options.idleTimeoutMs }),
      },
      systemClock.now(),
    );
  }

  /** The stream once data flows, or the URL a ReportRedirect names. */
  open(): Promise<AsfStream | URL> {
    return new Promise<AsfStream | URL>((resolve, reject) => {
      this.settle = { resolve, reject };
      const signal = this.options.signal;
      if (signal?.aborted) return this.onAbort();
      signal?.addEventListener('abort', this.onAbort, { once: true });
      this.schedule();
      const host = this.url.hostname.replace(/^\[(.*)\]$/, '$1');
      const port = this.url.port === '' ? DEFAULT_MMS_PORT : Number(this.url.port);
      const s = connect({ host, port });
      this.socket = s;
      s.setNoDelay(true);
      s.once('connect', () => void this.connected(s));
      // Errors once the session runs end in 'close', which the machine judges by its state.
      s.on('error', (err: NodeJS.ErrnoException) => {
        if (!this.started) this.connectFailed(err);
      });
      s.on('data', (b: Buffer) => this.apply(this.machine.receive(b, systemClock.now())));
      s.once('close', () => this.apply(this.machine.closed(systemClock.now())));
    });
  }

  private connectFailed(err: NodeJS.ErrnoException): void {
    const kind = err.code === 'ETIMEDOUT' ? 'timeout' : 'refused';
    this.fail(new ClientError(kind, `${this.url.href}: ${err.message}`, this.protocol));
  }

  private async connected(s: Socket): Promise<void> {
    let port = s.localPort ?? 0;
    try {
      if (this.transport === 'udp') port = await this.bindUdp(s);
    } catch (err) {
      return this.fail(new ClientError('refused', `UDP port: ${(err as Error).message}`, this.protocol));
    }
    if (this.closing !== null || s.destroyed) return;
    this.started = true;
    this.apply(this.machine.start(systemClock.now(), { address: plainIp(s.localAddress ?? ''), port }));
  }

  /** One UDP socket on the control connection's local address; datagrams count only from the server. */
  private bindUdp(s: Socket): Promise<number> {
    const serverIp = plainIp(s.remoteAddress ?? '');
    return new Promise((resolve, reject) => {
      const u = createSocket({
        type: s.remoteFamily === 'IPv6' ? 'udp6' : 'udp4',
        recvBufferSize: UDP_RECEIVE_BUFFER,
      });
      this.udp = u;
      u.once('error', reject);
      u.on('message', (d: Buffer, r: { address: string }) => {
        if (plainIp(r.address) === serverIp) this.apply(this.machine.datagram(d, systemClock.now()));
      });
      u.bind(0, s.localAddress, () => {
        u.off('error', reject);
        u.on('error', () => undefined);
        resolve(u.address().port);
      });
    });
  }

  private apply(o: MmspClientOutput): void {
    const s = this.socket;
    if (s !== null && !s.destroyed && s.writable) for (const b of o.out) s.write(b);
    for (const e of o.events) this.onEvent(e);
    this.schedule();
  }

  private onEvent(e: MmspClientEvent): void {
    switch (e.type) {
      case 'header': {
        if (e.change) this.items.push({ kind: 'header', header: e.header });
        else this.header = e;
        let streams: number[];
        try {
          streams = selectStreams(e.asf, this.options.streams);
        } catch (err) {
          return this.fail(err);
        }
        return this.apply(this.machine.play(streams, systemClock.now()));
      }
      case 'playing':
        return this.resolveOpen();
      case 'packet':
        return this.items.push({ kind: 'packet', data: e.data });
      case 'end':
        return this.items.end();
      case 'redirect':
        return this.redirected(e.location);
      case 'failed':
        return this.fail(new ClientError(e.kind, `${this.url.href}: ${e.message}`, this.protocol));
    }
  }

  /** [MS-MMSP 3.1.5.7] a new session at the location: the caller opens it (mms, mmst or mmsu alike). */
  private redirected(location: string): void {
    let next: URL;
    try {
      next = new URL(location, this.url);
    } catch {
      return this.fail(new ClientError('protocol', `redirect to ${JSON.stringify(location)}`, this.protocol));
    }
    if (!/^mms[tu]?:$/i.test(next.protocol))
      return this.fail(new ClientError('unsupported', `redirected to ${next.href}`, this.protocol));
    this.opened = true;
    this.settle?.resolve(next);
    void this.close();
  }

  private schedule(): void {
    this.cancelTick?.();
    this.cancelTick = null;
    const at = this.closing === null ? this.machine.nextDeadline() : null;
    if (at !== null)
      this.cancelTick = systemClock.at(at, () => this.apply(this.machine.tick(systemClock.now())));
  }

  private resolveOpen(): void {
    const h = this.header;
    if (this.opened || h === null) return;
    this.opened = true;
    this.settle?.resolve({
      protocol: this.protocol,
      url: this.url.href,
      ...(h.server === null ? {} : { server: h.server }),
      header: h.header,
      live: h.live,
      packets: this.items,
      close: () => this.close(),
    });
  }

  /** Before data flows: the open fails. After: the reader gets the error once the queue is read. */
  private fail(err: unknown): void {
    if (this.items.settled || this.closing !== null) return;
    const failure = err instanceof Error ? err : new Error(String(err));
    this.items.fail(failure);
    if (!this.opened) this.settle?.reject(failure);
    void this.close();
  }

  /** StopPlaying and CloseFile as the session needs them, then every socket closed; safe to call again. */
  close(): Promise<void> {
    this.closing ??= (() => {
      this.options.signal?.removeEventListener('abort', this.onAbort);
      this.cancelTick?.();
      this.cancelTick = null;
      this.items.end();
      this.udp?.close();
      this.udp = null;
      return endControl(this.socket, this.machine.close(systemClock.now()).out);
    })();
    return this.closing;
  }
}
