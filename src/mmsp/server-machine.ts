// The MMS server session as a pure machine: bytes and the time in, buffers to write and events for the adapter
// out [MS-MMSP 3.2; mmsp.md §3.1-3.3, §4, §5, §6.1, §7.8]. All transitions live in TRANSITIONS; one handler per
// message in HANDLERS. The adapter tells it what happened outside (file opened, end of content) and asks it to
// frame each data packet.
import { NetshowError, ProtocolError } from '../core/errors.js';
import {
  dataPacketHeader,
  decodeRequestPacketListResend,
  headerPieces,
  PACKET_PAIR,
  packetPairPackets,
  SERVER_INCARNATION,
  DATA_PACKET_HEADER_SIZE,
} from './data-packet.js';
import { randomBytes } from 'node:crypto';
import { HRESULT, PACKET_PAIR_INCARNATION } from './hresult.js';
import {
  decodeMessage,
  encodeMessage,
  FUNNEL_OF_THE_GODS,
  parseFunnelName,
  parseSubscriberName,
  summarizeClientLog,
  type MacToViewerMessage,
  type ViewerToMacMessage,
} from './messages/index.js';
import type {
  MmspServerEvent,
  MmspServerOptions,
  MmspServerOutput,
  MmspServerState,
} from './server-events.js';
import {
  OPEN_FILE_ID,
  refusal,
  reportConnectedEX,
  reportFunnelInfo,
  reportOpenFile,
  startedPlaying,
} from './server-replies.js';
import {
  applyStreamSwitch,
  isPastEnd,
  parseRequestedName,
  playLimitOf,
  startPointOf,
  type OpenedFile,
  type ThinLevel,
} from './server-rules.js';
import { TcpMessageDecoder } from './tcp-message.js';

// The machine's input and output types and its reply builders live beside it; importable from here too.
export type {
  MmspServerEvent,
  MmspServerOptions,
  MmspServerOutput,
  MmspServerState,
} from './server-events.js';
export { OPEN_FILE_ID, reportOpenFile } from './server-replies.js';

type TableState = Exclude<MmspServerState, 'OPENING' | 'CLOSED'>;
const TABLE_STATES: readonly TableState[] = ['CONNECTED', 'INIT', 'OPEN', 'READY', 'STREAMING'];

/**
 * handle: run the message's handler. ignore: drop quietly. refuse: answer with the message's error reply
 * (REFUSALS) and report a ProtocolError. close: report a ProtocolError and close the session.
 */
type Disposition = 'handle' | 'ignore' | 'refuse' | 'close';
type ClientMessageType = ViewerToMacMessage['type'] | 'Unknown';

const row = (c: Disposition, i: Disposition, o: Disposition, r: Disposition, s: Disposition) =>
  ({ CONNECTED: c, INIT: i, OPEN: o, READY: r, STREAMING: s }) as const;

// [MS-MMSP 3.2.5] mmsp.md §3.2: the server event table, INIT split into INIT (no file) and OPEN (file open).
const TRANSITIONS: Readonly<Record<ClientMessageType, Readonly<Record<TableState, Disposition>>>> = {
  //                                      CONNECTED INIT      OPEN      READY     STREAMING
  LinkViewerToMacConnect: row('handle', 'close', 'close', 'close', 'close'),
  LinkViewerToMacFunnelInfo: row('close', 'handle', 'handle', 'handle', 'handle'),
  LinkViewerToMacConnectFunnel: row('close', 'handle', 'refuse', 'refuse', 'refuse'),
  LinkViewerToMacOpenFile: row('close', 'handle', 'refuse', 'refuse', 'refuse'),
  LinkViewerToMacSecurityResponse: row('close', 'ignore', 'ignore', 'ignore', 'ignore'),
  LinkViewerToMacReadBlock: row('close', 'close', 'handle', 'handle', 'handle'),
  LinkViewerToMacCancelReadBlock: row('ignore', 'ignore', 'ignore', 'ignore', 'ignore'),
  LinkViewerToMacStreamSwitch: row('close', 'handle', 'handle', 'handle', 'handle'),
  LinkViewerToMacStartPlaying: row('close', 'refuse', 'refuse', 'handle', 'handle'),
  LinkViewerToMacStartStriding: row('close', 'refuse', 'refuse', 'handle', 'handle'),
  LinkViewerToMacStopPlaying: row('close', 'handle', 'handle', 'handle', 'handle'),
  LinkViewerToMacLogging: row('ignore', 'handle', 'handle', 'handle', 'handle'),
  LinkViewerToMacPong: row('ignore', 'handle', 'handle', 'handle', 'handle'),
  LinkViewerToMacCloseFile: row('close', 'handle', 'handle', 'handle', 'handle'),
  Unknown: row('close', 'ignore', 'ignore', 'ignore', 'ignore'),
};

/** The states in which a message is handled, for error messages and docs. */
export function allowedStates(type: ClientMessageType): TableState[] {
  return TABLE_STATES.filter((s) => TRANSITIONS[type][s] === 'handle');
}

/** Messages after which a failed open closes the session (mmsp.md §5.11: MPlayer carries on after errors). */
const NEEDS_FILE: ReadonlySet<ClientMessageType> = new Set([
  'LinkViewerToMacReadBlock',
  'LinkViewerToMacStreamSwitch',
  'LinkViewerToMacStartPlaying',
  'LinkViewerToMacStartStriding',
]);

const MAX_QUEUED = 64;

interface Timers {
  lastHeard: number;
  lastUnitSent: number;
  idleSince: number | null;
  eosLingerSince: number | null;
  errorLingerSince: number | null;
  restartWaitSince: number | null;
}

type Handlers = {
  readonly [T in ViewerToMacMessage['type']]: (
    s: MmspServerMachine,
    m: Extract<ViewerToMacMessage, { type: T }>,
  ) => void;
};

export class MmspServerMachine {
  private stateNow: MmspServerState = 'CONNECTED';
  private readonly decoder: TcpMessageDecoder;
  private readonly opt: Required<MmspServerOptions>;
  private now = 0;
  private seq = 0;
  private out: Buffer[] = [];
  private udp: Buffer[] = [];
  /** Connect asked for packet pair (0xF0F0F0F0); FunnelInfo then chose TCP or UDP pairs [mmsp.md §1.6]. */
  private packetPairAsked = false;
  private udpPacketPair = false;
  private events: MmspServerEvent[] = [];
  private queued: ViewerToMacMessage[] | null = null;
  private file: OpenedFile | null = null;
  private openIncarnation = 0;
  private openFailed = false;
  private udpPortNow: number | null = null;
  private selectionNow: Map<number, ThinLevel> | null = null;
  private playIncarnation = 0;
  private dataIncarnation = 0;
  private sequence = 0;
  private readonly ring: (readonly [Buffer, Buffer] | undefined)[];
  /** The 32-bit sequence number each ring slot holds. */
  private readonly ringSeq = new Map<number, number>();
  private resendBudget: { second: number; used: number } = { second: -1, used: 0 };
  private readonly timers: Timers;

  constructor(options: MmspServerOptions, nowMs = 0) {
    const o = {
      serverVersion: '9.01.01.3841',
      allowUdp: true,
      keepAliveMs: 30_000,
      idleTimeoutMs: 3_600_000,
      eosLingerMs: 5_000,
      errorLingerMs: 2_000,
      restartWaitMs: 2_000,
      resendRing: 1024,
      resendsPerSecond: 1000,
      maxMessageLength: 65536,
      randomBytes,
      ...options,
    };
    // [MS-MMSP 3.2.2] both timers are at least 10 s.
    this.opt = {
      ...o,
      keepAliveMs: Math.max(o.keepAliveMs, 10_000),
      idleTimeoutMs: Math.max(o.idleTimeoutMs, 10_000),
    };
    this.decoder = new TcpMessageDecoder({ maxMessageLength: this.opt.maxMessageLength });
    this.ring = new Array<readonly [Buffer, Buffer] | undefined>(Math.max(1, this.opt.resendRing));
    this.now = nowMs;
    this.timers = {
      lastHeard: nowMs,
      lastUnitSent: nowMs,
      idleSince: nowMs,
      eosLingerSince: null,
      errorLingerSince: null,
      restartWaitSince: null,
    };
  }

  get state(): MmspServerState {
    return this.stateNow;
  }

  private isClosed(): boolean {
    return this.stateNow === 'CLOSED';
  }

  /** 'udp' once a UDP funnel was accepted; Data and header pieces then go as datagrams. */
  get transport(): 'tcp' | 'udp' {
    return this.udpPortNow === null ? 'tcp' : 'udp';
  }

  get udpPort(): number | null {
    return this.udpPortNow;
  }

  get selection(): ReadonlyMap<number, ThinLevel> | null {
    return this.selectionNow;
  }

  /** Bytes from the TCP connection. Never throws for anything the peer sent. */
  receive(bytes: Buffer, nowMs: number): MmspServerOutput {
    this.now = nowMs;
    if (this.stateNow === 'CLOSED') return this.flush();
    let frames;
    try {
      frames = this.decoder.push(bytes);
    } catch (e) {
      if (!(e instanceof ProtocolError)) throw e;
      this.close('malformed TCP unit', e);
      return this.flush();
    }
    for (const f of frames) {
      if (this.isClosed()) break;
      if (f.kind === 'data') continue;
      let m;
      try {
        m = decodeMessage(f.message);
      } catch (e) {
        if (!(e instanceof ProtocolError)) throw e;
        this.close('malformed message', e);
        break;
      }
      if (m.type.startsWith('LinkMacToViewer')) {
        this.close('server-to-client message from the client', stateError(m.type, this.stateNow));
        break;
      }
      this.timers.lastHeard = nowMs;
      this.timers.eosLingerSince = null;
      this.dispatch(m as ViewerToMacMessage | { type: 'Unknown'; mid: number; body: Buffer });
    }
    return this.flush();
  }

  /** The adapter opened the file asked for in 'open-file' [MS-MMSP 3.2.5.7]; ignored once the session closed. */
  fileOpened(file: OpenedFile, nowMs: number): MmspServerOutput {
    this.now = nowMs;
    if (!this.expectOpening()) return this.flush();
    this.file = file;
    this.openFailed = false;
    this.timers.errorLingerSince = null;
    this.send(reportOpenFile(this.openIncarnation, HRESULT.S_OK, file));
    this.stateNow = 'OPEN';
    this.drainQueue();
    return this.flush();
  }

  /** The name could not be opened: answer with `hresult` (HRESULT.NS_E_FILE_NOT_FOUND, ...) [mmsp.md §5.11]. */
  fileFailed(hresult: number, nowMs: number): MmspServerOutput {
    this.now = nowMs;
    if (!this.expectOpening()) return this.flush();
    this.failOpen(hresult);
    this.drainQueue();
    return this.flush();
  }

  /** The delivery core sent the last packet of the play: ReportEndOfStream, READY [MS-MMSP 3.2.4.1]. */
  endOfStream(nowMs: number, hresult: number = HRESULT.S_OK): MmspServerOutput {
    this.now = nowMs;
    if (this.stateNow !== 'STREAMING') return this.flush();
    this.send({
      type: 'LinkMacToViewerReportEndOfStream',
      hr: hresult,
      playIncarnation: this.playIncarnation,
    });
    this.enterReady();
    // mmsp.md §3.3 EOS linger: MPlayer exits only when the server closes.
    if (hresult === HRESULT.S_OK && this.file !== null && !this.file.broadcast) {
      this.timers.eosLingerSince = nowMs;
    }
    return this.flush();
  }

  /**
   * The next server-side playlist entry starts [MS-MMSP 3.2.4.2; mmsp.md §5.7]: EndOfStream hr 1, StreamChange,
   * then on TCP the new header with incarnation 0xFF and Data held until the client restarts (or 2 s);
   * on UDP the session goes READY and waits for a ReadBlock.
   */
  nextEntry(file: OpenedFile, nowMs: number): MmspServerOutput {
    this.now = nowMs;
    if (this.stateNow !== 'STREAMING') throw new NetshowError('E_MMSP_STATE', 'nextEntry outside STREAMING');
    this.send({
      type: 'LinkMacToViewerReportEndOfStream',
      hr: HRESULT.S_FALSE,
      playIncarnation: this.playIncarnation,
    });
    this.send({
      type: 'LinkMacToViewerReportStreamChange',
      hr: HRESULT.S_OK,
      dwTcpHdrIncarnation: SERVER_INCARNATION,
      cbPacketSize: file.packetSize,
      cbHeaderSize: file.headerBytes.length,
      dwBitRate: file.bitRate ?? 0,
      dwStreamId: 0,
    });
    this.file = file;
    this.selectionNow = null;
    if (this.transport === 'udp') {
      this.events.push({ type: 'stop', reason: 'entry-change' });
      this.enterReady();
    } else {
      this.out.push(...headerPieces(file.headerBytes, file.packetSize, SERVER_INCARNATION));
      this.dataIncarnation = SERVER_INCARNATION;
      this.timers.restartWaitSince = nowMs;
    }
    return this.flush();
  }

  /** Whether Data must be held: the TCP playlist window before the client's restart (mmsp.md §5.7). */
  get holdingData(): boolean {
    return this.timers.restartWaitSince !== null;
  }

  /**
   * Frames one ASF data packet of the current play [MS-MMSP 2.2.2; mmsp.md §6.1]: the 8-byte header to send
   * together with `bytes` (shared, never copied), on TCP as two writes in one cork, on UDP as one datagram of two
   * pieces. UDP keeps the pair for resends: the ring holds references to the shared packets, not copies, so a
   * thousand UDP sessions do not each hold megabytes. null outside STREAMING.
   */
  dataPacket(locationId: number, bytes: Buffer): Buffer | null {
    if (this.stateNow !== 'STREAMING') return null;
    const size = DATA_PACKET_HEADER_SIZE + bytes.length;
    // mmsp.md §1.1: bytes 4..7 must never read ce fa 0b b0 on TCP, or the client takes the packet for a unit.
    if (
      this.transport === 'tcp' &&
      this.dataIncarnation === 0xce &&
      (this.sequence & 0xff) === 0xfa &&
      size === 0xb00b
    ) {
      this.sequence++;
    }
    const seq = this.sequence++;
    const header = dataPacketHeader(locationId, this.dataIncarnation, seq & 0xff, bytes.length);
    if (this.transport === 'udp') {
      this.ring[seq % this.ring.length] = [header, bytes];
      this.ringSeq.set(seq % this.ring.length, seq);
    }
    return header;
  }

  /**
   * A UDP datagram from the client (RequestPacketListResend): the listed Data packets again, byte-identical (each
   * as its header and packet pieces), or nothing when it does not match this session [MS-MMSP 3.2.5.11.1].
   */
  resend(datagram: Buffer, nowMs: number): (readonly Buffer[])[] {
    if (this.transport !== 'udp' || this.stateNow === 'CLOSED') return [];
    let req;
    try {
      req = decodeRequestPacketListResend(datagram);
    } catch (e) {
      if (e instanceof ProtocolError) return [];
      throw e;
    }
    if (req.clientId !== this.opt.clientId >>> 0 || req.sourceId !== (OPEN_FILE_ID & 0xffff)) return [];
    this.timers.lastHeard = nowMs;
    const second = Math.floor(nowMs / 1000);
    if (this.resendBudget.second !== second) this.resendBudget = { second, used: 0 };
    const out: (readonly Buffer[])[] = [];
    for (const seq of req.packets) {
      if (this.resendBudget.used >= this.opt.resendsPerSecond) break;
      const slot = seq % this.ring.length;
      const kept = this.ring[slot];
      if (kept !== undefined && this.ringSeq.get(slot) === seq) {
        out.push(kept);
        this.resendBudget.used++;
      }
    }
    return out;
  }

  /** The time at which tick() has something to do, or null. */
  nextDeadline(): number | null {
    if (this.stateNow === 'CLOSED') return null;
    const t = this.timers;
    const candidates = [
      this.stateNow === 'CONNECTED' ? null : Math.max(t.lastHeard, t.lastUnitSent) + this.opt.keepAliveMs,
      t.idleSince === null ? null : t.idleSince + this.opt.idleTimeoutMs,
      t.eosLingerSince === null ? null : t.eosLingerSince + this.opt.eosLingerMs,
      t.errorLingerSince === null ? null : t.errorLingerSince + this.opt.errorLingerMs,
      t.restartWaitSince === null ? null : t.restartWaitSince + this.opt.restartWaitMs,
    ].filter((x): x is number => x !== null);
    return candidates.length === 0 ? null : Math.min(...candidates);
  }

  /** Runs the timers of mmsp.md §3.3 at `nowMs`: Ping, idle, linger closes, the playlist hold. */
  tick(nowMs: number): MmspServerOutput {
    this.now = nowMs;
    if (this.stateNow === 'CLOSED') return this.flush();
    const t = this.timers;
    if (t.errorLingerSince !== null && nowMs >= t.errorLingerSince + this.opt.errorLingerMs) {
      this.close('error reply linger expired');
    } else if (t.eosLingerSince !== null && nowMs >= t.eosLingerSince + this.opt.eosLingerMs) {
      this.close('client silent after the end of the content');
    } else if (t.idleSince !== null && nowMs >= t.idleSince + this.opt.idleTimeoutMs) {
      this.close('idle timeout');
    } else {
      if (t.restartWaitSince !== null && nowMs >= t.restartWaitSince + this.opt.restartWaitMs) {
        t.restartWaitSince = null;
        this.events.push({ type: 'resume-data', incarnation: this.dataIncarnation });
      }
      // [MS-MMSP 3.2.6.1] KeepAlive: Ping after keepAliveMs without a unit either way.
      if (
        this.stateNow !== 'CONNECTED' &&
        nowMs >= Math.max(t.lastHeard, t.lastUnitSent) + this.opt.keepAliveMs
      ) {
        this.send({ type: 'LinkMacToViewerPing', dwParam1: 0, dwParam2: 0 });
      }
    }
    return this.flush();
  }

  /** The TCP connection ended (peer close or error): the session is over. */
  closed(): MmspServerOutput {
    this.stateNow = 'CLOSED';
    return this.flush();
  }

  // ---- dispatch ----

  private dispatch(m: ViewerToMacMessage | { type: 'Unknown'; mid: number; body: Buffer }): void {
    if (this.stateNow === 'OPENING') {
      this.queued ??= [];
      if (this.queued.length >= MAX_QUEUED) {
        this.close('too many messages while opening', stateError(m.type, 'queue full while OPENING'));
        return;
      }
      if (m.type !== 'Unknown') this.queued.push(m);
      return;
    }
    if (this.stateNow === 'CLOSED') return;
    const state: TableState = this.stateNow;
    if (this.openFailed && state === 'INIT' && NEEDS_FILE.has(m.type)) {
      // mmsp.md §5.11: after an error ReportOpenFile, a client that carries on is closed.
      this.close('request after a failed OpenFile', stateError(m.type, state));
      return;
    }
    const d = TRANSITIONS[m.type][state];
    if (d === 'handle') {
      if (m.type === 'Unknown') return;
      (MmspServerMachine.handlers[m.type] as (s: MmspServerMachine, m: ViewerToMacMessage) => void)(this, m);
      return;
    }
    if (d === 'ignore') {
      if (m.type === 'Unknown') {
        this.events.push({
          type: 'protocol-error',
          error: new ProtocolError(
            'E_MMSP_UNKNOWN',
            `unknown MID 0x${m.mid.toString(16).padStart(8, '0')} ignored`,
          ),
        });
      }
      return;
    }
    const error = stateError(m.type, state);
    if (d === 'close') {
      this.close(`${m.type} in ${state}`, error);
      return;
    }
    const reply = refusal(m as ViewerToMacMessage);
    if (reply !== null) this.send(reply);
    this.events.push({ type: 'protocol-error', error });
  }

  private drainQueue(): void {
    const q = this.queued ?? [];
    this.queued = null;
    for (const [i, m] of q.entries()) {
      if (this.stateNow === 'OPENING') {
        this.queued = q.slice(i);
        return;
      }
      this.dispatch(m);
    }
  }

  /** Whether an open is pending; false once the session closed meanwhile (the answer is then dropped). */
  private expectOpening(): boolean {
    if (this.stateNow === 'CLOSED') return false;
    if (this.stateNow !== 'OPENING') {
      throw new NetshowError('E_MMSP_STATE', `no open-file is pending (state ${this.stateNow})`);
    }
    return true;
  }

  // ---- actions shared by handlers ----

  private send(m: MacToViewerMessage): void {
    this.out.push(encodeMessage(m, { seq: this.seq++ }));
    this.timers.lastUnitSent = this.now;
  }

  private emit(e: MmspServerEvent): void {
    this.events.push(e);
  }

  private close(reason: string, error?: ProtocolError): void {
    if (this.stateNow === 'CLOSED') return;
    this.stateNow = 'CLOSED';
    this.events.push(error === undefined ? { type: 'close', reason } : { type: 'close', reason, error });
  }

  private enterReady(): void {
    this.stateNow = 'READY';
    this.timers.restartWaitSince = null;
    this.timers.idleSince ??= this.now;
  }

  private failOpen(hresult: number): void {
    this.send(reportOpenFile(this.openIncarnation, hresult, null));
    this.stateNow = 'INIT';
    this.openFailed = true;
    this.timers.errorLingerSince = this.now;
  }

  private flush(): MmspServerOutput {
    const o = { out: this.out, udp: this.udp, events: this.events };
    this.out = [];
    this.udp = [];
    this.events = [];
    return o;
  }

  // ---- one handler per message [MS-MMSP 3.2.5] ----

  private random(n: number): Buffer {
    return this.opt.randomBytes(n);
  }

  /** [MS-MMSP 3.2.5.2] */
  private onConnect(m: Extract<ViewerToMacMessage, { type: 'LinkViewerToMacConnect' }>): void {
    this.emit({
      type: 'connected',
      subscriberName: m.subscriberName,
      client: parseSubscriberName(m.subscriberName),
    });
    this.packetPairAsked = m.playIncarnation >>> 0 === PACKET_PAIR_INCARNATION.requested;
    this.send(reportConnectedEX(this.opt.serverVersion, this.packetPairAsked));
    this.stateNow = 'INIT';
    this.timers.idleSince = this.now;
  }

  /**
   * [MS-MMSP 3.2.5.4] mmsp.md §1.6: TCP packet pair is three ReportFunnelInfo units of 512, 512 and 1056 bytes
   * (80 fixed + 432, 432, 976 random); UDP packet pair is one echo now and two UDP packets on each ReadBlock.
   */
  private onFunnelInfo(m: Extract<ViewerToMacMessage, { type: 'LinkViewerToMacFunnelInfo' }>): void {
    const asked = m.playIncarnation >>> 0;
    if (this.packetPairAsked && asked === PACKET_PAIR_INCARNATION.tcpHighEntropy) {
      for (const n of [432, 432, 976]) this.send(reportFunnelInfo(this.opt.clientId, asked, this.random(n)));
      return;
    }
    if (this.packetPairAsked && asked === PACKET_PAIR_INCARNATION.udp) {
      this.udpPacketPair = true;
      this.send(reportFunnelInfo(this.opt.clientId, asked));
      return;
    }
    this.send(reportFunnelInfo(this.opt.clientId));
  }

  /** [MS-MMSP 3.2.5.5] UDP: record the port only; Data goes to the TCP peer's address. */
  private onConnectFunnel(m: Extract<ViewerToMacMessage, { type: 'LinkViewerToMacConnectFunnel' }>): void {
    const funnel = parseFunnelName(m.funnelName);
    if (funnel?.transport === 'UDP') {
      if (!this.opt.allowUdp) {
        this.send({
          type: 'LinkMacToViewerReportDisconnectedFunnel',
          hr: HRESULT.NS_E_NOFUNNEL,
          playIncarnation: 0,
        });
        return;
      }
      this.udpPortNow = funnel.port;
      this.emit({ type: 'udp-funnel', port: funnel.port });
    } else {
      this.udpPortNow = null;
    }
    this.send({
      type: 'LinkMacToViewerReportConnectedFunnel',
      hr: HRESULT.S_OK,
      playIncarnation: 0,
      packetPayloadSize: 0,
      funnelName: FUNNEL_OF_THE_GODS,
    });
  }

  /** [MS-MMSP 3.2.5.7] lenient: no funnel yet means TCP. */
  private onOpenFile(m: Extract<ViewerToMacMessage, { type: 'LinkViewerToMacOpenFile' }>): void {
    this.openIncarnation = m.playIncarnation;
    const name = parseRequestedName(m.fileName);
    if (name === null) {
      this.failOpen(HRESULT.NS_E_INVALID_NAME);
      this.emit({
        type: 'protocol-error',
        error: new ProtocolError('E_MMSP_NAME', `invalid file name ${JSON.stringify(m.fileName)}`, {
          reply: { hresult: HRESULT.NS_E_INVALID_NAME },
        }),
      });
      return;
    }
    this.stateNow = 'OPENING';
    this.emit({ type: 'open-file', ...name, token: m.tokenData === null ? null : Buffer.from(m.tokenData) });
  }

  /** [MS-MMSP 3.2.5.8] ReportReadBlock, then the header pieces with the ReadBlock's incarnation. */
  private onReadBlock(m: Extract<ViewerToMacMessage, { type: 'LinkViewerToMacReadBlock' }>): void {
    const file = this.file!;
    // [MS-MMSP 3.2.5.8] UDP packet pair: two timing packets before ReportReadBlock and the header.
    if (this.transport === 'udp' && this.udpPacketPair) {
      const size = PACKET_PAIR.payloadSize;
      this.udp.push(...packetPairPackets(this.random(size), this.random(size)));
    }
    this.send({
      type: 'LinkMacToViewerReportReadBlock',
      hr: HRESULT.S_OK,
      playIncarnation: m.playIncarnation,
      playSequence: 0,
    });
    const pieces = headerPieces(file.headerBytes, file.packetSize, m.playIncarnation & 0xff);
    if (this.transport === 'udp') this.udp.push(...pieces);
    else this.out.push(...pieces);
    if (this.stateNow === 'OPEN') this.enterReady();
  }

  /** [MS-MMSP 3.2.5.10] complete selection outside STREAMING, changes during it; ReportStreamSwitch next. */
  private onStreamSwitch(m: Extract<ViewerToMacMessage, { type: 'LinkViewerToMacStreamSwitch' }>): void {
    const streams = this.file?.streams ?? null;
    const streaming = this.stateNow === 'STREAMING';
    const base = streaming
      ? (this.selectionNow ?? new Map<number, ThinLevel>((streams ?? []).map((s) => [s, 0])))
      : new Map<number, ThinLevel>();
    this.selectionNow = applyStreamSwitch(base, m.entries, streams);
    this.send({ type: 'LinkMacToViewerReportStreamSwitch', hr: HRESULT.S_OK });
    if (streaming) this.emit({ type: 'stream-switch', selection: this.selectionNow });
  }

  /** [MS-MMSP 3.2.5.11] READY: play; STREAMING: restart after a playlist change, else an implicit stop + seek. */
  private onStartPlaying(m: Extract<ViewerToMacMessage, { type: 'LinkViewerToMacStartPlaying' }>): void {
    const file = this.file!;
    if (this.stateNow === 'STREAMING' && this.timers.restartWaitSince !== null) {
      // mmsp.md §5.7 (a): acknowledge, no seek, Data carry the new incarnation from now on.
      this.timers.restartWaitSince = null;
      this.playIncarnation = m.playIncarnation;
      this.dataIncarnation = m.playIncarnation & 0xff;
      this.send(startedPlaying(m.playIncarnation, HRESULT.S_OK));
      this.emit({ type: 'resume-data', incarnation: this.dataIncarnation });
      return;
    }
    // mmsp.md 9.19 (b): libmms seeks with StartPlaying alone; never answer it with EndOfStream.
    if (this.stateNow === 'STREAMING') this.emit({ type: 'stop', reason: 'seek' });
    const start = startPointOf(m, file);
    this.playIncarnation = m.playIncarnation;
    this.dataIncarnation = m.playIncarnation & 0xff;
    this.send(startedPlaying(m.playIncarnation, HRESULT.S_OK));
    if (isPastEnd(start, file)) {
      // mmsp.md §5.3 step 3: libmms hangs when nothing follows.
      this.send({
        type: 'LinkMacToViewerReportEndOfStream',
        hr: HRESULT.S_OK,
        playIncarnation: m.playIncarnation,
      });
      this.enterReady();
      return;
    }
    this.stateNow = 'STREAMING';
    this.timers.idleSince = null;
    this.timers.restartWaitSince = null;
    this.emit({
      type: 'start-playing',
      start,
      selection: this.selectionNow,
      incarnation: m.playIncarnation,
      limit: playLimitOf(m.frameOffset, file),
      accel: m.accel,
      linkBandwidth: m.linkBandwidth,
    });
  }

  /** [MS-MMSP 3.2.5.11] mmsp.md §5.4: no trick play yet, so ReportStartStriding NS_E_STRIDE_REFUSED; state kept. */
  private onStartStriding(m: Extract<ViewerToMacMessage, { type: 'LinkViewerToMacStartStriding' }>): void {
    this.send({
      type: 'LinkMacToViewerReportStartStriding',
      hr: HRESULT.NS_E_STRIDE_REFUSED,
      playIncarnation: m.playIncarnation,
      spare: 0,
    });
  }

  /** [MS-MMSP 3.2.5.12] every StopPlaying gets EndOfStream hr 0 echoing its incarnation, in any state. */
  private onStopPlaying(m: Extract<ViewerToMacMessage, { type: 'LinkViewerToMacStopPlaying' }>): void {
    if (this.stateNow === 'STREAMING') {
      this.emit({ type: 'stop', reason: 'stop-playing' });
      this.enterReady();
    }
    this.send({
      type: 'LinkMacToViewerReportEndOfStream',
      hr: HRESULT.S_OK,
      playIncarnation: m.playIncarnation,
    });
  }

  private onLogging(m: Extract<ViewerToMacMessage, { type: 'LinkViewerToMacLogging' }>): void {
    this.emit({ type: 'logging', log: Buffer.from(m.log), summary: summarizeClientLog(m.log) });
  }

  /** [MS-MMSP 3.2.5.3] CloseFile: no reply; the server closes. */
  private onCloseFile(): void {
    if (this.stateNow === 'STREAMING') this.emit({ type: 'stop', reason: 'stop-playing' });
    this.close('CloseFile');
  }

  /** One handler per message [MS-MMSP 3.2.5]; static so that the handlers stay private. */
  private static readonly handlers: Handlers = {
    LinkViewerToMacConnect: (s, m) => s.onConnect(m),
    LinkViewerToMacFunnelInfo: (s, m) => s.onFunnelInfo(m),
    LinkViewerToMacConnectFunnel: (s, m) => s.onConnectFunnel(m),
    LinkViewerToMacOpenFile: (s, m) => s.onOpenFile(m),
    // netshow issues no SecurityChallenge yet, so a response has nothing to answer (mmsp.md §3.2: ignore).
    LinkViewerToMacSecurityResponse: () => undefined,
    LinkViewerToMacReadBlock: (s, m) => s.onReadBlock(m),
    // The header is handed out whole at ReadBlock; nothing is left to cancel.
    LinkViewerToMacCancelReadBlock: () => undefined,
    LinkViewerToMacStreamSwitch: (s, m) => s.onStreamSwitch(m),
    LinkViewerToMacStartPlaying: (s, m) => s.onStartPlaying(m),
    LinkViewerToMacStartStriding: (s, m) => s.onStartStriding(m),
    LinkViewerToMacStopPlaying: (s, m) => s.onStopPlaying(m),
    LinkViewerToMacLogging: (s, m) => s.onLogging(m),
    // Any client message restarts KeepAlive (done in receive); a Pong needs nothing else.
    LinkViewerToMacPong: () => undefined,
    LinkViewerToMacCloseFile: (s) => s.onCloseFile(),
  };
}

function stateError(type: string, state: string): ProtocolError {
  const allowed = (type in TRANSITIONS && allowedStates(type as ClientMessageType).join(', ')) || 'none';
  return new ProtocolError('E_MMSP_STATE', `${type} in state ${state}; allowed in: ${allowed}`, {
    reply: { hresult: HRESULT.NS_E_INVALID_REQUEST },
  });
}
