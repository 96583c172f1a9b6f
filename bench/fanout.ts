// Fan-out benchmark: N paced readers on loopback against one long ASF file, for netshow on each protocol asked
// (MMSH, MMS with TCP data, MMS with UDP data, RTSP with interleaved RTP, RTSP with RTP over UDP) and for the
// peer (VLC's MMSH server: there is no third-party MMS or MS-RTSP server in Debian) in the same run, one after
// the other; prints one JSON document (bench/README.md).
//   npx tsx bench/fanout.ts --clients 100,1000 --seconds 20 [--mode vod|live] [--protocol mmsh,mmst,mmsu,rtspt,rtspu]
//                           [--peer vlc|none] [--file F] [--late-ms 1000] [--server-log-level warn]
//                           [--ours netshow|replay|none] [--ramp-ms 5] [--warmup 3] [--per-process 250]
// Everything binds and connects to 127.0.0.1 only, and every step has a time limit.
//
// Modes: vod (default): netshow serves the file on demand, each reader its own paced session from packet 0.
// live: both servers play the file as a looped live stream (netshow: a broadcast point with a playlist of the
// file's folder; VLC: --loop --sout-keep) and every reader joins it; the lateness anchor changes (below).
//
// Lateness of a `$D`, MMS Data packet or RTP-carried ASF packet (wmsp.md §6.2, asf.md §4): each reader takes the arrival of its first `$D` as its
// play start and that packet's Send Time as the first send time; a later `$D` with Send Time S arriving at
// A is late by A - (playStart + (S - firstSendTime)). Packets with S - firstSendTime < preroll (from the
// `$H` the reader got) are the start-up burst and are not counted; only arrivals inside the measuring
// window are. Negative = ahead of schedule (a server may keep up to a preroll of lead).
// Live: a joiner's first packet is old (the server's Fast Start burst from its buffer), so the schedule is instead
// the reader's lowest arrival - Send Time before the window, and a packet is late by (A - S) - that; the burst
// (S - firstSendTime < preroll) is still left out. 0 = on schedule, positive = behind it.
//
// Served at real time (per reader, lib/fanout-report.ts realTimeFailure): connected, no loss, no media skipped,
// Send Time kept pace, and its lateness p99 within --late-ms; the knee of a server is the largest level at which
// at least 95 % of the readers were.
import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { readAsfFile, type AsfFileFacts } from './lib/asf.js';
import {
  compare,
  definitions,
  knee,
  KNEE_FRACTION,
  LIVE_PEER_NOTE,
  PEER_NOTE,
  summarise,
  type Knee,
  type ServerFigures,
} from './lib/fanout-report.js';
import type { BenchProtocol, ReaderConfig, ReaderProcessReport } from './lib/mmsh-readers.js';
import {
  cpuSeconds,
  listenOverflows,
  machineBusySeconds,
  openFileLimits,
  processTree,
  rssBytes,
} from './lib/proc.js';
import { netshowCommand, startNetshow, startReplay, startVlc, type RunningServer } from './lib/servers.js';
import { round } from './lib/stats.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, '..');
const READER_SCRIPT = join(HERE, 'lib/mmsh-readers.ts');
const REPLAY_SCRIPT = '/work/shared/peers/mmsh-replay.mjs';
const BIN_MS = 0.1;

const { values: opt } = parseArgs({
  options: {
    clients: { type: 'string', default: '100,1000' },
    seconds: { type: 'string', default: '20' },
    protocol: { type: 'string', default: 'mmsh' },
    peer: { type: 'string', default: 'vlc' },
    ours: { type: 'string', default: 'netshow' },
    file: { type: 'string' },
    'ramp-ms': { type: 'string', default: '5' },
    warmup: { type: 'string', default: '3' },
    'per-process': { type: 'string', default: '250' },
    'replay-script': { type: 'string', default: REPLAY_SCRIPT },
    mode: { type: 'string', default: 'vod' },
    'late-ms': { type: 'string', default: '1000' },
    'server-log-level': { type: 'string', default: 'warn' },
  },
});

const num = (name: string, v: string | undefined, min: number, max: number): number => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || n > max) usage(`--${name} must be a number in ${min}..${max}`);
  return n;
};
function usage(msg: string): never {
  process.stderr.write(`fanout: ${msg}\n`);
  process.exit(2);
}

const levels = (opt.clients ?? '').split(',').map((s) => num('clients', s.trim(), 1, 20_000));
const seconds = num('seconds', opt.seconds, 2, 600);
const rampMs = num('ramp-ms', opt['ramp-ms'], 0, 100);
const warmupS = num('warmup', opt.warmup, 0, 60);
const perProcess = num('per-process', opt['per-process'], 1, 5000);
const PROTOCOLS: readonly BenchProtocol[] = ['mmsh', 'mmst', 'mmsu', 'rtspt', 'rtspu'];
const protocols = [...new Set((opt.protocol ?? '').split(',').map((s) => s.trim()))] as BenchProtocol[];
if (protocols.length === 0 || protocols.some((p) => !PROTOCOLS.includes(p))) {
  usage(`--protocol ${opt.protocol}: a comma-separated subset of ${PROTOCOLS.join(',')}`);
}
if (opt.peer !== 'vlc' && opt.peer !== 'none') usage('--peer is vlc or none');
if (opt.ours !== 'netshow' && opt.ours !== 'replay' && opt.ours !== 'none')
  usage('--ours is netshow, replay or none');
if (opt.mode !== 'vod' && opt.mode !== 'live') usage('--mode is vod or live');
const live = opt.mode === 'live';
if (live && opt.ours === 'replay') usage('--ours replay serves a file on demand only, not --mode live');
const lateMs = num('late-ms', opt['late-ms'], 1, 60_000);
const serverLogLevel = opt['server-log-level'] ?? 'warn';
if (!['trace', 'debug', 'info', 'warn', 'error'].includes(serverLogLevel))
  usage('--server-log-level is trace, debug, info, warn or error');

const log = (msg: string): void => void process.stderr.write(`fanout: ${msg}\n`);
const now = (): number => performance.timeOrigin + performance.now();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, ms)));

const scratch = mkdtempSync(join(tmpdir(), 'netshow-fanout-'));
chmodSync(scratch, 0o755); // VLC runs as nobody and must reach the media
const cleanups = new Set<() => Promise<void>>();
async function cleanup(): Promise<void> {
  for (const c of [...cleanups]) await c().catch(() => undefined);
  rmSync(scratch, { recursive: true, force: true });
}
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => void cleanup().then(() => process.exit(130)));
}

/** Media long enough that no reader reaches the end (or VLC's end) during the longest run. */
async function prepareMedia(): Promise<{ file: string; generatedWith: string | null }> {
  const dir = join(scratch, 'media');
  mkdirSync(dir);
  chmodSync(dir, 0o755);
  if (opt.file) {
    const file = join(dir, basename(opt.file));
    copyFileSync(opt.file, file);
    chmodSync(file, 0o644);
    return { file, generatedWith: null };
  }
  const longest = (Math.max(...levels) * rampMs) / 1000 + warmupS + seconds;
  const duration = Math.max(300, Math.ceil(longest * 2 + 60));
  const file = join(dir, `long100k-${duration}s.wmv`);
  // The 106 kb/s variant of shared/media/README.md ("Bigger or different media"), with the video rate held
  // by min/max rate: without them FFmpeg's rate control starts at ~150 kb/s and settles only after a minute,
  // so a window near the start would compare readers with a rate the file does not have on average.
  const args = ['-v', 'error', '-nostdin', '-y'];
  args.push('-f', 'lavfi', '-i', `testsrc=size=160x120:rate=15:duration=${duration}`);
  args.push('-f', 'lavfi', '-i', `sine=frequency=1000:sample_rate=22050:duration=${duration}`);
  args.push(
    '-ac',
    '1',
    '-c:v',
    'wmv2',
    '-b:v',
    '60k',
    '-minrate',
    '60k',
    '-maxrate',
    '60k',
    '-bufsize',
    '120k',
  );
  args.push('-g', '15', '-c:a', 'wmav2', '-b:a', '32k');
  args.push('-fflags', '+bitexact', file);
  await run('ffmpeg', args, 120_000);
  chmodSync(file, 0o644);
  return { file, generatedWith: `ffmpeg ${args.slice(0, -1).join(' ')} OUT.wmv` };
}

function run(cmd: string, args: string[], ms: number): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('error', fail);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) done();
      else fail(new Error(`${cmd} exited ${code}: ${err.slice(-300)}`));
    });
  });
}

/** One reader process; resolves with its report, or null if it died or overran its time limit. */
function readerProcess(
  cfg: ReaderConfig,
  nofile: number,
): { pid: number; report: Promise<ReaderProcessReport | null> } {
  const script = `ulimit -n ${nofile} 2>/dev/null; exec "$@"`;
  const args = ['-c', script, 'sh', process.execPath, '--import', 'tsx', READER_SCRIPT, JSON.stringify(cfg)];
  const child = spawn('sh', args, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (err += b.toString()));
  const kill = (): Promise<void> => {
    child.kill('SIGKILL');
    return Promise.resolve();
  };
  cleanups.add(kill);
  const timer = setTimeout(() => child.kill('SIGKILL'), cfg.windowEnd - now() + 20_000);
  const report = new Promise<ReaderProcessReport | null>((done) =>
    // 'close', not 'exit': a child's stdout may still hold its report when it exits
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      cleanups.delete(kill);
      try {
        done(JSON.parse(out.trim().split('\n').at(-1) ?? '') as ReaderProcessReport);
      } catch {
        const how = signal ?? `code ${code}`;
        log(
          `reader process ${child.pid} (${how}, ${out.length} bytes out) gave no report: ${err.slice(-300)}`,
        );
        done(null);
      }
    }),
  );
  return { pid: child.pid ?? -1, report };
}

/** The server port a protocol's readers connect to. */
function portOf(server: RunningServer, protocol: BenchProtocol): number | undefined {
  if (protocol === 'mmsh') return server.port;
  if (protocol === 'mmst' || protocol === 'mmsu') return server.mmsPort;
  return server.rtspPort;
}

/** A Send Time step forward larger than this is media skipped: twice the file's largest step, at least 2 s. */
const jumpMsOf = (media: AsfFileFacts): number => Math.max(2000, 2 * media.maxSendStepMs);

async function measure(
  server: RunningServer,
  protocol: BenchProtocol,
  n: number,
  media: AsfFileFacts,
): Promise<ServerFigures> {
  const port = portOf(server, protocol);
  if (port === undefined) {
    throw new Error(`${server.kind} printed no "${protocol.slice(0, -1)} listening on ..." line`);
  }
  const nofile = Math.max(1024, Math.min(openFileLimits().hard, 2 * n + 256));
  await sleep(1000); // let it settle before the idle reading
  const rssIdle = rssBytes(processTree(server.pid));
  const overflows0 = listenOverflows();
  const startAt = now() + 500;
  const windowStart = startAt + n * rampMs + warmupS * 1000;
  const windowEnd = windowStart + seconds * 1000;
  const procs = Math.ceil(n / perProcess);
  const readers = Array.from({ length: procs }, (_, p) => {
    const indexes = Array.from({ length: n }, (_, i) => i).filter((i) => i % procs === p);
    const cfg: ReaderConfig = {
      protocol,
      port,
      path: server.path,
      streams: media.streams,
      indexes,
      startAt,
      rampMs,
      windowStart,
      windowEnd,
      prerollMs: media.prerollMs,
      binMs: BIN_MS,
      live,
      lateMs,
      jumpMs: jumpMsOf(media),
    };
    return readerProcess(cfg, nofile);
  });
  const readerPids = (): number[] => readers.flatMap((r) => processTree(r.pid));
  await sleep(windowStart - now());
  const serverPids = new Set(processTree(server.pid));
  const readerSet = new Set(readerPids());
  const cpu0 = cpuSeconds([...serverPids]);
  const rcpu0 = cpuSeconds([...readerSet]);
  const busy0 = machineBusySeconds();
  const t0 = now();
  let peak = rssBytes([...serverPids]);
  while (now() < windowEnd - 1000) {
    await sleep(Math.min(1000, windowEnd - 1000 - now()));
    for (const p of processTree(server.pid)) serverPids.add(p);
    peak = Math.max(peak, rssBytes(processTree(server.pid)));
  }
  await sleep(windowEnd - now() - 50); // before the readers disconnect
  for (const p of processTree(server.pid)) serverPids.add(p);
  const cpu1 = cpuSeconds([...serverPids]);
  const rcpu1 = cpuSeconds([...readerSet]);
  const busy1 = machineBusySeconds();
  const t1 = now();
  const rssEnd = rssBytes(processTree(server.pid));
  const overflows1 = listenOverflows();
  const reports = (await Promise.all(readers.map((r) => r.report))).filter((r) => r !== null);
  const samples = {
    windowS: (t1 - t0) / 1000,
    serverCpuS: cpu1 - cpu0,
    serverRssIdle: rssIdle,
    serverRssPeak: Math.max(peak, rssEnd),
    serverRssEnd: rssEnd,
    readerCpuS: rcpu1 - rcpu0,
    machineBusyS: busy1 - busy0,
    listenOverflows: overflows0 === null || overflows1 === null ? null : overflows1 - overflows0,
  };
  const figures = summarise(
    reports,
    samples,
    media.contentBitrate,
    BIN_MS,
    { lateMs },
    {
      server: server.kind,
      protocol,
      command: server.command,
      url: `${protocol.startsWith('rtsp') ? 'rtsp' : protocol}://127.0.0.1:${port}${server.path}`,
      startupMs: server.startupMs,
      requested: n,
    },
  );
  if (server.kind === 'netshow') figures.serverLog = server.logCounts();
  return figures;
}

type Outcome =
  ServerFigures | { server: string; skipped: string } | { server: string; error: string; log?: string[] };

async function runOne(
  kind: 'netshow' | 'replay' | 'vlc',
  protocol: BenchProtocol,
  n: number,
  file: string,
  media: AsfFileFacts,
): Promise<Outcome> {
  if (kind === 'netshow' && !netshowCommand(REPO)) {
    return { server: kind, skipped: 'netshow serve is not there yet (src/cli/main.ts, src/server/)' };
  }
  if (kind !== 'netshow' && protocol !== 'mmsh') {
    return { server: kind, skipped: `${kind} serves MMSH only, not ${protocol}` };
  }
  const o = {
    repo: REPO,
    file,
    scratch,
    nofile: Math.min(openFileLimits().hard, 2 * n + 1024),
    live,
    logLevel: serverLogLevel,
  };
  let server: RunningServer;
  try {
    server = await (kind === 'vlc'
      ? startVlc(o)
      : kind === 'replay'
        ? startReplay(o, opt['replay-script'] ?? '')
        : startNetshow(o));
  } catch (e) {
    return { server: kind, error: (e as Error).message };
  }
  cleanups.add(server.stop);
  const port = portOf(server, protocol);
  log(`${kind} ${protocol}: ${n} readers on 127.0.0.1:${port ?? '?'}${server.path}`);
  try {
    return await measure(server, protocol, n, media);
  } catch (e) {
    return { server: kind, error: (e as Error).message, log: server.tail().slice(-10) };
  } finally {
    await server.stop();
    cleanups.delete(server.stop);
  }
}

/** One line per level and server with the figures most people look for; the full figures follow. */
const row = (clients: number, f: ServerFigures): Record<string, unknown> => ({
  clients,
  server: f.server,
  protocol: f.protocol,
  connected: f.readers.connected,
  failed: f.readers.failed,
  realTimeFraction: f.realTime.fraction,
  bitrateRatioMedian: f.bitrateRatio.median,
  mediaRateMin: f.mediaRate.min,
  lostInWindow: f.losses.lostInWindow,
  outOfOrder: f.losses.outOfOrder,
  latenessP50Ms: f.latenessMs.p50,
  latenessP99Ms: f.latenessMs.p99,
  jitterP99Ms: f.jitterMs.p99,
  firstByteP50Ms: f.firstByteMs.p50,
  serverCpuPercent: f.serverCpuPercent,
  serverCpuMsPerReaderSecond: f.serverCpuMsPerReaderSecond,
  realTimeReadersPerCore: f.realTimeReadersPerCore,
  serverRssPeakMB: f.serverRssMB.peak,
  serverRssPerClientKB: f.serverRssPerClientKB,
  readerCpuPercent: f.readerCpuPercent,
  otherCpuPercent: f.otherCpuPercent,
  listenOverflows: f.listenOverflows,
  ...(f.streamChanges ? { streamChanges: f.streamChanges } : {}),
  ...(f.sendTime.jumps ? { sendTimeJumps: f.sendTime.jumps } : {}),
});

const isFigures = (o: Outcome | undefined): o is ServerFigures => o !== undefined && 'bitrateBps' in o;

async function main(): Promise<void> {
  const started = new Date();
  const loadAtStart = loadavg()[0] ?? NaN;
  const { file, generatedWith } = await prepareMedia();
  const media = readAsfFile(file);
  const ours = opt.ours === 'none' ? null : (opt.ours as 'netshow' | 'replay');
  const results = [];
  const summary: Record<string, unknown>[] = [];
  const fractions = new Map<string, { clients: number; fraction: number | null }[]>();
  const note = (key: string, clients: number, o: Outcome | undefined): void => {
    if (o === undefined || 'skipped' in o) return;
    const list = fractions.get(key) ?? [];
    list.push({ clients, fraction: isFigures(o) ? o.realTime.fraction : null });
    fractions.set(key, list);
  };
  for (const n of levels) {
    // netshow once per protocol (a fresh server each time), then the peer once, reused for every protocol
    const perProtocol: Record<string, Outcome> = {};
    if (ours) for (const p of protocols) perProtocol[p] = await runOne(ours, p, n, file, media);
    const peer = opt.peer === 'vlc' ? await runOne('vlc', 'mmsh', n, file, media) : undefined;
    const servers: Record<string, Outcome> = {};
    const ratios: Record<string, Record<string, number | null>> = {};
    for (const [p, o] of Object.entries(perProtocol)) {
      servers[`${ours} ${p}`] = o;
      note(`${ours} ${p}`, n, o);
      summary.push(isFigures(o) ? row(n, o) : { clients: n, protocol: p, ...o });
      if (isFigures(o) && isFigures(peer)) ratios[p] = compare(o, peer);
    }
    if (peer) {
      servers['vlc mmsh'] = peer;
      note('vlc mmsh', n, peer);
      summary.push(isFigures(peer) ? row(n, peer) : { clients: n, protocol: 'mmsh', ...peer });
    }
    results.push({ clients: n, servers, ratiosOursOverPeer: ratios });
  }
  const knees: Record<string, Knee> = {};
  for (const [key, list] of fractions) knees[key] = knee(list);
  const doc = {
    bench: 'fanout',
    mode: opt.mode,
    protocols,
    date: started.toISOString(),
    durationS: round((Date.now() - started.getTime()) / 1000, 1),
    host: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? '',
      kernel: release(),
      node: process.version,
      loadAverage1mAtStart: round(loadAtStart, 2),
    },
    params: {
      clients: levels,
      seconds,
      rampMs,
      warmupS,
      readersPerProcess: perProcess,
      ours: opt.ours,
      peer: opt.peer,
      lateMs,
      jumpMs: jumpMsOf(media),
      kneeFraction: KNEE_FRACTION,
      serverLogLevel,
    },
    media: {
      file: opt.file ?? basename(file),
      generatedWith,
      durationS: round(media.sendSpanMs / 1000, 1),
      maxSendStepMs: media.maxSendStepMs,
      packetSize: media.packetSize,
      packets: media.packetCount,
      prerollMs: media.prerollMs,
      streams: media.streams,
      contentBitrateBps: media.contentBitrate,
      paddedBitrateBps: media.paddedBitrate,
      headerMaxBitrateBps: media.maxBitrate,
    },
    summary,
    knees,
    definitions: definitions(live ? 'live' : 'vod', { lateMs }, jumpMsOf(media)),
    peerNote: live ? LIVE_PEER_NOTE : PEER_NOTE,
    levels: results,
  };
  process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
}

try {
  await main();
} finally {
  await cleanup();
}
