// The composition root of `netshow serve`: one media library and one clock shared by a listener per
// protocol. Protocols not implemented yet are simply not opened.
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { systemClock, type Clock } from '../core/clock.js';
import { MediaLibrary } from './media-library.js';
import { handleMmshConnection } from './mmsh-connection.js';

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
}

export interface ListenerInfo {
  readonly protocol: 'mmsh' | 'mms' | 'rtsp';
  readonly host: string;
  readonly port: number;
  readonly url: string;
}

export interface RunningServer {
  readonly listeners: readonly ListenerInfo[];
  /** Stops accepting, ends every session, releases every file. */
  close(): Promise<void>;
}

export interface ServerContext {
  readonly library: MediaLibrary;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly stallMs: number;
  readonly version: string;
}

export const NETSHOW_VERSION = '0.1.0';

export async function startServer(o: ServeOptions): Promise<RunningServer> {
  const ctx: ServerContext = {
    library: new MediaLibrary(o.mediaDir),
    clock: o.clock ?? systemClock,
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
    const server = createServer({ noDelay: true }, (socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
      onConnection(socket, ctx);
    });
    server.maxConnections = 20_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: o.host, port }, () => {
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
  } catch (e) {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    throw e;
  }

  return {
    listeners,
    async close() {
      await Promise.all(
        servers.map(
          (s) =>
            new Promise<void>((r) => {
              s.close(() => r());
            }),
        ),
      );
      for (const s of sockets) s.destroy();
      await ctx.library.closeAll();
    },
  };
}
