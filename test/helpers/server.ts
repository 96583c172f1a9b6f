// A real netshow on 127.0.0.1 with every port chosen by the OS, for integration and interop tests.
import { pino } from 'pino';
import { startServer, type RunningServer } from '../../src/server/netshow-server.js';

export interface TestServer {
  readonly httpPort: number;
  readonly server: RunningServer;
  /** e.g. url('mmsh', 'a-wmv2-wmav2-10s.wmv') → mmsh://127.0.0.1:PORT/a-wmv2-wmav2-10s.wmv */
  url(scheme: 'mmsh' | 'http', path: string): string;
  close(): Promise<void>;
}

export async function startNetshow(o: { mediaDir: string; stallMs?: number }): Promise<TestServer> {
  const logger = pino({ level: process.env.NETSHOW_TEST_LOG ?? 'silent' }, pino.destination(2));
  const server = await startServer({
    mediaDir: o.mediaDir,
    host: '127.0.0.1',
    httpPort: 0,
    mmsPort: null,
    rtspPort: null,
    logger,
    ...(o.stallMs === undefined ? {} : { stallMs: o.stallMs }),
  });
  const mmsh = server.listeners.find((l) => l.protocol === 'mmsh');
  if (!mmsh) throw new Error('the test server opened no MMSH listener');
  return {
    httpPort: mmsh.port,
    server,
    url: (scheme, path) => `${scheme}://127.0.0.1:${mmsh.port}/${path.replace(/^\//, '')}`,
    close: () => server.close(),
  };
}
