// A real netshow on 127.0.0.1 with every port chosen by the OS, for integration and interop tests.
import { pino } from 'pino';
import { startServer, type RunningServer } from '../../src/server/netshow-server.js';
import { PullSource } from '../../src/client/pull-source.js';
import type { BroadcastConfig } from '../../src/streaming/live/types.js';

export type TestScheme = 'mmsh' | 'http' | 'mms' | 'mmst' | 'mmsu' | 'rtsp';

export interface TestServer {
  readonly httpPort: number;
  readonly mmsPort: number;
  readonly rtspPort: number;
  readonly server: RunningServer;
  /** e.g. url('mmsh', 'a.wmv') → mmsh://127.0.0.1:HTTP_PORT/a.wmv; url('mmst', 'a.wmv') → mmst://127.0.0.1:MMS_PORT/a.wmv */
  url(scheme: TestScheme, path: string): string;
  close(): Promise<void>;
}

export async function startNetshow(o: {
  mediaDir: string;
  stallMs?: number;
  broadcast?: readonly BroadcastConfig[];
}): Promise<TestServer> {
  const logger = pino({ level: process.env.NETSHOW_TEST_LOG ?? 'silent' }, pino.destination(2));
  const server = await startServer({
    mediaDir: o.mediaDir,
    host: '127.0.0.1',
    httpPort: 0,
    mmsPort: 0,
    rtspPort: 0,
    logger,
    ...(o.stallMs === undefined ? {} : { stallMs: o.stallMs }),
    ...(o.broadcast ? { broadcast: o.broadcast } : {}),
    pullSource: (url) => new PullSource({ url, logger }),
  });
  const port = (protocol: 'mmsh' | 'mms' | 'rtsp'): number => {
    const l = server.listeners.find((x) => x.protocol === protocol);
    if (!l) throw new Error(`the test server opened no ${protocol} listener`);
    return l.port;
  };
  const httpPort = port('mmsh');
  const mmsPort = port('mms');
  const rtspPort = port('rtsp');
  return {
    httpPort,
    mmsPort,
    rtspPort,
    server,
    url: (scheme, path) =>
      `${scheme}://127.0.0.1:${scheme === 'mmsh' || scheme === 'http' ? httpPort : scheme === 'rtsp' ? rtspPort : mmsPort}/${path.replace(/^\//, '')}`,
    close: () => server.close(),
  };
}
