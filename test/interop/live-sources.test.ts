// Live sources with real clients, all at once against one netshow with three broadcast publishing points:
//   - /channel, a looping playlist of two different files made with the same settings (fixture a's), 6 s each, so the
//     point switches without a stream change (compatible.ts). Every client's window crosses at least one switch and
//     must have decoded a contiguous run of the playlist unrolled (file 1, 2, 1, 2 joined with the concat demuxer):
//     at a switch FFmpeg's WMA decoder, going on across the junction, gives two frames neither file decodes to alone
//     in place of the old file's last one, and the unrolled reference holds exactly those, so the switch from file 2
//     back to file 1 is checked as strictly as the one from 1 to 2 (as a wrap it would cost two odd frames);
//   - /push, fed by FFmpeg as an encoder (peers/encoder.ts) that is killed with SIGKILL mid-stream while every client
//     plays and started again RESTART_GAP_MS later: each client must keep playing and decode the second push from
//     its start, which to the live rule is a wrap of fixture d, allowed two odd audio frames (the junction, as above;
//     live-compare.ts `wrapForeign`), and must have PUSH_AFTER_S of media after it;
//   - /cmd, whose source is FFmpeg run by the server (`-f asf -` on stdout), played by FFmpeg and VLC over mmsh; with
//     no -stream_loop, as fixture d (30 s) outlasts the test and a wrap would only add the two odd audio frames.
// netshow's own MMSH client watches /channel and /push throughout (peers/live-point.ts): neither may announce a stream
// change, and no stream's presentation times may go back.
// The clients are those of live.test.ts but VLC over mmsu://: VLC always binds UDP port 7000 for it, and
// scripts/run-tests.mjs runs this file side by side with live.test.ts (they sort next to each other), so only one of
// them may start it.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseFileStart } from '../../src/asf/index.js';
import { compatibleStreams } from '../../src/streaming/live/compatible.js';
import { startNetshow } from '../helpers/server.js';
import type { TestScheme, TestServer } from '../helpers/server.js';
import { startEncoder } from './peers/encoder.js';
import type { Encoder } from './peers/encoder.js';
import { referenceFrames } from './peers/framemd5.js';
import type { StreamFrames, StreamMatch } from './peers/framemd5.js';
import { assertPass, explain, interopRoot, missingFor, peerReady, runPeer } from './peers/index.js';
import type { ClientName, Verdict } from './peers/index.js';
import { broadcastFlowing, watchBroadcast } from './peers/live-point.js';
import type { WatchReport } from './peers/live-point.js';
import { runLimited, shellQuote } from './peers/process.js';
import { FIXTURES, MEDIA_DIR, media } from './vod-suite.js';

const D = resolve(media(FIXTURES.indexed));
const POINTS = { playlist: 'channel', push: 'push', command: 'cmd' } as const;
type Scenario = keyof typeof POINTS;

/** Seconds of media each client is asked for (playlist, command); at least 90 % of it must arrive. */
const DURATION_S = 9;
/** Length of each playlist file: shorter than DURATION_S, so every window crosses a switch. */
const FILE_S = 6;
/**
 * Asked of each client of the restarted push. Half the clients stop by wall time (VLC, MPlayer, GStreamer,
 * libmms), and no media flows while the encoder is down, so at least 90 % of PUSH_DURATION_S - PUSH_SHORT_S
 * must arrive, PUSH_AFTER_S of it after the restart.
 */
const PUSH_DURATION_S = 12;
const PUSH_SHORT_S = 3;
const PUSH_AFTER_S = 3;
/** After the clients start, the encoder is killed (SIGKILL) at KILL_AT_MS and started again RESTART_GAP_MS later. */
const KILL_AT_MS = 4_000;
const RESTART_GAP_MS = 2_000;
/** The second push shows in an output as a jump back to the source's first RESTART_FROM_S seconds. */
const RESTART_FROM_S = 1.5;
/** How long a point may take to carry packets. */
const READY_MS = 15_000;
/** The clients join this long after every point carries packets: mid-stream, between key frames. */
const JOIN_AFTER_MS = 3_500;

interface LiveRun {
  scenario: Scenario;
  client: ClientName;
  scheme: TestScheme;
}

const EVERY_CLIENT: readonly Omit<LiveRun, 'scenario'>[] = [
  { client: 'ffmpeg', scheme: 'mmsh' },
  { client: 'ffmpeg', scheme: 'mmst' },
  { client: 'ffmpeg', scheme: 'rtsp' },
  { client: 'vlc', scheme: 'mmst' },
  { client: 'vlc', scheme: 'mmsh' },
  { client: 'mplayer', scheme: 'mmsh' },
  { client: 'mplayer', scheme: 'mmst' },
  { client: 'mpv', scheme: 'mmsh' },
  { client: 'mpv', scheme: 'rtsp' },
  { client: 'gst', scheme: 'rtsp' },
  { client: 'libmms', scheme: 'mmsh' },
  { client: 'libmms', scheme: 'mmst' },
];

const RUNS: readonly LiveRun[] = [
  ...EVERY_CLIENT.map((r) => ({ ...r, scenario: 'playlist' as const })),
  ...EVERY_CLIENT.map((r) => ({ ...r, scenario: 'push' as const })),
  { scenario: 'command', client: 'ffmpeg', scheme: 'mmsh' },
  { scenario: 'command', client: 'vlc', scheme: 'mmsh' },
];

const name = (r: LiveRun): string => `${r.scenario} ${r.client} ${r.scheme}`;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Fixture a's settings (../shared/media/make-media.sh), so the two files have the same streams. */
function encodeArgs(video: string, audio: string, out: string): string[] {
  return [
    ...['-nostdin', '-hide_banner', '-loglevel', 'error', '-y'],
    ...['-f', 'lavfi', '-i', video, '-f', 'lavfi', '-i', audio, '-ac', '2', '-t', String(FILE_S)],
    ...['-c:v', 'wmv2', '-b:v', '300k', '-g', '25', '-c:a', 'wmav2', '-b:a', '64k'],
    ...['-fflags', '+bitexact', '-flags:v', '+bitexact', '-flags:a', '+bitexact', '-map_metadata', '-1'],
    out,
  ];
}

interface Channel {
  folder: string;
  /** The playlist unrolled (files 1, 2, 1, 2 joined with the concat demuxer, -c copy): the clients' reference. */
  unrolled: string;
  compatible: boolean;
  /** Video frame indexes in `unrolled` where a file starts (the switches). */
  switches: number[];
}

/** Makes the channel's two files and their unrolled concatenation, and checks the point may switch seamlessly. */
async function makeChannel(dir: string): Promise<Channel> {
  const folder = join(dir, 'channel');
  mkdirSync(folder, { recursive: true });
  const log = join(dir, 'make-channel.log');
  const files = [join(folder, '1-testsrc2-440hz.wmv'), join(folder, '2-negated-660hz.wmv')] as const;
  const steps: string[][] = [
    encodeArgs('testsrc2=size=320x240:rate=25', 'sine=frequency=440:sample_rate=44100', files[0]),
    encodeArgs('testsrc=size=320x240:rate=25,negate', 'sine=frequency=660:sample_rate=44100', files[1]),
  ];
  const order = [files[0], files[1], files[0], files[1]];
  const list = join(dir, 'channel-unrolled.txt');
  writeFileSync(list, order.map((f) => `file '${f}'\n`).join(''));
  const unrolled = join(dir, 'channel-unrolled.wmv');
  for (const args of steps) {
    const r = await runLimited('ffmpeg', args, { log, timeoutS: 30 });
    if (r.code !== 0) throw new Error(`cannot make the channel's files, see ${log}`);
  }
  const joined = await runLimited(
    'ffmpeg',
    [
      ...['-nostdin', '-hide_banner', '-loglevel', 'error', '-y'],
      ...['-f', 'concat', '-safe', '0', '-i', list, '-map', '0', '-c', 'copy'],
      ...['-fflags', '+bitexact', '-map_metadata', '-1', unrolled],
    ],
    { log, timeoutS: 30 },
  );
  if (joined.code !== 0) throw new Error(`cannot join the channel's files, see ${log}`);
  const [a, b] = files.map((f) => parseFileStart(readFileSync(f)).header);
  const videoFrames = async (f: string): Promise<number> =>
    (await referenceFrames(f)).find((x) => x.type === 'video')?.frames.length ?? 0;
  const lengths = await Promise.all(order.map(videoFrames));
  const switches = lengths.slice(0, -1).map((_, i) => lengths.slice(0, i + 1).reduce((x, y) => x + y, 0));
  return { folder, unrolled, compatible: compatibleStreams(a!, b!), switches };
}

function outputStream(v: Verdict, m: StreamMatch): StreamFrames | undefined {
  return v.frames.find((s) => s.index === m.output);
}

/** Seconds of media from the output's frame `from` to its end. */
function spanFrom(s: StreamFrames, from: number): number {
  const tail = s.frames.slice(from);
  if (tail.length === 0) return 0;
  const lo = Math.min(...tail.map((f) => f.pts));
  const hi = Math.max(...tail.map((f) => f.pts + f.duration));
  return (hi - lo) * s.timeBase;
}

/** Why the video did not cross a switch of the channel ("" when it did). */
function notCrossed(v: Verdict, switches: readonly number[]): string {
  const m = v.comparison?.streams.find((x) => x.type === 'video' && x.reference >= 0);
  if (!m) return 'no video matched';
  if (m.back > 0 || switches.some((b) => m.first < b && m.last >= b)) return '';
  return `video frames ${m.first}..${m.last} of the unrolled playlist cross none of its switches (${switches.join(', ')})`;
}

/**
 * Where the output goes back to the source's first RESTART_FROM_S seconds from more than 2 s further on: the first
 * frame of the second push (undefined when it never does).
 */
function restartAt(ref: StreamFrames, out: StreamFrames): number | undefined {
  const places = new Map<string, number[]>();
  ref.frames.forEach((f, i) => places.set(f.hash, [...(places.get(f.hash) ?? []), i]));
  const at = (i: number): number => (ref.frames[i]?.pts ?? 0) * ref.timeBase;
  let previous: number | undefined;
  for (let i = 0; i < out.frames.length; i++) {
    const found = places.get(out.frames[i]!.hash) ?? [];
    const early = found.find((p) => at(p) <= RESTART_FROM_S);
    if (early !== undefined && previous !== undefined && at(previous) > at(early) + 2) return i;
    if (found.length > 0) previous = found.includes((previous ?? -2) + 1) ? (previous ?? -2) + 1 : found[0];
  }
  return undefined;
}

/** Per stream, where the output went back to the source's start and how much media followed. */
function afterRestart(v: Verdict, reference: readonly StreamFrames[]): { line: string; faults: string[] } {
  const words: string[] = [];
  const faults: string[] = [];
  for (const m of v.comparison?.streams ?? []) {
    const ref = reference[m.reference];
    const out = outputStream(v, m);
    if (!ref || !out) continue;
    const at = restartAt(ref, out);
    const name = `${m.type}#${m.output}`;
    if (at === undefined) {
      words.push(`${name}: no restart seen`);
      faults.push(`${name} never went back to the source's start: nothing of the second push`);
      continue;
    }
    const after = spanFrom(out, at);
    words.push(`${name}: ${after.toFixed(1)}s from output frame ${at}`);
    if (after < PUSH_AFTER_S)
      faults.push(`${name} has ${after.toFixed(1)}s after the restart (< ${PUSH_AFTER_S}s)`);
  }
  return { line: `after restart: ${words.join(', ')}`, faults };
}

describe('live sources played by every client at once: playlist switch, push restart, command', () => {
  let server: TestServer | undefined;
  let channel: Channel | undefined;
  const encoders: Encoder[] = [];
  const restart: { killedAtS?: number; killCode?: number; runningAtKill?: boolean; restartedAtS?: number } =
    {};
  const played = new Map<string, Verdict>();
  let pushReference: StreamFrames[] = [];
  const watched = new Map<string, WatchReport>();

  before(async () => {
    // FFmpeg makes the channel, is the encoder and the command: without it nothing runs (each test then says why)
    if (missingFor('ffmpeg') !== undefined) return;
    const dir = join(interopRoot(), 'live-sources');
    mkdirSync(dir, { recursive: true });
    channel = await makeChannel(dir);
    pushReference = await referenceFrames(D);
    const encoderLog = join(dir, 'encoder.log');
    const command = `exec ${shellQuote(['ffmpeg', '-nostdin', '-v', 'error', '-re', '-i', D])} -map 0 -c copy -f asf -`;
    server = await startNetshow({
      mediaDir: MEDIA_DIR,
      broadcast: [
        { path: `/${POINTS.playlist}`, source: { kind: 'playlist', path: channel.folder, loop: true } },
        { path: `/${POINTS.push}`, source: { kind: 'push' } },
        { path: `/${POINTS.command}`, source: { kind: 'command', command } },
      ],
    });
    const live = server;
    const pushUrl = `http://127.0.0.1:${live.httpPort}/${POINTS.push}`;
    const encoder = startEncoder({ source: D, url: pushUrl, log: encoderLog });
    encoders.push(encoder);
    await Promise.all([
      broadcastFlowing(live.url('mmsh', POINTS.playlist), { readyMs: READY_MS }),
      broadcastFlowing(live.url('mmsh', POINTS.command), { readyMs: READY_MS }),
      broadcastFlowing(live.url('mmsh', POINTS.push), {
        readyMs: READY_MS,
        feederGone: () => (encoder.running() ? undefined : `the encoder ended (see ${encoderLog})`),
      }),
    ]);
    const watches = await Promise.all(
      [POINTS.playlist, POINTS.push].map(
        async (p) => [p, await watchBroadcast(live.url('mmsh', p))] as const,
      ),
    );
    await sleep(JOIN_AFTER_MS);
    const started = performance.now();
    const seconds = (): number => (performance.now() - started) / 1000;
    const crash = (async () => {
      await sleep(KILL_AT_MS);
      restart.runningAtKill = encoder.running();
      restart.killedAtS = seconds();
      restart.killCode = await encoder.kill('SIGKILL');
      await sleep(RESTART_GAP_MS);
      restart.restartedAtS = seconds();
      encoders.push(startEncoder({ source: D, url: pushUrl, log: encoderLog }));
    })();
    const runs = RUNS.flatMap((r) => {
      if (missingFor(r.client) !== undefined) return [];
      const push = r.scenario === 'push';
      return [
        runPeer(r.client, live.url(r.scheme, POINTS[r.scenario]), {
          reference: r.scenario === 'playlist' ? channel!.unrolled : D,
          durationS: push ? PUSH_DURATION_S : DURATION_S,
          timeoutS: (push ? PUSH_DURATION_S : DURATION_S) + 20,
          label: `${r.scenario}-${r.scheme}`,
          compare: push
            ? { mode: 'live', durationS: PUSH_DURATION_S - PUSH_SHORT_S, wrapForeign: 2 }
            : { mode: 'live', durationS: DURATION_S },
        }).then((v) => played.set(name(r), v)),
      ];
    });
    await Promise.all([crash, ...runs]);
    for (const [p, w] of watches) watched.set(p, await w.stop());
  });

  after(async () => {
    await Promise.all(encoders.map((e) => e.stop()));
    await server?.close();
  });

  it('the two playlist files have the same streams, so the point may switch without a stream change', (t) => {
    if (!peerReady(t, 'ffmpeg')) return;
    assert.ok(channel, 'the channel was not made');
    assert.ok(channel.compatible, `compatibleStreams() is false for the files in ${channel.folder}`);
  });

  for (const r of RUNS.filter((x) => x.scenario === 'playlist')) {
    it(`playlist: ${r.client} over ${r.scheme}:// plays on across the file switches`, (t) => {
      if (!peerReady(t, 'ffmpeg') || !peerReady(t, r.client)) return;
      const v = played.get(name(r));
      assert.ok(v && channel, `${name(r)} did not run`);
      const crossed = notCrossed(v, channel.switches);
      t.diagnostic(`${v.summary}${crossed ? ` NOT CROSSED: ${crossed}` : ''}`);
      assertPass(v);
      assert.equal(crossed, '', `the window crossed no switch: ${crossed}\n${explain(v, 20)}`);
    });
  }

  it('push: the encoder was killed mid-stream and pushed again', (t) => {
    if (!peerReady(t, 'ffmpeg')) return;
    t.diagnostic(
      `killed at ${restart.killedAtS?.toFixed(1)} s (status ${restart.killCode}), ` +
        `restarted at ${restart.restartedAtS?.toFixed(1)} s after the clients started`,
    );
    assert.equal(restart.runningAtKill, true, 'the encoder had already ended before it was killed');
    assert.ok(restart.restartedAtS !== undefined, 'the encoder was not started again');
    assert.ok(encoders[1]?.running(), `the second encoder ended early (see ${encoders[1]?.log ?? 'no log'})`);
  });

  for (const r of RUNS.filter((x) => x.scenario === 'push')) {
    it(`push: ${r.client} over ${r.scheme}:// keeps playing through an encoder restart`, (t) => {
      if (!peerReady(t, 'ffmpeg') || !peerReady(t, r.client)) return;
      const v = played.get(name(r));
      assert.ok(v, `${name(r)} did not run`);
      const { line, faults } = afterRestart(v, pushReference);
      t.diagnostic(`${v.summary} | ${line}`);
      assertPass(v);
      assert.equal(v.exitCode, 0, `the client did not end cleanly\n${explain(v, 20)}`);
      assert.deepEqual(faults, [], explain(v, 20));
    });
  }

  for (const r of RUNS.filter((x) => x.scenario === 'command')) {
    it(`command: ${r.client} over ${r.scheme}:// decodes what the server's FFmpeg writes`, (t) => {
      if (!peerReady(t, 'ffmpeg') || !peerReady(t, r.client)) return;
      const v = played.get(name(r));
      assert.ok(v, `${name(r)} did not run`);
      t.diagnostic(v.summary);
      assertPass(v);
    });
  }

  for (const p of [POINTS.playlist, POINTS.push]) {
    it(`/${p}: a client watching throughout saw no stream change and no step back in time`, (t) => {
      if (!peerReady(t, 'ffmpeg')) return;
      const w = watched.get(p);
      assert.ok(w, `/${p} was not watched`);
      const steps = [...w.backsteps].map(
        ([n, s]) =>
          `stream ${n}: ${s.count} step(s) back, the largest ${s.maxMs} ms (${s.from} -> ${s.to} ms)`,
      );
      t.diagnostic(
        `/${p}: ${w.packets} packets, ${w.changes} stream changes` +
          `${steps.length ? `, presentation times went back: ${steps.join('; ')}` : ''}` +
          `${w.ended ? `, ended: ${w.ended}` : ''}`,
      );
      assert.equal(w.ended, undefined, `/${p}: the watching client's stream ended`);
      assert.equal(w.changes, 0, `/${p}: the watching client was told of a stream change`);
      assert.deepEqual(steps, [], `/${p}: presentation times went back`);
    });
  }
});
