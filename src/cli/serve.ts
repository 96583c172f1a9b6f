// `netshow serve`: starts the listeners on a media folder, prints one line per listener, stops on a signal.
import { readdir, stat } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { NETSHOW_VERSION, startServer } from '../server/netshow-server.js';
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
      mmsPort: o.mmsPort,
      rtspPort: o.rtspPort,
      logger,
    });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const hint =
      err.code === 'EADDRINUSE'
        ? ' (port in use: choose another with --http-port, --mms-port or --rtsp-port)'
        : '';
    process.stderr.write(`netshow serve: cannot listen: ${err.message}${hint}\n`);
    return 1;
  }
  const files = await listMedia(mediaDir);
  process.stdout.write(`netshow ${NETSHOW_VERSION} serving ${files.length} file(s) from ${mediaDir}\n`);
  for (const l of server.listeners) {
    const wildcard = l.host === '0.0.0.0' || l.host === '::';
    const host = wildcard ? '127.0.0.1' : l.url.split('/')[2]!.replace(/:\d+$/, '');
    const example = files[0] ?? 'FILE.wmv';
    process.stdout.write(
      `${l.protocol} listening on ${l.host}:${l.port}  e.g. ${l.protocol === 'mms' ? 'mmst' : l.protocol}://${host}:${l.port}/${example}\n`,
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

/** Media files under the folder (relative, URL-style paths), for the start-up lines; bounded. */
async function listMedia(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile() && /\.(wmv|wma|asf)$/i.test(e.name))
    .map((e) => relative(dir, resolve(e.parentPath, e.name)).split('\\').join('/'))
    .sort()
    .slice(0, 10_000);
}
