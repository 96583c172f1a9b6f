// One MS-RTSP reader of the fan-out benchmark, for `rtspt` (RTP interleaved on the RTSP connection) and `rtspu`
// (RTP as UDP datagrams to a port pair of the reader's own). Everything is the bench's own code: the RTSP
// messages, the SDP, the RTP header, the ASF payload format header (rtsp.md §5.3) and the ASF packet timing
// (lib/asf.ts); nothing of netshow's src/rtsp is used on the measuring side.
//
// Sequence (rtsp.md §1, §4, golden exchange §9), one step per reply, on one TCP connection:
//   OPTIONS
//   DESCRIBE (Accept: application/sdp)   -> ASF header from a=pgmpu, first audio/video a=control
//   SETUP <control>   Transport: RTP/AVP/TCP;unicast;interleaved=0-1 | RTP/AVP;unicast;client_port=P-P+1
//   PLAY <session control>   Range: npt=0.000-, Session from the SETUP reply
//   GET_PARAMETER (keep-alive, Session, no body) every 30 s (or timeout/2 if shorter) while playing
// A server request on the connection (the EndOfStream SET_PARAMETER, rtsp.md §4.6) is answered 200.
// RTP: `$` channel u16 frames between RTSP messages (even channel = RTP, odd = RTCP), or datagrams on P
// (RTCP on P+1 is received and dropped). Each RTP payload holds payload format headers (flags, u24 length or
// offset, optional 4-byte fields); L=1 pieces are whole ASF packets (length counted from the header's start, as
// netshow, WMS and FFmpeg write it; a value too small for that reading is taken as the packet's own length), L=0
// pieces are fragments at an offset, complete at the RTP marker. Each whole ASF packet goes through the same
// PacketClock as MMSH `$D`s; gaps in the RTP sequence numbers are counted as lost.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { readHeaderFacts, readPacketTiming } from './asf.js';
import type { ReaderConfig, RunningReader } from './mmsh-readers.js';
import { newResult, PacketClock, type Histograms } from './packet-clock.js';
import { round } from './stats.js';

const now = (): number => performance.timeOrigin + performance.now();
const CRLF2 = Buffer.from('\r\n\r\n');
const PGMPU = 'a=pgmpu:data:application/vnd.ms.wms-hdr.asfv1;base64,';
const USER_AGENT = 'netshow-bench/1 (fanout)';
const KEEPALIVE_MS = 30_000;

export type RtspMessage = {
  /** Replies: the status; requests: 0. */
  status: number;
  /** Requests from the server: the method. */
  method: string | null;
  headers: Map<string, string>;
  body: Buffer;
};

export type RtspFrame =
  { kind: 'message'; message: RtspMessage } | { kind: 'interleaved'; channel: number; data: Buffer };

/** Splits an RTSP connection's bytes into messages (head + Content-Length body) and `$` interleaved frames. */
export class RtspConnectionReader {
  private buf: Buffer = Buffer.alloc(0);
  error: string | null = null;

  push(chunk: Buffer): RtspFrame[] {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const out: RtspFrame[] = [];
    while (this.buf.length > 0 && !this.error) {
      if (this.buf[0] === 0x24) {
        if (this.buf.length < 4) break;
        const len = this.buf.readUInt16BE(2);
        if (this.buf.length < 4 + len) break;
        out.push({ kind: 'interleaved', channel: this.buf[1]!, data: this.buf.subarray(4, 4 + len) });
        this.buf = this.buf.subarray(4 + len);
        continue;
      }
      const end = this.buf.indexOf(CRLF2);
      if (end < 0) {
        if (this.buf.length > 65536) this.error = 'RTSP head over 64 KB';
        break;
      }
      const lines = this.buf.subarray(0, end).toString('latin1').split('\r\n');
      const first = lines[0] ?? '';
      const headers = new Map<string, string>();
      for (const l of lines.slice(1)) {
        const c = l.indexOf(':');
        if (c > 0) headers.set(l.slice(0, c).trim().toLowerCase(), l.slice(c + 1).trim());
      }
      const length = Number(headers.get('content-length') ?? 0) || 0;
      if (this.buf.length < end + 4 + length) break;
      const body = this.buf.subarray(end + 4, end + 4 + length);
      this.buf = this.buf.subarray(end + 4 + length);
      const reply = /^RTSP\/1\.0 (\d{3})/.exec(first);
      if (reply) {
        out.push({ kind: 'message', message: { status: Number(reply[1]), method: null, headers, body } });
      } else if (/^[A-Z_]+ \S+ RTSP\/1\.0$/.test(first)) {
        out.push({ kind: 'message', message: { status: 0, method: first.split(' ')[0]!, headers, body } });
      } else {
        this.error = `not RTSP: ${JSON.stringify(first.slice(0, 60))}`;
      }
    }
    return out;
  }
}

export type SdpFacts = {
  sessionControl: string | null;
  /** a=control of the first m=audio or m=video block. */
  mediaControl: string | null;
  header: Buffer | null;
};

export function readSdp(text: string): SdpFacts {
  const facts: SdpFacts = { sessionControl: null, mediaControl: null, header: null };
  let media: string | null = null; // null: session level
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('m=')) media = line.slice(2).split(' ')[0] ?? '';
    else if (line.toLowerCase().startsWith(PGMPU))
      facts.header = Buffer.from(line.slice(PGMPU.length), 'base64');
    else if (line.startsWith('a=control:')) {
      const c = line.slice('a=control:'.length);
      if (media === null) facts.sessionControl ??= c;
      else if ((media === 'audio' || media === 'video') && facts.mediaControl === null)
        facts.mediaControl = c;
    }
  }
  return facts;
}

/** A control attribute against a base URL (rtsp.md §3.2: FFmpeg appends, inserting `/` only if missing). */
export function resolveControl(base: string, control: string): string {
  if (/^rtsp:\/\//i.test(control)) return control;
  if (control === '*') return base;
  return base.endsWith('/') ? base + control : `${base}/${control}`;
}

/** Binds two UDP sockets on 127.0.0.1 at ports P and P+1 (a few tries; P from the kernel). */
async function bindPair(): Promise<[UdpSocket, UdpSocket]> {
  const bind = (port: number): Promise<UdpSocket | null> =>
    new Promise((done) => {
      const s = createSocket('udp4');
      s.once('error', () => {
        s.close();
        done(null);
      });
      s.bind(port, '127.0.0.1', () => {
        s.removeAllListeners('error');
        done(s);
      });
    });
  for (let attempt = 0; attempt < 20; attempt++) {
    const rtp = await bind(0);
    if (!rtp) continue;
    const p = rtp.address().port;
    const rtcp = p < 65535 ? await bind(p + 1) : null;
    if (rtcp) return [rtp, rtcp];
    rtp.close();
  }
  throw new Error('no free UDP port pair');
}

export function runRtspReader(i: number, cfg: ReaderConfig, h: Histograms): RunningReader {
  const udp = cfg.protocol === 'rtspu';
  const r = newResult(i);
  let started = now();
  let clock = new PacketClock(cfg, cfg.prerollMs, started);
  const conn = new RtspConnectionReader();
  const url = `rtsp://127.0.0.1:${cfg.port}${cfg.path}`;
  let cseq = 0;
  let stopped = false;
  let stage = 'no OPTIONS reply';
  let pending: string | null = null; // the method whose reply we wait for
  let session: string | null = null;
  let sessionUrl = url;
  let keepAliveMs = KEEPALIVE_MS;
  let keepAlive: NodeJS.Timeout | null = null;
  let socket: net.Socket | null = null;
  let pair: [UdpSocket, UdpSocket] | null = null;
  // RTP state
  let expectedSeq = -1;
  let fragments: Buffer[] = [];
  let fragmentBytes = 0;
  let fragmentBroken = false;

  const inWindow = (t: number): boolean => t >= cfg.windowStart && t < cfg.windowEnd;
  const count = (k: string): void => void (r.chunks[k] = (r.chunks[k] ?? 0) + 1);
  const fail = (why: string): void => {
    r.error ??= why;
    socket?.destroy();
  };
  const request = (method: string, target: string, extra: string[] = []): void => {
    if (!socket || socket.destroyed) return;
    pending = method;
    const lines = [`${method} ${target} RTSP/1.0`, `CSeq: ${++cseq}`, `User-Agent: ${USER_AGENT}`, ...extra];
    if (session) lines.push(`Session: ${session}`);
    socket.write(lines.join('\r\n') + '\r\n\r\n');
  };

  const onAsfPacket = (packet: Buffer, arrival: number): void => {
    const t = readPacketTiming(packet);
    if (!t) {
      r.badPackets++;
      return;
    }
    clock.packet(arrival, t, r);
  };

  const onRtp = (rtp: Buffer, arrival: number): void => {
    if (rtp.length < 12 || rtp[0]! >> 6 !== 2) {
      r.badPackets++;
      return;
    }
    count('RTP');
    const marker = (rtp[1]! & 0x80) !== 0;
    const seq = rtp.readUInt16BE(2);
    if (inWindow(arrival)) r.rtpPackets++;
    if (expectedSeq >= 0) {
      const gap = (seq - expectedSeq) & 0xffff;
      if (gap > 0 && gap < 0x8000) {
        r.lost += gap;
        if (inWindow(arrival)) r.lostInWindow += gap;
        fragmentBroken = true; // a fragment of the packet being collected may be the lost one
      } else if (gap >= 0x8000) {
        r.outOfOrder++;
        r.lost = Math.max(0, r.lost - 1);
        return; // a late packet: its ASF packet was given up
      }
    }
    expectedSeq = (seq + 1) & 0xffff;
    let at = 12 + 4 * (rtp[0]! & 0x0f);
    if (rtp[0]! & 0x10) {
      if (at + 4 > rtp.length) return void r.badPackets++;
      at += 4 + 4 * rtp.readUInt16BE(at + 2);
    }
    let end = rtp.length;
    if (rtp[0]! & 0x20) end -= rtp[end - 1] ?? 0; // RTP padding
    while (at + 4 <= end) {
      const flags = rtp[at]!;
      const lengthOrOffset = rtp.readUInt32BE(at) & 0xffffff;
      const headerSize = 4 + (flags & 0x20 ? 4 : 0) + (flags & 0x10 ? 4 : 0) + (flags & 0x08 ? 4 : 0);
      const dataAt = at + headerSize;
      if (dataAt > end) return void r.badPackets++;
      if (flags & 0x40) {
        // a whole ASF packet: length from the header's start (WMS/FFmpeg), else the packet's own length
        const stop = lengthOrOffset >= headerSize ? at + lengthOrOffset : dataAt + lengthOrOffset;
        const packetEnd = Math.min(end, stop > dataAt ? stop : end);
        fragments = [];
        fragmentBytes = 0;
        onAsfPacket(rtp.subarray(dataAt, packetEnd), arrival);
        at = packetEnd;
        continue;
      }
      // a fragment: the rest of this RTP payload, at `lengthOrOffset` in the ASF packet
      if (lengthOrOffset === 0) {
        fragments = [];
        fragmentBytes = 0;
        fragmentBroken = false;
      } else if (lengthOrOffset !== fragmentBytes) {
        fragmentBroken = true;
      }
      const piece = rtp.subarray(dataAt, end);
      fragments.push(piece);
      fragmentBytes += piece.length;
      if (marker) {
        if (fragmentBroken) count('brokenFragments');
        else onAsfPacket(Buffer.concat(fragments, fragmentBytes), arrival);
        fragments = [];
        fragmentBytes = 0;
        fragmentBroken = false;
      }
      break;
    }
  };

  const onReply = (m: RtspMessage): void => {
    const method = pending;
    pending = null;
    count(`${method ?? 'unasked'} reply`);
    if (method === 'GET_PARAMETER') return; // keep-alive: any status will do
    r.status = m.status;
    if (m.status !== 200) return fail(`${method} ${m.status}`);
    switch (method) {
      case 'OPTIONS':
        stage = 'no DESCRIBE reply';
        request('DESCRIBE', url, ['Accept: application/sdp']);
        break;
      case 'DESCRIBE': {
        const sdp = readSdp(m.body.toString('utf8'));
        const facts = sdp.header ? readHeaderFacts(sdp.header) : null;
        if (!facts) return fail('SDP holds no ASF header');
        if (facts.prerollMs > 0) clock.prerollMs = facts.prerollMs;
        if (!sdp.mediaControl) return fail('SDP has no audio/video a=control');
        const base = sdp.sessionControl?.match(/^rtsp:\/\//i)
          ? sdp.sessionControl
          : (m.headers.get('content-base') ?? url);
        sessionUrl = base;
        const transport = udp
          ? `RTP/AVP;unicast;client_port=${pair![0].address().port}-${pair![1].address().port}`
          : 'RTP/AVP/TCP;unicast;interleaved=0-1';
        stage = 'no SETUP reply';
        request('SETUP', resolveControl(base, sdp.mediaControl), [`Transport: ${transport}`]);
        break;
      }
      case 'SETUP': {
        const s = m.headers.get('session');
        if (!s) return fail('SETUP reply without Session');
        session = s.split(';')[0]!.trim();
        const timeout = /timeout=(\d+)/i.exec(s);
        if (timeout) keepAliveMs = Math.min(KEEPALIVE_MS, (Number(timeout[1]) * 1000) / 2);
        stage = 'no PLAY reply';
        request('PLAY', sessionUrl, ['Range: npt=0.000-']);
        break;
      }
      case 'PLAY':
        r.playing = true;
        stage = 'no RTP packet';
        keepAlive = setInterval(() => {
          if (pending === null) {
            r.pings++;
            request('GET_PARAMETER', sessionUrl);
          }
        }, keepAliveMs);
        break;
    }
  };

  const onServerRequest = (m: RtspMessage): void => {
    count(m.method ?? '?');
    const cs = m.headers.get('cseq');
    if (m.method === 'SET_PARAMETER' && /EOF:\s*true/i.test(m.body.toString('latin1'))) r.endReason ??= 1;
    socket?.write(
      `RTSP/1.0 200 OK\r\n${cs ? `CSeq: ${cs}\r\n` : ''}${session ? `Session: ${session}\r\n` : ''}\r\n`,
    );
  };

  const connect = (): void => {
    started = now(); // rtspu: after binding the port pair, as mmsu starts after binding its socket
    clock = new PacketClock(cfg, cfg.prerollMs, started);
    const s = net.connect({ host: '127.0.0.1', port: cfg.port });
    socket = s;
    s.setNoDelay(true);
    s.on('connect', () => {
      r.connectMs = round(now() - started, 2);
      request('OPTIONS', url);
    });
    s.on('data', (b: Buffer) => {
      const arrival = now();
      r.firstByteMs ??= round(arrival - started, 2);
      if (inWindow(arrival)) r.wireBytes += b.length;
      for (const f of conn.push(b)) {
        if (f.kind === 'interleaved') {
          if (f.channel % 2 === 0) onRtp(f.data, arrival);
          else count('RTCP');
        } else if (f.message.method) onServerRequest(f.message);
        else onReply(f.message);
      }
      if (conn.error) fail(conn.error);
    });
    s.on('error', (e: NodeJS.ErrnoException) => {
      r.error ??= e.code ?? e.message;
    });
    s.on('close', () => {
      if (!stopped && now() < cfg.windowEnd) r.closedEarly = true;
    });
  };

  if (!udp) {
    connect();
  } else {
    bindPair().then(
      (p) => {
        if (stopped) {
          for (const s of p) s.close();
          return;
        }
        pair = p;
        p[0].on('message', (m: Buffer) => {
          const arrival = now();
          if (inWindow(arrival)) {
            r.datagrams++;
            r.wireBytes += m.length;
          }
          onRtp(m, arrival);
        });
        p[1].on('message', () => count('RTCP'));
        for (const s of p) s.on('error', (e: NodeJS.ErrnoException) => fail(`udp ${e.code ?? e.message}`));
        connect();
      },
      (e: Error) => fail(e.message),
    );
  }

  return {
    result: r,
    stop: () => {
      stopped = true;
      if (keepAlive) clearInterval(keepAlive);
      socket?.destroy();
      for (const s of pair ?? []) {
        try {
          s.close();
        } catch {
          // closed already
        }
      }
      if (!r.playing || (r.chunks.RTP ?? 0) === 0) r.error ??= stage;
      clock.finish(r, h);
    },
  };
}
