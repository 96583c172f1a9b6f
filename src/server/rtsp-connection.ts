// The MS-RTSP transport: bytes from one RTSP connection to the server machine, its replies back, and its
// play events wired to the streaming core; ASF packets leave as RTP, interleaved on the connection or as
// UDP datagrams to the connection's own peer address [MS-RTSP; rtsp.md].
import { randomBytes, randomInt } from 'node:crypto';
import type { Socket } from 'node:net';
import { isProtocolError } from '../core/errors.js';
import {
  RtspServerMachine,
  type DataPath,
  type RtspServerEvent,
  type RtspServerOutput,
} from '../rtsp/index.js';
import { startDelivery, type Content, type Delivery } from '../streaming/delivery.js';
import type { EndReason, StartPoint } from '../streaming/types.js';
import { acquireContent, releaseContent } from './content.js';
import { Deadline } from './deadline.js';
import type { ServerContext } from './netshow-server.js';

/**
 * End-of-stream (the SET_PARAMETER notice, then the BYEs) waits this long after the last packet: GStreamer
 * ends the stream on the notice while its jitter buffer (rtspsrc latency, 2000 ms by default) still holds
 * the last packets, which it then drops.
 */
const EOS_DELAY_MS = 2500;
/** Bytes queued in the socket before the session waits for 'drain' (interleaved TCP). */
const SOCKET_HIGH_WATER = 64 * 1024;

let sessionCounter = 0;

export function handleRtspConnection(socket: Socket, ctx: ServerContext): void {
  new RtspSession(socket, ctx).start();
}

class RtspSession {
  private readonly machine: RtspServerMachine;
  private readonly log: ServerContext['logger'];
  private readonly peerIp: string;
  private source: Content | null = null;
  private playback: Delivery | null = null;
  private path: DataPath | null = null;
  private rtcpPort: number | null = null;
  private generation = 0;
  private closed = false;
  private readonly tick: Deadline;

  constructor(
    private readonly socket: Socket,
    private readonly ctx: ServerContext,
  ) {
    this.peerIp = socket.remoteAddress ?? '';
    this.tick = new Deadline(ctx.clock);
    this.log = ctx.logger.child({
      proto: 'rtsp',
      session: ++sessionCounter,
      remote: `${this.peerIp}:${socket.remotePort}`,
    });
    const now = ctx.clock.now();
    this.machine = new RtspServerMachine(
      {
        sessionId: String(randomInt(1, 2 ** 47)) + String(randomInt(0, 1e6)).padStart(6, '0'),
        ssrc: randomBytes(4).readUInt32BE(0),
        initialSequence: randomInt(0, 0x10000),
        udpServerPorts: ctx.rtspUdp?.ports ?? null,
        epochOffsetMs: Date.now() - now,
      },
      now,
    );
  }

  start(): void {
    this.socket.setNoDelay(true);
    this.socket.on('error', () => undefined);
    this.socket.on('data', (b: Buffer) => this.apply(this.machine.receive(b, this.ctx.clock.now())));
    this.socket.on('drain', () => this.playback?.resume());
    // A client that half-closes is answered first: the socket ends once the DESCRIBE under way is done.
    this.socket.once('end', () => void this.describing.then(() => this.socket.end()));
    this.socket.once('close', () => {
      this.apply(this.machine.closed());
      this.teardown();
    });
  }

  private apply(o: RtspServerOutput): void {
    if (this.closed) return;
    for (const b of o.out) this.socket.write(b);
    const path = this.path ?? this.machine.dataPath;
    if (path?.kind === 'udp')
      for (const d of o.rtcp) this.ctx.rtspUdp?.sendRtcp(d, this.peerIp, path.rtcpPort);
    for (const e of o.events) this.onEvent(e);
    this.scheduleTick();
  }

  private onEvent(e: RtspServerEvent): void {
    switch (e.type) {
      case 'describe':
        this.describing = this.describe(e.path).catch((err: unknown) => {
          this.log.error({ err: (err as Error).message }, 'describe failed');
          this.socket.destroy();
        });
        return;
      case 'setup':
        this.log.debug({ stream: e.streamNumber, transport: e.transport }, 'setup');
        return;
      case 'play':
        this.usePath(e.path);
        void this.play(e.start, e.selection, e.speed);
        return;
      case 'resume': {
        this.usePath(e.path);
        const from = this.pausedAt;
        void this.play({ kind: 'packet', number: from ?? 0 }, this.machine.selection, null);
        return;
      }
      case 'pause':
        this.pausedAt = this.playback?.nextPacket ?? this.pausedAt;
        this.stopPlayback();
        return;
      case 'select':
        this.playback?.setSelection(e.selection);
        return;
      case 'teardown':
        this.log.info({ reason: e.reason }, 'teardown');
        this.stopPlayback();
        return;
      case 'protocol-error':
        this.log.info({ code: e.error.code }, e.error.message);
        return;
      case 'close':
        if (e.error) this.log.info({ code: e.error.code }, `closing: ${e.reason}`);
        this.socket.end();
        this.teardown();
        return;
    }
  }

  private pausedAt: number | null = null;
  /** The DESCRIBE lookup under way, if any (a half-closed client waits for its answer). */
  private describing: Promise<void> = Promise.resolve();

  private usePath(path: DataPath): void {
    this.path = path;
    if (path.kind === 'udp' && this.rtcpPort !== path.rtcpPort) {
      if (this.rtcpPort !== null) this.ctx.rtspUdp?.unlisten(this.peerIp, this.rtcpPort);
      this.rtcpPort = path.rtcpPort;
      this.ctx.rtspUdp?.listen(this.peerIp, path.rtcpPort, {
        rtcp: (d) => this.apply(this.machine.rtcpReceived(d, this.ctx.clock.now())),
      });
    }
  }

  private async describe(path: string): Promise<void> {
    try {
      const src = await acquireContent(this.ctx, path);
      if (this.closed) {
        await releaseContent(src);
        return;
      }
      void releaseContent(this.source);
      this.source = src;
      const live = src.kind === 'live';
      this.log.info({ path, live }, 'describe');
      const headerBytes = src.kind === 'live' ? src.facts.headerBytes : src.source.layout.headerBytes;
      this.apply(this.machine.described({ headerBytes, live, seekable: !live }, this.ctx.clock.now()));
    } catch (err) {
      if (!isProtocolError(err)) throw err;
      this.log.info({ path }, err.message);
      this.apply(this.machine.described(null, this.ctx.clock.now(), err.reply.rtsp ?? 404));
    }
  }

  private async play(
    start: StartPoint,
    selection: ReadonlyMap<number, 0 | 1 | 2> | null,
    speed: number | null,
  ): Promise<void> {
    this.stopPlayback();
    const generation = this.generation;
    const source = this.source;
    if (!source) return;
    let delivery: Delivery | null = null;
    const udp = this.path?.kind === 'udp';
    const ended = (reason: EndReason): void => {
      if (delivery === null || this.playback !== delivery) return;
      this.playback = null;
      this.log.info(
        { reason: reason.kind, packets: delivery.stats.packetsSent, skips: delivery.stats.skips },
        'play ended',
      );
      if (reason.kind === 'eos') {
        const g = this.generation;
        this.ctx.clock.at(this.ctx.clock.now() + EOS_DELAY_MS, () => {
          if (g === this.generation && !this.closed)
            this.apply(this.machine.endOfStream(this.ctx.clock.now()));
        });
      } else if (reason.kind === 'error' || reason.kind === 'stalled') this.socket.destroy();
    };
    const started = await startDelivery(source, {
      start,
      selection,
      clock: this.ctx.clock,
      stallMs: this.ctx.stallMs,
      rate: speed ?? 1,
      // Over UDP a live join waits for the next key frame rather than bursting the ring into socket buffers.
      ...(udp ? { fastStart: false } : {}),
      subscriber: {
        packet: (p) => this.sendPacket(p.data, p.sendTime, p.number),
        // MS-RTSP's stream change (EndOfStream + ANNOUNCE) is followed by neither FFmpeg nor GStreamer: end the
        // play cleanly instead, and a client that reconnects gets the new stream (rtsp.md §5).
        newHeader: () => {
          if (!delivery) return;
          ended({ kind: 'eos' });
          delivery.stop();
        },
        end: (reason) => ended(reason),
      },
    });
    delivery = started.delivery;
    if (generation !== this.generation || this.closed) {
      delivery.stop();
      return;
    }
    this.pausedAt = null;
    this.playback = delivery;
    this.log.info({ start, packet: started.first, transport: this.path?.kind }, 'play');
    delivery.start();
  }

  private sendPacket(data: Buffer, sendTime: number, number: number): boolean {
    const path = this.path;
    if (!path) return true;
    const frames = this.machine.rtpPackets({ data, sendTime, number });
    if (path.kind === 'udp') {
      for (const f of frames) this.ctx.rtspUdp?.sendRtp(f, this.peerIp, path.rtpPort);
      return true;
    }
    this.socket.cork();
    for (const f of frames) for (const piece of f) this.socket.write(piece);
    this.socket.uncork();
    return this.socket.writableLength < SOCKET_HIGH_WATER;
  }

  private stopPlayback(): void {
    this.generation++;
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
    this.closed = true;
    this.stopPlayback();
    this.tick.clear();
    if (this.rtcpPort !== null) this.ctx.rtspUdp?.unlisten(this.peerIp, this.rtcpPort);
    const src = this.source;
    this.source = null;
    void releaseContent(src);
  }
}
