// The MMS UDP socket, on the same port number as the MMS TCP listener: it sends each UDP session's Data
// packets, and routes RequestPacketListResend datagrams to the session they name [MS-MMSP 3.2.5.11.1].
// Datagrams only ever go to the IP address of a session's own TCP peer, so the server cannot be aimed at
// a third party (a funnel name is ignored for the address) [MS-MMSP 3.2.5.5].
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { isIPv4 } from 'node:net';
import type { Logger } from 'pino';

/** What a session exposes to the UDP socket. */
export interface UdpSession {
  /** The TCP peer's IP: the only address datagrams for this session go to. */
  readonly peerIp: string;
  /** A resend request from that IP; returns the datagrams to send again. */
  resend(datagram: Buffer): (readonly Buffer[])[];
}

export class MmsUdp {
  private readonly sessions = new Map<number, UdpSession>();
  private socket: UdpSocket | null = null;
  /** Datagrams sent, for tests and observers. */
  sent = 0;

  constructor(private readonly log: Logger) {}

  async bind(host: string, port: number): Promise<void> {
    const socket = createSocket({ type: 'udp4', reuseAddr: false });
    socket.on('message', (msg, rinfo) => this.onMessage(msg, rinfo.address, rinfo.port));
    socket.on('error', (e) => this.log.warn({ err: e.message }, 'mms udp socket error'));
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind({ address: host === '::' ? '0.0.0.0' : host, port }, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    this.socket = socket;
  }

  register(clientId: number, session: UdpSession): void {
    this.sessions.set(clientId >>> 0, session);
  }

  unregister(clientId: number): void {
    this.sessions.delete(clientId >>> 0);
  }

  /**
   * Sends one datagram (given whole or as pieces, e.g. a header and a shared packet) to `ip:port`; `ip` is
   * always the session's own TCP peer.
   */
  send(datagram: Buffer | readonly Buffer[], ip: string, port: number): void {
    const address = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
    if (!this.socket || !isIPv4(address) || port <= 0 || port > 65535) return;
    this.sent++;
    this.socket.send(Buffer.isBuffer(datagram) ? datagram : [...datagram], port, address);
  }

  close(): Promise<void> {
    const s = this.socket;
    this.socket = null;
    this.sessions.clear();
    return new Promise((resolve) => (s ? s.close(() => resolve()) : resolve()));
  }

  private onMessage(msg: Buffer, ip: string, port: number): void {
    if (msg.length < 12) return;
    const session = this.sessions.get(msg.readUInt32LE(4));
    // A resend request counts only from the session's own peer; anything else is dropped silently.
    if (!session || normalise(session.peerIp) !== normalise(ip)) return;
    for (const d of session.resend(msg)) this.send(d, session.peerIp, port);
  }
}

function normalise(ip: string): string {
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip;
}
