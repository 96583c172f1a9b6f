// The live rule: a client that joined a running broadcast decoded the source's frames, in order, from
// wherever it joined. Each output stream is walked through the reference stream of its media type that it
// agrees with best (as framemd5.ts does on demand), and passes when:
//   - it starts anywhere in the reference, after any number of unknown frames (lead: it joined between
//     key frames, or the audio decoder had no overlap from the frame before);
//   - it may wrap round to the start (a back jump: the encoder loops its file);
//   - no reference frame is skipped (missing), and it holds at most one unknown frame more than it has
//     wraps (foreign): the audio frame after a wrap decodes with the overlap of the file's last frame, so
//     it differs from the reference's first, and one more is tolerated for the join itself (a caller may allow
//     more per wrap: LiveOptions.wrapForeign);
//   - with a duration, at least 90 % of that much media arrived;
// and every media type of the reference appears in the output. This is the `PEER_MODE=live` comparison
// of ../shared/peers/lib.sh, written anew.
//
// Two refinements of the plain walk, as in lib.sh: an unknown frame after a match is taken to stand in
// for the expected reference frame, unless the next frame is that expected one (then it was inserted);
// and a jump between two places whose previous frames are equal is no gap (repeating content, e.g. a
// steady tone or a still picture, gives equal checksums).
import { walkStart, type Comparison, type StreamFrames, type StreamMatch } from './framemd5.js';

export interface LiveOptions {
  /** Seconds of media asked of the client: at least 90 % of it must arrive (0 or absent: no minimum). */
  durationS?: number;
  /**
   * Unknown frames allowed per wrap (default 1). A source that stops at an arbitrary point and starts again from
   * the file's start (an encoder restarted) gives 2 in a WMA stream: the decoder, going on across the junction,
   * outputs two frames that neither side decodes to alone where the old stream ends.
   */
  wrapForeign?: number;
}

/** Share of the asked duration that must arrive. */
export const LIVE_MIN_SHARE = 0.9;
/** Frames ahead compared when a checksum occurs at several places of the reference. */
const LOOKAHEAD = 8;

/** Walks `out` through `ref`, counting matched, lead, foreign, missing and back (file comment). */
export function walkLive(ref: StreamFrames, out: StreamFrames): StreamMatch {
  const { places, rh, oh, match: m } = walkStart(ref, out, out.index, ref.index, mediaSpan(out));
  // j: the reference frame the last output frame stood for (-1 before the first match).
  let j = -1;
  // the previous output frame was unknown and assumed to replace reference frame j
  let standIn = false;
  let runBroken = true;
  const runFrom = (i: number, at: number): void => {
    if (!runBroken) return;
    m.runOffset = i;
    m.runFirst = at;
    runBroken = false;
  };
  for (let i = 0; i < out.frames.length; i++) {
    const h = oh(i);
    if (j >= 0 && rh(j + 1) === h) {
      j++;
      m.matched++;
      standIn = false;
      runFrom(i, j);
      continue;
    }
    const at = h === undefined ? undefined : places.get(h);
    if (!at) {
      if (m.matched > 0) {
        m.foreign++;
        j++;
        standIn = true;
      } else {
        m.lead++;
      }
      runBroken = true;
      continue;
    }
    const k = bestPlace(at, i, j, rh, oh, out.frames.length, ref.frames.length);
    if (standIn && k === j) {
      // the unknown frame before was an inserted one: this frame is the one it seemed to replace
      standIn = false;
      m.matched++;
      runFrom(i, k);
      continue;
    }
    const repeats = k > 0 && rh(k - 1) === rh(j);
    if (m.matched === 0) {
      m.first = k;
    } else if (!repeats) {
      if (k > j + 1) m.missing += k - j - 1;
      else if (k <= j) m.back++;
    }
    if (m.matched === 0 || k !== j + 1) runBroken = true;
    runFrom(i, k);
    j = k;
    m.matched++;
    standIn = false;
  }
  m.last = Math.min(j, ref.frames.length - 1);
  m.firstS = secondsAt(ref, m.first);
  m.runFirstS = secondsAt(ref, m.runFirst);
  return m;
}

/**
 * Of the reference places holding the output frame `i`'s checksum, the one whose next frames agree with
 * the next output frames most, the nearest to the expected place `j + 1` on a tie.
 */
function bestPlace(
  at: readonly number[],
  i: number,
  j: number,
  rh: (i: number) => string | undefined,
  oh: (i: number) => string | undefined,
  outLength: number,
  refLength: number,
): number {
  let best = at[0] ?? 0;
  let bestScore = -1;
  let bestDistance = Infinity;
  for (const p of at) {
    let score = 0;
    for (let t = 1; t <= LOOKAHEAD && i + t < outLength && p + t < refLength; t++) {
      if (rh(p + t) === oh(i + t)) score++;
    }
    const distance = Math.abs(p - (j + 1));
    if (score > bestScore || (score === bestScore && distance < bestDistance)) {
      best = p;
      bestScore = score;
      bestDistance = distance;
    }
  }
  return best;
}

/** Seconds of media an output stream spans, from its earliest start to its latest end. */
function mediaSpan(s: StreamFrames): number {
  if (s.frames.length === 0) return 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (const f of s.frames) {
    lo = Math.min(lo, f.pts);
    hi = Math.max(hi, f.pts + f.duration);
  }
  return (hi - lo) * s.timeBase;
}

function secondsAt(s: StreamFrames, i: number): number {
  const f = i >= 0 ? s.frames[i] : undefined;
  return f ? f.pts * s.timeBase : 0;
}

/** Whether one walked stream satisfies the live rule (file comment), not counting its duration. */
export function liveStreamOk(m: StreamMatch, wrapForeign = 1): boolean {
  return m.reference >= 0 && m.matched > 0 && m.missing === 0 && m.foreign <= 1 + wrapForeign * m.back;
}

function describe(m: StreamMatch, short: boolean): string {
  if (m.reference < 0) return `${m.type}#${m.output}:no-reference-stream`;
  let s = `${m.type}#${m.output}=ref#${m.reference}:${m.matched}/${m.referenceFrames}`;
  if (m.lead) s += `(+${m.lead} lead)`;
  if (m.foreign) s += `(${m.foreign} foreign)`;
  if (m.missing) s += `(${m.missing} missing)`;
  if (m.back) s += `(${m.back} back)`;
  if (m.first >= 0) s += `(joined at ${m.firstS.toFixed(2)}s)`;
  s += ` ${m.mediaS.toFixed(1)}s`;
  return short ? `${s}(short)` : s;
}

/** Compares what a client decoded from a live stream with the frames of the file the encoder looped. */
export function compareLive(
  reference: readonly StreamFrames[],
  output: readonly StreamFrames[],
  opts: LiveOptions = {},
): Comparison {
  const declared = output.filter((s) => s.type !== 'unknown' || s.frames.length > 0);
  if (!declared.some((s) => s.frames.length > 0)) {
    return { pass: false, summary: 'no decoded frames', streams: [] };
  }
  const want = opts.durationS ?? 0;
  const streams: StreamMatch[] = [];
  const words: string[] = [];
  let pass = true;
  for (const out of declared) {
    let best: StreamMatch | undefined;
    for (const ref of reference) {
      if (ref.type !== out.type || ref.frames.length === 0) continue;
      const m = walkLive(ref, out);
      if (!best || m.matched > best.matched) best = m;
    }
    if (!best) {
      best = { ...walkLive({ index: -1, type: out.type, timeBase: 1, frames: [] }, out), reference: -1 };
    }
    const short = want > 0 && best.mediaS < LIVE_MIN_SHARE * want;
    if (short || !liveStreamOk(best, opts.wrapForeign)) pass = false;
    streams.push(best);
    words.push(describe(best, short));
  }
  for (const type of new Set(reference.filter((r) => r.frames.length > 0).map((r) => r.type))) {
    if (!streams.some((s) => s.type === type && s.reference >= 0)) {
      pass = false;
      words.push(`no-${type}`);
    }
  }
  return { pass, summary: words.join(' '), streams };
}
