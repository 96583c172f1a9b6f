// The MMS transport: bytes from one TCP connection to the MS-MMSP server machine, its output back to the
// socket (and to UDP for `mmsu://`), and its play events wired to the streaming core. HTTP arriving on the
// MMS port (libmms tries MMSH first on the URL's port) is handed to the MMSH transport.
import { randomInt } from 'node:crypto';
import type { Socket } from 'node:net';
import { isProtocolError } from '../core/errors.js';
import {
  HRESULT,
  MmspServerMachine,
  sniffFirstBytes,
  type MmspServerEvent,
  type MmspServerOutput,
  type OpenedFile,
} from '../mmsp/index.js';
import { startDelivery, type Content, type Delivery } from '../streaming/delivery.js';
import type { LiveFacts } from '../streaming/live/broadcast-point.js';
import type { EndReason } from '../streaming/types.js';
import {
  acquireContent,
  liveContentFacts,
  releaseContent,
  sessionFacts,
  type SessionFacts,
} from './content.js';
import { handleMmshConnection } from './mmsh-connection.js';
import { Deadline } from './deadline.js';
import type { ServerContext } from './netshow-server.js';

/** Bytes queued in the socket before the session waits for 'drain'. */
const SOCKET_HIGH_WATER = 64 * 1024;
/**
 * On UDP, EndOfStream waits this long after the last datagram: the client reads TCP and UDP from two
 * sockets, and VLC stops at EndOfStream with the last datagrams still unread (rule 4 of mmsp.md §3.2).
 */
const UDP_EOS_DELAY_MS = 500;
/** Time a client has to send its first bytes. */
const FIRST_BYTES_TIMEOUT_MS = 10_000;

let sessionCounter = 0;

export function handleMmsConnection(socket: Socket, ctx: ServerContext): void {
  let first: Buffer = Buffer.alloc(0);
  socket.setTimeout(FIRST_BYTES_TIMEOUT_MS, () => socket.destroy());
  socket.on('error', () => undefined);
  socket.once('end', () => {
    if (first.length < 4) socket.end();
  });
  const onData = (chunk: Buffer): void => {
    first = first.length === 0 ? chunk : Buffer.concat([first, chunk]);
    const kind = sniffFirstBytes(first);
    if (kind === 'need-more') return;
    socket.off('data', onData);
    socket.setTimeout(0);
    if (kind === 'http') {
      socket.pause();
      socket.unshift(first);
      handleMmshConnection(socket, ctx);
      socket.resume();
      return;
    }
    new MmsSession(socket, ctx).start(first);
  };
  socket.on('data', onData);
}

class MmsSession {
  private readonly machine: MmspServerMachine;
  private readonly clientId = randomInt(1, 0xffffffff);
  private readonly log: ServerContext['logger'];
  private readonly peerIp: string;
  private source: Content | null = null;
  private playback: Delivery | null = null;
  /** Bumped on every start/stop so a slow start that lost the race is dropped. */
  private playGeneration = 0;
  private closed = false;
  private readonly tick: Deadline;

  constructor(
    private readonly socket: Socket,
    private readonly ctx: ServerContext,
  ) {
    this.peerIp = socket.remoteAddress ?? '';
    this.tick = new Deadline(ctx.clock);
    this.log = ctx.logger.child({
      proto: 'mms',
      session: ++sessionCounter,
      remote: `${this.peerIp}:${socket.remotePort}`,
    });
    this.machine = new MmspServerMachine({ clientId: this.clientId }, ctx.clock.now());
  }

  start(firstBytes: Buffer): void {
    this.socket.setNoDelay(true);
    this.ctx.mmsUdp?.register(this.clientId, {
      peerIp: this.peerIp,
      resend: (d) => this.machine.resend(d, this.ctx.clock.now()),
    });
    this.socket.on('data', (b: Buffer) => this.apply(this.machine.receive(b, this.ctx.clock.now())));
    this.socket.on('drain', () => this.playback?.resume());
    // MMS has no half-close: the client ending its side ends the session.
    this.socket.once('end', () => this.socket.end());
    this.socket.once('close', () => this.teardown());
    this.apply(this.machine.receive(firstBytes, this.ctx.clock.now()));
  }

  private apply(o: MmspServerOutput): void {
    if (this.closed) return;
    // UDP first: packet-pair timing packets must precede ReportReadBlock [MS-MMSP 3.2.5.8].
    const port = this.machine.udpPort;
    if (port !== null) for (const d of o.udp) this.ctx.mmsUdp?.send(d, this.peerIp, port);
    for (const b of o.out) this.socket.write(b);
    for (const e of o.events) this.onEvent(e);
    this.scheduleTick();
  }

  private onEvent(e: MmspServerEvent): void {
    switch (e.type) {
      case 'connected':
        this.log.info({ client: e.subscriberName }, 'connected');
        return;
      case 'udp-funnel':
        this.log.info({ port: e.port }, 'data over UDP to the TCP peer');
        return;
      case 'open-file':
        void this.openFile(e.path, e.decodedPath);
        return;
      case 'start-playing':
        void this.startPlaying(e);
        return;
      case 'stop':
        this.stopPlayback();
        return;
      case 'stream-switch':
        this.playback?.setSelection(e.selection);
        return;
      case 'resume-data':
      case 'logging':
        return;
      case 'protocol-error':
        this.log.info({ code: e.error.code }, e.error.message);
        return;
      case 'close':
        if (e.error) this.log.info({ code: e.error.code }, `closing: ${e.reason}`);
        else this.log.debug(`closing: ${e.reason}`);
        this.socket.end();
        this.teardown();
        return;
    }
  }

  private async openFile(path: string, decodedPath: string | null): Promise<void> {
    let hresult: number = HRESULT.NS_E_FILE_NOT_FOUND;
    for (const candidate of [path, decodedPath]) {
      if (candidate === null) continue;
      try {
        const src = await acquireContent(this.ctx, '/' + candidate);
        if (this.closed) {
          await releaseContent(src);
          return;
        }
        this.source = src;
        this.log.info({ path: candidate, live: src.kind === 'live' }, 'open');
        this.apply(this.machine.fileOpened(openedFile(sessionFacts(src)), this.ctx.clock.now()));
        return;
      } catch (err) {
        if (!isProtocolError(err)) throw err;
        if (err.code === 'E_BAD_PATH') hresult = HRESULT.NS_E_INVALID_NAME;
        if (err.code === 'E_LIVE_NOT_READY') hresult = err.reply.hresult ?? hresult;
        this.log.info({ path: candidate }, err.message);
      }
    }
    this.apply(this.machine.fileFailed(hresult, this.ctx.clock.now()));
  }

  private async startPlaying(e: Extract<MmspServerEvent, { type: 'start-playing' }>): Promise<void> {
    this.stopPlayback();
    const generation = this.playGeneration;
    const source = this.source;
    if (!source) return;
    const udp = this.machine.transport === 'udp';
    const { delivery, first } = await startDelivery(source, {
      start: e.start,
      selection: e.selection,
      clock: this.ctx.clock,
      stallMs: this.ctx.stallMs,
      // UDP has no back-pressure and VLC never asks for resends: a preroll's worth of datagrams at once
      // overflows its socket buffer, so UDP goes at the content rate (mmsp.md §5.2), and a live join waits for
      // the next key frame instead of bursting the ring.
      ...(udp ? { burstMs: 0, fastStart: false } : {}),
      subscriber: {
        packet: (p) => this.sendData(p.number, p.data, udp),
        newHeader: (facts) => this.streamChange(facts),
        end: (reason) => this.playbackEnded(delivery, reason),
      },
    });
    if (generation !== this.playGeneration || this.closed) {
      delivery.stop();
      return;
    }
    this.playback = delivery;
    this.log.info({ start: e.start, packet: first, transport: udp ? 'udp' : 'tcp' }, 'play');
    delivery.start();
  }

  private sendData(number: number, data: Buffer, udp: boolean): boolean {
    const framed = this.machine.dataPacket(number, data);
    if (framed === null) return true;
    if (udp) {
      const port = this.machine.udpPort;
      if (port !== null) this.ctx.mmsUdp?.send([framed, data], this.peerIp, port);
      return true;
    }
    this.socket.cork();
    this.socket.write(framed);
    this.socket.write(data);
    this.socket.uncork();
    return this.socket.writableLength < SOCKET_HIGH_WATER;
  }

  /** A live point changed streams: EndOfStream hr 1, StreamChange and the new header [mmsp.md §5.7]. */
  private streamChange(facts: LiveFacts): void {
    this.log.info({ incarnation: facts.incarnation }, 'stream change');
    if (this.machine.state !== 'STREAMING') return;
    this.apply(this.machine.nextEntry(openedFile(liveContentFacts(facts)), this.ctx.clock.now()));
  }

  private playbackEnded(playback: Delivery, reason: EndReason): void {
    if (this.playback !== playback) return;
    this.playback = null;
    this.log.info(
      { reason: reason.kind, packets: playback.stats.packetsSent, skips: playback.stats.skips },
      'play ended',
    );
    if (reason.kind === 'eos') {
      const generation = this.playGeneration;
      const send = (): void => {
        if (generation === this.playGeneration) this.apply(this.machine.endOfStream(this.ctx.clock.now()));
      };
      if (this.machine.transport === 'udp') this.ctx.clock.at(this.ctx.clock.now() + UDP_EOS_DELAY_MS, send);
      else send();
    } else if (reason.kind === 'error' || reason.kind === 'stalled') {
      if (reason.kind === 'error') this.log.error({ err: reason.error.message }, 'playback failed');
      this.socket.destroy();
    }
  }

  private stopPlayback(): void {
    this.playGeneration++;
    const p = this.playback;
    this.playback = null;
    p?.stop();
  }

  private scheduleTick(): void {
    const at = this.closed ? null : this.machine.nextDeadline();
    this.tick.set(at, () => this.apply(this.machine.tick(this.ctx.clock.now())));
  }

  private teardown(): void {
    if (this.closed) return;
    this.machine.closed();
    this.closed = true;
    this.stopPlayback();
    this.tick.clear();
    this.ctx.mmsUdp?.unregister(this.clientId);
    const src = this.source;
    this.source = null;
    void releaseContent(src);
  }
}

function openedFile(f: SessionFacts): OpenedFile {
  return {
    ...f,
    seekable: !f.live,
    broadcast: f.live,
    bitRate: f.maxBitrate,
  };
}
