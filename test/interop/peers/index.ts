// The interop harness: run one third-party client against one URL, decode what it received, compare
// it with the reference file's frames, and return a verdict. Logs stay under a temporary folder
// (printed on failure; NETSHOW_INTEROP_DIR picks another place).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClientName } from './availability.js';
import type { Capture, CaptureRequest, Driver } from './driver.js';
import { ffmpegCapture, ffmpegNeedsBound, mmstBound } from './ffmpeg.js';
import { compareFrames, decodeFramemd5, parseFramemd5, referenceFrames } from './framemd5.js';
import type { CompareOptions, Comparison, StreamFrames } from './framemd5.js';
import { gstCapture } from './gst.js';
import { libmmsCapture } from './libmms.js';
import { mplayerCapture } from './mplayer.js';
import { mpvCapture } from './mpv.js';
import { runLimited } from './process.js';
import { vlcCapture } from './vlc.js';

export { CLIENTS, missingFor, peerPresent, peerReady, peersRequired } from './availability.js';
export type { ClientName } from './availability.js';
export type { CompareOptions, Comparison } from './framemd5.js';
export { compareLive } from './live-compare.js';

export const DRIVERS: Record<ClientName, Driver> = {
  ffmpeg: ffmpegCapture,
  vlc: vlcCapture,
  mplayer: mplayerCapture,
  mpv: mpvCapture,
  libmms: libmmsCapture,
  gst: gstCapture,
};

export interface Verdict {
  client: ClientName;
  url: string;
  pass: boolean;
  /** One line: PASS/FAIL, wall time, exit status, then per stream what matched. */
  summary: string;
  /** The run's log file (command lines and everything the client printed). */
  log: string;
  /** What the client wrote (an ASF dump, a Matroska recording or framemd5 text). */
  capture: string;
  exitCode: number;
  timedOut: boolean;
  elapsedS: number;
  frames: StreamFrames[];
  comparison?: Comparison;
}

export interface PeerRun extends Partial<Omit<CaptureRequest, 'url' | 'dir' | 'log'>> {
  /** The file the server reads; without it the verdict only asks for something decodable. */
  reference?: string;
  compare?: Partial<CompareOptions>;
  /** A name for the run's folder, e.g. `a-mmsh`. */
  label?: string;
}

let root: string | undefined;

/** The folder all runs of this process keep their logs and captures in. */
export function interopRoot(): string {
  if (!root) {
    const base = process.env.NETSHOW_INTEROP_DIR ?? tmpdir();
    mkdirSync(base, { recursive: true });
    root = mkdtempSync(join(base, 'netshow-interop-'));
  }
  return root;
}

let runs = 0;

export async function runPeer(client: ClientName, url: string, opts: PeerRun = {}): Promise<Verdict> {
  const dir = join(interopRoot(), `${String(++runs).padStart(2, '0')}-${client}-${opts.label ?? 'run'}`);
  mkdirSync(dir, { recursive: true });
  const log = join(dir, `${client}.log`);
  const started = performance.now();
  // FFmpeg never ends an on-demand mmst:// stream by itself: bound it just before the reference's last
  // frame (ffmpeg.ts). This is not a live duration: being killed at the limit still fails the run.
  let durationS = opts.durationS;
  if (client === 'ffmpeg' && durationS === undefined && opts.reference && ffmpegNeedsBound(url)) {
    durationS = mmstBound(await referenceFrames(opts.reference));
  }
  const req: CaptureRequest = {
    url,
    dir,
    log,
    timeoutS: opts.timeoutS ?? 60,
    ...(opts.seekS !== undefined ? { seekS: opts.seekS } : {}),
    ...(opts.bandwidthBps !== undefined ? { bandwidthBps: opts.bandwidthBps } : {}),
    ...(durationS !== undefined ? { durationS } : {}),
    ...(opts.transport !== undefined ? { transport: opts.transport } : {}),
    ...(opts.extraArgs !== undefined ? { extraArgs: opts.extraArgs } : {}),
  };
  let capture: Capture;
  try {
    capture = await DRIVERS[client](req);
  } catch (err) {
    const summary = `FAIL ${client} ${url}: ${(err as Error).message}`;
    return {
      client,
      url,
      pass: false,
      summary,
      log,
      capture: '',
      exitCode: -1,
      timedOut: false,
      elapsedS: 0,
      frames: [],
    };
  }
  const { run } = capture;
  const elapsedS = (performance.now() - started) / 1000;
  const head = `${client} ${url} ${elapsedS.toFixed(1)}s rc=${run.code}`;
  const base = {
    client,
    url,
    log,
    capture: capture.path,
    exitCode: run.code,
    timedOut: run.timedOut,
    elapsedS,
  };

  let frames: StreamFrames[] = [];
  if (capture.kind === 'framemd5') {
    frames = existsSync(capture.path) ? parseFramemd5(readFileSync(capture.path, 'utf8')) : [];
  } else if (existsSync(capture.path) && statSync(capture.path).size > 0) {
    frames = (await decodeFramemd5(capture.path, `${capture.path}.framemd5`, { log })).streams;
  }
  const decodable = frames.some((s) => s.frames.length > 0);
  if (!decodable) {
    const why = existsSync(capture.path) ? 'nothing decodable' : 'no output';
    return { ...base, pass: false, summary: `FAIL ${head}: ${why} (${lastError(log)})`, frames };
  }
  // On demand, a client must reach the end by itself; being killed at the limit is a failure.
  const stuck = run.timedOut && opts.durationS === undefined ? ` (killed at the ${req.timeoutS}s limit)` : '';
  if (!opts.reference) {
    const counts = frames.map((s) => `${s.type}#${s.index}:${s.frames.length}`).join(' ');
    return {
      ...base,
      pass: !stuck,
      summary: `${stuck ? 'FAIL' : 'OK'} ${head} frames ${counts}${stuck}`,
      frames,
    };
  }
  const compare: CompareOptions = {
    mode: opts.seekS !== undefined ? 'seek' : 'vod',
    ...(opts.seekS !== undefined ? { seekS: opts.seekS } : {}),
    ...capture.allowance,
    ...opts.compare,
  };
  // live: the media asked of the client is the duration it was given
  if (compare.mode === 'live' && compare.durationS === undefined && durationS !== undefined) {
    compare.durationS = durationS;
  }
  const comparison = compareFrames(await referenceFrames(opts.reference), frames, compare);
  const pass = comparison.pass && !stuck;
  return {
    ...base,
    pass,
    summary: `${pass ? 'PASS' : 'FAIL'} ${head} ${comparison.summary}${stuck}`,
    frames,
    comparison,
  };
}

function lastError(log: string): string {
  try {
    const lines = readFileSync(log, 'utf8')
      .split('\n')
      .filter((l) => !l.startsWith('+ '));
    const hit = lines
      .reverse()
      .find((l) => /error|fail|refused|timed? ?out|cannot|unable|invalid|404|not found/i.test(l));
    return (hit ?? 'no error printed').slice(0, 160).trim();
  } catch {
    return 'no log';
  }
}

/** The verdict's summary, then the log's last lines: the message of a failed assertion. */
export function explain(v: Verdict, lines = 80): string {
  let text: string;
  try {
    text = readFileSync(v.log, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    text = '(no log)';
  }
  return `${v.summary}\n--- ${v.log} (last ${lines} lines) ---\n${text}`;
}

/** Throws with the summary and the log when the verdict is not a pass. */
export function assertPass(v: Verdict): void {
  if (!v.pass) throw new Error(explain(v));
}

/**
 * Media objects per ASF stream number in a captured file, counted by ffprobe (its stream `id` is the
 * ASF stream number). Proves a stream the client did not select never reached it.
 */
export async function payloadsPerStream(file: string, log: string): Promise<Map<number, number>> {
  const out = `${file}.probe.json`;
  const r = await runLimited(
    'sh',
    [
      '-c',
      'ffprobe -v error -show_entries stream=index,id:packet=stream_index -of json "$1" > "$2"',
      'probe',
      file,
      out,
    ],
    { log, timeoutS: 60 },
  );
  if (r.code !== 0) throw new Error(`ffprobe failed on ${file}, see ${log}`);
  const parsed = JSON.parse(readFileSync(out, 'utf8')) as {
    streams?: { index: number; id?: string }[];
    packets?: { stream_index: number }[];
  };
  const numberOf = new Map<number, number>();
  for (const s of parsed.streams ?? []) numberOf.set(s.index, s.id ? Number(s.id) : s.index + 1);
  const counts = new Map<number, number>();
  for (const s of numberOf.values()) counts.set(s, 0);
  for (const p of parsed.packets ?? []) {
    const n = numberOf.get(p.stream_index) ?? -1;
    counts.set(n, (counts.get(n) ?? 0) + 1);
  }
  return counts;
}
