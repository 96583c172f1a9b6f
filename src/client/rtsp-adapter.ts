// The client's MS-RTSP adapter: one TCP connection (and for RTSPU the RTP/RTCP and rtx UDP sockets) around
// the pure RtspClientMachine, turned into an AsfStream [MS-RTSP 3.1; rtsp.md §1, §5; rollover.md §2].
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import type { Socket } from 'node:net';
import { systemClock } from '../core/clock.js';
import {
  RtspClientMachine,
  type RtspClientEvent,
  type RtspClientOutput,
  type RtspUdpPorts,
} from '../rtsp/client-machine.js';
import { selectStreams } from './select-streams.js';
import { ControlAttempt, credentials, plainIp } from './control-attempt.js';
import type { AsfStream, OpenOptions } from './types.js';

const DEFAULT_RTSP_PORT = 554;
/** The preroll burst arrives at once; the default receive buffer would drop part of it. */
const UDP_RECEIVE_BUFFER = 4 * 1024 * 1024;

/** Opens `rtsp://host[:port]/path?query` over RTSP with RTP on UDP (rtspu) or interleaved on TCP (rtspt). */
export function openRtsp(url: URL, options: OpenOptions, transport: 'udp' | 'tcp'): Promise<AsfStream> {
  return new RtspAttempt(url, options, transport).open();
}

class RtspAttempt extends ControlAttempt<RtspClientEvent, RtspClientOutput> {
  protected readonly machine: RtspClientMachine;
  private udp: UdpSocket[] = [];
  private serverIp = '';
  private header: Extract<RtspClientEvent, { type: 'described' }> | null = null;

  constructor(
    url: URL,
    options: OpenOptions,
    private readonly transport: 'udp' | 'tcp',
  ) {
    // The path and query go out as the URL holds them; only the scheme becomes rtsp.
    const requestUrl = `rtsp://${url.host}${url.pathname === '' ? '/' : url.pathname}${url.search}`;
    super(url, options, transport === 'udp' ? 'rtspu' : 'rtspt', requestUrl, transport === 'tcp');
    this.machine = new RtspClientMachine(
      {
        url: requestUrl,
        transport,
        ...(options.userAgent === undefined ? {} : { userAgent: options.userAgent }),
        ...credentials(url, options),
        ...(options.startMs === undefined ? {} : { startMs: options.startMs }),
        ...(options.fast === undefined ? {} : { fast: options.fast }),
        ...(options.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: options.connectTimeoutMs }),
        ...(options.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: options.idleTimeoutMs }),
      },
      systemClock.now(),
    );
  }

  open(): Promise<AsfStream> {
    return this.connectTo(DEFAULT_RTSP_PORT);
  }

  protected closedOutput(): RtspClientOutput {
    return this.machine.closed();
  }

  /** TEARDOWN when a session exists. */
  protected shutdown(): readonly Buffer[] {
    for (const u of this.udp) u.close();
    this.udp = [];
    return this.machine.teardown(systemClock.now()).out;
  }

  protected async connected(s: Socket): Promise<void> {
    this.serverIp = plainIp(s.remoteAddress ?? '');
    let ports: RtspUdpPorts | null = null;
    try {
      if (this.transport === 'udp') ports = await this.bindUdp(s);
    } catch (err) {
      return this.failed('refused', `UDP ports: ${(err as Error).message}`);
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

  protected onEvent(e: RtspClientEvent): void {
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
        return this.resolveOpen(this.header);
      case 'packet':
        return this.items.push({ kind: 'packet', data: e.data });
      case 'end':
        return this.items.end();
      case 'failed':
        return this.failed(e.kind, e.message);
    }
  }
}
