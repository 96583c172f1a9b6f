// The client's MS-RTSP adapter: one TCP connection (and for RTSPU the RTP/RTCP and rtx UDP sockets) around
// the pure RtspClientMachine, turned into an AsfStream [MS-RTSP 3.1; rtsp.md §1, §5; rollover.md §2].
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, type Socket } from 'node:net';
import { systemClock } from '../core/clock.js';
import {
  RtspClientMachine,
  type RtspClientEvent,
  type RtspClientOutput,
  type RtspUdpPorts,
} from '../rtsp/client-machine.js';
import { selectStreams } from './select-streams.js';
import { StreamQueue, endControl } from './stream-queue.js';
import { ClientError, type AsfStream, type ClientProtocol, type OpenOptions } from './types.js';

const DEFAULT_RTSP_PORT = 554;
/** The preroll burst arrives at once; the default receive buffer would drop part of it. */
const UDP_RECEIVE_BUFFER = 4 * 1024 * 1024;

/** Opens `rtsp://host[:port]/path?query` over RTSP with RTP on UDP (rtspu) or interleaved on TCP (rtspt). */
export function openRtsp(url: URL, options: OpenOptions, transport: 'udp' | 'tcp'): Promise<AsfStream> {
  return new RtspAttempt(url, options, transport).open();
}

const plainIp = (ip: string): string => ip.replace(/^::ffff:(?=\d+\.)/, '');

class RtspAttempt {
  private readonly protocol: ClientProtocol;
  private readonly requestUrl: string;
  private readonly machine: RtspClientMachine;
  private socket: Socket | null = null;
  private udp: UdpSocket[] = [];
  private serverIp = '';
  private cancelTick: (() => void) | null = null;
  private header: Extract<RtspClientEvent, { type: 'described' }> | null = null;
  private readonly items = new StreamQueue(
    () => (this.transport === 'tcp' ? this.socket : null),
    () => this.close(),
  );
  private opened = false;
  private settle: { resolve: (s: AsfStream) => void; reject: (e: unknown) => void } | null = null;
  private closing: Promise<void> | null = null;
  private readonly onAbort = (): void =>
    this.fail(this.options.signal?.reason ?? new DOMException('aborted', 'AbortError'));

  constructor(
    private readonly url: URL,
    private readonly options: OpenOptions,
    private readonly transport: 'udp' | 'tcp',
  ) {
    this.protocol = transport === 'udp' ? 'rtspu' : 'rtspt';
    // The path and query go out as the URL holds them; only the scheme becomes rtsp.
    this.requestUrl = `rtsp://${url.host}${url.pathname === '' ? '/' : url.pathname}${url.search}`;
    const user = options.user ?? (url.username === '' ? undefined : decodeURIComponent(url.username));
    const password = options.password ?? (url.password === '' ? undefined : decodeURIComponent(url.password));
    this.machine = new RtspClientMachine(
      {
        url: this.requestUrl,
        transport,
        ...(options.userAgent === undefined ? {} : { userAgent: options.userAgent }),
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

  open(): Promise<AsfStream> {
    return new Promise<AsfStream>((resolve, reject) => {
      this.settle = { resolve, reject };
      const signal = this.options.signal;
      if (signal?.aborted) return this.onAbort();
      signal?.addEventListener('abort', this.onAbort, { once: true });
      this.schedule();
      const host = this.url.hostname.replace(/^\[(.*)\]$/, '$1');
      const port = this.url.port === '' ? DEFAULT_RTSP_PORT : Number(this.url.port);
      const s = connect({ host, port });
      this.socket = s;
      s.setNoDelay(true);
      s.once('connect', () => void this.connected(s));
      // Errors once the session runs end in 'close', which the machine judges by its state.
      s.on('error', (err: NodeJS.ErrnoException) => {
        if (!this.started) this.connectFailed(err);
      });
      s.on('data', (b: Buffer) => this.apply(this.machine.receive(b, systemClock.now())));
      s.once('close', () => this.apply(this.machine.closed()));
    });
  }

  /** OPTIONS went out: from here the machine decides what a closed connection means. */
  private started = false;

  private connectFailed(err: NodeJS.ErrnoException): void {
    const kind = err.code === 'ETIMEDOUT' ? 'timeout' : 'refused';
    this.fail(new ClientError(kind, `${this.requestUrl}: ${err.message}`, this.protocol));
  }

  private async connected(s: Socket): Promise<void> {
    this.serverIp = plainIp(s.remoteAddress ?? '');
    let ports: RtspUdpPorts | null = null;
    try {
      if (this.transport === 'udp') ports = await this.bindUdp(s);
    } catch (err) {
      return this.fail(new ClientError('refused', `UDP ports: ${(err as Error).message}`, this.protocol));
    }
    if (this.closing !== null || s.destroyed) return;
    this.started = true;
    this.apply(this.machine.start(systemClock.now(), ports));
  }

  /** Data RTP + RTCP, and the rtx pair WMS wants set up first; datagrams count only from the server. */
  private async bindUdp(s: Socket): Promise<RtspUdpPorts> {
    const type = s.remoteFamily === 'IPv6' ? 'udp6' : 'udp4';
    const bind = (): Promise<UdpSocket> =>
      new Promise((resolve, reject) => {
        const u = createSocket({ type, recvBufferSize: UDP_RECEIVE_BUFFER });
        this.udp.push(u);
        u.once('error', reject);
        u.bind(0, s.localAddress, () => {
          u.off('error', reject);
          u.on('error', () => undefined);
          resolve(u);
        });
      });
    const [rtp, rtcp, rtxRtp, rtxRtcp] = await Promise.all([bind(), bind(), bind(), bind()]);
    const from =
      (handle: (d: Buffer, now: number) => RtspClientOutput) => (d: Buffer, r: { address: string }) => {
        if (plainIp(r.address) === this.serverIp) this.apply(handle(d, systemClock.now()));
      };
    rtp.on(
      'message',
      from((d, now) => this.machine.rtp(d, now)),
    );
    rtcp.on(
      'message',
      from((d, now) => this.machine.rtcp(d, now)),
    );
    const port = (u: UdpSocket | undefined): number => u!.address().port;
    return { data: [port(rtp), port(rtcp)], rtx: [port(rtxRtp), port(rtxRtcp)] };
  }

  private apply(o: RtspClientOutput): void {
    const s = this.socket;
    if (s !== null && !s.destroyed && s.writable) for (const b of o.out) s.write(b);
    for (const e of o.events) this.onEvent(e);
    this.schedule();
  }

  private onEvent(e: RtspClientEvent): void {
    switch (e.type) {
      case 'described': {
        this.header = e;
        let streams: number[];
        try {
          streams = selectStreams(e.asf, this.options.streams).filter((n) => e.streams.includes(n));
        } catch (err) {
          return this.fail(err);
        }
        return this.apply(this.machine.setup(streams, systemClock.now()));
      }
      case 'playing':
        return this.resolveOpen();
      case 'packet':
        return this.items.push({ kind: 'packet', data: e.data });
      case 'end':
        return this.items.end();
      case 'failed':
        return this.fail(new ClientError(e.kind, `${this.requestUrl}: ${e.message}`, this.protocol));
    }
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
      url: this.requestUrl,
      ...(h.server === null ? {} : { server: h.server }),
      header: h.header,
      live: h.live,
      packets: this.items,
      close: () => this.close(),
    });
  }

  /** Before PLAY's reply: the open fails. After: the reader gets the error once the queue is read. */
  private fail(err: unknown): void {
    if (this.items.settled || this.closing !== null) return;
    const failure = err instanceof Error ? err : new Error(String(err));
    this.items.fail(failure);
    if (!this.opened) this.settle?.reject(failure);
    void this.close();
  }

  /** TEARDOWN when a session exists, then every socket closed; safe to call more than once. */
  close(): Promise<void> {
    this.closing ??= (() => {
      this.options.signal?.removeEventListener('abort', this.onAbort);
      this.cancelTick?.();
      this.cancelTick = null;
      this.items.end();
      for (const u of this.udp) u.close();
      this.udp = [];
      return endControl(this.socket, this.machine.teardown(systemClock.now()).out);
    })();
    return this.closing;
  }
}
