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
} from '../mmsp/index.js';
import type { FileSource } from '../streaming/file-source.js';
import { Playback } from '../streaming/playback.js';
import { startPacket } from '../streaming/start-packet.js';
import { filterFromLevels, type EndReason } from '../streaming/types.js';
import { contentFacts } from './content-info.js';
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
  private source: FileSource | null = null;
  private playback: Playback | null = null;
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
        if (this.source)
          this.playback?.setFilter(filterFromLevels(e.selection, contentFacts(this.source).streams));
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
        const src = await this.ctx.library.acquire('/' + candidate);
        if (this.closed) {
          await src.close();
          return;
        }
        this.source = src;
        const c = contentFacts(src);
        this.log.info({ path: candidate }, 'open');
        this.apply(
          this.machine.fileOpened(
            { ...c, seekable: true, broadcast: false, bitRate: c.maxBitrate },
            this.ctx.clock.now(),
          ),
        );
        return;
      } catch (err) {
        if (!isProtocolError(err)) throw err;
        if (err.code === 'E_BAD_PATH') hresult = HRESULT.NS_E_INVALID_NAME;
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
    const first = await startPacket(source, e.start);
    if (generation !== this.playGeneration || this.closed) return;
    const udp = this.machine.transport === 'udp';
    const playback = new Playback({
      source,
      firstPacket: first,
      filter: filterFromLevels(e.selection, contentFacts(source).streams),
      clock: this.ctx.clock,
      stallMs: this.ctx.stallMs,
      // UDP has no back-pressure and VLC never asks for resends: a preroll's worth of datagrams at once
      // overflows its socket buffer, so UDP goes at the content rate (mmsp.md §5.2).
      ...(udp ? { burstMs: 0 } : {}),
      subscriber: {
        packet: (p) => {
          const framed = this.machine.dataPacket(p.number, p.data);
          if (framed === null) return true;
          if (udp) {
            const port = this.machine.udpPort;
            if (port !== null) this.ctx.mmsUdp?.send([framed, p.data], this.peerIp, port);
            return true;
          }
          this.socket.cork();
          this.socket.write(framed);
          this.socket.write(p.data);
          this.socket.uncork();
          return this.socket.writableLength < SOCKET_HIGH_WATER;
        },
        end: (reason) => this.playbackEnded(playback, reason),
      },
    });
    this.playback = playback;
    this.log.info({ start: e.start, packet: first, transport: udp ? 'udp' : 'tcp' }, 'play');
    playback.start();
  }

  private playbackEnded(playback: Playback, reason: EndReason): void {
    if (this.playback !== playback) return;
    this.playback = null;
    this.log.info({ reason: reason.kind, packets: playback.stats.packetsSent }, 'play ended');
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
    if (src) void src.close();
  }
}
