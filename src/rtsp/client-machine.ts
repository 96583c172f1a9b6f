// One MS-RTSP client session as a pure machine: OPTIONS, DESCRIBE, SETUP of the chosen streams over UDP or
// interleaved TCP, PLAY, keep-alive, end of stream and TEARDOWN; RTP in, ASF packets out, in sequence order
// [MS-RTSP 3.1; RFC 2326; rtsp.md §1, §4, §5]. The adapter answers 'described' with setup(), feeds the
// connection's bytes to receive() and UDP datagrams to rtp()/rtcp(), and runs tick() at nextDeadline().
import { AttemptFailure, guarded, type AttemptFailureKind } from '../core/attempt-failure.js';
import { parseHeader, type AsfHeader } from '../asf/header.js';
import { NetshowError, ProtocolError } from '../core/errors.js';
import { formatNpt, parseRtpInfo, parseSession, parseTransport } from './headers.js';
import {
  RtspStreamDecoder,
  encodeRequest,
  encodeResponse,
  headerValue,
  headerValues,
  reasonPhrase,
  type RtspRequest,
  type RtspResponse,
} from './message.js';
import { AsfDepacketizer } from './rtp-asf.js';
import { decodeRtcp, decodeRtpPacket, type RtpPacket } from './rtp.js';
import { MAX_SDP_BYTES, decodeSdp, resolveControl, wmsSdpInfo } from './sdp.js';

/**
 * A WMP-style agent: WMS and netshow then read Range npt on the SDP's a=range scale, which includes the
 * preroll (rtsp.md §4.2), so a start time means the same thing to both.
 */
export const DEFAULT_CLIENT_USER_AGENT = 'WMPlayer/12.0.7601.17514 netshow/0.1';
/** [MS-RTSP 2.2.6.10] what this client understands; no packet pair (srvppair) and no LocationId. */
const SUPPORTED = 'com.microsoft.wm.sswitch, com.microsoft.wm.eosmsg';
const FAST_SUPPORTED = `${SUPPORTED}, com.microsoft.wm.fastcache`;
/** The Speed a fast (Fast Cache) play asks for; the server echoes what it does [rtsp.md §2.1]. */
const FAST_SPEED = '5.000';
const DEFAULT_SESSION_TIMEOUT_S = 60;
/** RTP packets held for a missing sequence number before it is given up as lost. */
const REORDER_WINDOW = 64;
const REORDER_WAIT_MS = 150;
/** Datagrams that may beat the PLAY reply (the preroll burst leaves at once); more is not a server. */
const MAX_EARLY_PACKETS = 4096;
/** UDP: data sent just before the EndOfStream notice may still be in flight behind it. */
const EOS_GRACE_MS = 300;

/** How an attempt failed, as src/client's FailureKind names it ('refused' is the adapter's). */
export type RtspFailureKind = AttemptFailureKind;

export interface RtspClientOptions {
  /** `rtsp://host[:port]/path[?query]`, sent as given. */
  readonly url: string;
  readonly transport: 'udp' | 'tcp';
  /** Default DEFAULT_CLIENT_USER_AGENT. */
  readonly userAgent?: string;
  readonly user?: string;
  readonly password?: string;
  /** Start in ms of media time (without preroll); on-demand only. */
  readonly startMs?: number;
  readonly fast?: boolean;
  /** From construction through the PLAY reply, and for UDP also until the first RTP packet. Default 5000. */
  readonly connectTimeoutMs?: number;
  /** No data for this long while playing: dropped. Default 15000. */
  readonly idleTimeoutMs?: number;
}

/** The client's UDP ports: RTP and RTCP of the data flow, and a pair for the rtx stream when bound. */
export interface RtspUdpPorts {
  readonly data: readonly [number, number];
  readonly rtx?: readonly [number, number] | null;
}

export type RtspClientState =
  | 'INIT'
  | 'OPTIONS'
  | 'DESCRIBE'
  | 'DESCRIBED'
  | 'SETUP'
  | 'PLAY'
  | 'PLAYING'
  | 'ENDED'
  | 'FAILED'
  | 'CLOSED';

export type RtspClientEvent =
  /** The content: answer with setup(stream numbers). `header` is the pgmpu bytes as received. */
  | {
      readonly type: 'described';
      readonly header: Buffer;
      readonly asf: AsfHeader;
      readonly server: string | null;
      readonly live: boolean;
      /** Streams with an SDP media block, the only ones a SETUP can name. */
      readonly streams: readonly number[];
    }
  /** The PLAY reply came, and over UDP the first RTP packet too: the attempt has succeeded. */
  | { readonly type: 'playing' }
  /** One ASF data packet, padding stripped by the server. */
  | { readonly type: 'packet'; readonly data: Buffer }
  | { readonly type: 'end' }
  | { readonly type: 'failed'; readonly kind: RtspFailureKind; readonly message: string };

export interface RtspClientOutput {
  /** Writes on the RTSP connection, in order. */
  readonly out: Buffer[];
  readonly events: RtspClientEvent[];
}

type Method = 'OPTIONS' | 'DESCRIBE' | 'SETUP' | 'PLAY' | 'GET_PARAMETER' | 'TEARDOWN';
interface Pending {
  readonly method: Method;
  readonly url: string;
  readonly headers: readonly [string, string][];
  /** The stream a SETUP names; null for rtx. */
  readonly stream?: number | null;
}
interface MediaBlock {
  readonly streamNumber: number | null;
  readonly control: string;
}

// Which reply moves the session on, from which state: anything else in flight is a keep-alive or TEARDOWN.
const ADVANCES: Readonly<Record<Method, RtspClientState | null>> = {
  OPTIONS: 'OPTIONS',
  DESCRIBE: 'DESCRIBE',
  SETUP: 'SETUP',
  PLAY: 'PLAY',
  GET_PARAMETER: null,
  TEARDOWN: null,
};

/** a - b on the 16-bit sequence circle, in -32768..32767. */
function seqDiff(a: number, b: number): number {
  return ((((a - b) & 0xffff) + 0x8000) & 0xffff) - 0x8000;
}

/** [rtsp.md §4.8; rollover.md §2.3] statuses that tell rollover something; the rest are protocol failures. */
function failureOf(status: number): RtspFailureKind {
  if (status === 404) return 'not-found';
  if (status === 401) return 'auth';
  if (status === 461) return 'unsupported';
  return 'protocol';
}

/** WMP's npt (and what netshow reads from WMP-like agents) includes the preroll; FFmpeg's does not. */
export function nptIncludesPreroll(userAgent: string): boolean {
  return /^(WMPlayer|GStreamer|LIVE555)\//i.test(userAgent);
}

export class RtspClientMachine {
  private stateNow: RtspClientState = 'INIT';
  private readonly decoder = new RtspStreamDecoder({ maxBodyBytes: MAX_SDP_BYTES });
  private readonly ua: string;
  private readonly connectTimeoutMs: number;
  private readonly idleTimeoutMs: number;
  private readonly startedAt: number;
  private out: Buffer[] = [];
  private events: RtspClientEvent[] = [];
  private cseq = 0;
  private readonly pending = new Map<number, Pending>();
  private authorization: string | null = null;
  private authTried = false;
  /** The first bytes from the server, until they have shown to start a reply. */
  private greeting = '';
  private live = false;
  private server: string | null = null;
  private base = '';
  private asf: AsfHeader | null = null;
  private blocks: MediaBlock[] = [];
  private setupQueue: MediaBlock[] = [];
  private ports: RtspUdpPorts | null = null;
  private session: string | null = null;
  private sessionTimeoutS = DEFAULT_SESSION_TIMEOUT_S;
  private lastSent = 0;
  private ssrc: number | null = null;
  private playingAt: number | null = null;
  private announced = false;
  private lastData: number | null = null;
  private endAt: number | null = null;
  private expected: number | null = null;
  private readonly held = new Map<number, RtpPacket>();
  private gapSince: number | null = null;
  private readonly depacketizer = new AsfDepacketizer();
  /** Sequence numbers given up as lost, and datagrams dropped as duplicates or unreadable. */
  lost = 0;
  discarded = 0;

  constructor(
    private readonly opt: RtspClientOptions,
    nowMs: number,
  ) {
    this.ua = opt.userAgent ?? DEFAULT_CLIENT_USER_AGENT;
    this.connectTimeoutMs = opt.connectTimeoutMs ?? 5000;
    this.idleTimeoutMs = opt.idleTimeoutMs ?? 15000;
    this.startedAt = nowMs;
  }

  get state(): RtspClientState {
    return this.stateNow;
  }

  get sessionId(): string | null {
    return this.session;
  }

  /** The connection is up: OPTIONS goes out. UDP needs its bound ports here. */
  start(nowMs: number, ports: RtspUdpPorts | null = null): RtspClientOutput {
    if (this.stateNow !== 'INIT') throw new NetshowError('E_RTSP_STATE', `start in ${this.stateNow}`);
    if (this.opt.transport === 'udp' && ports === null)
      throw new NetshowError('E_RTSP_PORTS', 'RTSP over UDP needs the client ports');
    this.ports = ports;
    this.stateNow = 'OPTIONS';
    this.send('OPTIONS', this.opt.url, [['Supported', SUPPORTED]], nowMs);
    return this.flush();
  }

  /** Bytes from the RTSP connection: replies, server requests and interleaved RTP/RTCP. */
  receive(bytes: Buffer, nowMs: number): RtspClientOutput {
    if (!this.active()) return this.flush();
    this.guard(() => {
      // A reply must come first (OPTIONS went out): anything else is not RTSP, and says so at once.
      if (this.greeting.length < 5) {
        this.greeting = (this.greeting + bytes.subarray(0, 5).toString('latin1')).slice(0, 5);
        if (!'RTSP/'.startsWith(this.greeting))
          throw new AttemptFailure(
            'protocol',
            `the server's first bytes ${JSON.stringify(this.greeting)} are not RTSP`,
          );
      }
      for (const f of this.decoder.push(bytes)) {
        if (!this.active()) break;
        if (f.kind === 'response') this.onResponse(f.response, nowMs);
        else if (f.kind === 'request') this.onServerRequest(f.request, nowMs);
        else if (f.channel % 2 === 0) this.onRtp(f.payload, nowMs);
        else this.onRtcp(f.payload, nowMs);
      }
    });
    return this.flush();
  }

  /** The adapter's answer to 'described': the ASF stream numbers to SETUP, in order. */
  setup(streams: readonly number[], nowMs: number): RtspClientOutput {
    if (this.stateNow !== 'DESCRIBED')
      throw new NetshowError('E_RTSP_STATE', `setup in ${this.stateNow}, not DESCRIBED`);
    this.guard(() => {
      const av = this.blocks.filter((b) => b.streamNumber !== null && streams.includes(b.streamNumber));
      if (av.length === 0)
        throw new AttemptFailure('unsupported', `none of streams ${streams.join(', ')} is in the SDP`);
      const rtx = this.blocks.find((b) => b.streamNumber === null);
      // [rtsp.md §4.1] WMS over UDP wants rtx set up first; over TCP nobody sets it up.
      const withRtx = this.opt.transport === 'udp' && rtx !== undefined && (this.ports?.rtx ?? null) !== null;
      this.setupQueue = withRtx ? [rtx, ...av] : av;
      this.stateNow = 'SETUP';
      this.nextSetup(nowMs);
    });
    return this.flush();
  }

  /** One datagram from the server's address to the RTP port. */
  rtp(datagram: Buffer, nowMs: number): RtspClientOutput {
    if (this.active()) this.guard(() => this.onRtp(datagram, nowMs));
    return this.flush();
  }

  /** One datagram from the server's address to the RTCP port. */
  rtcp(datagram: Buffer, nowMs: number): RtspClientOutput {
    if (this.active()) this.guard(() => this.onRtcp(datagram, nowMs));
    return this.flush();
  }

  nextDeadline(): number | null {
    if (!this.active()) return null;
    const t: (number | null)[] = [
      this.endAt,
      this.gapSince === null ? null : this.gapSince + REORDER_WAIT_MS,
    ];
    if (this.stateNow !== 'PLAYING') t.push(this.startedAt + this.connectTimeoutMs);
    else if (this.lastData === null && this.opt.transport === 'udp')
      t.push(this.playingAt! + this.connectTimeoutMs);
    else t.push((this.lastData ?? this.playingAt!) + this.idleTimeoutMs);
    if (this.session !== null) t.push(this.keepAliveAt());
    const due = t.filter((x): x is number => x !== null);
    return due.length === 0 ? null : Math.min(...due);
  }

  /** Timers at `nowMs`: connect and data timeouts, the reorder wait, the end's grace, keep-alive. */
  tick(nowMs: number): RtspClientOutput {
    if (!this.active()) return this.flush();
    this.guard(() => {
      if (this.endAt !== null && nowMs >= this.endAt) return this.finish();
      if (this.stateNow !== 'PLAYING') {
        if (nowMs >= this.startedAt + this.connectTimeoutMs)
          throw new AttemptFailure(
            'timeout',
            `no PLAY reply within ${this.connectTimeoutMs} ms (in ${this.stateNow})`,
          );
      } else if (this.lastData === null && this.opt.transport === 'udp') {
        if (nowMs >= this.playingAt! + this.connectTimeoutMs)
          throw new AttemptFailure('timeout', `no RTP over UDP within ${this.connectTimeoutMs} ms of PLAY`);
      } else if (nowMs >= (this.lastData ?? this.playingAt!) + this.idleTimeoutMs) {
        throw new AttemptFailure('dropped', `no data for ${this.idleTimeoutMs} ms`);
      }
      if (this.gapSince !== null && nowMs >= this.gapSince + REORDER_WAIT_MS) this.drain(nowMs, 'gap');
      // [rtsp.md §4.4] GET_PARAMETER with no body is the keep-alive, every timeout/2.
      if (this.session !== null && nowMs >= this.keepAliveAt())
        this.send('GET_PARAMETER', this.base, [], nowMs);
    });
    return this.flush();
  }

  /** Ends the session: TEARDOWN when one was set up. The machine is CLOSED afterwards. */
  teardown(nowMs: number): RtspClientOutput {
    if (this.stateNow === 'CLOSED') return this.flush();
    if (this.session !== null) this.send('TEARDOWN', this.base, [], nowMs);
    this.stateNow = 'CLOSED';
    return this.flush();
  }

  /** The connection ended from the server's side. */
  closed(): RtspClientOutput {
    if (!this.active()) return this.flush();
    this.guard(() => {
      this.decoder.end();
      if (this.stateNow === 'PLAYING')
        throw new AttemptFailure('dropped', 'the server closed the connection');
      throw new AttemptFailure('protocol', `the server closed the connection in ${this.stateNow}`);
    });
    return this.flush();
  }

  // ---- internals ----

  private active(): boolean {
    return this.stateNow !== 'ENDED' && this.stateNow !== 'FAILED' && this.stateNow !== 'CLOSED';
  }

  private guard(fn: () => void): void {
    guarded(fn, (kind, message) => this.fail(kind, message));
  }

  private fail(kind: RtspFailureKind, message: string): void {
    if (!this.active()) return;
    this.stateNow = 'FAILED';
    this.endAt = null;
    this.gapSince = null;
    this.events.push({ type: 'failed', kind, message });
  }

  private flush(): RtspClientOutput {
    const o = { out: this.out, events: this.events };
    this.out = [];
    this.events = [];
    return o;
  }

  private keepAliveAt(): number {
    return this.lastSent + (this.sessionTimeoutS * 1000) / 2;
  }

  private send(
    method: Method,
    url: string,
    headers: readonly [string, string][],
    nowMs: number,
    stream?: number | null,
  ): void {
    const cseq = ++this.cseq;
    this.pending.set(
      cseq,
      stream === undefined ? { method, url, headers } : { method, url, headers, stream },
    );
    const all: [string, string][] = [
      ['CSeq', String(cseq)],
      ['User-Agent', this.ua],
    ];
    if (this.session !== null) all.push(['Session', this.session]);
    if (this.authorization !== null) all.push(['Authorization', this.authorization]);
    all.push(...headers);
    this.out.push(encodeRequest({ method, url, version: 'RTSP/1.0', headers: all, body: Buffer.alloc(0) }));
    this.lastSent = nowMs;
  }

  private onResponse(res: RtspResponse, nowMs: number): void {
    const text = headerValue(res.headers, 'cseq');
    // A reply without CSeq answers the oldest request (some servers drop it from error replies).
    const cseq =
      text !== undefined && /^\d{1,10}$/.test(text.trim()) ? Number(text) : this.pending.keys().next().value;
    const p = cseq === undefined ? undefined : this.pending.get(cseq);
    if (p === undefined || cseq === undefined) return;
    this.pending.delete(cseq);
    const step = ADVANCES[p.method];
    if (step === null) {
      if (res.status === 454 && p.method === 'GET_PARAMETER')
        throw new AttemptFailure('dropped', 'the server no longer knows the session (454)');
      return;
    }
    if (step !== this.stateNow) return;
    if (res.status === 401) return this.unauthorized(res, p, nowMs);
    if (p.method === 'OPTIONS' && (res.status === 405 || res.status === 501)) return this.describe(nowMs);
    if (res.status < 200 || res.status > 299) {
      const alert = headerValue(res.headers, 'alert');
      throw new AttemptFailure(
        failureOf(res.status),
        `${p.method} ${p.url}: ${res.status} ${res.reason}${alert ? ` (${alert})` : ''}`,
      );
    }
    REPLIES[p.method](this, res, p, nowMs);
  }

  /** [RFC 2326 12.5; rtsp.md §4.8] one retry with Basic credentials when the server takes them. */
  private unauthorized(res: RtspResponse, p: Pending, nowMs: number): void {
    const schemes = headerValues(res.headers, 'www-authenticate');
    const basic = schemes.length === 0 || schemes.some((s) => /^\s*basic\b/i.test(s));
    if (this.authTried || this.opt.user === undefined || !basic) {
      const why = this.authTried
        ? 'credentials refused'
        : this.opt.user === undefined
          ? 'credentials needed'
          : `no Basic among ${schemes.join('; ')}`;
      throw new AttemptFailure('auth', `${p.method} ${p.url}: 401 (${why})`);
    }
    this.authTried = true;
    const token = Buffer.from(`${this.opt.user}:${this.opt.password ?? ''}`, 'utf8').toString('base64');
    this.authorization = `Basic ${token}`;
    this.send(p.method, p.url, p.headers, nowMs, p.stream);
  }

  private onOptions(res: RtspResponse, nowMs: number): void {
    this.server = headerValue(res.headers, 'server') ?? null;
    this.describe(nowMs);
  }

  private describe(nowMs: number): void {
    this.stateNow = 'DESCRIBE';
    this.send(
      'DESCRIBE',
      this.opt.url,
      [
        ['Accept', 'application/sdp'],
        ['Supported', this.opt.fast ? FAST_SUPPORTED : SUPPORTED],
        ['X-Accept-Authentication', 'Basic'],
      ],
      nowMs,
    );
  }

  /** [MS-RTSP 2.2.5; rollover.md §2.3] no ASF header in the SDP: not a Windows Media server. */
  private onDescribe(res: RtspResponse): void {
    const wms = /^WMServer\//i.test(this.server ?? '');
    const who = `${this.server === null ? 'the server' : JSON.stringify(this.server)}`;
    const type = (headerValue(res.headers, 'content-type') ?? '').toLowerCase();
    if (!type.startsWith('application/sdp'))
      throw new AttemptFailure(
        wms ? 'protocol' : 'unsupported',
        `${who} described the content as ${type || 'nothing'}`,
      );
    let info;
    try {
      info = wmsSdpInfo(decodeSdp(res.body.toString('utf8')));
    } catch (e) {
      if (!(e instanceof ProtocolError) || wms) throw e;
      throw new AttemptFailure('unsupported', `${who} sent an SDP that does not parse: ${e.message}`);
    }
    if (info.asfHeader === null)
      throw new AttemptFailure(
        'unsupported',
        `${who} sent no ASF header in the SDP: not a Windows Media server`,
      );
    const asf = parseHeader(info.asfHeader);
    this.asf = asf;
    const contentBase = headerValue(res.headers, 'content-base');
    // [MS-RTSP 2.2.5.2.1] media controls resolve against the session control, else Content-Base, else the URL.
    this.base =
      info.control !== null && /^rtsp:\/\//i.test(info.control)
        ? info.control
        : contentBase !== undefined && /^rtsp:\/\//i.test(contentBase)
          ? contentBase
          : this.opt.url;
    this.blocks = info.media
      .filter((m) => m.control !== null && (m.rtx || m.streamNumber !== null))
      .map((m) => ({ streamNumber: m.rtx ? null : m.streamNumber, control: m.control! }));
    this.live = info.broadcast || asf.fileProperties.broadcast;
    this.stateNow = 'DESCRIBED';
    this.events.push({
      type: 'described',
      header: info.asfHeader,
      asf,
      server: this.server,
      live: this.live,
      streams: this.blocks.flatMap((b) => (b.streamNumber === null ? [] : [b.streamNumber])),
    });
  }

  private nextSetup(nowMs: number): void {
    const b = this.setupQueue.shift();
    if (b === undefined) return this.play(nowMs);
    let transport: string;
    if (this.opt.transport === 'tcp') {
      // WMP names interleaved=0-1 on every SETUP: one flow, one channel pair [rtsp.md §4.1, §5.1].
      transport = 'RTP/AVP/TCP;unicast;interleaved=0-1;mode=play';
    } else {
      const [rtp, rtcp] = b.streamNumber === null ? this.ports!.rtx! : this.ports!.data;
      transport = `RTP/AVP/UDP;unicast;client_port=${rtp}-${rtcp};mode=play`;
    }
    this.send(
      'SETUP',
      resolveControl(this.base, b.control),
      [['Transport', transport]],
      nowMs,
      b.streamNumber,
    );
  }

  /** [MS-RTSP 3.1.5.x; rtsp.md §4.1] the session, and the transport the server really chose. */
  private onSetup(res: RtspResponse, p: Pending, nowMs: number): void {
    const s = headerValue(res.headers, 'session');
    if (s !== undefined) {
      const session = parseSession(s);
      this.session ??= session.id;
      if (session.timeoutS !== null && session.timeoutS > 0) this.sessionTimeoutS = session.timeoutS;
    }
    if (this.session === null)
      throw new AttemptFailure('protocol', `SETUP ${p.url}: reply without a Session`);
    const t = headerValue(res.headers, 'transport');
    if (t !== undefined) {
      const spec = parseTransport(t);
      if (spec.lower !== this.opt.transport)
        throw new AttemptFailure(
          'unsupported',
          `SETUP ${p.url}: the server chose ${spec.lower}, not ${this.opt.transport}`,
        );
      if (p.stream !== null && spec.ssrc !== null) this.ssrc ??= spec.ssrc;
    }
    this.nextSetup(nowMs);
  }

  private play(nowMs: number): void {
    this.stateNow = 'PLAY';
    const asf = this.asf!;
    const live = this.live;
    const start = live ? 0 : Math.max(0, this.opt.startMs ?? 0);
    const npt = start + (nptIncludesPreroll(this.ua) ? asf.fileProperties.preroll : 0);
    const headers: [string, string][] = [['Range', `npt=${formatNpt(npt)}-`]];
    if (this.opt.fast && !live) headers.push(['Speed', FAST_SPEED]);
    this.send('PLAY', this.base, headers, nowMs);
  }

  /** [MS-RTSP 3.1.5.x; RFC 2326 12.33] RTP-Info's seq is the first packet of this play. */
  private onPlay(res: RtspResponse, nowMs: number): void {
    const info = headerValue(res.headers, 'rtp-info');
    const seq = info === undefined ? null : (parseRtpInfo(info).find((e) => e.seq !== null)?.seq ?? null);
    if (seq !== null) {
      this.expected = seq;
      for (const s of [...this.held.keys()]) if (seqDiff(s, seq) < 0) this.held.delete(s);
    }
    this.stateNow = 'PLAYING';
    this.playingAt = nowMs;
    if (this.opt.transport === 'tcp' || this.held.size > 0) this.announce();
    this.drain(nowMs, 'none');
  }

  /** [MS-RTSP 3.1.5.x, 2.2.7.3; rtsp.md §4.5] SET_PARAMETER (EndOfStream and the like) is answered 200. */
  private onServerRequest(req: RtspRequest, nowMs: number): void {
    const method = req.method.toUpperCase();
    const known = method === 'SET_PARAMETER' || method === 'GET_PARAMETER' || method === 'OPTIONS';
    const status = known ? 200 : 501;
    const headers: [string, string][] = [];
    const cseq = headerValue(req.headers, 'cseq');
    if (cseq !== undefined) headers.push(['CSeq', cseq]);
    if (this.session !== null) headers.push(['Session', this.session]);
    headers.push(['User-Agent', this.ua]);
    this.out.push(
      encodeResponse({
        version: 'RTSP/1.0',
        status,
        reason: reasonPhrase(status),
        headers,
        body: Buffer.alloc(0),
      }),
    );
    const notice = headerValue(req.headers, 'x-notice') ?? '';
    const eof = /^\s*2101\b/.test(notice) || /(^|\n)\s*EOF\s*:\s*true\b/i.test(req.body.toString('latin1'));
    if (method === 'SET_PARAMETER' && eof && this.stateNow === 'PLAYING') this.endOfStream(nowMs);
  }

  /** Over TCP the notice follows the last packet; over UDP the last datagrams get a moment to land. */
  private endOfStream(nowMs: number): void {
    if (this.opt.transport === 'tcp') this.finish();
    else this.endAt ??= nowMs + EOS_GRACE_MS;
  }

  /** The attempt worked: over UDP only once RTP got through, so that a blocked path rolls over [rollover.md §2.3]. */
  private announce(): void {
    if (this.announced) return;
    this.announced = true;
    this.events.push({ type: 'playing' });
  }

  private finish(): void {
    this.announce();
    this.drain(0, 'all');
    if (!this.active()) return;
    this.stateNow = 'ENDED';
    this.endAt = null;
    this.gapSince = null;
    this.events.push({ type: 'end' });
  }

  private onRtp(datagram: Buffer, nowMs: number): void {
    let p: RtpPacket;
    try {
      p = decodeRtpPacket(datagram);
    } catch (e) {
      // Over UDP anyone can send a stray datagram; on the connection it can only be the server's fault.
      if (this.opt.transport === 'tcp' || !(e instanceof ProtocolError)) throw e;
      this.discarded++;
      return;
    }
    if (this.ssrc !== null && p.ssrc !== this.ssrc) {
      this.discarded++;
      return;
    }
    if ((this.expected !== null && seqDiff(p.sequence, this.expected) < 0) || this.held.has(p.sequence)) {
      this.discarded++;
      return;
    }
    if (this.stateNow !== 'PLAYING' && this.stateNow !== 'PLAY') return;
    this.lastData = nowMs;
    this.held.set(p.sequence, p);
    if (this.stateNow === 'PLAYING') {
      this.announce();
      this.drain(nowMs, 'none');
    } else if (this.held.size > MAX_EARLY_PACKETS)
      throw new AttemptFailure('protocol', `over ${MAX_EARLY_PACKETS} RTP packets before the PLAY reply`);
  }

  /**
   * Hands out held packets in sequence order. A missing number is waited for until the window fills or
   * REORDER_WAIT_MS passes ('gap'), then skipped as lost; 'all' gives up every gap (end of stream).
   */
  private drain(nowMs: number, skip: 'none' | 'gap' | 'all'): void {
    let skipOne = skip !== 'none';
    for (;;) {
      if (this.held.size === 0) {
        this.gapSince = null;
        return;
      }
      if (this.expected === null) this.expected = this.lowestHeld();
      const p = this.held.get(this.expected);
      if (p !== undefined) {
        this.held.delete(this.expected);
        this.expected = (this.expected + 1) & 0xffff;
        this.gapSince = null;
        this.deliver(p);
        if (!this.active()) return;
        continue;
      }
      if (skipOne || this.held.size >= REORDER_WINDOW) {
        const next = this.lowestHeld();
        this.lost += (next - this.expected) & 0xffff;
        this.expected = next;
        skipOne = skip === 'all';
        continue;
      }
      this.gapSince ??= nowMs;
      return;
    }
  }

  private lowestHeld(): number {
    let low: number | null = null;
    for (const s of this.held.keys()) if (low === null || seqDiff(s, low) < 0) low = s;
    return low!;
  }

  private deliver(p: RtpPacket): void {
    let packets;
    try {
      packets = this.depacketizer.push(p);
    } catch (e) {
      if (this.opt.transport === 'tcp' || !(e instanceof ProtocolError)) throw e;
      this.discarded++;
      return;
    }
    for (const a of packets) this.events.push({ type: 'packet', data: a.data });
  }

  /** [RFC 3550 6.6; rtsp.md §4.7] a BYE from the data flow ends it; anything else is only statistics. */
  private onRtcp(datagram: Buffer, nowMs: number): void {
    let packets;
    try {
      packets = decodeRtcp(datagram);
    } catch (e) {
      if (!(e instanceof ProtocolError)) throw e;
      this.discarded++;
      return;
    }
    const bye = packets.some((x) => x.type === 'BYE' && (this.ssrc === null || x.ssrcs.includes(this.ssrc)));
    if (bye && this.stateNow === 'PLAYING') {
      this.lastData = nowMs;
      this.finish();
    }
  }
}

type Reply = (m: RtspClientMachine, res: RtspResponse, p: Pending, nowMs: number) => void;
const REPLIES: Readonly<Record<Method, Reply>> = {
  OPTIONS: (m, r, _p, t) => m['onOptions'](r, t),
  DESCRIBE: (m, r) => m['onDescribe'](r),
  SETUP: (m, r, p, t) => m['onSetup'](r, p, t),
  PLAY: (m, r, _p, t) => m['onPlay'](r, t),
  GET_PARAMETER: () => undefined,
  TEARDOWN: () => undefined,
};
