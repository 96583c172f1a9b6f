// Starts and stops the servers the fan-out benchmark compares, each on 127.0.0.1 only, with a raised open
// file limit: netshow (`serve`, on-demand, or with a broadcast point looping the file), VLC's MMSH server (the
// peer; live only, run as `nobody` when we are root), and the lab's unpaced replay double (to test the readers).
import { spawn, type ChildProcess } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  mkdirSync,
  chmodSync,
  chownSync,
  readdirSync,
  rmSync,
  statSync,
} from 'node:fs';
import net from 'node:net';
import { basename, join, resolve } from 'node:path';
import { processTree } from './proc.js';

export type ServerKind = 'netshow' | 'vlc' | 'replay';

export type RunningServer = {
  kind: ServerKind;
  /** The command line, for the report. */
  command: string;
  pid: number;
  port: number;
  /** netshow only: its MMS port (TCP, and UDP with the same number), when it printed one. */
  mmsPort?: number;
  /** netshow only: its RTSP port, when it printed one. */
  rtspPort?: number;
  path: string;
  /** From spawn until the server answered (VLC: until it had a header to send). */
  startupMs: number;
  stop: () => Promise<void>;
  /** The last lines it printed. */
  tail: () => string[];
  /** netshow: its JSON log lines so far, counted by level, message and end reason ("info play ended (stalled)"). */
  logCounts: () => Record<string, number>;
};

export type ServerOptions = {
  repo: string;
  /** The media file; its folder is what netshow serves. */
  file: string;
  scratch: string;
  nofile: number;
  /**
   * Serve the file live, looped: netshow as a broadcast point `/live=playlist:<the file's folder>`, VLC with
   * `--loop --sout-keep` (without --sout-keep VLC closes every client at the end of each pass).
   */
  live?: boolean;
  /** netshow's --log-level (default warn). */
  logLevel?: string;
};

/** The path of netshow's broadcast point in live mode. */
export const LIVE_PATH = '/live';

const HOST = '127.0.0.1';

/** A port that was free on 127.0.0.1 a moment ago. */
export async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const s = net.createServer();
    s.once('error', fail);
    s.listen(0, HOST, () => {
      const a = s.address();
      s.close(() => (a && typeof a === 'object' ? done(a.port) : fail(new Error('no port'))));
    });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function canConnect(port: number): Promise<boolean> {
  return new Promise((done) => {
    const s = net.connect({ host: HOST, port });
    s.once('connect', () => {
      s.destroy();
      done(true);
    });
    s.once('error', () => done(false));
  });
}

/** Sends a Describe (a GET without xPlayStrm) and resolves with what came back within `ms`. */
function describe(port: number, path: string, ms: number): Promise<Buffer> {
  return new Promise((done) => {
    const parts: Buffer[] = [];
    const s = net.connect({ host: HOST, port });
    const finish = (): void => {
      s.destroy();
      done(Buffer.concat(parts));
    };
    const timer = setTimeout(finish, ms);
    s.on('connect', () =>
      s.write(
        `GET ${path} HTTP/1.0\r\nAccept: */*\r\nUser-Agent: NSPlayer/4.1.0.3856\r\nHost: ${HOST}:${port}\r\n` +
          'Pragma: no-cache,rate=1.000000,stream-time=0,stream-offset=0:0,request-context=1,max-duration=0\r\n' +
          'Connection: Close\r\n\r\n',
      ),
    );
    s.on('data', (b: Buffer) => parts.push(b));
    s.on('error', () => undefined);
    s.on('close', () => {
      clearTimeout(timer);
      finish();
    });
  });
}

const ASF_HEADER_GUID = Buffer.from('3026b2758e66cf11a6d900aa0062ce6c', 'hex');

/** Spawns `cmd args` under `sh -c 'ulimit -n N; exec ...'`, so the PID is the command's own. */
function spawnLimited(nofile: number, cmd: string, args: string[], cwd: string): ChildProcess {
  return spawn('sh', ['-c', `ulimit -n ${nofile} 2>/dev/null; exec "$@"`, 'sh', cmd, ...args], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function supervise(
  kind: ServerKind,
  child: ChildProcess,
  command: string,
): {
  lines: string[];
  waitLine(re: RegExp, ms: number): Promise<RegExpExecArray | null>;
  base: Omit<RunningServer, 'port' | 'path' | 'startupMs'>;
} {
  const lines: string[] = [];
  const counts: Record<string, number> = {};
  const watchers: { re: RegExp; done(m: RegExpExecArray | null): void }[] = [];
  let exited = false;
  const onLine = (line: string): void => {
    if (!line.trim()) return;
    lines.push(line.slice(0, 400));
    if (lines.length > 40) lines.shift();
    const key = logKey(line);
    if (key) counts[key] = (counts[key] ?? 0) + 1;
    for (const w of [...watchers]) {
      const m = w.re.exec(line);
      if (m) {
        watchers.splice(watchers.indexOf(w), 1);
        w.done(m);
      }
    }
  };
  // whole lines only: a chunk may end inside one
  const lineReader = (): ((b: Buffer) => void) => {
    let partial = '';
    return (b) => {
      const parts = (partial + b.toString('utf8')).split('\n');
      partial = parts.pop() ?? '';
      if (partial.length > 65536) partial = '';
      for (const line of parts) onLine(line);
    };
  };
  child.stdout?.on('data', lineReader());
  child.stderr?.on('data', lineReader());
  const exitedPromise = new Promise<void>((done) =>
    child.once('exit', () => {
      exited = true;
      for (const w of watchers.splice(0)) w.done(null);
      done();
    }),
  );
  const pid = child.pid ?? -1;
  const stop = async (): Promise<void> => {
    if (exited) return;
    // signal every process of the tree we started, by PID, then give it 5 s before KILL
    const signalAll = (sig: NodeJS.Signals): void => {
      for (const p of processTree(pid).reverse()) {
        try {
          process.kill(p, sig);
        } catch {
          // gone already
        }
      }
    };
    signalAll('SIGTERM');
    const timer = setTimeout(() => signalAll('SIGKILL'), 5000);
    await exitedPromise;
    clearTimeout(timer);
  };
  return {
    lines,
    waitLine: (re, ms) =>
      new Promise((done) => {
        if (exited) return done(null);
        const w = { re, done };
        watchers.push(w);
        setTimeout(() => {
          const at = watchers.indexOf(w);
          if (at >= 0) {
            watchers.splice(at, 1);
            done(null);
          }
        }, ms);
      }),
    base: { kind, command, pid, stop, tail: () => [...lines], logCounts: () => ({ ...counts }) },
  };
}

const LEVELS: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};

/** "warn play ended (stalled)" for a pino JSON line; null for anything else. */
function logKey(line: string): string | null {
  if (!line.startsWith('{')) return null;
  try {
    const o = JSON.parse(line) as { level?: number; msg?: string; reason?: unknown };
    const reason = typeof o.reason === 'string' ? ` (${o.reason})` : '';
    return `${LEVELS[o.level ?? 0] ?? String(o.level)} ${o.msg ?? '?'}${reason}`;
  } catch {
    return null;
  }
}

/** Newest modification time of the .ts files under `dir`, ms. */
function newestSource(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile() && e.name.endsWith('.ts'))
      newest = Math.max(newest, statSync(join(e.parentPath, e.name)).mtimeMs);
  }
  return newest;
}

/**
 * The netshow command: the built CLI when it is newer than every source file (a build older than any of them would
 * measure yesterday's server), else the source through tsx.
 */
export function netshowCommand(repo: string): { cmd: string; args: string[] } | null {
  const src = join(repo, 'src/cli/main.ts');
  const built = join(repo, 'dist/src/cli/main.js');
  if (!existsSync(src) || !existsSync(join(repo, 'src/server'))) return null;
  if (existsSync(built) && statSync(built).mtimeMs >= newestSource(join(repo, 'src'))) {
    return { cmd: process.execPath, args: [built] };
  }
  return { cmd: process.execPath, args: ['--import', 'tsx', src] };
}

export async function startNetshow(o: ServerOptions): Promise<RunningServer> {
  const base = netshowCommand(o.repo);
  if (!base) throw new Error('netshow is not there yet (src/cli/main.ts and src/server/)');
  const port = await freePort();
  const dir = resolve(o.file, '..');
  const args = [...base.args, 'serve', dir, '--host', HOST, '--http-port', String(port)];
  // --mms-port 0, --rtsp-port 0: any free port (the defaults 1755 and 8554 may be taken); netshow prints the
  // ones it got.
  args.push('--mms-port', '0', '--rtsp-port', '0', '--log-level', o.logLevel ?? 'warn');
  // live: a playlist channel of the folder, which holds the one file (a playlist source takes a folder or a .wsx)
  if (o.live) args.push('--broadcast', `${LIVE_PATH}=playlist:${dir}`);
  const t0 = performance.now();
  const child = spawnLimited(o.nofile, base.cmd, args, o.repo);
  const s = supervise('netshow', child, [base.cmd, ...args].join(' '));
  // One line per listener, e.g. "mmsh listening on http://127.0.0.1:8080/" or "mmsh listening on
  // 127.0.0.1:8080  e.g. mmsh://...", "mms listening on 127.0.0.1:1755  e.g. mmst://...": the ports come
  // from those lines (both watched from the start: they may arrive in one chunk, in either order).
  const mmsLine = s.waitLine(/\bmms listening on (?:\w+:\/\/)?[^\s:/]+:(\d+)/i, 30_000);
  const rtspLine = s.waitLine(/\brtsp listening on (?:\w+:\/\/)?[^\s:/]+:(\d+)/i, 30_000);
  const m = await s.waitLine(/\bmmsh listening on (?:\w+:\/\/)?[^\s:/]+:(\d+)/i, 30_000);
  const path = o.live ? LIVE_PATH : `/${basename(o.file)}`;
  if (!m && child.exitCode === null && (await canConnect(port))) {
    return { ...s.base, port, path, startupMs: Math.round(performance.now() - t0) };
  }
  if (!m) {
    await s.base.stop();
    throw new Error(`netshow did not print "mmsh listening on ...": ${s.lines.slice(-5).join(' | ')}`);
  }
  // the mms and rtsp lines come right after the mmsh one, or not at all (a netshow without MMS or RTSP)
  const late = sleep(3000).then(() => null);
  const [mms, rtsp] = await Promise.all([Promise.race([mmsLine, late]), Promise.race([rtspLine, late])]);
  const httpPort = Number(m[1] ?? port);
  if (o.live && !(await waitForHeader(httpPort, path, child, performance.now() + 20_000))) {
    await s.base.stop();
    throw new Error(`netshow's ${path} served no header: ${s.lines.slice(-5).join(' | ')}`);
  }
  const startupMs = Math.round(performance.now() - t0);
  return {
    ...s.base,
    port: httpPort,
    ...(mms ? { mmsPort: Number(mms[1]) } : {}),
    ...(rtsp ? { rtspPort: Number(rtsp[1]) } : {}),
    path,
    startupMs,
  };
}

export async function startReplay(o: ServerOptions, script: string): Promise<RunningServer> {
  const port = await freePort();
  const args = [script, o.file, String(port)];
  const t0 = performance.now();
  const child = spawnLimited(o.nofile, process.execPath, args, o.repo);
  const s = supervise('replay', child, [process.execPath, ...args].join(' '));
  if (!(await s.waitLine(/on 127\.0\.0\.1:\d+/, 15_000))) {
    await s.base.stop();
    throw new Error(`replay double did not start: ${s.lines.slice(-5).join(' | ')}`);
  }
  return { ...s.base, port, path: `/${basename(o.file)}`, startupMs: Math.round(performance.now() - t0) };
}

/**
 * VLC 3's MMSH server (`--sout #std{access=mmsh,mux=asfh}`), as peers/vlc-mmsh-server.sh starts it. VLC
 * refuses root, so as root it runs as nobody with a scratch HOME and a copy of the file nobody can read.
 * Ready when a Describe gets a `$H` with an ASF header (VLC listens ~2 s before its muxer has one).
 */
export async function startVlc(o: ServerOptions): Promise<RunningServer> {
  const port = await freePort();
  const work = mkdtempSync(join(o.scratch, 'vlc-'));
  chmodSync(work, 0o755);
  let media = o.file;
  let prefix: string[] = [];
  if (process.getuid?.() === 0) {
    const home = join(work, 'home');
    mkdirSync(home);
    chownSync(home, 65534, 65534);
    const env = [`HOME=${home}`, `XDG_RUNTIME_DIR=${home}`];
    prefix = ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups', 'env', ...env];
    if (!worldReadable(media)) throw new Error(`${media} must be readable by nobody for VLC`);
  }
  media = resolve(media);
  const vlcArgs = ['--intf=dummy', '--aout=dummy', '--vout=dummy', '--verbose=1', '--no-interact'];
  if (o.live) vlcArgs.push('--loop', '--sout-keep');
  vlcArgs.push(media, `--sout=#std{access=mmsh,mux=asfh,dst=${HOST}:${port}}`);
  const [cmd = 'vlc', ...args] = [...prefix, 'vlc', ...vlcArgs];
  const t0 = performance.now();
  const child = spawnLimited(o.nofile, cmd, args, work);
  const s = supervise('vlc', child, [cmd, ...args].join(' '));
  const stop = async (): Promise<void> => {
    await s.base.stop();
    rmSync(work, { recursive: true, force: true });
  };
  if (!(await waitForHeader(port, '/', child, performance.now() + 20_000))) {
    await stop();
    throw new Error(`VLC did not serve a header on ${port}: ${s.lines.slice(-5).join(' | ')}`);
  }
  return { ...s.base, stop, port, path: '/', startupMs: Math.round(performance.now() - t0) };
}

/** Describes `path` until the reply holds an ASF header; false if the child exits or the deadline passes. */
async function waitForHeader(
  port: number,
  path: string,
  child: ChildProcess,
  deadline: number,
): Promise<boolean> {
  for (;;) {
    if (child.exitCode !== null || performance.now() > deadline) return false;
    if (await canConnect(port)) {
      const reply = await describe(port, path, 1500);
      if (reply.indexOf(ASF_HEADER_GUID) > 0) return true;
    }
    await sleep(200);
  }
}

function worldReadable(file: string): boolean {
  let p = resolve(file);
  if ((statSync(p).mode & 0o004) === 0) return false;
  for (p = resolve(p, '..'); p !== '/'; p = resolve(p, '..')) {
    if ((statSync(p).mode & 0o001) === 0) return false;
  }
  return true;
}
