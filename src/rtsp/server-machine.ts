// One RTSP connection's server session as a pure machine: bytes and the time in, buffers to write and events
// for the adapter out [MS-RTSP 3.2; RFC 2326 A.1; rtsp.md §1, §4, §5]. Transitions live in TRANSITIONS, one
// handler per method in HANDLERS. The adapter answers 'describe' with described(), frames every ASF packet
// with rtpPackets(), reports the end with endOfStream(), and runs tick() at nextDeadline().
import { parseHeader, type AsfHeader } from '../asf/header.js';
import { NetshowError, ProtocolError } from '../core/errors.js';
import { strippedOnce } from './asf-padding.js';
import {
  formatNptRange,
  formatRtpInfo,
  formatTransport,
  parseSession,
  parseTransport,
  type RtpInfoEntry,
  type TransportSpec,
} from './headers.js';
import {
  RtspStreamDecoder,
  headerValue,
  interleavedHeader,
  type RtspFrame,
  type RtspRequest,
  type HeaderList,
} from './message.js';
import { packetizeAsf } from './rtp-asf.js';
import {
  ASF_PAYLOAD_TYPE,
  RTP_HEADER_SIZE,
  decodeRtcp,
  encodeBye,
  encodeRtpHeader,
  encodeSenderReport,
  ntpTimestamp,
} from './rtp.js';
import { asfSdp, encodeSdp, resolveControl, RTX_CONTROL, sdpStreams, type SdpStream } from './sdp.js';
import type {
  DataPath,
  RtspContent,
  RtspServerEvent,
  RtspServerOptions,
  RtspServerOutput,
  RtspServerState,
  ThinLevel,
} from './server-events.js';
import {
  DEFAULT_SERVER_HEADER,
  endOfStreamRequest,
  PUBLIC_METHODS,
  reply,
  SUPPORTED,
} from './server-replies.js';
import {
  baseUrlOf,
  controlOf,
  parseStreamSwitch,
  speedOf,
  splitUrl,
  startFromRange,
} from './server-rules.js';

export type * from './server-events.js';

export const METHODS = [
  'OPTIONS',
  'DESCRIBE',
  'SETUP',
  'PLAY',
  'PAUSE',
  'TEARDOWN',
  'GET_PARAMETER',
  'SET_PARAMETER',
] as const;
export type RtspMethod = (typeof METHODS)[number];
type TableState = 'INIT' | 'DESCRIBED' | 'READY' | 'PLAYING';
const TABLE_STATES: readonly TableState[] = ['INIT', 'DESCRIBED', 'READY', 'PLAYING'];
type Disposition = 'handle' | 'refuse';
const row = (i: Disposition, d: Disposition, r: Disposition, p: Disposition) =>
  ({ INIT: i, DESCRIBED: d, READY: r, PLAYING: p }) as const;

// [RFC 2326 A.1; MS-RTSP 3.2.5] refused requests get 455, or 454 when they name a session that is not here.
const TRANSITIONS: Readonly<Record<RtspMethod, Readonly<Record<TableState, Disposition>>>> = {
  //                     INIT      DESCRIBED  READY     PLAYING
  OPTIONS: row('handle', 'handle', 'handle', 'handle'),
  DESCRIBE: row('handle', 'handle', 'handle', 'handle'),
  SETUP: row('refuse', 'handle', 'handle', 'handle'),
  PLAY: row('refuse', 'refuse', 'handle', 'handle'),
  PAUSE: row('refuse', 'refuse', 'handle', 'handle'),
  TEARDOWN: row('refuse', 'refuse', 'handle', 'handle'),
  GET_PARAMETER: row('handle', 'handle', 'handle', 'handle'),
  SET_PARAMETER: row('handle', 'handle', 'handle', 'handle'),
};

export function allowedStates(method: RtspMethod): TableState[] {
  return TABLE_STATES.filter((s) => TRANSITIONS[method][s] === 'handle');
}

const MAX_QUEUED = 16;
/** RTSP methods this server knows but does not serve (405); anything else is 501. */
const NOT_ALLOWED = new Set(['ANNOUNCE', 'RECORD', 'REDIRECT']);

interface Described {
  readonly content: RtspContent;
  readonly header: AsfHeader;
  readonly url: string;
  readonly path: string;
  readonly baseUrl: string;
  readonly streams: readonly SdpStream[];
  readonly sdp: Buffer;
  readonly mediaBlocks: number;
  readonly packetSize: number;
  readonly preroll: number;
  readonly durationMs: number;
}

interface SetupStream {
  readonly streamNumber: number;
  readonly control: string;
  thin: ThinLevel;
}

class Refusal extends ProtocolError {
  constructor(status: number, message: string, code = 'E_RTSP_REFUSED') {
    super(code, message, { reply: { rtsp: status } });
  }
}

export class RtspServerMachine {
  private stateNow: RtspServerState = 'INIT';
  private readonly opt: Required<Omit<RtspServerOptions, 'udpServerPorts'>> & {
    udpServerPorts: readonly [number, number] | null;
  };
  private readonly decoder: RtspStreamDecoder;
  private out: Buffer[] = [];
  private rtcp: Buffer[] = [];
  private events: RtspServerEvent[] = [];
  private queued: RtspFrame[] | null = null;
  private describing: { previous: RtspServerState; cseq: string | null } | null = null;
  private content: Described | null = null;
  private lower: 'udp' | 'tcp' | null = null;
  private path: DataPath | null = null;
  private setupStreams: SetupStream[] = [];
  private locid = false;
  private wmp = false;
  private lavf = false;
  /** Send FFmpeg's ASF demuxer one null packet before the next data (see rtpPackets). */
  private resyncFiller = false;
  private seq: number;
  private tsOffset = 0;
  private anchor: number | null = null;
  private lastTimestamp: number | null = null;
  private lastSendTime: number | null = null;
  private hasPlayed = false;
  private packetCount = 0;
  private octetCount = 0;
  private serverCSeq = 0;
  private lastHeard: number;
  private lastReport: number | null = null;
  private byeAt: number | null = null;
  private closeAt: number | null = null;

  constructor(options: RtspServerOptions, nowMs = 0) {
    this.opt = {
      allowTcp: true,
      serverHeader: DEFAULT_SERVER_HEADER,
      sessionTimeoutMs: 60_000,
      udpMaxPacket: 1472,
      senderReportIntervalMs: 5_000,
      byeDelayMs: 1_000,
      eosCloseMs: 5_000,
      epochOffsetMs: 0,
      maxBodyBytes: 64 * 1024,
      ...options,
      udpServerPorts: options.udpServerPorts ?? null,
    };
    this.decoder = new RtspStreamDecoder({ maxBodyBytes: this.opt.maxBodyBytes });
    this.seq = options.initialSequence & 0xffff;
    this.lastHeard = nowMs;
  }

  get state(): RtspServerState {
    return this.stateNow;
  }

  get sessionId(): string {
    return this.opt.sessionId;
  }

  /** Where the data flow goes once an audio/video stream is set up. */
  get dataPath(): DataPath | null {
    return this.path;
  }

  /** Thin level per SET-UP stream; null when every audio/video stream of the content is set up whole. */
  get selection(): ReadonlyMap<number, ThinLevel> | null {
    const all = this.content?.streams ?? [];
    const whole =
      all.length > 0 &&
      all.every((s) => this.setupStreams.some((x) => x.streamNumber === s.streamNumber && x.thin === 0));
    if (whole && this.setupStreams.length === all.length) return null;
    return new Map(this.setupStreams.map((s) => [s.streamNumber, s.thin]));
  }

  /** Bytes from the RTSP connection. Never throws for anything the peer sent. */
  receive(bytes: Buffer, nowMs: number): RtspServerOutput {
    if (this.stateNow === 'CLOSED') return this.flush();
    this.lastHeard = nowMs;
    let frames: RtspFrame[];
    try {
      frames = this.decoder.push(bytes);
    } catch (e) {
      if (!(e instanceof ProtocolError)) throw e;
      this.out.push(reply(e.reply.rtsp ?? 400, null, this.opt.serverHeader));
      this.close('malformed RTSP stream', e);
      return this.flush();
    }
    for (const f of frames) this.dispatch(f, nowMs);
    return this.flush();
  }

  /** The adapter's answer to 'describe': the content, or null for 404 (or another status). */
  described(content: RtspContent | null, nowMs: number, status = 404): RtspServerOutput {
    if (this.stateNow === 'CLOSED') return this.flush();
    const pending = this.describing;
    if (this.stateNow !== 'DESCRIBING' || pending === null)
      throw new NetshowError('E_RTSP_STATE', `no describe is pending (state ${this.stateNow})`);
    this.describing = null;
    const url = this.pendingUrl;
    this.stateNow = pending.previous;
    if (content === null) {
      this.refuse(new Refusal(status, `no content at ${url}`, 'E_RTSP_NOT_FOUND'), pending.cseq);
    } else {
      try {
        this.content = describe(content, url);
        this.stateNow = this.stateNow === 'INIT' ? 'DESCRIBED' : this.stateNow;
        this.out.push(this.describeReply(pending.cseq));
      } catch (e) {
        if (!(e instanceof ProtocolError)) throw e;
        this.refuse(new Refusal(500, `content header does not parse: ${e.message}`), pending.cseq);
      }
    }
    this.drainQueue(nowMs);
    return this.flush();
  }

  /**
   * One ASF packet of the current play as RTP: each entry is one UDP datagram or one interleaved frame in pieces
   * (a small header built here, then a view of the shared packet bytes), to write together. Padding is stripped
   * once per shared packet [rtsp.md §5.3]. Empty outside PLAYING.
   */
  rtpPackets(packet: {
    readonly data: Buffer;
    readonly sendTime: number;
    readonly number?: number;
  }): Buffer[][] {
    const c = this.content;
    const path = this.path;
    if (this.stateNow !== 'PLAYING' || c === null || path === null) return [];
    let data = packet.data;
    let keyFrame = false;
    try {
      ({ data, keyFrame } = strippedOnce(packet.data, c.packetSize));
    } catch (e) {
      if (!(e instanceof ProtocolError)) throw e;
    }
    if (this.anchor !== null) {
      this.tsOffset = this.anchor - packet.sendTime;
      this.anchor = null;
    }
    const timestamp = (packet.sendTime + this.tsOffset) >>> 0;
    const budget = (path.kind === 'udp' ? this.opt.udpMaxPacket : 0xffff) - RTP_HEADER_SIZE;
    const pieces = packetizeAsf(data, {
      keyFrame,
      maxPayload: budget,
      locationId: this.locid ? (packet.number ?? 0) : null,
    });
    if (this.resyncFiller) {
      // FFmpeg 5.1 (rtpdec_asf.c feeds one ASF demuxer packet by packet) keeps the demuxer's place inside
      // the packet it was reading when it paused, and drops the interleaved data in flight while it waits
      // for the PAUSE and PLAY replies, so it would read the first new packet as the rest of the old one and
      // lose the key frame a seek asked for. One packet-sized run of zeros first: a demuxer in mid-packet
      // runs out its payloads on it and lands on a packet boundary; one at a boundary rejects it as a packet
      // of an unknown stream. Verified both ways with FFmpeg (test/interop/rtsp-extra.test.ts).
      this.resyncFiller = false;
      pieces.unshift(
        ...packetizeAsf(Buffer.alloc(c.packetSize), {
          keyFrame: false,
          maxPayload: budget,
          locationId: null,
        }),
      );
    }
    this.lastTimestamp = timestamp;
    this.lastSendTime = packet.sendTime;
    return pieces.map((p) => {
      const rtp = encodeRtpHeader({
        marker: p.marker,
        payloadType: ASF_PAYLOAD_TYPE,
        sequence: this.seq,
        timestamp,
        ssrc: this.opt.ssrc,
        csrcs: [],
        extension: null,
      });
      this.seq = (this.seq + 1) & 0xffff;
      const size = p.header.length + p.data.length;
      this.packetCount++;
      this.octetCount += size;
      const head = Buffer.concat(
        path.kind === 'tcp'
          ? [interleavedHeader(path.rtpChannel, RTP_HEADER_SIZE + size), rtp, p.header]
          : [rtp, p.header],
      );
      return [head, p.data];
    });
  }

  /**
   * The last packet of the play went out [MS-RTSP 3.2.4.1; rtsp.md §4.6]: the EndOfStream SET_PARAMETER now,
   * one SR+BYE per SDP media block (FFmpeg counts them) at once over TCP or after byeDelayMs over UDP, and on
   * TCP a close after eosCloseMs unless a TEARDOWN comes. The session is READY again.
   */
  endOfStream(nowMs: number): RtspServerOutput {
    const c = this.content;
    if (this.stateNow !== 'PLAYING' || c === null) return this.flush();
    this.serverCSeq++;
    this.out.push(
      endOfStreamRequest({
        url: c.url,
        cseq: this.serverCSeq,
        sessionId: this.opt.sessionId,
        playlistGenId: 1,
        rtpInfo: this.rtpInfo(false),
      }),
    );
    this.stateNow = 'READY';
    if (this.path?.kind === 'tcp') {
      this.sendByes(nowMs);
      this.closeAt = nowMs + this.opt.eosCloseMs;
    } else {
      this.byeAt = nowMs + this.opt.byeDelayMs;
    }
    return this.flush();
  }

  /** An RTCP datagram from the client's UDP RTCP port (receiver reports): keeps the session alive. */
  rtcpReceived(datagram: Buffer, nowMs: number): RtspServerOutput {
    if (this.stateNow === 'CLOSED') return this.flush();
    try {
      decodeRtcp(datagram);
      this.lastHeard = nowMs;
    } catch (e) {
      if (!(e instanceof ProtocolError)) throw e;
      this.events.push({ type: 'protocol-error', error: e });
    }
    return this.flush();
  }

  nextDeadline(): number | null {
    if (this.stateNow === 'CLOSED') return null;
    const t = [
      this.lastHeard + this.opt.sessionTimeoutMs,
      this.byeAt,
      this.closeAt,
      this.stateNow === 'PLAYING' && this.packetCount > 0
        ? (this.lastReport ?? this.lastHeard) + this.opt.senderReportIntervalMs
        : null,
    ].filter((x): x is number => x !== null);
    return Math.min(...t);
  }

  /** Timers at `nowMs`: session timeout, delayed BYEs, the close after the end, sender reports. */
  tick(nowMs: number): RtspServerOutput {
    if (this.stateNow === 'CLOSED') return this.flush();
    if (this.byeAt !== null && nowMs >= this.byeAt) {
      this.byeAt = null;
      this.sendByes(nowMs);
    }
    if (nowMs >= this.lastHeard + this.opt.sessionTimeoutMs) {
      this.endSession('timeout');
      this.close('session timeout');
    } else if (this.closeAt !== null && nowMs >= this.closeAt) {
      this.close('end of stream and no TEARDOWN');
    } else if (
      this.stateNow === 'PLAYING' &&
      this.packetCount > 0 &&
      nowMs >= (this.lastReport ?? this.lastHeard) + this.opt.senderReportIntervalMs
    ) {
      this.sendRtcp([this.senderReport(nowMs)]);
      this.lastReport = nowMs;
    }
    return this.flush();
  }

  /** The TCP connection ended: the session is over. */
  closed(): RtspServerOutput {
    if (this.stateNow !== 'CLOSED') {
      this.endSession('closed');
      this.stateNow = 'CLOSED';
    }
    return this.flush();
  }

  // ---- dispatch ----

  private pendingUrl = '';

  private dispatch(f: RtspFrame, nowMs: number): void {
    if (this.stateNow === 'CLOSED') return;
    if (f.kind === 'interleaved') return; // RTCP receiver reports on the odd channel: liveness only.
    if (this.stateNow === 'DESCRIBING') {
      this.queued ??= [];
      if (this.queued.length >= MAX_QUEUED) {
        this.close('too many requests while describing', new Refusal(503, 'request queue full'));
        return;
      }
      this.queued.push(f);
      return;
    }
    // [MS-RTSP 3.2.5.13] the client's answer to EndOfStream (FFmpeg: a bare 501): ignored.
    if (f.kind === 'response') return;
    const req = f.request;
    const cseq = headerValue(req.headers, 'cseq') ?? null;
    try {
      this.handle(req, cseq, nowMs);
    } catch (e) {
      if (!(e instanceof ProtocolError)) throw e;
      this.refuse(e, cseq);
    }
  }

  private handle(req: RtspRequest, cseq: string | null, nowMs: number): void {
    if (req.version !== 'RTSP/1.0') throw new Refusal(505, `${req.version} is not RTSP/1.0`);
    if (cseq === null || !/^\d{1,10}$/.test(cseq)) throw new Refusal(400, 'request without a valid CSeq');
    const method = req.method.toUpperCase();
    if (!(METHODS as readonly string[]).includes(method)) {
      if (NOT_ALLOWED.has(method)) throw new Refusal(405, `${method} is not served here`);
      throw new Refusal(501, `${method} is not implemented`);
    }
    const m = method as RtspMethod;
    const state = this.stateNow as TableState;
    if (TRANSITIONS[m][state] === 'refuse') {
      const named = headerValue(req.headers, 'session');
      const status = named !== undefined && !this.hasSession() ? 454 : 455;
      throw new Refusal(
        status,
        `${m} in ${state}; allowed in ${allowedStates(m).join(', ')}`,
        'E_RTSP_STATE',
      );
    }
    const ua = headerValue(req.headers, 'user-agent') ?? '';
    // rtsp.md §4.2: WMP's npt is on the SDP's a=range scale, which includes the preroll; GStreamer and live555
    // echo that range in their first PLAY too (GStreamer 1.22 sends npt=3.1- for "from the start"). FFmpeg's
    // npt is its own timeline, without the preroll.
    if (/^(WMPlayer|GStreamer|LIVE555)\//i.test(ua)) this.wmp = true;
    if (/^Lavf/i.test(ua)) this.lavf = true;
    if (/com\.microsoft\.wm\.locid/i.test(headerValue(req.headers, 'supported') ?? '')) this.locid = true;
    HANDLERS[m](this, req, cseq, nowMs);
  }

  private drainQueue(nowMs: number): void {
    const q = this.queued ?? [];
    this.queued = null;
    for (const [i, f] of q.entries()) {
      if (this.stateNow === 'DESCRIBING') {
        this.queued = [...(this.queued ?? []), ...q.slice(i)];
        return;
      }
      this.dispatch(f, nowMs);
    }
  }

  private hasSession(): boolean {
    return this.stateNow === 'READY' || this.stateNow === 'PLAYING';
  }

  /** Requests on a session must name it: 454 otherwise [RFC 2326 12.37]. */
  private checkSession(req: RtspRequest, required: boolean): void {
    const v = headerValue(req.headers, 'session');
    if (v === undefined) {
      if (required) throw new Refusal(454, `${req.method} without a Session header`);
      return;
    }
    const id = parseSession(v).id;
    if (id !== this.opt.sessionId) throw new Refusal(454, `session ${id} is not this connection's`);
  }

  // ---- replies and actions ----

  private refuse(e: ProtocolError, cseq: string | null): void {
    const status = e.reply.rtsp ?? 400;
    const headers: [string, string][] = this.hasSession() ? [['Session', this.opt.sessionId]] : [];
    if (status === 405) headers.push(['Allow', PUBLIC_METHODS]);
    this.out.push(reply(status, cseq, this.opt.serverHeader, headers));
    this.events.push({ type: 'protocol-error', error: e });
  }

  private ok(cseq: string | null, headers: HeaderList = [], body?: Buffer): void {
    this.out.push(reply(200, cseq, this.opt.serverHeader, headers, body));
  }

  private describeReply(cseq: string | null): Buffer {
    const c = this.content!;
    return reply(
      200,
      cseq,
      this.opt.serverHeader,
      [
        ['Content-Type', 'application/sdp'],
        ['Cache-Control', 'no-cache'],
        ['X-Playlist-Gen-Id', '1'],
        ['X-Broadcast-Id', String(c.content.broadcastId ?? 0)],
        ['Supported', SUPPORTED],
      ],
      c.sdp,
    );
  }

  /** RTP-Info per SET-UP audio/video stream (never rtx), seq of the next packet [MS-RTSP 3.2.4.1]. */
  private rtpInfo(withTime: boolean): RtpInfoEntry[] {
    const base = this.content!.baseUrl;
    return this.setupStreams.map((s) => ({
      url: resolveControl(base, s.control),
      seq: this.seq,
      rtptime: withTime ? (this.anchor ?? 0) >>> 0 : null,
    }));
  }

  private senderReport(nowMs: number): Buffer {
    const ntp = ntpTimestamp(nowMs + this.opt.epochOffsetMs);
    return encodeSenderReport({
      ssrc: this.opt.ssrc,
      ntpSeconds: ntp.seconds,
      ntpFraction: ntp.fraction,
      rtpTimestamp: this.lastTimestamp ?? 0,
      packetCount: this.packetCount,
      octetCount: this.octetCount,
    });
  }

  /** One SR+BYE compound per SDP media block, rtx included: FFmpeg ends on that count [rtsp.md §4.7]. */
  private sendByes(nowMs: number): void {
    const n = this.content?.mediaBlocks ?? 1;
    const compound = Buffer.concat([this.senderReport(nowMs), encodeBye(this.opt.ssrc)]);
    this.sendRtcp(Array.from({ length: n }, () => compound));
  }

  private sendRtcp(packets: Buffer[]): void {
    const path = this.path;
    if (path === null) return;
    for (const p of packets) {
      if (path.kind === 'udp') this.rtcp.push(p);
      else this.out.push(Buffer.concat([interleavedHeader(path.rtcpChannel, p.length), p]));
    }
  }

  private endSession(reason: 'teardown' | 'timeout' | 'closed'): void {
    if (!this.hasSession()) return;
    this.events.push({ type: 'teardown', reason });
    this.setupStreams = [];
    this.path = null;
    this.lower = null;
    this.hasPlayed = false;
    this.byeAt = null;
    this.closeAt = null;
    this.stateNow = this.content === null ? 'INIT' : 'DESCRIBED';
  }

  private close(reason: string, error?: ProtocolError): void {
    if (this.stateNow === 'CLOSED') return;
    this.stateNow = 'CLOSED';
    this.events.push(error === undefined ? { type: 'close', reason } : { type: 'close', reason, error });
  }

  private flush(): RtspServerOutput {
    const o = { out: this.out, rtcp: this.rtcp, events: this.events };
    this.out = [];
    this.rtcp = [];
    this.events = [];
    return o;
  }

  // ---- one handler per method [MS-RTSP 3.2.5] ----

  /** [MS-RTSP 3.2.5.2; rtsp.md §2.2] Server: WMServer/ switches FFmpeg and GStreamer to WMS mode. */
  private onOptions(_req: RtspRequest, cseq: string): void {
    this.ok(cseq, [
      ['Public', PUBLIC_METHODS],
      ['Supported', SUPPORTED],
    ]);
  }

  /** [MS-RTSP 3.2.5.4] */
  private onDescribe(req: RtspRequest, cseq: string): void {
    const u = splitUrl(req.url);
    if (u === null) throw new Refusal(400, `DESCRIBE of ${JSON.stringify(req.url.slice(0, 80))}`);
    if (this.hasSession()) {
      // One session per connection: the content it plays is the only one it describes.
      if (this.content?.path !== u.path.replace(/\/+$/, ''))
        throw new Refusal(455, 'DESCRIBE of other content during a session');
      this.out.push(this.describeReply(cseq));
      return;
    }
    this.describing = { previous: this.stateNow, cseq };
    this.pendingUrl = `${u.origin}${u.path.replace(/(.)\/+$/, '$1')}${u.query === '' ? '' : `?${u.query}`}`;
    this.stateNow = 'DESCRIBING';
    this.events.push({ type: 'describe', url: req.url, path: u.path, query: u.query });
  }

  /** [MS-RTSP 3.2.5.10; rtsp.md §4.1] */
  private onSetup(req: RtspRequest, cseq: string): void {
    const c = this.content!;
    if (this.hasSession()) this.checkSession(req, true);
    else this.checkSessionAbsentOrOurs(req);
    const where = controlOf(req.url, c.path);
    if (where === null) throw new Refusal(404, `${req.url} is not part of ${c.url}`);
    if ('aggregate' in where) throw new Refusal(459, 'SETUP of the aggregate URL');
    const control = where.control;
    const rtx = control === RTX_CONTROL;
    const stream = rtx ? null : streamFor(c.streams, control);
    if (!rtx && stream === null) throw new Refusal(404, `no stream with control ${JSON.stringify(control)}`);
    const t = this.transportFor(req, rtx);
    this.events.push({ type: 'setup', streamNumber: stream?.streamNumber ?? null, transport: t.lower });
    // The rtx stream gets a normal reply and stays silent: netshow never retransmits [rtsp.md §4.1].
    if (stream !== null) this.addStream(stream, t);
    if (this.stateNow === 'DESCRIBED') this.stateNow = 'READY';
    this.ok(cseq, [
      ['Session', `${this.opt.sessionId};timeout=${Math.round(this.opt.sessionTimeoutMs / 1000)}`],
      ['Transport', formatTransport(t)],
      ['X-Playlist-Gen-Id', '1'],
    ]);
  }

  private checkSessionAbsentOrOurs(req: RtspRequest): void {
    const v = headerValue(req.headers, 'session');
    if (v !== undefined && parseSession(v).id !== this.opt.sessionId)
      throw new Refusal(454, `session ${parseSession(v).id} is not this connection's`);
  }

  /** The reply's transport: the request's, checked, with server_port, ssrc and mode [rtsp.md §4.1]. */
  private transportFor(req: RtspRequest, rtx: boolean): TransportSpec {
    const header = headerValue(req.headers, 'transport');
    if (header === undefined) throw new Refusal(461, 'SETUP without Transport');
    const t = parseTransport(header);
    if (t.mode !== null && t.mode !== 'play') throw new Refusal(461, `mode=${t.mode} is not served`);
    if (t.multicast) throw new Refusal(461, 'multicast is not served');
    // [MS-RTSP 2.2.6.11] UDP needs unicast and client_port; GStreamer's plain RTP/AVP omits nothing else.
    if (this.lower !== null && t.lower !== this.lower && !rtx)
      throw new Refusal(461, `${t.lower} after ${this.lower} SETUPs`);
    if (t.lower === 'udp') {
      if (this.opt.udpServerPorts === null) throw new Refusal(461, 'UDP is not offered');
      if (t.clientPort === null) throw new Refusal(461, 'UDP SETUP without client_port');
      return { ...t, unicast: true, serverPort: this.opt.udpServerPorts, ssrc: this.opt.ssrc, mode: 'play' };
    }
    if (!this.opt.allowTcp) throw new Refusal(461, 'TCP is not offered');
    const interleaved = t.interleaved ?? this.freeChannels();
    return { ...t, unicast: true, interleaved, ssrc: this.opt.ssrc, mode: 'play' };
  }

  private freeChannels(): readonly [number, number] {
    const n = this.path?.kind === 'tcp' ? this.setupStreams.length * 2 : 0;
    return [n & 0xfe, (n & 0xfe) + 1];
  }

  private addStream(stream: SdpStream, t: TransportSpec): void {
    if (this.path === null) {
      // [MS-RTSP 2.2.7.10.1; rtsp.md §5.1] one flow, to the first audio/video SETUP's port or channel.
      this.lower = t.lower;
      this.path =
        t.lower === 'udp'
          ? { kind: 'udp', rtpPort: t.clientPort![0], rtcpPort: t.clientPort![1] ?? t.clientPort![0] + 1 }
          : { kind: 'tcp', rtpChannel: t.interleaved![0], rtcpChannel: t.interleaved![1] };
    }
    const known = this.setupStreams.find((s) => s.streamNumber === stream.streamNumber);
    if (known) known.thin = 0;
    else this.setupStreams.push({ streamNumber: stream.streamNumber, control: stream.control, thin: 0 });
    // [rtsp.md §4.1] a SETUP during PLAY is a stream selection.
    if (this.stateNow === 'PLAYING') this.events.push({ type: 'select', selection: this.selection });
  }

  /** [MS-RTSP 3.2.5.8; rtsp.md §4.2] */
  private onPlay(req: RtspRequest, cseq: string): void {
    this.checkSession(req, true);
    const c = this.content!;
    const path = this.path;
    if (path === null || this.setupStreams.length === 0)
      throw new Refusal(455, 'PLAY before any audio or video stream was set up');
    const start = startFromRange(req.headers, {
      live: c.content.live,
      seekable: c.content.seekable ?? !c.content.live,
      preroll: c.preroll,
      durationMs: c.durationMs,
      headerSize: c.content.headerBytes.length,
      packetSize: c.packetSize,
      nptIncludesPreroll: this.wmp,
    });
    const speed = speedOf(req.headers);
    const resume = start === null && this.hasPlayed;
    const playing = this.stateNow === 'PLAYING';
    if (!(playing && start === null)) {
      const startMs = start?.kind === 'time' ? start.ms : 0;
      this.anchor = resume ? (this.lastTimestamp ?? 0) : start?.kind === 'time' ? startMs : 0;
    }
    const fromMs =
      resume || (playing && start === null)
        ? (this.lastSendTime ?? 0)
        : start?.kind === 'time'
          ? start.ms
          : 0;
    const range = c.content.live
      ? 'npt=0.000-'
      : formatNptRange(fromMs + c.preroll, c.preroll + c.durationMs);
    const headers: [string, string][] = [
      ['Session', this.opt.sessionId],
      ['Range', range],
      ['RTP-Info', formatRtpInfo(this.rtpInfo(true))],
    ];
    if (speed !== null) headers.push(['Speed', speed.toFixed(3)]);
    this.ok(cseq, headers);
    if (playing && start === null) return;
    if (this.lavf && path.kind === 'tcp' && this.packetCount > 0) this.resyncFiller = true;
    this.stateNow = 'PLAYING';
    this.byeAt = null;
    this.closeAt = null;
    if (resume) {
      this.events.push({ type: 'resume', path });
      return;
    }
    this.hasPlayed = true;
    this.events.push({
      type: 'play',
      start: start ?? { kind: 'start' },
      selection: this.selection,
      path,
      speed,
      live: c.content.live,
    });
  }

  /** [MS-RTSP 3.2.5.7] */
  private onPause(req: RtspRequest, cseq: string): void {
    this.checkSession(req, true);
    if (this.stateNow === 'PLAYING') {
      this.stateNow = 'READY';
      this.events.push({ type: 'pause' });
    }
    this.ok(cseq, [['Session', this.opt.sessionId]]);
  }

  /** [MS-RTSP 3.2.5.12] */
  private onTeardown(req: RtspRequest, cseq: string): void {
    this.checkSession(req, true);
    this.ok(cseq, [['Session', this.opt.sessionId]]);
    this.endSession('teardown');
  }

  /** [MS-RTSP 3.2.5.5, 2.2.7.4, 2.2.7.12; rtsp.md §4.4] KeepAlive, GetContentInfo; packet pairs refused. */
  private onGetParameter(req: RtspRequest, cseq: string): void {
    const type = (headerValue(req.headers, 'content-type') ?? '').toLowerCase();
    if (type.startsWith('application/x-rtsp-packetpair'))
      throw new Refusal(451, 'TCP packet pair is not offered');
    if (this.hasSession()) this.checkSession(req, false);
    const headers: [string, string][] = [];
    if (this.hasSession() && headerValue(req.headers, 'session') !== undefined)
      headers.push(['Session', this.opt.sessionId]);
    if (type.startsWith('application/x-wms-getcontentinfo')) headers.push(['Cache-Control', 'no-cache']);
    this.ok(cseq, headers);
  }

  /** [MS-RTSP 3.2.5.9; rtsp.md §4.5] logs, events and empty bodies accepted; SelectStream applied. */
  private onSetParameter(req: RtspRequest, cseq: string): void {
    const type = (headerValue(req.headers, 'content-type') ?? '').toLowerCase();
    if (type.startsWith('application/x-rtsp-udp-packetpair'))
      throw new Refusal(451, 'UDP packet pair is not offered');
    if (this.hasSession()) this.checkSession(req, false);
    if (type.startsWith('application/x-wms-streamswitch')) {
      if (!this.hasSession()) throw new Refusal(454, 'SelectStream without a session');
      this.switchStreams(parseStreamSwitch(req.body));
    }
    this.ok(cseq, this.hasSession() ? [['Session', this.opt.sessionId]] : []);
  }

  private switchStreams(entries: ReturnType<typeof parseStreamSwitch>): void {
    const c = this.content!;
    for (const e of entries) {
      if (e.from !== null && e.from !== e.to)
        this.setupStreams = this.setupStreams.filter((s) => s.streamNumber !== e.from);
      if (e.to === null) continue;
      const stream = c.streams.find((s) => s.streamNumber === e.to);
      if (stream === undefined) throw new Refusal(451, `SSEntry names stream ${e.to}, not in the content`);
      const known = this.setupStreams.find((s) => s.streamNumber === e.to);
      if (known) known.thin = e.thin;
      else
        this.setupStreams.push({ streamNumber: stream.streamNumber, control: stream.control, thin: e.thin });
    }
    if (this.stateNow === 'PLAYING') this.events.push({ type: 'select', selection: this.selection });
  }
}

type Handler = (s: RtspServerMachine, req: RtspRequest, cseq: string, nowMs: number) => void;
const HANDLERS: Readonly<Record<RtspMethod, Handler>> = {
  OPTIONS: (s, r, c) => s['onOptions'](r, c),
  DESCRIBE: (s, r, c) => s['onDescribe'](r, c),
  SETUP: (s, r, c) => s['onSetup'](r, c),
  PLAY: (s, r, c) => s['onPlay'](r, c),
  PAUSE: (s, r, c) => s['onPause'](r, c),
  TEARDOWN: (s, r, c) => s['onTeardown'](r, c),
  GET_PARAMETER: (s, r, c) => s['onGetParameter'](r, c),
  SET_PARAMETER: (s, r, c) => s['onSetParameter'](r, c),
};

/** A media control (`video1`, or `stream=N` as some clients write it) to its stream. */
function streamFor(streams: readonly SdpStream[], control: string): SdpStream | null {
  const byControl = streams.find((s) => s.control === control);
  if (byControl) return byControl;
  const m = /^stream=(\d{1,5})$/i.exec(control);
  return m ? (streams.find((s) => s.streamNumber === Number(m[1])) ?? null) : null;
}

function describe(content: RtspContent, url: string): Described {
  const header = parseHeader(content.headerBytes);
  const u = splitUrl(url)!;
  const baseUrl = baseUrlOf(u);
  const sd = asfSdp({
    headerBytes: content.headerBytes,
    header,
    baseUrl,
    live: content.live,
    ...(content.originId === undefined ? {} : { originId: content.originId }),
    ...(content.etag === undefined ? {} : { etag: content.etag }),
  });
  const fp = header.fileProperties;
  const playMs = Number(fp.playDuration / 10_000n);
  return {
    content,
    header,
    url,
    path: u.path.replace(/\/+$/, ''),
    baseUrl,
    streams: sdpStreams(header),
    sdp: Buffer.from(encodeSdp(sd), 'utf8'),
    mediaBlocks: sd.media.length,
    packetSize: fp.maxPacketSize,
    preroll: fp.preroll,
    durationMs: Math.max(0, playMs - fp.preroll),
  };
}
