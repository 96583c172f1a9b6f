// The client's MS-MMSP adapter: one TCP control connection (and for MMSU one UDP data socket) around the pure
// MmspClientMachine, turned into an AsfStream [MS-MMSP 3.1; mmsp.md §3.4, §5.1, §5.2; rollover.md §2].
// UDP resend requests (RequestPacketListResend) are not sent: loopback and LANs do not lose datagrams, and a
// lost packet only leaves a gap the recorder tolerates.
import { randomUUID } from 'node:crypto';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import type { Socket } from 'node:net';
import { systemClock } from '../core/clock.js';
import {
  DEFAULT_PLAYER,
  MmspClientMachine,
  type MmspClientEvent,
  type MmspClientOutput,
} from '../mmsp/client-machine.js';
import { selectStreams } from './select-streams.js';
import { ControlAttempt, credentials, plainIp } from './control-attempt.js';
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

class MmsAttempt extends ControlAttempt<MmspClientEvent, MmspClientOutput, URL> {
  protected readonly machine: MmspClientMachine;
  private udp: UdpSocket | null = null;
  private header: Extract<MmspClientEvent, { type: 'header' }> | null = null;

  constructor(
    url: URL,
    options: OpenOptions,
    private readonly transport: 'tcp' | 'udp',
  ) {
    super(url, options, protocolOf(transport), url.href, transport === 'tcp');
    this.machine = new MmspClientMachine(
      {
        // mmsp.md §2.2: the path and query as the URL holds them, without the leading "/".
        fileName: `${url.pathname}${url.search}`.replace(/^\//, ''),
        host: url.host,
        transport,
        subscriberGuid: randomUUID().toUpperCase(),
        player: /^NSPlayer\//.test(options.userAgent ?? '') ? options.userAgent! : DEFAULT_PLAYER,
        ...credentials(url, options),
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
    return this.connectTo(DEFAULT_MMS_PORT);
  }

  protected closedOutput(): MmspClientOutput {
    return this.machine.closed(systemClock.now());
  }

  protected shutdown(): readonly Buffer[] {
    this.udp?.close();
    this.udp = null;
    return this.machine.close(systemClock.now()).out;
  }

  protected async connected(s: Socket): Promise<void> {
    let port = s.localPort ?? 0;
    try {
      if (this.transport === 'udp') port = await this.bindUdp(s);
    } catch (err) {
      return this.failed('refused', `UDP port: ${(err as Error).message}`);
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

  protected onEvent(e: MmspClientEvent): void {
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
        return this.resolveOpen(this.header);
      case 'packet':
        return this.items.push({ kind: 'packet', data: e.data });
      case 'end':
        return this.items.end();
      case 'redirect':
        return this.redirected(e.location);
      case 'failed':
        return this.failed(e.kind, e.message);
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
    this.resolveRedirect(next);
  }
}
