// The live comparison of the interop harness (test/interop/peers/live-compare.ts) on synthetic framemd5
// text: a 10 s reference of 250 video frames (40 ms) and 215 audio frames (~46 ms), and client outputs
// that joined it while an encoder looped it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareFrames, parseFramemd5 } from '../../interop/peers/framemd5.js';
import type { StreamFrames } from '../../interop/peers/framemd5.js';
import { compareLive } from '../../interop/peers/live-compare.js';

const VIDEO_FRAMES = 250;
const AUDIO_FRAMES = 215;
const VIDEO_MS = 40;
const AUDIO_MS = 46;

/** One output or reference frame: a checksum, in stream `s` at position `at` of the output. */
interface Line {
  s: 0 | 1;
  hash: string;
}

const v = (i: number): Line => ({ s: 0, hash: `v${i % VIDEO_FRAMES}` });
const a = (i: number): Line => ({ s: 1, hash: `a${i % AUDIO_FRAMES}` });
const junk = (s: 0 | 1, n: number): Line => ({ s, hash: `junk-${s}-${n}` });
const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, k) => from + k);

/** FFmpeg's framemd5 text (tb 1/1000) for the lines; each stream's frames get consecutive timestamps. */
function framemd5(lines: readonly Line[], startMs = 0): string {
  const text = ['#format: frame checksums', '#version: 2', '#hash: MD5'];
  text.push('#tb 0: 1/1000', '#media_type 0: video', '#codec_id 0: rawvideo');
  text.push('#tb 1: 1/1000', '#media_type 1: audio', '#codec_id 1: pcm_s16le');
  text.push('#stream#, dts, pts, duration, size, hash');
  const next = [startMs, startMs];
  for (const l of lines) {
    const ms = l.s === 0 ? VIDEO_MS : AUDIO_MS;
    const pts = next[l.s] ?? 0;
    next[l.s] = pts + ms;
    text.push(`${l.s}, ${pts}, ${pts}, ${ms}, 1000, ${l.hash}`);
  }
  return `${text.join('\n')}\n`;
}

const reference: StreamFrames[] = parseFramemd5(
  framemd5([...range(0, VIDEO_FRAMES).map(v), ...range(0, AUDIO_FRAMES).map(a)]),
);

/** A client output: video positions then audio positions (ordering between streams does not matter). */
function output(video: readonly Line[], audio: readonly Line[], startMs = 123_456): StreamFrames[] {
  return parseFramemd5(framemd5([...video, ...audio], startMs));
}

describe('live comparison (PEER_MODE=live)', () => {
  it('passes a clean join in the middle of the file', () => {
    const out = output(range(100, 325).map(v), range(86, 280).map(a));
    const c = compareLive(reference, out, { durationS: 8 });
    assert.equal(c.pass, true, c.summary);
    const [video, audio] = c.streams;
    assert.equal(video?.first, 100);
    assert.equal(video?.matched, 225);
    assert.equal(video?.back, 1, 'it ran past the end of the file into the next loop');
    assert.equal(audio?.lead, 0);
    assert.match(
      c.summary,
      /^video#0=ref#0:225\/250\(1 back\)\(joined at 4\.00s\) 9\.0s audio#1=ref#1:194\/215/,
    );
  });

  it('passes a join with undecodable frames before the first key frame, and an odd first audio frame', () => {
    const out = output(
      [junk(0, 1), junk(0, 2), junk(0, 3), ...range(125, 350).map(v)],
      [junk(1, 1), ...range(108, 300).map(a)],
    );
    const c = compareLive(reference, out, { durationS: 9 });
    assert.equal(c.pass, true, c.summary);
    assert.equal(c.streams[0]?.lead, 3);
    assert.equal(c.streams[1]?.lead, 1);
    assert.match(c.summary, /\(\+3 lead\)/);
  });

  it('passes a wrap round to the start, with one odd audio frame after it', () => {
    const audio = [...range(170, AUDIO_FRAMES).map(a), junk(1, 1), ...range(1, 150).map(a)];
    const out = output([...range(200, VIDEO_FRAMES).map(v), ...range(0, 180).map(v)], audio);
    const c = compareLive(reference, out, { durationS: 8 });
    assert.equal(c.pass, true, c.summary);
    assert.deepEqual(
      c.streams.map((s) => [s.back, s.foreign, s.missing]),
      [
        [1, 0, 0],
        [1, 1, 0],
      ],
    );
  });

  it('passes through compareFrames in live mode, and the vod rule fails the same output', () => {
    const out = output(range(50, 275).map(v), range(43, 237).map(a));
    assert.equal(compareFrames(reference, out, { mode: 'live', durationS: 8 }).pass, true);
    assert.equal(compareFrames(reference, out, { mode: 'vod' }).pass, false);
  });

  it('fails a missing frame in the middle', () => {
    const video = range(100, 325).filter((i) => i !== 180);
    const c = compareLive(reference, output(video.map(v), range(86, 280).map(a)), { durationS: 8 });
    assert.equal(c.pass, false, c.summary);
    assert.equal(c.streams[0]?.missing, 1);
    assert.match(c.summary, /\(1 missing\)/);
  });

  it('fails a missing audio frame just after a wrap', () => {
    const audio = [
      ...range(170, AUDIO_FRAMES).map(a),
      ...range(0, 150)
        .filter((i) => i !== 3)
        .map(a),
    ];
    const c = compareLive(reference, output(range(200, 430).map(v), audio), { durationS: 8 });
    assert.equal(c.pass, false, c.summary);
    assert.equal(c.streams[1]?.missing, 1);
  });

  it('fails frames from another file', () => {
    const other = (s: 0 | 1) => (i: number) => ({ s, hash: `other-${s}-${i}` });
    const c = compareLive(reference, output(range(0, 225).map(other(0)), range(0, 194).map(other(1))), {
      durationS: 8,
    });
    assert.equal(c.pass, false, c.summary);
    assert.deepEqual(
      c.streams.map((s) => s.matched),
      [0, 0],
    );
  });

  it('fails a stream that switches to another file after matching a while', () => {
    const video = [...range(100, 200).map(v), ...range(0, 125).map((i) => junk(0, i))];
    const c = compareLive(reference, output(video, range(86, 280).map(a)), { durationS: 8 });
    assert.equal(c.pass, false, c.summary);
    assert.equal(c.streams[0]?.foreign, 125);
  });

  it('fails two odd frames with no wrap to explain them', () => {
    const video = range(100, 325).map((i) => (i === 150 || i === 250 ? junk(0, i) : v(i)));
    const c = compareLive(reference, output(video, range(86, 280).map(a)), { durationS: 8 });
    assert.equal(c.streams[0]?.foreign, 2);
    // the wrap at 250 explains one of them
    assert.equal(c.pass, true, c.summary);
    const noWrap = range(20, 245).map((i) => (i === 50 || i === 150 ? junk(0, i) : v(i)));
    const d = compareLive(reference, output(noWrap, range(86, 280).map(a)), { durationS: 8 });
    assert.equal(d.pass, false, d.summary);
    assert.equal(d.streams[0]?.missing, 0, 'an unknown frame stands in for the one it replaced');
  });

  it('wrapForeign: two odd audio frames at a restart and a cut last one pass only with two allowed per wrap', () => {
    // What FFmpeg's WMA decoder gives across a source restart (two frames neither stream decodes to alone), and the
    // last frame cut when the client was stopped.
    const audio = [
      ...range(170, AUDIO_FRAMES).map(a),
      junk(1, 1),
      junk(1, 2),
      ...range(2, 150).map(a),
      junk(1, 3),
    ];
    const out = output([...range(200, VIDEO_FRAMES).map(v), ...range(0, 180).map(v)], audio);
    assert.equal(
      compareLive(reference, out, { durationS: 8 }).pass,
      false,
      'the default allows 1 + 1 per wrap',
    );
    const c = compareLive(reference, out, { durationS: 8, wrapForeign: 2 });
    assert.equal(c.pass, true, c.summary);
  });

  it('fails too little media', () => {
    const out = output(range(100, 250).map(v), range(86, 215).map(a));
    const c = compareLive(reference, out, { durationS: 8 });
    assert.equal(c.pass, false, c.summary);
    assert.match(c.summary, /6\.0s\(short\)/);
    assert.equal(compareLive(reference, out, { durationS: 6 }).pass, true, 'enough for 6 s');
  });

  it('fails when a media type is absent, or nothing decoded', () => {
    const declared = compareLive(reference, output(range(100, 325).map(v), []), { durationS: 8 });
    assert.equal(declared.pass, false);
    assert.match(declared.summary, /audio#1=ref#1:0\/215 0\.0s\(short\)$/);
    const videoOnly = framemd5(range(100, 325).map(v))
      .split('\n')
      .filter((l) => !/^#\w+ 1:/.test(l))
      .join('\n');
    const c = compareLive(reference, parseFramemd5(videoOnly), { durationS: 8 });
    assert.equal(c.pass, false);
    assert.match(c.summary, / no-audio$/);
    const none = compareLive(reference, parseFramemd5(''), { durationS: 8 });
    assert.deepEqual([none.pass, none.summary], [false, 'no decoded frames']);
  });

  it('follows repeating content (a steady tone) without calling the jumps gaps', () => {
    // audio frames 0..9 all sound the same: the reference has 10 equal checksums there
    const tone = (i: number): Line => (i % AUDIO_FRAMES < 10 ? { s: 1, hash: 'tone' } : a(i));
    const ref = parseFramemd5(
      framemd5([...range(0, VIDEO_FRAMES).map(v), ...range(0, AUDIO_FRAMES).map(tone)]),
    );
    const out = output(range(200, 425).map(v), range(180, 374).map(tone));
    const c = compareLive(ref, out, { durationS: 8 });
    assert.equal(c.pass, true, c.summary);
    assert.equal(c.streams[1]?.missing, 0);
  });
});
