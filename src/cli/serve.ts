// `netshow serve`: merges the config file and the flags, starts the listeners on a media folder and the broadcast
// points, prints one line per listener and per point, stops on a signal.
import { readdir, stat } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { PullSource } from '../client/pull-source.js';
import { NetshowError } from '../core/errors.js';
import { NETSHOW_VERSION, startServer } from '../server/netshow-server.js';
import type { BroadcastConfig } from '../streaming/live/types.js';
import {
  applyArchiveFlags,
  loadConfig,
  parseArchiveFlag,
  parseBroadcastFlag,
  type ServerConfig,
} from './config.js';
import { makeLogger } from './logger.js';
import type { ServeCliOptions } from './main.js';

interface Settings {
  readonly mediaDir: string;
  readonly host: string;
  readonly httpPort: number | null;
  readonly mmsPort: number | null;
  readonly rtspPort: number | null;
  readonly stallMs?: number;
  readonly broadcast: BroadcastConfig[];
}

/** Flags win over the file; the file wins over the defaults. Throws NetshowError with a one-line message. */
async function settings(dir: string | null, o: ServeCliOptions): Promise<Settings> {
  const cwd = process.cwd();
  const file: ServerConfig | null = o.config ? await loadConfig(o.config) : null;
  const flag = (k: string): boolean => o.explicit?.has(k) ?? false;
  const port = (k: 'httpPort' | 'mmsPort' | 'rtspPort', key: 'http' | 'mms' | 'rtsp'): number | null => {
    if (flag(k) || file?.ports[key] === undefined) return o[k];
    return file.ports[key];
  };
  const fromFlags = (o.broadcast ?? []).map((b) => parseBroadcastFlag(b, cwd));
  const points = [...(file?.broadcast ?? [])];
  for (const p of fromFlags) {
    const same = points.findIndex((q) => q.path.toLowerCase() === p.path.toLowerCase());
    if (same >= 0) points[same] = p;
    else points.push(p);
  }
  const broadcast = applyArchiveFlags(
    points,
    (o.archive ?? []).map((a) => parseArchiveFlag(a, cwd)),
  );
  return {
    mediaDir: resolve(dir ?? file?.media ?? '.'),
    host: flag('host') ? o.host : (file?.host ?? o.host),
    httpPort: port('httpPort', 'http'),
    mmsPort: port('mmsPort', 'mms'),
    rtspPort: port('rtspPort', 'rtsp'),
    ...(file?.stallMs === undefined ? {} : { stallMs: file.stallMs }),
    broadcast,
  };
}

export async function runServe(dir: string | null, o: ServeCliOptions): Promise<number> {
  let s: Settings;
  try {
    s = await settings(dir, o);
  } catch (e) {
    if (!(e instanceof NetshowError)) throw e;
    process.stderr.write(`netshow serve: ${e.message}\n`);
    return 1;
  }
  const mediaDir = s.mediaDir;
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
      host: s.host,
      httpPort: s.httpPort,
      mmsPort: s.mmsPort,
      rtspPort: s.rtspPort,
      logger,
      ...(s.stallMs === undefined ? {} : { stallMs: s.stallMs }),
      broadcast: s.broadcast,
      pullSource: (url) => new PullSource({ url, logger: logger.child({ pull: url }) }),
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
  const mmsh = server.listeners.find((l) => l.protocol === 'mmsh');
  for (const b of s.broadcast) {
    const what =
      b.source.kind === 'push'
        ? `push${b.source.password === undefined ? '' : ' (password)'}${mmsh ? `: POST ASF to http://127.0.0.1:${mmsh.port}${b.path}` : ''}`
        : b.source.kind === 'pull'
          ? `relay of ${b.source.url}`
          : b.source.kind === 'playlist'
            ? `playlist ${b.source.path}`
            : `command ${b.source.command}`;
    const archive = b.archive ? `; archived to ${b.archive.template}` : '';
    const play = mmsh ? `  e.g. mmsh://127.0.0.1:${mmsh.port}${b.path}` : '';
    process.stdout.write(`broadcast ${b.path}: ${what}${archive}${play}\n`);
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
