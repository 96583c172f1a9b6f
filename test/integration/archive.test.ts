// The archive of a broadcast publishing point: sample files fed as a live tap come out as valid, indexed ASF files
// holding every packet exactly once, rotated at key frames by size and by age, split at stream changes and at
// restarted sources, named from the template without ever overwriting a file.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it, type TestContext } from 'node:test';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { parseFileStart, parsePacket, parseSimpleIndex } from '../../src/asf/index.js';
import { FakeClock } from '../../src/core/clock.js';
import { Archive, expandTemplate, type ArchiveOptions } from '../../src/streaming/archive.js';
import type { ArchiveConfig } from '../../src/streaming/live/types.js';
import { peerReady } from '../interop/peers/availability.js';

const MEDIA = 'test/fixtures/media';
const FILES = {
  a: 'a-wmv2-wmav2-10s.wmv',
  b: 'b-wmav2-10s.wma',
  d: 'd-indexed-30s.wmv',
  e: 'e-live-10s.asf',
} as const;
type Key = keyof typeof FILES;
const media = (k: Key): string => join(MEDIA, FILES[k]);

const dir = await mkdtemp(join(tmpdir(), 'netshow-archive-'));
after(() => rm(dir, { recursive: true, force: true }));
const run = promisify(execFile);
const silent = pino({ level: 'silent' });

interface Source {
  header: Buffer;
  packetSize: number;
  packets: Buffer[];
  /** Per packet: a video key frame starts in it (always true without video), as a publishing point says. */
  keyFrames: boolean[];
  video: Set<number>;
}

async function source(k: Key): Promise<Source> {
  const bytes = await readFile(media(k));
  const layout = parseFileStart(bytes, bytes.length);
  const S = layout.packetSize;
  const video = new Set(layout.header.streams.filter((s) => s.kind === 'video').map((s) => s.streamNumber));
  const packets: Buffer[] = [];
  const keyFrames: boolean[] = [];
  for (let n = 0; n < layout.packetCount; n++) {
    const pkt = bytes.subarray(layout.firstPacketOffset + n * S, layout.firstPacketOffset + (n + 1) * S);
    packets.push(pkt);
    const p = parsePacket(pkt, S);
    keyFrames.push(
      video.size === 0 || p.payloads.some((x) => video.has(x.streamNumber) && x.keyFrame && x.offset === 0),
    );
  }
  return { header: layout.headerBytes, packetSize: S, packets, keyFrames, video };
}

const sources = {
  a: await source('a'),
  b: await source('b'),
  d: await source('d'),
  e: await source('e'),
};

let archives = 0;
function archive(config: Partial<ArchiveConfig>, extra: Partial<ArchiveOptions> = {}) {
  const folder = join(dir, `run-${++archives}`);
  const clock = new FakeClock();
  const a = new Archive({
    name: 'live',
    config: { template: join(folder, '{name}-{n}.asf'), ...config },
    clock,
    log: silent,
    ...extra,
  });
  return { archive: a, clock, folder };
}

/** Feed packets [from, to) of `src`; `timed` moves the clock to each packet's send time first. */
function feed(
  a: Archive,
  src: Source,
  opts: { from?: number; to?: number; clock?: FakeClock; t0?: number } = {},
) {
  const { from = 0, to = src.packets.length, clock, t0 = 0 } = opts;
  for (let n = from; n < to; n++) {
    const pkt = src.packets[n]!;
    if (clock) clock.advance(Math.max(0, t0 + parsePacket(pkt, src.packetSize).sendTime - clock.now()));
    a.packet(pkt, src.keyFrames[n]!);
  }
}

/** A file written by the archive, as src/asf reads it: the header's counts describe exactly its bytes. */
async function readArchived(file: string, exact = true) {
  const bytes = await readFile(file);
  const layout = parseFileStart(bytes);
  const fp = layout.header.fileProperties;
  assert.equal(fp.broadcast, false, file);
  assert.equal(fp.seekable, true, file);
  assert.equal(Number(fp.dataPacketsCount), layout.packetCount, file);
  if (exact) assert.equal(Number(fp.fileSize), bytes.length, file);
  const packets: Buffer[] = [];
  for (let n = 0; n < layout.packetCount; n++) {
    const at = layout.firstPacketOffset + n * layout.packetSize;
    packets.push(bytes.subarray(at, at + layout.packetSize));
  }
  let indexes = 0;
  for (let at = layout.dataEnd; exact && at < bytes.length; indexes++) {
    const size = Number(bytes.readBigUInt64LE(at + 16));
    parseSimpleIndex(bytes.subarray(at, at + size));
    at += size;
  }
  return { layout, packets, indexes };
}

/** The least time of a packet: what the archive subtracts from every time in a file starting with it. */
function earliest(pkt: Buffer, S: number): number {
  const p = parsePacket(pkt, S);
  return p.payloads.reduce((m, x) => Math.min(m, x.presentationTime), p.sendTime);
}

/**
 * The files, in order, hold exactly the packets fed (same payload bytes; times moved so each file starts at its
 * first packet's earliest time), each once. A payload
 * may be missing only where Recorder drops it on purpose: a fragment whose object started in an earlier file, or
 * video before the file's first key frame. Each file's video starts with a key frame. Returns the dropped count.
 */
async function assertHolds(files: readonly string[], fed: readonly Buffer[], src: Source): Promise<number> {
  const S = src.packetSize;
  let i = 0;
  let dropped = 0;
  for (const file of files) {
    const { packets } = await readArchived(file);
    const open = new Map<number, { obj: number; next: number }>();
    const keyed = new Set<number>();
    const base = i < fed.length ? earliest(fed[i]!, S) : 0;
    for (const pkt of packets) {
      assert.ok(i < fed.length, `${file}: more packets than fed`);
      const want = parsePacket(fed[i]!, S);
      const got = parsePacket(pkt, S);
      assert.equal(got.sendTime, want.sendTime - base, `${file}: packet ${i} send time`);
      let g = 0;
      for (const w of want.payloads) {
        const x = got.payloads[g];
        const video = src.video.has(w.streamNumber);
        if (
          x &&
          x.streamNumber === w.streamNumber &&
          x.objectNumber === w.objectNumber &&
          x.offset === w.offset
        ) {
          assert.ok(x.data.equals(w.data), `${file}: packet ${i} payload bytes`);
          assert.equal(
            x.presentationTime,
            w.presentationTime - base,
            `${file}: packet ${i} presentation time`,
          );
          if (video && !keyed.has(w.streamNumber)) {
            assert.ok(w.keyFrame && w.offset === 0, `${file}: video does not start with a key frame`);
            keyed.add(w.streamNumber);
          }
          const o = open.get(w.streamNumber);
          if (w.offset === 0) open.set(w.streamNumber, { obj: w.objectNumber, next: w.data.length });
          else if (o) o.next += w.data.length;
          g++;
          continue;
        }
        const o = open.get(w.streamNumber);
        const continues = o !== undefined && o.obj === w.objectNumber && o.next === w.offset;
        assert.ok(
          (video && !keyed.has(w.streamNumber)) || (w.offset > 0 && !continues),
          `${file}: packet ${i} lost a payload that was not an orphan`,
        );
        dropped++;
      }
      assert.equal(g, got.payloads.length, `${file}: packet ${i} has payloads not fed`);
      i++;
    }
  }
  assert.equal(i, fed.length, 'every packet fed is in a file');
  return dropped;
}

async function ffprobeDuration(file: string): Promise<number> {
  const { stdout } = await run(
    'ffprobe',
    ['-v', 'error', '-show_entries', 'format=duration', '-of', 'default=nw=1:nk=1', file],
    { timeout: 60_000 },
  );
  return Number(stdout.trim());
}

/** ffprobe finds a duration and FFmpeg decodes every frame without a word at level error. */
async function assertPlays(t: TestContext, files: readonly string[]): Promise<number[]> {
  if (!peerReady(t, 'ffmpeg')) return [];
  const durations: number[] = [];
  for (const f of files) {
    const d = await ffprobeDuration(f);
    assert.ok(d > 0, `${f}: ffprobe duration ${d}`);
    const { stdout, stderr } = await run('ffmpeg', ['-v', 'error', '-i', f, '-f', 'null', '-'], {
      timeout: 60_000,
    });
    assert.equal(stdout + stderr, '', `${f}: ffmpeg decode`);
    durations.push(d);
  }
  return durations;
}

describe('archive', () => {
  for (const k of ['a', 'e'] as const) {
    it(`${FILES[k]}: one file with the source's packets, index and duration`, async (t) => {
      const src = sources[k];
      const { archive: a } = archive({});
      a.header(src.header);
      feed(a, src);
      await a.close();
      const { files, packets, lost } = a.stats;
      assert.equal(files.length, 1);
      assert.equal(packets, src.packets.length);
      assert.equal(lost, 0);
      assert.equal(await assertHolds(files, src.packets, src), 0);
      assert.equal((await readArchived(files[0]!)).indexes, 1);
      if (!peerReady(t, 'ffmpeg')) return;
      // e is a as written to a pipe (a live header): its archive must come out with a's duration.
      assert.equal(await ffprobeDuration(files[0]!), await ffprobeDuration(media('a')));
      await assertPlays(t, files);
    });
  }

  const rotations: [string, Partial<ArchiveConfig>][] = [
    ['by size', { rotateBytes: 300_000 }],
    ['by time', { rotateMs: 7000 }],
  ];
  for (const [what, config] of rotations) {
    it(`rotates ${what} at key frames: every file valid and decodable, every packet once`, async (t) => {
      const src = sources.d;
      const { archive: a, clock } = archive(config);
      a.header(src.header);
      feed(a, src, { clock });
      await a.close();
      const { files } = a.stats;
      assert.ok(files.length >= 4, `${files.length} files`);
      let first = 0;
      for (const f of files) {
        assert.ok(src.keyFrames[first], `${f} starts at source packet ${first}, not a key frame`);
        const { layout } = await readArchived(f);
        if (config.rotateBytes !== undefined && f !== files[files.length - 1]) {
          const bytes = layout.firstPacketOffset + layout.packetCount * layout.packetSize;
          assert.ok(bytes >= config.rotateBytes, `${f} rotated at ${bytes} bytes`);
        }
        first += layout.packetCount;
      }
      await assertHolds(files, src.packets, src);
      const durations = await assertPlays(t, files);
      if (durations.length === 0) return;
      // Each file starts near 0, so the parts add up to the whole (within a frame per cut).
      const total = durations.reduce((x, y) => x + y, 0);
      const whole = await ffprobeDuration(media('d'));
      t.diagnostic(`${durations.join(' + ')} = ${total} vs ${whole}`);
      assert.ok(Math.abs(total - whole) < 0.1 * files.length, `${durations.join(' + ')} vs ${whole}`);
      if (config.rotateMs !== undefined)
        for (const d of durations.slice(0, -1)) assert.ok(d >= 7 && d < 8.5, `${d}`);
    });
  }

  it('a stream joined mid-way: its file starts near 0 [asf.md 7.3 step 3]', async (t) => {
    const src = sources.d;
    const { archive: a } = archive({});
    a.header(src.header);
    feed(a, src, { from: 150 });
    await a.close();
    await assertHolds(a.stats.files, src.packets.slice(150), src);
    const file = a.stats.files[0]!;
    // Play Duration covers what was joined, not the time before it: the whole minus the skipped send time.
    const fp = (await readArchived(file)).layout.header.fileProperties;
    const played = Number(fp.playDuration) / 1e4 - fp.preroll;
    const skipped = parsePacket(src.packets[150]!, src.packetSize).sendTime;
    const source = parseFileStart(await readFile(media('d'))).header.fileProperties;
    const whole = Number(source.playDuration) / 1e4 - source.preroll;
    assert.ok(Math.abs(played - (whole - skipped)) < 100, `${played} vs ${whole} - ${skipped}`);
    if (!peerReady(t, 'ffmpeg')) return;
    const { stdout } = await run('ffprobe', [
      '-v',
      'error',
      '-show_entries',
      'format=start_time',
      '-of',
      'csv=p=0',
      file,
    ]);
    assert.ok(Number(stdout) < 0.1, `start ${stdout.trim()}`);
    await assertPlays(t, a.stats.files);
  });

  it('a different header finishes the file and starts another', async (t) => {
    const { archive: a } = archive({});
    a.header(sources.a.header);
    feed(a, sources.a, { to: 60 });
    a.header(sources.b.header);
    feed(a, sources.b);
    await a.close();
    const { files } = a.stats;
    assert.equal(files.length, 2);
    await assertHolds([files[0]!], sources.a.packets.slice(0, 60), sources.a);
    await assertHolds([files[1]!], sources.b.packets, sources.b);
    assert.equal((await readArchived(files[0]!)).layout.header.streams.length, 2);
    assert.equal((await readArchived(files[1]!)).layout.header.streams.length, 1);
    await assertPlays(t, files);
  });

  it('interrupted: what arrived is on disk; the same header then continues the file', async (t) => {
    const src = sources.d;
    const { archive: a } = archive({});
    a.header(src.header);
    feed(a, src, { to: 200 });
    a.interrupted();
    await a.flush();
    const cut = a.stats.files[0]!;
    assert.equal((await readArchived(cut)).layout.packetCount, 200);
    await assertPlays(t, [cut]);
    a.header(src.header);
    feed(a, src, { from: 200 });
    await a.close();
    assert.deepEqual(a.stats.files, [cut]);
    await assertHolds([cut], src.packets, src);
    if (peerReady(t, 'ffmpeg')) assert.equal(await ffprobeDuration(cut), await ffprobeDuration(media('d')));
  });

  it('interrupted, the same header, later send times after a gap: the same file', async (t) => {
    const src = sources.d;
    const { archive: a } = archive({});
    a.header(src.header);
    feed(a, src, { to: 150 });
    a.interrupted();
    a.header(src.header);
    feed(a, src, { from: 170 });
    await a.close();
    assert.equal(a.stats.files.length, 1);
    await assertHolds(a.stats.files, [...src.packets.slice(0, 150), ...src.packets.slice(170)], src);
    if (peerReady(t, 'ffmpeg')) assert.ok((await ffprobeDuration(a.stats.files[0]!)) > 29);
  });

  for (const interrupted of [true, false]) {
    it(`the same header with send times from 0 again (${interrupted ? 'after' : 'without'} interrupted): a new file`, async (t) => {
      const src = sources.a;
      const { archive: a } = archive({});
      a.header(src.header);
      feed(a, src);
      if (interrupted) a.interrupted();
      a.header(src.header);
      feed(a, src);
      await a.close();
      const { files } = a.stats;
      assert.equal(files.length, 2);
      for (const f of files) assert.equal(await assertHolds([f], src.packets, src), 0);
      const durations = await assertPlays(t, files);
      if (durations.length) {
        const want = await ffprobeDuration(media('a'));
        assert.deepEqual(durations, [want, want]);
      }
    });
  }

  it('a source gone quiet without dropping is on disk after the checkpoint interval', async () => {
    const src = sources.a;
    const { archive: a, clock } = archive({});
    a.header(src.header);
    feed(a, src, { to: 40 });
    clock.advance(2000);
    await a.flush();
    assert.equal((await readArchived(a.stats.files[0]!)).layout.packetCount, 40);
    await a.close();
  });

  it('names files from the template and never overwrites one', async () => {
    const wall = new Date(2024, 0, 2, 3, 4, 5).getTime();
    assert.equal(
      expandTemplate('x/{name}/{date}/{time}-{n}-{n}.asf', { name: 'live', wallMs: wall, n: 7 }),
      'x/live/20240102/030405-7-7.asf',
    );
    const root = join(dir, 'template');
    const taken = join(root, 'live', '20240102', '030405-1.asf');
    await mkdir(join(root, 'live', '20240102'), { recursive: true });
    await writeFile(taken, 'keep');
    await writeFile(join(root, 'live', '20240102', '030405-1-2.asf'), 'keep too');
    const a = new Archive({
      name: 'live',
      config: { template: join(root, '{name}', '{date}', '{time}-{n}.asf') },
      clock: new FakeClock(),
      log: silent,
      wallClock: () => wall,
    });
    a.header(sources.a.header);
    feed(a, sources.a, { to: 30 });
    a.header(sources.b.header);
    feed(a, sources.b, { to: 10 });
    await a.close();
    assert.deepEqual(a.stats.files, [
      join(root, 'live', '20240102', '030405-1-3.asf'),
      join(root, 'live', '20240102', '030405-2.asf'),
    ]);
    assert.equal(await readFile(taken, 'utf8'), 'keep');
    assert.equal(await readFile(join(root, 'live', '20240102', '030405-1-2.asf'), 'utf8'), 'keep too');
    await assertHolds([a.stats.files[0]!], sources.a.packets.slice(0, 30), sources.a);
    await assertHolds([a.stats.files[1]!], sources.b.packets.slice(0, 10), sources.b);
  });

  it('a failing disk: one error line, nothing thrown, a new file at the first key frame once it works', async (t) => {
    const src = sources.d;
    const blocker = join(dir, 'blocker');
    await writeFile(blocker, 'a file where the archive wants a folder');
    const lines: string[] = [];
    const errors: Error[] = [];
    const clock = new FakeClock();
    const a = new Archive({
      name: 'live',
      config: { template: join(blocker, '{name}-{n}.asf') },
      clock,
      log: pino({ level: 'info' }, { write: (s: string) => void lines.push(s) }),
      onError: (e) => void errors.push(e),
    });
    a.header(src.header);
    feed(a, src, { to: 100 });
    await a.flush();
    assert.deepEqual(a.stats.files, []);
    assert.equal(a.stats.lost, 100);
    await unlink(blocker);
    await mkdir(blocker);
    clock.advance(1000);
    feed(a, src, { from: 100 });
    await a.close();
    const levels = lines.map((l) => (JSON.parse(l) as { level: number }).level);
    assert.equal(levels.filter((l) => l >= 50).length, 1, lines.join(''));
    assert.equal(errors.length, 1);
    const resumedAt = src.keyFrames.indexOf(true, 100);
    assert.equal(a.stats.lost, resumedAt);
    assert.equal(a.stats.files.length, 1);
    await assertHolds(a.stats.files, src.packets.slice(resumedAt), src);
    await assertPlays(t, a.stats.files);
  });

  it('a header that cannot be recorded: a warning, nothing thrown, the next good header records', async () => {
    const lines: string[] = [];
    const errors: Error[] = [];
    const { archive: a } = archive(
      {},
      {
        log: pino({ level: 'info' }, { write: (s: string) => void lines.push(s) }),
        onError: (e) => {
          errors.push(e);
          throw new Error('a listener that throws');
        },
      },
    );
    a.header(Buffer.from('not an ASF header at all, not even close'));
    feed(a, sources.a, { to: 10 });
    a.header(sources.a.header);
    feed(a, sources.a, { from: 10 });
    await a.close();
    assert.equal(errors.length, 1);
    assert.equal(lines.filter((l) => (JSON.parse(l) as { level: number }).level === 40).length, 1);
    assert.equal(a.stats.lost, 10);
    await assertHolds(a.stats.files, sources.a.packets.slice(10), sources.a);
  });
});
