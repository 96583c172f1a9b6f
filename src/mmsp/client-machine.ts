// One MMS client session as a pure machine: Connect, FunnelInfo, ConnectFunnel (data over TCP or UDP), OpenFile
// (Basic credentials on a challenge), ReadBlock with the header reassembled from its pieces, StreamSwitch and
// StartPlaying, then Data until end of stream, with Pings answered and every timer run on the caller's time
// [MS-MMSP 3.1; mmsp.md §3.4, §3.5, §4.3, §5.1, §5.2, §5.7, §5.11]. The adapter answers 'header' with play(),
// feeds the connection's bytes to receive() and UDP datagrams to datagram(), and runs tick() at nextDeadline().
import { AttemptFailure, guarded, type AttemptFailureKind } from '../core/attempt-failure.js';
import { parseFileStart } from '../asf/file-layout.js';
import type { AsfHeader } from '../asf/header.js';
import { NetshowError, ProtocolError, isFailureHresult } from '../core/errors.js';
import { AF_FLAGS, SERVER_INCARNATION, decodeDataPacket, type DataPacket } from './data-packet.js';
import { HRESULT, PACKET_PAIR_INCARNATION, PROTOCOL_REVISION } from './hresult.js';
import {
  FILE_ATTRIBUTES,
  NO_STREAM,
  REDIRECT_TYPE,
  UNUSED,
  decodeMessage,
  encodeMessage,
  formatFunnelName,
  type MacToViewerMessage,
  type MmspMessage,
  type UnknownMessage,
  type ViewerToMacMessage,
} from './messages/index.js';
import { SESSION_ID, TcpMessageDecoder } from './tcp-message.js';

/** The player token of a WMF 9 client (mmsp.md §3.4): HeaderIncarnation/PlayIncarnation split, accel fields. */
export const DEFAULT_PLAYER = 'NSPlayer/9.0.0.2980';
/** [MS-MMSP 3.1.1] HeaderIncarnation runs 1..8 and PlayIncarnation 9..0xFE, each wrapping to its start. */
const HEADER_INCARNATIONS = { first: 1, last: 8 } as const;
const PLAY_INCARNATIONS = { first: 9, last: 0xfe } as const;
/** A header this large is not one any server sends (MPlayer's limit is 8 KiB, libmms' 16 KiB). */
const MAX_HEADER_BYTES = 16 * 1024 * 1024;
/** UDP datagrams that may beat ReportStartedPlaying on TCP; more is not a server. */
const MAX_EARLY_PACKETS = 4096;
/** UDP: datagrams sent just before EndOfStream may still be in flight behind it. */
const EOS_GRACE_MS = 250;
/** [MS-MMSP 3.1.6.1] a UDP header asked for this many times without arriving ends the attempt. */
const MAX_HEADER_TRIES = 4;

/** How an attempt failed, as src/client's FailureKind names it ('refused' is the adapter's). */
export type MmspFailureKind = AttemptFailureKind;

export interface MmspClientOptions {
  /** URL path and query without the leading "/", sent as given (mmsp.md §2.2 OpenFile). */
  readonly fileName: string;
  /** `host[:port]` for the subscriberName's `Host:` element. */
  readonly host: string;
  readonly transport: 'tcp' | 'udp';
  /** The per-session GUID of the subscriberName, without braces (the adapter draws it at random). */
  readonly subscriberGuid: string;
  /** Default DEFAULT_PLAYER. */
  readonly player?: string;
  readonly user?: string;
  readonly password?: string;
  /** Start in ms of media time (without preroll, mmsp.md 9.10); on-demand only. */
  readonly startMs?: number;
  /** Ask a version 9 server for a fast start of the whole content (dwAccelBandwidth/Duration). */
  readonly fast?: boolean;
  /** From construction through the header, and again from play() until data flows. Default 5000. */
  readonly connectTimeoutMs?: number;
  /** No data for this long while playing: dropped. Default 15000. */
  readonly idleTimeoutMs?: number;
}

/** Where the data goes: our IP and port, TCP (the control connection's local port) or UDP (our bound port). */
export interface MmspFunnel {
  readonly address: string;
  readonly port: number;
}

export type MmspClientState =
  | 'INIT'
  | 'CONNECTING'
  | 'FUNNEL_INFO'
  | 'FUNNEL'
  | 'OPENING'
  | 'HEADER'
  | 'READY'
  | 'STARTING'
  | 'PLAYING'
  | 'CHANGING'
  | 'ENDED'
  | 'FAILED'
  | 'CLOSED';

export type MmspClientEvent =
  /** The ASF header is complete: answer with play(stream numbers). `change` after a playlist entry change. */
  | {
      readonly type: 'header';
      readonly header: Buffer;
      readonly asf: AsfHeader;
      readonly live: boolean;
      readonly server: string | null;
      readonly change: boolean;
    }
  | { readonly type: 'playing' }
  /** One ASF data packet, as the server sent it (netshow sends it whole; others may strip padding). */
  | { readonly type: 'packet'; readonly data: Buffer }
  | { readonly type: 'end' }
  /** [MS-MMSP 3.1.5.7] ReportRedirect: start over at `location` (type 1); the session is over. */
  | { readonly type: 'redirect'; readonly location: string }
  | { readonly type: 'failed'; readonly kind: MmspFailureKind; readonly message: string };

export interface MmspClientOutput {
  /** Writes on the TCP connection, in order, each with one socket write. */
  readonly out: Buffer[];
  readonly events: MmspClientEvent[];
}

const hex = (n: number): string => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;

/** mmsp.md §5.11: what an error HRESULT tells rollover; only "not found" and "denied" are final. */
export function failureOfHresult(hr: number): MmspFailureKind {
  switch (hr >>> 0) {
    case HRESULT.NS_E_FILE_NOT_FOUND:
    case 0x80070002: // ERROR_FILE_NOT_FOUND as an HRESULT
    case 0x80070003: // ERROR_PATH_NOT_FOUND, seen by libmms
      return 'not-found';
    case HRESULT.E_ACCESSDENIED:
      return 'auth';
    default:
      return 'protocol';
  }
}

/** The header pieces of one ReadBlock, collected by LocationId [mmsp.md §4.3]. */
class HeaderAssembly {
  private readonly pieces = new Map<number, Buffer>();
  private last: number | null = null;
  private bytes = 0;

  constructor(
    readonly incarnation: number,
    private readonly size: number,
  ) {}

  /** Adds a piece; returns the header once every piece up to the last is in, else null. */
  add(p: DataPacket): Buffer | null {
    if (this.pieces.has(p.locationId)) return null;
    if (this.last !== null && p.locationId > this.last)
      throw new AttemptFailure('protocol', `header piece ${p.locationId} after the last one (${this.last})`);
    this.bytes += p.payload.length;
    if (this.bytes > this.size)
      throw new AttemptFailure('protocol', `header pieces exceed the ${this.size} bytes announced`);
    this.pieces.set(p.locationId, Buffer.from(p.payload));
    // [MS-MMSP 3.1.5.12] 0x08 and 0x0C both mark the last piece.
    if ((p.afFlags & AF_FLAGS.last) !== 0) {
      this.last = p.locationId;
      const beyond = [...this.pieces.keys()].find((id) => id > p.locationId);
      if (beyond !== undefined)
        throw new AttemptFailure(
          'protocol',
          `header piece ${beyond} lies beyond the last one (${p.locationId})`,
        );
    }
    if (this.last === null || this.pieces.size !== this.last + 1) return null;
    if (this.bytes !== this.size)
      throw new AttemptFailure('protocol', `the header has ${this.bytes} bytes; ${this.size} were announced`);
    return Buffer.concat(Array.from({ length: this.last + 1 }, (_, i) => this.pieces.get(i)!));
  }
}

type Disposition = 'handle' | 'ignore' | 'fail';
type ServerMessageType = MacToViewerMessage['type'];
type ActiveState = Exclude<MmspClientState, 'INIT' | 'ENDED' | 'FAILED' | 'CLOSED'>;
const ACTIVE: readonly ActiveState[] = [
  'CONNECTING',
  'FUNNEL_INFO',
  'FUNNEL',
  'OPENING',
  'HEADER',
  'READY',
  'STARTING',
  'PLAYING',
  'CHANGING',
];

/** A row handling the message in `handle` states, ignoring it in `ignore` states, failing elsewhere. */
function row(
  handle: readonly ActiveState[],
  ignore: readonly ActiveState[] = [],
): Readonly<Record<ActiveState, Disposition>> {
  return Object.fromEntries(
    ACTIVE.map((s) => [s, handle.includes(s) ? 'handle' : ignore.includes(s) ? 'ignore' : 'fail']),
  ) as Record<ActiveState, Disposition>;
}

// [MS-MMSP 3.1.5] mmsp.md §3.4: which server message is expected in which client state. Replies that may trail
// (a late ReportReadBlock on UDP, extra packet-pair ReportFunnelInfo units) are checked for an error or ignored.
const TRANSITIONS: Readonly<Record<ServerMessageType, Readonly<Record<ActiveState, Disposition>>>> = {
  LinkMacToViewerReportConnectedEX: row(['CONNECTING']),
  LinkMacToViewerReportFunnelInfo: row(['FUNNEL_INFO'], ['FUNNEL', 'OPENING']),
  LinkMacToViewerReportConnectedFunnel: row(['FUNNEL']),
  LinkMacToViewerReportDisconnectedFunnel: row(['FUNNEL']),
  LinkMacToViewerReportOpenFile: row(['OPENING']),
  LinkMacToViewerSecurityChallenge: row(['OPENING']),
  LinkMacToViewerReportRedirect: row(['OPENING']),
  LinkMacToViewerReportReadBlock: row(['HEADER', 'READY', 'STARTING', 'PLAYING', 'CHANGING']),
  LinkMacToViewerReportStreamSwitch: row(['STARTING', 'PLAYING']),
  LinkMacToViewerReportStartedPlaying: row(['STARTING']),
  LinkMacToViewerReportEndOfStream: row(['STARTING', 'PLAYING']),
  LinkMacToViewerReportStreamChange: row(['CHANGING']),
  LinkMacToViewerReportStartStriding: row([]),
  LinkMacToViewerPing: row(ACTIVE),
};

function allowedStates(type: ServerMessageType): string {
  return ACTIVE.filter((s) => TRANSITIONS[type][s] === 'handle').join(', ') || 'none (never asked for)';
}

type Handlers = {
  readonly [T in ServerMessageType]: (
    c: MmspClientMachine,
    m: Extract<MacToViewerMessage, { type: T }>,
  ) => void;
};

export class MmspClientMachine {
  private stateNow: MmspClientState = 'INIT';
  private readonly decoder = new TcpMessageDecoder({ allowData: true });
  private readonly connectTimeoutMs: number;
  private readonly idleTimeoutMs: number;
  private readonly startedAt: number;
  private now: number;
  private out: Buffer[] = [];
  private events: MmspClientEvent[] = [];
  private seq = 0;
  /** The first 8 bytes from the server, until they have shown to start a TCP unit. */
  private greeting: Buffer | null = Buffer.alloc(0);
  private headerIncarnation: number = HEADER_INCARNATIONS.first;
  private playIncarnation: number = PLAY_INCARNATIONS.first;
  private server: string | null = null;
  private serverMajor = 0;
  private openFileId = 0;
  private file: {
    attributes: number;
    durationS: number;
    bitRate: number;
    headerSize: number;
  } | null = null;
  private challenged = false;
  private assembly: HeaderAssembly | null = null;
  private headerSentAt: number | null = null;
  private headerTries = 0;
  private change = false;
  private asf: AsfHeader | null = null;
  private packetSize = 0;
  private live = false;
  private played = false;
  /** Low byte on the Data packets of the current play; 0xFF also counts in the playlist window. */
  private dataIncarnation: number | null = null;
  private changeWindow = false;
  private playSentAt: number | null = null;
  private startedPlaying = false;
  private playingSent = false;
  private early: Buffer[] = [];
  private lastData: number | null = null;
  private lastSequence: number | null = null;
  private endAt: number | null = null;
  private sessionUp = false;
  private peerGone = false;
  private funnel: MmspFunnel = { address: '0.0.0.0', port: 0 };
  /** PlayIncarnation-For-Stop [MS-MMSP 3.1.1]: that of the last StartPlaying. */
  private lastPlayIncarnation = 0;
  /** Client-ID (nCubs) from ReportFunnelInfo, for UDP resend requests; null before it. */
  clientId: number | null = null;
  /** Data packets lost (UDP sequence gaps) and datagrams dropped as stale, duplicate or unreadable. */
  lost = 0;
  discarded = 0;

  constructor(
    private readonly opt: MmspClientOptions,
    nowMs: number,
  ) {
    this.connectTimeoutMs = opt.connectTimeoutMs ?? 5000;
    this.idleTimeoutMs = opt.idleTimeoutMs ?? 15000;
    this.startedAt = nowMs;
    this.now = nowMs;
  }

  get state(): MmspClientState {
    return this.stateNow;
  }

  /** The TCP connection is up: Connect goes out [MS-MMSP 3.1.5.1]. `funnel` names our data port. */
  start(nowMs: number, funnel: MmspFunnel): MmspClientOutput {
    if (this.stateNow !== 'INIT') throw new NetshowError('E_MMSP_STATE', `start in ${this.stateNow}`);
    this.now = nowMs;
    this.funnel = funnel;
    this.stateNow = 'CONNECTING';
    this.send({
      type: 'LinkViewerToMacConnect',
      playIncarnation: PACKET_PAIR_INCARNATION.none,
      macToViewerProtocolRevision: PROTOCOL_REVISION.macToViewer,
      viewerToMacProtocolRevision: PROTOCOL_REVISION.viewerToMac,
      subscriberName: `${this.opt.player ?? DEFAULT_PLAYER}; {${this.opt.subscriberGuid}}; Host: ${this.opt.host}`,
    });
    return this.flush();
  }

  /** Bytes from the TCP connection: TCP units and (for a TCP funnel) Data packets. */
  receive(bytes: Buffer, nowMs: number): MmspClientOutput {
    this.now = nowMs;
    if (!this.active()) return this.flush();
    this.guard(() => {
      this.checkGreeting(bytes);
      for (const f of this.decoder.push(bytes)) {
        if (!this.active()) break;
        if (f.kind === 'data') this.onData(f.packet, 'tcp');
        else this.onMessage(decodeMessage(f.message));
      }
    });
    return this.flush();
  }

  /** One UDP datagram from the server's address to our funnel port: a Data packet [MS-MMSP 2.2.2]. */
  datagram(bytes: Buffer, nowMs: number): MmspClientOutput {
    this.now = nowMs;
    if (!this.active() || this.opt.transport !== 'udp') return this.flush();
    let p: DataPacket;
    try {
      p = decodeDataPacket(bytes);
    } catch (e) {
      if (!(e instanceof ProtocolError)) throw e;
      this.discarded++;
      return this.flush();
    }
    this.guard(() => this.onData(p, 'udp'));
    return this.flush();
  }

  /** The adapter's answer to 'header': the stream numbers to receive; the rest are switched off. */
  play(streams: readonly number[], nowMs: number): MmspClientOutput {
    if (this.stateNow !== 'READY')
      throw new NetshowError('E_MMSP_STATE', `play in ${this.stateNow}, not READY`);
    this.now = nowMs;
    this.guard(() => this.startPlaying(streams));
    return this.flush();
  }

  nextDeadline(): number | null {
    if (!this.active()) return null;
    const t: (number | null)[] = [this.endAt];
    if (!this.playingSent) t.push((this.playSentAt ?? this.startedAt) + this.connectTimeoutMs);
    else t.push((this.lastData ?? this.now) + this.idleTimeoutMs);
    if (this.headerSentAt !== null && this.opt.transport === 'udp')
      t.push(this.headerSentAt + this.headerTimerMs());
    const due = t.filter((x): x is number => x !== null);
    return due.length === 0 ? null : Math.min(...due);
  }

  /** Timers at `nowMs`: connect and data timeouts, the UDP header timer, the end's grace. */
  tick(nowMs: number): MmspClientOutput {
    this.now = nowMs;
    if (!this.active()) return this.flush();
    this.guard(() => {
      if (this.endAt !== null && nowMs >= this.endAt) return this.finish();
      if (!this.playingSent) {
        const since = this.playSentAt ?? this.startedAt;
        if (nowMs >= since + this.connectTimeoutMs) this.timedOut();
      } else if (nowMs >= (this.lastData ?? nowMs) + this.idleTimeoutMs) {
        throw new AttemptFailure('dropped', `no data for ${this.idleTimeoutMs} ms`);
      }
      if (
        this.headerSentAt !== null &&
        this.opt.transport === 'udp' &&
        nowMs >= this.headerSentAt + this.headerTimerMs()
      )
        this.retryHeader();
    });
    return this.flush();
  }

  /**
   * Ends the session from our side [mmsp.md §3.4 "any"]: StopPlaying while streaming, then CloseFile; the adapter
   * then closes the connection. The machine is CLOSED afterwards.
   */
  close(nowMs: number): MmspClientOutput {
    this.now = nowMs;
    if (this.stateNow === 'CLOSED') return this.flush();
    if (this.sessionUp && !this.peerGone) {
      if (this.stateNow === 'STARTING' || this.stateNow === 'PLAYING' || this.stateNow === 'CHANGING') {
        this.send({
          type: 'LinkViewerToMacStopPlaying',
          openFileId: this.openFileId,
          playIncarnation: this.lastPlayIncarnation,
        });
      }
      this.send({ type: 'LinkViewerToMacCloseFile', playIncarnation: 0, openFileId: this.openFileId });
    }
    this.stateNow = 'CLOSED';
    return this.flush();
  }

  /** The connection ended from the server's side. */
  closed(nowMs: number): MmspClientOutput {
    this.now = nowMs;
    this.peerGone = true;
    if (!this.active()) return this.flush();
    this.guard(() => {
      if (this.playingSent)
        throw new AttemptFailure('dropped', `the server closed the connection (${this.stateNow})`);
      this.decoder.end();
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

  private fail(kind: MmspFailureKind, message: string): void {
    if (!this.active()) return;
    this.stateNow = 'FAILED';
    this.endAt = null;
    this.events.push({ type: 'failed', kind, message });
  }

  private flush(): MmspClientOutput {
    const o = { out: this.out, events: this.events };
    this.out = [];
    this.events = [];
    return o;
  }

  private send(m: ViewerToMacMessage): void {
    this.out.push(encodeMessage(m, { seq: this.seq++ }));
  }

  /** [MS-MMSP 3.1.5.2] the server's first bytes must be a TCP unit; anything else is not an MMS server. */
  private checkGreeting(bytes: Buffer): void {
    if (this.greeting === null) return;
    this.greeting = Buffer.concat([this.greeting, bytes.subarray(0, 8 - this.greeting.length)]);
    if (this.greeting.length < 8) return;
    const ok = this.greeting.readUInt32LE(4) === SESSION_ID;
    const seen = this.greeting.toString('hex');
    this.greeting = null;
    if (!ok)
      throw new AttemptFailure('protocol', `the server's first bytes (${seen}) are not an MMS TCP unit`);
  }

  /** A timeout with a unit or packet half received means the server sent something broken, not nothing. */
  private timedOut(): never {
    const what =
      this.stateNow === 'INIT'
        ? 'TCP connection'
        : this.playSentAt === null
          ? 'ASF header'
          : 'data after StartPlaying';
    if (this.decoder.pending > 0)
      throw new AttemptFailure(
        'protocol',
        `the server stopped inside a message (${this.decoder.pending} bytes) while ${this.stateNow}`,
      );
    throw new AttemptFailure(
      'timeout',
      `no ${what} within ${this.connectTimeoutMs} ms (in ${this.stateNow})`,
    );
  }

  private nextHeaderIncarnation(): number {
    const n =
      this.headerIncarnation >= HEADER_INCARNATIONS.last
        ? HEADER_INCARNATIONS.first
        : this.headerIncarnation + 1;
    this.headerIncarnation = n;
    return n;
  }

  private nextPlayIncarnation(): number {
    const n = this.playIncarnation;
    this.playIncarnation = n >= PLAY_INCARNATIONS.last ? PLAY_INCARNATIONS.first : n + 1;
    return n;
  }

  /** [mmsp.md 9.7] 8 x header bytes / bit rate, plus 1 s, within 1..30 s. */
  private headerTimerMs(): number {
    const f = this.file;
    const transfer = f === null || f.bitRate <= 0 ? 0 : (8 * f.headerSize * 1000) / f.bitRate;
    return Math.min(30_000, Math.max(1000, 1000 + transfer));
  }

  private onMessage(m: MmspMessage | UnknownMessage): void {
    if (m.type === 'Unknown') return;
    if (m.type.startsWith('LinkViewerToMac'))
      throw new AttemptFailure('protocol', `the server sent a client message (${m.type})`);
    const type = m.type as ServerMessageType;
    const d = this.stateNow === 'INIT' ? 'fail' : TRANSITIONS[type][this.stateNow as ActiveState];
    if (d === 'ignore') return;
    if (d === 'fail')
      throw new AttemptFailure(
        'protocol',
        `${type} in state ${this.stateNow}; expected in: ${allowedStates(type)}`,
      );
    (MmspClientMachine.handlers[type] as (c: MmspClientMachine, m: MacToViewerMessage) => void)(
      this,
      m as MacToViewerMessage,
    );
  }

  private onData(p: DataPacket, via: 'tcp' | 'udp'): void {
    const inc = p.playIncarnation;
    if (
      this.assembly !== null &&
      inc === this.assembly.incarnation &&
      (p.afFlags & AF_FLAGS.packetPair) === 0
    ) {
      return this.onHeaderPiece(p);
    }
    const playing = this.stateNow === 'STARTING' || this.stateNow === 'PLAYING';
    if (playing && (inc === this.dataIncarnation || (this.changeWindow && inc === SERVER_INCARNATION))) {
      return this.onMediaPacket(p, via);
    }
    // Before any ReadBlock nothing but TCP units may come: this is how garbage shows itself on TCP.
    if (via === 'tcp' && this.file === null)
      throw new AttemptFailure(
        'protocol',
        `a Data packet (incarnation ${inc}) before the header was asked for`,
      );
    // Packet pairs, a header sent again, Data of an earlier play: stale [MS-MMSP 3.1.5.17].
    this.discarded++;
  }

  private onHeaderPiece(p: DataPacket): void {
    const header = this.assembly!.add(p);
    if (header === null) return;
    this.assembly = null;
    this.headerSentAt = null;
    const layout = parseFileStart(header);
    this.asf = layout.header;
    this.packetSize = layout.packetSize;
    this.live =
      ((this.file?.attributes ?? 0) & FILE_ATTRIBUTES.broadcast) !== 0 ||
      layout.header.fileProperties.broadcast;
    this.stateNow = 'READY';
    this.events.push({
      type: 'header',
      header,
      asf: layout.header,
      live: this.live,
      server: this.server,
      change: this.change,
    });
  }

  private onMediaPacket(p: DataPacket, via: 'tcp' | 'udp'): void {
    if (p.payload.length > this.packetSize) {
      const why = `a Data packet of ${p.payload.length} bytes exceeds the ASF packet size ${this.packetSize}`;
      if (via === 'tcp') throw new AttemptFailure('protocol', why);
      this.discarded++;
      return;
    }
    if (via === 'udp' && !this.freshSequence(p.afFlags)) {
      this.discarded++;
      return;
    }
    const data = Buffer.from(p.payload);
    if (!this.startedPlaying) {
      if (this.early.length >= MAX_EARLY_PACKETS)
        throw new AttemptFailure(
          'protocol',
          `over ${MAX_EARLY_PACKETS} Data packets before ReportStartedPlaying`,
        );
      this.early.push(data);
      return;
    }
    this.lastData = this.now;
    this.markPlaying();
    this.events.push({ type: 'packet', data });
  }

  /**
   * [MS-MMSP 3.1.5.17, 2.2.2] UDP: AFFlags counts the session's Data packets; a number at or behind the newest
   * one is a duplicate (or too late to be used without reordering, which loopback does not need). A jump
   * forward counts the packets skipped as lost; no resend is asked for.
   */
  private freshSequence(seq: number): boolean {
    const last = this.lastSequence;
    if (last !== null) {
      const d = (seq - last) & 0xff;
      if (d === 0 || d >= 0x80) return false;
      this.lost += d - 1;
    }
    this.lastSequence = seq;
    return true;
  }

  /** TCP data flows right after ReportStartedPlaying; UDP shows it works only when a datagram lands. */
  private markPlaying(): void {
    if (this.playingSent) return;
    this.playingSent = true;
    this.lastData = this.now;
    this.events.push({ type: 'playing' });
  }

  private finish(): void {
    if (!this.active()) return;
    this.markPlaying();
    this.stateNow = 'ENDED';
    this.endAt = null;
    this.events.push({ type: 'end' });
  }

  private sendReadBlock(): void {
    const inc = this.nextHeaderIncarnation();
    this.assembly = new HeaderAssembly(inc, this.file!.headerSize);
    this.headerSentAt = this.now;
    this.send({
      type: 'LinkViewerToMacReadBlock',
      openFileId: this.openFileId,
      fileBlockId: 0,
      offset: 0,
      length: 0x8000,
      flags: 0xffffffff,
      padding: 0,
      tEarliest: 0,
      tDeadline: 3600,
      playIncarnation: inc,
      playSequence: 0,
    });
  }

  /** [MS-MMSP 3.1.6.1; mmsp.md §3.4, §5.2] UDP header timer: CancelReadBlock, a new ReadBlock; four in all. */
  private retryHeader(): void {
    this.headerTries++;
    if (this.headerTries >= MAX_HEADER_TRIES)
      throw new AttemptFailure('timeout', `no ASF header over UDP after ${MAX_HEADER_TRIES} ReadBlocks`);
    this.send({ type: 'LinkViewerToMacCancelReadBlock', playIncarnation: this.assembly!.incarnation });
    this.sendReadBlock();
  }

  private startPlaying(streams: readonly number[]): void {
    const asf = this.asf!;
    const all = asf.streams.map((s) => s.streamNumber);
    const on = all.filter((n) => streams.includes(n));
    if (on.length === 0)
      throw new AttemptFailure('unsupported', `none of streams ${streams.join(', ')} is in the content`);
    // [MS-MMSP 3.1.4.2] the complete selection before StartPlaying: every stream, 0 = on, 2 = off.
    this.send({
      type: 'LinkViewerToMacStreamSwitch',
      entries: all.map((n) => ({
        wSrcStreamNumber: NO_STREAM,
        wDstStreamNumber: n,
        wThinningLevel: on.includes(n) ? 0 : 2,
      })),
    });
    const seek = !this.played && !this.live && (this.opt.startMs ?? 0) > 0;
    const inc = this.nextPlayIncarnation();
    const f = this.file!;
    // [MS-MMSP 3.1.4.2.1] accel fields for a version 9 server; fast asks for the whole content at 5x.
    const accel =
      this.serverMajor < 9
        ? null
        : this.opt.fast && !this.live
          ? { bandwidth: Math.min(0xffffffff, f.bitRate * 5), duration: Math.ceil(f.durationS * 1000) }
          : { bandwidth: f.bitRate, duration: 0 };
    this.send({
      type: 'LinkViewerToMacStartPlaying',
      openFileId: this.openFileId,
      padding: 0,
      position: seek ? this.opt.startMs! / 1000 : 0,
      asfOffset: UNUSED,
      locationId: UNUSED,
      frameOffset: 0,
      playIncarnation: inc,
      accel,
      linkBandwidth: null,
    });
    this.played = true;
    this.lastPlayIncarnation = inc;
    this.dataIncarnation = inc & 0xff;
    this.playSentAt = this.now;
    this.startedPlaying = false;
    this.playingSent = false;
    this.lastSequence = null;
    this.early = [];
    this.stateNow = 'STARTING';
  }

  // ---- one handler per server message [MS-MMSP 3.1.5] ----

  /** [MS-MMSP 3.1.5.3] an error hr ends the attempt; the version decides the accel fields. */
  private onConnectedEX(m: Extract<MacToViewerMessage, { type: 'LinkMacToViewerReportConnectedEX' }>): void {
    if (m.hr !== HRESULT.S_OK)
      throw new AttemptFailure(failureOfHresult(m.hr), `the server refused the connection: hr ${hex(m.hr)}`);
    this.sessionUp = true;
    this.server = m.serverVersionInfo === '' ? null : m.serverVersionInfo;
    this.serverMajor = Number(/^\d+/.exec(m.serverVersionInfo)?.[0] ?? 0);
    this.stateNow = 'FUNNEL_INFO';
    this.send({ type: 'LinkViewerToMacFunnelInfo', playIncarnation: PACKET_PAIR_INCARNATION.none });
  }

  /** [MS-MMSP 3.1.5.4] keep Client-ID, then name the data funnel. */
  private onFunnelInfo(m: Extract<MacToViewerMessage, { type: 'LinkMacToViewerReportFunnelInfo' }>): void {
    if (m.hr !== HRESULT.S_OK) throw new AttemptFailure('protocol', `ReportFunnelInfo hr ${hex(m.hr)}`);
    this.clientId = m.nCubs;
    this.stateNow = 'FUNNEL';
    this.send({
      type: 'LinkViewerToMacConnectFunnel',
      playIncarnation: 0,
      maxBlockBytes: 0xffffffff,
      maxFunnelBytes: 0,
      maxBitRate: 0x00989680,
      funnelMode: 2,
      funnelName: formatFunnelName({
        address: this.funnel.address,
        transport: this.opt.transport === 'udp' ? 'UDP' : 'TCP',
        port: this.funnel.port,
      }),
    });
  }

  private onConnectedFunnel(
    m: Extract<MacToViewerMessage, { type: 'LinkMacToViewerReportConnectedFunnel' }>,
  ): void {
    if (m.hr !== HRESULT.S_OK) throw new AttemptFailure('protocol', `ReportConnectedFunnel hr ${hex(m.hr)}`);
    this.openFile();
  }

  /** [MS-MMSP 3.1.5.5] rollover moves from MMSU to MMST when the server refuses UDP (rollover.md §2.3). */
  private onDisconnectedFunnel(
    m: Extract<MacToViewerMessage, { type: 'LinkMacToViewerReportDisconnectedFunnel' }>,
  ): void {
    const kind = this.opt.transport === 'udp' ? 'unsupported' : 'protocol';
    throw new AttemptFailure(
      kind,
      `the server refused data over ${this.opt.transport.toUpperCase()}: hr ${hex(m.hr)}`,
    );
  }

  private openFile(): void {
    this.stateNow = 'OPENING';
    this.send({
      type: 'LinkViewerToMacOpenFile',
      playIncarnation: this.nextPlayIncarnation(),
      spare: 0,
      fileName: this.opt.fileName,
      tokenData: null,
    });
  }

  /** [MS-MMSP 3.1.5.9] an error hr ends the attempt (not found and denied end rollover too). */
  private onOpenFile(m: Extract<MacToViewerMessage, { type: 'LinkMacToViewerReportOpenFile' }>): void {
    if (m.hr !== HRESULT.S_OK)
      throw new AttemptFailure(
        failureOfHresult(m.hr),
        `${this.opt.fileName}: ReportOpenFile hr ${hex(m.hr)}`,
      );
    if (m.fileHeaderSize < 30 + 50 || m.fileHeaderSize > MAX_HEADER_BYTES)
      throw new AttemptFailure('protocol', `fileHeaderSize ${m.fileHeaderSize} cannot hold an ASF header`);
    this.openFileId = m.openFileId;
    this.file = {
      attributes: m.fileAttributes,
      durationS: Number.isFinite(m.fileDuration) ? Math.max(0, m.fileDuration) : 0,
      bitRate: m.fileBitRate,
      headerSize: m.fileHeaderSize,
    };
    this.stateNow = 'HEADER';
    this.sendReadBlock();
  }

  /** [MS-MMSP 3.1.5.8; mmsp.md §5.9] Basic only, and once: a second challenge means the credentials failed. */
  private onSecurityChallenge(
    m: Extract<MacToViewerMessage, { type: 'LinkMacToViewerSecurityChallenge' }>,
  ): void {
    const ntlm = m.token.length >= 2 && m.token[0] === 0 && m.token[1] === 0;
    if (ntlm)
      throw new AttemptFailure(
        'auth',
        `${this.opt.fileName}: the server asks for NTLM, which netshow does not speak`,
      );
    if (this.opt.user === undefined)
      throw new AttemptFailure('auth', `${this.opt.fileName}: credentials needed`);
    if (this.challenged) throw new AttemptFailure('auth', `${this.opt.fileName}: credentials refused`);
    this.challenged = true;
    const basic = Buffer.from(`${this.opt.user}:${this.opt.password ?? ''}`, 'utf8').toString('base64');
    this.send({
      type: 'LinkViewerToMacSecurityResponse',
      playIncarnation: m.playIncarnation,
      cookie: m.cookie,
      token: Buffer.from(`${basic}\0`, 'latin1'),
    });
  }

  /** [MS-MMSP 3.1.5.7] the adapter reconnects; a proxy redirect (type 2) is not followed. */
  private onRedirect(m: Extract<MacToViewerMessage, { type: 'LinkMacToViewerReportRedirect' }>): void {
    if (m.hr !== HRESULT.S_OK)
      throw new AttemptFailure(failureOfHresult(m.hr), `ReportRedirect hr ${hex(m.hr)}`);
    if (m.redirectType !== REDIRECT_TYPE.url || m.location === '')
      throw new AttemptFailure(
        'unsupported',
        `redirect of type ${m.redirectType} to ${JSON.stringify(m.location)}`,
      );
    this.stateNow = 'CLOSED';
    this.events.push({ type: 'redirect', location: m.location });
  }

  private onReadBlock(m: Extract<MacToViewerMessage, { type: 'LinkMacToViewerReportReadBlock' }>): void {
    if (m.hr !== HRESULT.S_OK) throw new AttemptFailure('protocol', `ReportReadBlock hr ${hex(m.hr)}`);
  }

  private onStreamSwitch(
    m: Extract<MacToViewerMessage, { type: 'LinkMacToViewerReportStreamSwitch' }>,
  ): void {
    if (m.hr !== HRESULT.S_OK) throw new AttemptFailure('protocol', `ReportStreamSwitch hr ${hex(m.hr)}`);
  }

  /** [MS-MMSP 3.1.5.15] Data of this play may already be waiting (UDP beats TCP). */
  private onStartedPlaying(
    m: Extract<MacToViewerMessage, { type: 'LinkMacToViewerReportStartedPlaying' }>,
  ): void {
    if (m.hr !== HRESULT.S_OK)
      throw new AttemptFailure(failureOfHresult(m.hr), `ReportStartedPlaying hr ${hex(m.hr)}`);
    this.startedPlaying = true;
    this.changeWindow = false;
    this.stateNow = 'PLAYING';
    if (this.opt.transport === 'tcp') this.markPlaying();
    const early = this.early;
    this.early = [];
    if (early.length > 0) {
      this.lastData = this.now;
      this.markPlaying();
    }
    for (const data of early) this.events.push({ type: 'packet', data });
  }

  /**
   * [MS-MMSP 3.1.5.18] hr 1: another playlist entry follows (ReportStreamChange next); any other success ends the
   * stream (over UDP after a moment for datagrams in flight); a failure is the stream breaking off.
   */
  private onEndOfStream(m: Extract<MacToViewerMessage, { type: 'LinkMacToViewerReportEndOfStream' }>): void {
    if (m.hr === HRESULT.S_FALSE) {
      this.stateNow = 'CHANGING';
      this.lastData = this.now;
      return;
    }
    if (isFailureHresult(m.hr))
      throw new AttemptFailure('dropped', `the stream failed: ReportEndOfStream hr ${hex(m.hr)}`);
    if (this.opt.transport === 'tcp') return this.finish();
    this.endAt ??= this.now + EOS_GRACE_MS;
  }

  /** [MS-MMSP 3.1.5.19; mmsp.md §5.7] TCP: the new header follows at incarnation 0xFF; UDP: ask for it. */
  private onStreamChange(
    m: Extract<MacToViewerMessage, { type: 'LinkMacToViewerReportStreamChange' }>,
  ): void {
    if (m.cbHeaderSize < 30 + 50 || m.cbHeaderSize > MAX_HEADER_BYTES)
      throw new AttemptFailure(
        'protocol',
        `ReportStreamChange cbHeaderSize ${m.cbHeaderSize} cannot hold an ASF header`,
      );
    this.file = { ...this.file!, headerSize: m.cbHeaderSize, bitRate: m.dwBitRate };
    this.change = true;
    this.headerTries = 0;
    this.stateNow = 'HEADER';
    this.lastData = this.now;
    if (this.opt.transport === 'udp') return this.sendReadBlock();
    this.changeWindow = true;
    this.assembly = new HeaderAssembly(SERVER_INCARNATION, m.cbHeaderSize);
  }

  /** [MS-MMSP 3.1.5.13] keep-alive: answer at once. */
  private onPing(): void {
    this.send({ type: 'LinkViewerToMacPong', dwParam1: 0, dwParam2: 0 });
  }

  /** One handler per server message; static so that the handlers stay private. */
  private static readonly handlers: Handlers = {
    LinkMacToViewerReportConnectedEX: (c, m) => c.onConnectedEX(m),
    LinkMacToViewerReportFunnelInfo: (c, m) => c.onFunnelInfo(m),
    LinkMacToViewerReportConnectedFunnel: (c, m) => c.onConnectedFunnel(m),
    LinkMacToViewerReportDisconnectedFunnel: (c, m) => c.onDisconnectedFunnel(m),
    LinkMacToViewerReportOpenFile: (c, m) => c.onOpenFile(m),
    LinkMacToViewerSecurityChallenge: (c, m) => c.onSecurityChallenge(m),
    LinkMacToViewerReportRedirect: (c, m) => c.onRedirect(m),
    LinkMacToViewerReportReadBlock: (c, m) => c.onReadBlock(m),
    LinkMacToViewerReportStreamSwitch: (c, m) => c.onStreamSwitch(m),
    LinkMacToViewerReportStartedPlaying: (c, m) => c.onStartedPlaying(m),
    LinkMacToViewerReportEndOfStream: (c, m) => c.onEndOfStream(m),
    LinkMacToViewerReportStreamChange: (c, m) => c.onStreamChange(m),
    // Never asked for (no StartStriding is sent); the table refuses it before it gets here.
    LinkMacToViewerReportStartStriding: () => undefined,
    LinkMacToViewerPing: (c) => c.onPing(),
  };
}
