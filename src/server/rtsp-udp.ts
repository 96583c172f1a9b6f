// The two UDP sockets of MS-RTSP over UDP, shared by every session: RTP leaves from one, RTCP from the
// other, and receiver reports arriving on the RTCP socket go to the session whose peer sent them. Data
// only ever goes to the IP address of a session's own RTSP connection.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import type { Logger } from 'pino';

export interface RtcpListener {
  rtcp(datagram: Buffer): void;
}

export class RtspUdp {
  private rtpSock: UdpSocket | null = null;
  private rtcpSock: UdpSocket | null = null;
  private readonly listeners = new Map<string, RtcpListener>();
  /** Datagrams sent, for tests and observers. */
  sent = 0;

  constructor(private readonly log: Logger) {}

  get ports(): readonly [number, number] | null {
    if (!this.rtpSock || !this.rtcpSock) return null;
    return [this.rtpSock.address().port, this.rtcpSock.address().port];
  }

  /** Binds RTP on `port` (0 = any) and RTCP on the next port when free, else any. */
  async bind(host: string, port: number): Promise<void> {
    this.rtpSock = await bindUdp(host, port, this.log);
    const rtp = this.rtpSock.address().port;
    this.rtcpSock = await bindUdp(host, rtp + 1, this.log).catch(() => bindUdp(host, 0, this.log));
    this.rtcpSock.on('message', (msg, r) => this.listeners.get(key(r.address, r.port))?.rtcp(msg));
  }

  /** RTCP from `ip:port` (the client's RTCP port) belongs to this listener until `unlisten`. */
  listen(ip: string, port: number, l: RtcpListener): void {
    this.listeners.set(key(ip, port), l);
  }

  unlisten(ip: string, port: number): void {
    this.listeners.delete(key(ip, port));
  }

  sendRtp(datagram: readonly Buffer[], ip: string, port: number): void {
    this.send(this.rtpSock, datagram, ip, port);
  }

  sendRtcp(datagram: Buffer, ip: string, port: number): void {
    this.send(this.rtcpSock, [datagram], ip, port);
  }

  async close(): Promise<void> {
    const socks = [this.rtpSock, this.rtcpSock];
    this.rtpSock = this.rtcpSock = null;
    this.listeners.clear();
    await Promise.all(socks.map((s) => new Promise<void>((r) => (s ? s.close(() => r()) : r()))));
  }

  private send(sock: UdpSocket | null, datagram: readonly Buffer[], ip: string, port: number): void {
    if (!sock || port <= 0 || port > 65535) return;
    this.sent++;
    sock.send([...datagram], port, plain(ip));
  }
}

function plain(ip: string): string {
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip;
}

function key(ip: string, port: number): string {
  return `${plain(ip)}:${port}`;
}

function bindUdp(host: string, port: number, log: Logger): Promise<UdpSocket> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    s.once('error', reject);
    s.bind({ address: host === '::' ? '0.0.0.0' : host, port }, () => {
      s.off('error', reject);
      s.on('error', (e) => log.warn({ err: e.message }, 'rtsp udp socket error'));
      resolve(s);
    });
  });
}
