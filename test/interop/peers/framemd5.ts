// "Works" for netshow means: the frames a client decodes equal the frames decoded from the file the
// server read. This file decodes a file or URL with `ffmpeg -f framemd5` (one MD5 per decoded frame and
// stream) and compares a client's frames with the reference's, stream by stream.
//
// Each output stream is walked in order through the reference stream of the same media type it agrees
// with best, so a client that received one video of a multiple-bitrate file is compared with that video.
// Counted per stream: matched frames; lead (unknown frames before the first match); foreign (unknown
// frames after it); missing (reference frames jumped over); back (jumps backwards); and where in the
// reference the output starts and ends.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { compareLive } from './live-compare.js';
import { runLimited } from './process.js';

export interface Frame {
  pts: number;
  duration: number;
  hash: string;
}

export interface StreamFrames {
  index: number;
  type: string;
  /** Seconds per time-base tick. */
  timeBase: number;
  frames: Frame[];
}

/** Parses FFmpeg's framemd5 text: `#tb N: a/b`, `#media_type N: t`, then `stream, dts, pts, dur, size, md5`. */
export function parseFramemd5(text: string): StreamFrames[] {
  const streams: StreamFrames[] = [];
  const stream = (i: number): StreamFrames => {
    let s = streams[i];
    if (!s) {
      s = { index: i, type: 'unknown', timeBase: 1, frames: [] };
      streams[i] = s;
    }
    return s;
  };
  for (const line of text.split('\n')) {
    const tb = /^#tb (\d+): (\d+)\/(\d+)/.exec(line);
    if (tb) {
      stream(Number(tb[1])).timeBase = Number(tb[2]) / Number(tb[3]);
      continue;
    }
    const mt = /^#media_type (\d+): (\w+)/.exec(line);
    if (mt) {
      stream(Number(mt[1])).type = mt[2] ?? 'unknown';
      continue;
    }
    if (line.startsWith('#') || line.trim() === '') continue;
    const f = line.split(',').map((x) => x.trim());
    if (f.length < 6) continue;
    stream(Number(f[0])).frames.push({ pts: Number(f[2]), duration: Number(f[3]), hash: f[5] ?? '' });
  }
  return Array.from(streams, (s, i) => s ?? { index: i, type: 'unknown', timeBase: 1, frames: [] });
}

/**
 * Every decoded frame exactly once: without this FFmpeg's frame-rate logic may duplicate or drop video
 * frames whose timestamps look uneven (it does after a seek).
 */
export const PASSTHROUGH = ['-fps_mode', 'passthrough'] as const;

export interface DecodeOptions {
  log: string;
  timeoutS?: number;
  /** FFmpeg options placed before `-i` (e.g. `-ss 20 -noaccurate_seek`, `-rw_timeout`). */
  inputArgs?: readonly string[];
}

/** Decodes every stream of a file or URL to `out` (framemd5 text) and parses it. */
export async function decodeFramemd5(
  input: string,
  out: string,
  opts: DecodeOptions,
): Promise<{ streams: StreamFrames[]; code: number; timedOut: boolean }> {
  const args = [
    '-nostdin',
    '-hide_banner',
    '-loglevel',
    'error',
    ...(opts.inputArgs ?? []),
    '-i',
    input,
    '-map',
    '0',
    ...PASSTHROUGH,
    '-f',
    'framemd5',
    '-y',
    out,
  ];
  const r = await runLimited('ffmpeg', args, { log: opts.log, timeoutS: opts.timeoutS ?? 60 });
  let text = '';
  try {
    text = readFileSync(out, 'utf8');
  } catch {
    // nothing written
  }
  return { streams: parseFramemd5(text), code: r.code, timedOut: r.timedOut };
}

const referenceCache = new Map<string, Promise<StreamFrames[]>>();

/** Frames of a reference file, decoded once per process and cached on disk by path, size and date. */
export function referenceFrames(file: string): Promise<StreamFrames[]> {
  const path = resolve(file);
  const st = statSync(path);
  const key = createHash('sha1')
    .update(`${PASSTHROUGH.join(' ')}\0${path}\0${st.size}\0${st.mtimeMs}`)
    .digest('hex')
    .slice(0, 16);
  let p = referenceCache.get(key);
  if (!p) {
    const dir = join(tmpdir(), 'netshow-framemd5-cache');
    mkdirSync(dir, { recursive: true });
    const out = join(dir, `${key}.framemd5`);
    p = (async () => {
      try {
        const cached = parseFramemd5(readFileSync(out, 'utf8'));
        if (cached.some((s) => s.frames.length > 0)) return cached;
      } catch {
        // not cached yet
      }
      const r = await decodeFramemd5(path, `${out}.${process.pid}`, { log: join(dir, `${key}.log`) });
      if (!r.streams.some((s) => s.frames.length > 0)) throw new Error(`cannot decode reference ${path}`);
      renameSync(`${out}.${process.pid}`, out);
      return r.streams;
    })();
    referenceCache.set(key, p);
  }
  return p;
}

export interface CompareOptions {
  /**
   * vod: every frame of the reference stream, in order, nothing missing, nothing extra.
   * seek: the output starts within a window around `seekS` and is contiguous from there to the end.
   * live: joined a running broadcast of the reference, looped (live-compare.ts).
   */
  mode: 'vod' | 'seek' | 'live';
  /** live: seconds of media asked of the client, at least 90 % of which must arrive. */
  durationS?: number;
  /** live: unknown frames allowed per wrap (live-compare.ts; default 1). */
  wrapForeign?: number;
  seekS?: number;
  /** seek: how far before / after `seekS` the first frame may be (default 3 s / 0.5 s). */
  seekWindowS?: readonly [number, number];
  /** vod: unknown frames allowed before the first match; seek: output frames before the final
   *  contiguous run (default 0 in vod, 2 in seek mode). */
  maxLead?: number;
  /**
   * Reference frames the output may lack at the very end (a client's own muxer dropping a tail, or a
   * client cutting its last packet short). Up to that many of the output's own last frames may then be
   * damaged (unknown, or equal to an earlier frame): they are left out of the comparison, and the
   * reference frames they stood for count among the absent ones.
   */
  tailSlack?: number;
}

export interface StreamMatch {
  output: number;
  type: string;
  /** The reference stream it follows, or -1 when none of that type matched at all. */
  reference: number;
  matched: number;
  outputFrames: number;
  referenceFrames: number;
  lead: number;
  foreign: number;
  missing: number;
  back: number;
  /** Index in the reference of the first and last matched frame (-1 when nothing matched). */
  first: number;
  last: number;
  /** Seconds: reference time of the first matched frame, and span of media in the output. */
  firstS: number;
  mediaS: number;
  /**
   * The last contiguous run (no gap, jump or unknown frame inside it up to the end of the output):
   * how many output frames come before it, and where in the reference it starts (index, seconds).
   */
  runOffset: number;
  runFirst: number;
  runFirstS: number;
  /** Last output frames left out as damaged (tailSlack). */
  damaged: number;
}

export interface Comparison {
  pass: boolean;
  summary: string;
  streams: StreamMatch[];
}

const LOOKAHEAD = 8;

/** What every walk of an output through a reference starts from: where each hash stands, and an empty match. */
export function walkStart(
  ref: StreamFrames,
  out: StreamFrames,
  o: number,
  r: number,
  mediaS: number,
): {
  places: Map<string, number[]>;
  rh: (i: number) => string | undefined;
  oh: (i: number) => string | undefined;
  match: StreamMatch;
} {
  const places = new Map<string, number[]>();
  ref.frames.forEach((f, i) => {
    const list = places.get(f.hash);
    if (list) list.push(i);
    else places.set(f.hash, [i]);
  });
  return {
    places,
    rh: (i) => ref.frames[i]?.hash,
    oh: (i) => out.frames[i]?.hash,
    match: {
      output: o,
      type: out.type,
      reference: r,
      matched: 0,
      outputFrames: out.frames.length,
      referenceFrames: ref.frames.length,
      lead: 0,
      foreign: 0,
      missing: 0,
      back: 0,
      first: -1,
      last: -1,
      firstS: 0,
      mediaS,
      runOffset: 0,
      runFirst: -1,
      runFirstS: 0,
      damaged: 0,
    },
  };
}

/** Walks `out` through `ref` (see the file comment). */
function walk(ref: StreamFrames, out: StreamFrames, o: number, r: number): StreamMatch {
  const { places: where, rh, oh, match: m } = walkStart(ref, out, o, r, 0);
  let j = -1;
  let broken = true;
  const startRun = (i: number, at: number): void => {
    m.runOffset = i;
    m.runFirst = at;
    broken = false;
  };
  for (let i = 0; i < out.frames.length; i++) {
    const h = oh(i);
    if (j >= 0 && rh(j + 1) === h) {
      if (broken) startRun(i, j + 1);
      j++;
      m.matched++;
      continue;
    }
    const places = h === undefined ? undefined : where.get(h);
    if (!places) {
      if (m.matched === 0) m.lead++;
      else m.foreign++;
      broken = true;
      continue;
    }
    // Periodic content (a steady tone) repeats checksums: take the place whose following frames agree
    // best with the following output frames, the nearest to the expected one on a tie.
    let best = places[0] ?? 0;
    let bestScore = -1;
    let bestDistance = Infinity;
    for (const p of places) {
      let score = 0;
      for (let t = 1; t <= LOOKAHEAD && i + t < out.frames.length; t++) if (rh(p + t) === oh(i + t)) score++;
      const distance = Math.abs(p - (j + 1));
      if (score > bestScore || (score === bestScore && distance < bestDistance)) {
        best = p;
        bestScore = score;
        bestDistance = distance;
      }
    }
    if (m.matched === 0) m.first = best;
    else if (best > j + 1) m.missing += best - j - 1;
    else if (best <= j) m.back++;
    if (broken || best !== j + 1) startRun(i, best);
    j = best;
    m.matched++;
  }
  m.last = j;
  const firstFrame = m.first >= 0 ? ref.frames[m.first] : undefined;
  m.firstS = firstFrame ? firstFrame.pts * ref.timeBase : 0;
  const runFrame = m.runFirst >= 0 ? ref.frames[m.runFirst] : undefined;
  m.runFirstS = runFrame ? runFrame.pts * ref.timeBase : 0;
  if (out.frames.length > 0) {
    const lo = Math.min(...out.frames.map((f) => f.pts));
    const hi = Math.max(...out.frames.map((f) => f.pts + f.duration));
    m.mediaS = (hi - lo) * out.timeBase;
  }
  return m;
}

function describe(m: StreamMatch): string {
  if (m.reference < 0) return `${m.type}#${m.output}:no-matching-reference(${m.outputFrames} frames)`;
  let s = `${m.type}#${m.output}=ref#${m.reference}:${m.matched}/${m.referenceFrames}`;
  if (m.lead) s += `(+${m.lead} lead)`;
  if (m.foreign) s += `(${m.foreign} foreign)`;
  if (m.missing) s += `(${m.missing} missing)`;
  if (m.back) s += `(${m.back} back)`;
  if (m.first > 0) s += `(from ${m.firstS.toFixed(2)}s)`;
  if (m.runOffset > 0 || m.runFirst !== m.first)
    s += `(run from ${m.runFirstS.toFixed(2)}s after ${m.runOffset})`;
  const tail = m.referenceFrames - 1 - m.last;
  if (m.matched > 0 && tail > 0) s += `(last ${tail} absent)`;
  if (m.damaged) s += `(${m.damaged} damaged at the end, left out)`;
  return `${s} ${m.mediaS.toFixed(1)}s`;
}

/** Compares a client's decoded frames with the reference's (see CompareOptions for the modes). */
export function compareFrames(
  reference: readonly StreamFrames[],
  output: readonly StreamFrames[],
  opts: CompareOptions,
): Comparison {
  if (opts.mode === 'live') {
    return compareLive(reference, output, {
      durationS: opts.durationS ?? 0,
      ...(opts.wrapForeign !== undefined ? { wrapForeign: opts.wrapForeign } : {}),
    });
  }
  const streams: StreamMatch[] = [];
  const problems: string[] = [];
  for (const out of output) {
    if (out.frames.length === 0) continue;
    let best: StreamMatch | undefined;
    for (const ref of reference) {
      if (ref.type !== out.type || ref.frames.length === 0) continue;
      const m = walk(ref, out, out.index, ref.index);
      if (!best || m.matched > best.matched) best = m;
    }
    if (!best || best.matched === 0) {
      best = {
        ...(best ?? walk({ index: -1, type: out.type, timeBase: 1, frames: [] }, out, out.index, -1)),
        reference: -1,
      };
    }
    streams.push(best);
  }
  if (streams.length === 0) problems.push('no decoded frames');
  for (const type of new Set(reference.filter((r) => r.frames.length > 0).map((r) => r.type))) {
    if (!streams.some((s) => s.type === type && s.matched > 0)) problems.push(`no-${type}`);
  }
  const maxLead = opts.maxLead ?? (opts.mode === 'seek' ? 2 : 0);
  const tailSlack = opts.tailSlack ?? 0;
  const [before, after] = opts.seekWindowS ?? [3, 0.5];
  const ok = (m: StreamMatch): boolean => {
    if (m.reference < 0 || m.matched === 0 || broken(m)) return false;
    if (m.referenceFrames - 1 - m.last > tailSlack) return false;
    if (opts.mode === 'vod') return m.lead <= maxLead && !m.foreign && !m.missing && !m.back && m.first === 0;
    // seek: whatever came before the final contiguous run (frames decoded before the seek took
    // effect, undecodable frames before a key frame) counts as lead; the run starts near seekS.
    const at = opts.seekS ?? 0;
    return m.runOffset <= maxLead && m.runFirstS >= at - before && m.runFirstS <= at + after;
  };
  const broken = (m: StreamMatch): boolean => m.last < 0;
  // A damaged tail: leave out the output's last frames, up to tailSlack, if that makes the stream agree.
  for (const [i, m] of streams.entries()) {
    const ref = reference[m.reference];
    const out = output.find((o) => o.index === m.output);
    if (ok(m) || !ref || !out) continue;
    for (let k = 1; k <= tailSlack && k < out.frames.length; k++) {
      const cut = walk(ref, { ...out, frames: out.frames.slice(0, -k) }, m.output, m.reference);
      if (ok(cut)) {
        streams[i] = { ...cut, outputFrames: out.frames.length, damaged: k };
        break;
      }
    }
  }
  const pass = problems.length === 0 && streams.every(ok);
  const summary = [...streams.map(describe), ...problems].join(' ');
  return { pass, summary, streams };
}
