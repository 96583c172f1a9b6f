// `netshow serve`: starts the listeners on a media folder, prints one line per listener, stops on a signal.
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { startServer } from '../server/netshow-server.js';
import { makeLogger } from './logger.js';
import type { ServeCliOptions } from './main.js';

export async function runServe(dir: string, o: ServeCliOptions): Promise<number> {
  const mediaDir = resolve(dir);
  const st = await stat(mediaDir).catch(() => null);
  if (!st?.isDirectory()) {
    process.stderr.write(`netshow serve: ${mediaDir} is not a folder\n`);
    return 1;
  }
  const logger = makeLogger(o.logLevel, process.stderr.isTTY && !o.logJson);
  let server;
  try {
    server = await startServer({
      mediaDir,
      host: o.host,
      httpPort: o.httpPort,
      mmsPort: null,
      rtspPort: null,
      logger,
    });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const hint = err.code === 'EADDRINUSE' ? ' (port in use: choose another with --http-port)' : '';
    process.stderr.write(`netshow serve: cannot listen: ${err.message}${hint}\n`);
    return 1;
  }
  process.stdout.write(`netshow serving ${mediaDir}\n`);
  for (const l of server.listeners) {
    process.stdout.write(
      `${l.protocol} listening on ${l.url}  (e.g. ${l.url}<file>.wmv; http:// works too)\n`,
    );
  }
  await new Promise<void>((done) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void server.close().then(done);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return 0;
}
