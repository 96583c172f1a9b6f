// The composition root of `netshow serve`: one media library, the broadcast publishing points and one clock,
// shared by a listener per protocol.
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { systemClock, type Clock } from '../core/clock.js';
import type { BroadcastConfig, LiveSource } from '../streaming/live/types.js';
import type { BroadcastPoint } from '../streaming/live/broadcast-point.js';
import { createPoints } from './points.js';
import { MediaLibrary } from './media-library.js';
import { handleMmshConnection } from './mmsh-connection.js';
import { handleMmsConnection } from './mms-connection.js';
import { MmsUdp } from './mms-udp.js';
import { handleRtspConnection } from './rtsp-connection.js';
import { RtspUdp } from './rtsp-udp.js';

export interface ServeOptions {
  readonly mediaDir: string;
  readonly host: string;
  /** 0 = any free port; null = do not listen. */
  readonly httpPort: number | null;
  readonly mmsPort: number | null;
  readonly rtspPort: number | null;
  readonly logger: Logger;
  readonly clock?: Clock;
  /** End a session whose client has not read for this long, ms. */
  readonly stallMs?: number;
  /** Broadcast publishing points. */
  readonly broadcast?: readonly BroadcastConfig[];
  /** Makes the source of a `pull` point (the client side lives above the server; `cli` passes it in). */
  readonly pullSource?: (url: string) => LiveSource;
}

export interface ListenerInfo {
  readonly protocol: 'mmsh' | 'mms' | 'rtsp';
  readonly host: string;
  readonly port: number;
  readonly url: string;
}

export interface RunningServer {
  readonly listeners: readonly ListenerInfo[];
  /** MMS UDP datagrams sent so far (observers and tests). */
  mmsUdpSent(): number;
  /** RTSP RTP and RTCP datagrams sent so far. */
  rtspUdpSent(): number;
  /** Stops accepting, ends every session, releases every file. */
  close(): Promise<void>;
}

export interface ServerContext {
  readonly library: MediaLibrary;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly stallMs: number;
  readonly version: string;
  /** The MMS UDP socket, when MMS is served. */
  readonly mmsUdp?: MmsUdp;
  /** The RTSP RTP/RTCP sockets, when RTSP is served. */
  readonly rtspUdp?: RtspUdp;
  /** Broadcast publishing points by pointKey (server/content.ts). */
  readonly points: ReadonlyMap<string, BroadcastPoint>;
}

export const NETSHOW_VERSION = '0.1.0';

export async function startServer(o: ServeOptions): Promise<RunningServer> {
  const mmsUdp = o.mmsPort === null ? undefined : new MmsUdp(o.logger);
  const rtspUdp = o.rtspPort === null ? undefined : new RtspUdp(o.logger);
  const clock = o.clock ?? systemClock;
  const points = createPoints(o.broadcast ?? [], {
    clock,
    logger: o.logger,
    stallMs: o.stallMs ?? 30_000,
    ...(o.pullSource ? { pullSource: o.pullSource } : {}),
  });
  const ctx: ServerContext = {
    ...(mmsUdp ? { mmsUdp } : {}),
    ...(rtspUdp ? { rtspUdp } : {}),
    library: new MediaLibrary(o.mediaDir),
    points,
    clock,
    logger: o.logger,
    stallMs: o.stallMs ?? 30_000,
    version: NETSHOW_VERSION,
  };
  const sockets = new Set<Socket>();
  const servers: Server[] = [];
  const listeners: ListenerInfo[] = [];

  const listen = async (
    protocol: ListenerInfo['protocol'],
    port: number,
    scheme: string,
    onConnection: (s: Socket, ctx: ServerContext) => void,
  ): Promise<void> => {
    // allowHalfOpen: a client may send its request and half-close (HTTP/1.0 and RTSP tools do); the answer
    // still has to go out, so each transport ends its side itself once its replies are written.
    const server = createServer({ noDelay: true, allowHalfOpen: true }, (socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
      onConnection(socket, ctx);
    });
    server.maxConnections = 20_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      // A backlog like VLC's: a thousand players joining a broadcast at once must not find the accept queue full.
      server.listen({ host: o.host, port, backlog: 4096 }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const addr = server.address() as AddressInfo;
    servers.push(server);
    const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    listeners.push({
      protocol,
      host: addr.address,
      port: addr.port,
      url: `${scheme}://${host}:${addr.port}/`,
    });
  };

  try {
    if (o.httpPort !== null) await listen('mmsh', o.httpPort, 'mmsh', handleMmshConnection);
    if (o.mmsPort !== null && mmsUdp) {
      await listen('mms', o.mmsPort, 'mms', handleMmsConnection);
      // [MS-MMSP 3.2.5.11.1] resend requests come to the UDP port with the TCP listener's number.
      await mmsUdp.bind(o.host, listeners[listeners.length - 1]!.port);
    }
    if (o.rtspPort !== null && rtspUdp) {
      // The RTP/RTCP pair sits right after the RTSP port when it is free (any ports otherwise).
      await listen('rtsp', o.rtspPort, 'rtsp', handleRtspConnection);
      const rtsp = listeners[listeners.length - 1]!.port;
      await rtspUdp.bind(o.host, rtsp + 1 <= 65534 ? rtsp + 1 : 0).catch(() => rtspUdp.bind(o.host, 0));
    }
    for (const p of points.values()) p.start();
  } catch (e) {
    await Promise.all([...points.values()].map((p) => p.stop()));
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    await mmsUdp?.close();
    await rtspUdp?.close();
    throw e;
  }

  return {
    listeners,
    mmsUdpSent: () => mmsUdp?.sent ?? 0,
    rtspUdpSent: () => rtspUdp?.sent ?? 0,
    async close() {
      // A listener's close waits for its connections: end them first (a live session with no source sends
      // nothing, so nothing else would ever end it).
      const closed = Promise.all(
        servers.map(
          (s) =>
            new Promise<void>((r) => {
              s.close(() => r());
            }),
        ),
      );
      await Promise.all([...points.values()].map((p) => p.stop()));
      for (const s of sockets) s.destroy();
      await closed;
      await mmsUdp?.close();
      await rtspUdp?.close();
      await ctx.library.closeAll();
    },
  };
}
