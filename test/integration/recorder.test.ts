// The recorder end to end [asf.md 7.3]: every sample recorded from a synthetic stream (the packets a server
// sends, padding stripped as RTSP or MMSH do) is a file FFmpeg reads with a duration, decodes frame for
// frame like the source, and seeks in; stopped, dropped, killed and resumed recordings stay valid.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { appendFile, copyFile, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { parseFileStart, parsePacket, parseSimpleIndex, type AsfFileLayout } from '../../src/asf/index.js';
import { ClientError, type AsfStream, type StreamItem } from '../../src/client/types.js';
import { numbered, recordStream, Recorder } from '../../src/streaming/recorder.js';
import { stripPadding } from '../../src/rtsp/asf-padding.js';
import { FileSource } from '../../src/streaming/file-source.js';
import { startPacket } from '../../src/streaming/start-packet.js';
import { peerReady } from '../interop/peers/availability.js';
import { decodeFramemd5, referenceFrames, type StreamFrames } from '../interop/peers/framemd5.js';

const MEDIA = 'test/fixtures/media';
const FILES = {
  a: 'a-wmv2-wmav2-10s.wmv',
  b: 'b-wmav2-10s.wma',
  c: 'c-mbr-10s.wmv',
  d: 'd-indexed-30s.wmv',
  e: 'e-live-10s.asf',
} as const;
type Key = keyof typeof FILES;
const media = (k: Key): string => join(MEDIA, FILES[k]);

const dir = await mkdtemp(join(tmpdir(), 'netshow-recorder-'));
after(() => rm(dir, { recursive: true, force: true }));
const run = promisify(execFile);

type Strip = 'none' | 'rtsp' | 'mmsh';

/** What a server's wire does to a packet: RTSP rewrites it without padding, MMSH cuts the padding. */
function onTheWire(pkt: Buffer, packetSize: number, strip: Strip): Buffer {
  if (strip === 'rtsp') return stripPadding(pkt, packetSize).data;
  if (strip === 'none') return pkt;
  const p = parsePacket(pkt, packetSize);
  const cut = Buffer.from(pkt.subarray(0, p.usedLength));
  const ltf = p.lengthTypeFlags;
  const width = [0, 1, 2, 4];
  const at = p.errorCorrection.length + 2 + width[(ltf >> 5) & 3]! + width[(ltf >> 1) & 3]!;
  if (width[(ltf >> 3) & 3]! === 1) cut[at] = 0;
  else if (width[(ltf >> 3) & 3]! === 2) cut.writeUInt16LE(0, at);
  return cut;
}

interface ServeOptions {
  strip?: Strip;
  /** Media time to start at, resolved to a packet as netshow's server does (Simple Index or send times). */
  startMs?: number;
  /** Packets sent before the stream stops; `end` ends it normally, `drop` throws as a dropped transport. */
  count?: number;
  stop?: 'end' | 'drop';
  /** Items sent after the packets (a stream change). */
  then?: StreamItem[];
}

/** A synthetic AsfStream over a sample file, from netshow's own FileSource and start-packet resolution. */
async function serve(k: Key, opts: ServeOptions = {}): Promise<AsfStream & { first: number }> {
  const src = await FileSource.open(media(k));
  const first = opts.startMs === undefined ? 0 : await startPacket(src, { kind: 'time', ms: opts.startMs });
  const S = src.packetSize;
  let closed = false;
  const close = async (): Promise<void> => {
    if (!closed) {
      closed = true;
      await src.close();
    }
  };
  async function* packets(): AsyncGenerator<StreamItem> {
    try {
      const end = Math.min(src.packetCount, first + (opts.count ?? Infinity));
      for (let n = first; n < end && !closed; n++) {
        yield { kind: 'packet', data: onTheWire(await src.packet(n), S, opts.strip ?? 'none') };
      }
      if (opts.stop === 'drop') throw new ClientError('dropped', 'connection reset by peer', 'mmst');
      for (const item of opts.then ?? []) yield item;
    } finally {
      await close();
    }
  }
  return {
    protocol: 'mmst',
    url: `mmst://127.0.0.1/${FILES[k]}`,
    header: src.layout.headerBytes,
    live: k === 'e',
    packets: packets(),
    first,
    close,
  };
}

async function headerOf(k: Key): Promise<Buffer> {
  const src = await FileSource.open(media(k));
  await src.close();
  return src.layout.headerBytes;
}

async function ffprobeDuration(file: string): Promise<number> {
  const { stdout } = await run(
    'ffprobe',
    ['-v', 'error', '-show_entries', 'format=duration', '-of', 'default=nw=1:nk=1', file],
    { timeout: 60_000 },
  );
  const d = Number(stdout.trim());
  assert.ok(Number.isFinite(d), `ffprobe ${file}: duration ${stdout.trim()}`);
  return d;
}

let decodes = 0;
async function frames(file: string, inputArgs: readonly string[] = []): Promise<StreamFrames[]> {
  const out = join(dir, `decode-${++decodes}.framemd5`);
  const r = await decodeFramemd5(file, out, { log: `${out}.log`, inputArgs });
  assert.equal(r.code, 0, `ffmpeg on ${file} failed, see ${out}.log`);
  assert.ok(
    r.streams.some((s) => s.frames.length > 0),
    `no frames decoded from ${file}`,
  );
  return r.streams;
}

/** Each stream of `got` is the start of the same stream of `want`; its last frame may be cut short. */
function assertPrefix(got: StreamFrames[], want: StreamFrames[], what: string): void {
  assert.equal(got.length, want.length, `${what}: stream count`);
  got.forEach((s, i) => {
    const ref = want[i]!;
    assert.ok(s.frames.length > 0, `${what}: stream ${i} is empty`);
    assert.ok(s.frames.length <= ref.frames.length, `${what}: stream ${i} longer than the source`);
    const whole = s.frames.slice(0, -1);
    assert.deepEqual(whole, ref.frames.slice(0, whole.length), `${what}: stream ${i} differs`);
  });
}

interface Recorded {
  layout: AsfFileLayout;
  bytes: Buffer;
  indexes: ReturnType<typeof parseSimpleIndex>[];
}

/** The file as src/asf reads it: the header's counts must describe exactly the bytes there. */
async function readRecording(file: string, exact = true): Promise<Recorded> {
  const bytes = await readFile(file);
  const layout = parseFileStart(bytes);
  const fp = layout.header.fileProperties;
  assert.equal(fp.broadcast, false);
  assert.equal(fp.seekable, true);
  assert.equal(Number(fp.dataPacketsCount), layout.packetCount);
  assert.equal(layout.dataObjectSize, 50 + layout.packetCount * layout.packetSize);
  if (exact) assert.equal(Number(fp.fileSize), bytes.length);
  for (let n = 0; n < layout.packetCount; n++) {
    const at = layout.firstPacketOffset + n * layout.packetSize;
    parsePacket(bytes.subarray(at, at + layout.packetSize), layout.packetSize);
  }
  const indexes = [];
  for (let at = layout.dataEnd; exact && at < bytes.length;) {
    const size = Number(bytes.readBigUInt64LE(at + 16));
    indexes.push(parseSimpleIndex(bytes.subarray(at, at + size)));
    at += size;
  }
  return { layout, bytes, indexes };
}

function dataOf(r: Recorded): Buffer {
  return r.bytes.subarray(r.layout.firstPacketOffset, r.layout.dataEnd);
}

const videoStreams = (r: Recorded): number =>
  r.layout.header.streams.filter((s) => s.kind === 'video' && !s.hidden).length;

const strips: Record<Key, Strip> = { a: 'rtsp', b: 'mmsh', c: 'rtsp', d: 'mmsh', e: 'none' };

describe('recorder: every sample, from a synthetic stream', () => {
  for (const k of Object.keys(FILES) as Key[]) {
    it(`${FILES[k]} (${strips[k]} padding): valid, indexed, same duration and frames as the source`, async (t) => {
      const out = join(dir, `whole-${k}.asf`);
      const stream = await serve(k, { strip: strips[k] });
      const rec = await Recorder.create(out, stream.header);
      const outcome = await recordStream(rec, stream);
      assert.equal(outcome.ended, 'end');
      assert.equal(outcome.stats.malformed + outcome.stats.orphans + outcome.stats.duplicates, 0);
      const r = await readRecording(out);
      const source = parseFileStart(await readFile(media(k)), (await stat(media(k))).size);
      assert.equal(r.layout.packetCount, source.packetCount);
      assert.equal(r.indexes.length, videoStreams(r));
      for (const idx of r.indexes) assert.ok(idx.entries.length >= 10);
      if (!peerReady(t, 'ffmpeg')) return;
      // e is a as a live stream: its recording must come out with a's duration.
      const durationOf = k === 'e' ? media('a') : media(k);
      assert.equal(await ffprobeDuration(out), await ffprobeDuration(durationOf));
      assert.deepEqual(await frames(out), await referenceFrames(media(k)));
    });
  }
});

describe('recorder: seeking in a recording', () => {
  it('FFmpeg -ss 20 in the recording of the 30 s file lands where it does in the source', async (t) => {
    const out = join(dir, 'seek-d.asf');
    const stream = await serve('d', { strip: 'rtsp' });
    await recordStream(await Recorder.create(out, stream.header), stream);
    if (!peerReady(t, 'ffmpeg')) return;
    const seek = ['-ss', '20', '-noaccurate_seek'];
    const got = await frames(out, seek);
    const want = await frames(media('d'), seek);
    assert.deepEqual(got, want);
    // framemd5 times restart near 0 after a seek: place the first frame by its checksum in the whole file.
    const all = (await referenceFrames(media('d')))[0]!;
    const video = got[0]!;
    assert.ok(video.frames.length < all.frames.length / 2, 'the seek skipped the first 20 s');
    const at = all.frames.findIndex((f) => f.hash === video.frames[0]!.hash);
    const firstS = all.frames[at]!.pts * all.timeBase;
    assert.ok(firstS >= 17 && firstS <= 20.5, `first video frame is the source's at ${firstS} s`);
  });
});

describe('recorder: interrupted recordings', () => {
  it('stopped with finish() after 40 % of the packets: valid, indexed, the first 40 % of the frames', async (t) => {
    const out = join(dir, 'stopped.asf');
    const stream = await serve('d', { strip: 'rtsp', count: 154 });
    const rec = await Recorder.create(out, stream.header);
    for await (const item of stream.packets) await rec.write(item);
    const stats = await rec.finish();
    assert.equal(stats.packets, 154);
    assert.deepEqual(await rec.finish(), stats, 'finish twice');
    const r = await readRecording(out);
    assert.equal(r.layout.packetCount, 154);
    assert.equal(r.indexes.length, 1);
    const lastEntry = r.indexes[0]!.entries.at(-1)!;
    assert.ok(lastEntry.packetNumber < 154 && lastEntry.packetNumber > 100);
    if (!peerReady(t, 'ffmpeg')) return;
    const d = await ffprobeDuration(out);
    assert.ok(d > 10 && d < 14, `duration ${d}`);
    assertPrefix(await frames(out), await referenceFrames(media('d')), 'stopped');
  });

  it('a dropped connection ends with the file valid and indexed up to the last packet', async (t) => {
    const out = join(dir, 'dropped.asf');
    const stream = await serve('a', { strip: 'mmsh', count: 70, stop: 'drop' });
    const outcome = await recordStream(await Recorder.create(out, stream.header), stream);
    assert.equal(outcome.ended, 'dropped');
    assert.ok(outcome.error instanceof ClientError);
    const r = await readRecording(out);
    assert.equal(r.layout.packetCount, 70);
    assert.equal(r.indexes.length, 1);
    if (!peerReady(t, 'ffmpeg')) return;
    await ffprobeDuration(out);
    assertPrefix(await frames(out), await referenceFrames(media('a')), 'dropped');
  });

  it('a stop signal (Ctrl-C) ends with the file valid and indexed', async () => {
    const out = join(dir, 'signal.asf');
    const stream = await serve('d');
    const rec = await Recorder.create(out, stream.header);
    const ac = new AbortController();
    const origin = stream.packets;
    let n = 0;
    const stopping: AsfStream = {
      ...stream,
      packets: (async function* () {
        for await (const item of origin) {
          if (++n === 120) ac.abort();
          yield item;
        }
      })(),
    };
    const outcome = await recordStream(rec, stopping, { signal: ac.signal });
    assert.equal(outcome.ended, 'stopped');
    const r = await readRecording(out);
    assert.ok(r.layout.packetCount >= 119 && r.layout.packetCount <= 120, `${r.layout.packetCount} packets`);
    assert.equal(r.indexes.length, 1);
  });

  it('killed without finishing: valid up to the last checkpoint, and resume recovers every packet', async (t) => {
    const out = join(dir, 'killed.asf');
    const snapshot = join(dir, 'killed-snapshot.asf');
    // The clock follows the stream's send times, so a checkpoint falls due every 2 s of content.
    let now = 0;
    const stream = await serve('d', { strip: 'rtsp' });
    const rec = await Recorder.create(out, stream.header, { clock: { now: () => now } });
    let sent = 0;
    let checkpointAt = 0;
    for await (const item of stream.packets) {
      assert.equal(item.kind, 'packet');
      if (item.kind !== 'packet') continue;
      now = parsePacket(item.data, 3200).sendTime;
      const before = rec.stats.checkpoints;
      await rec.packet(item.data);
      sent++;
      if (rec.stats.checkpoints > before) checkpointAt = sent;
      // Killed a few packets after the sixth checkpoint: FFmpeg shows a duration only while the header's
      // File Size is within 5 % of the real one (asf.md 4), which a long recording always is.
      if (rec.stats.checkpoints === 1 + 6 && sent === checkpointAt + 5) break;
    }
    await stream.close();
    assert.ok(checkpointAt > 100, `last checkpoint after ${checkpointAt} packets`);
    // What a kill -9 leaves: the bytes on disk now, no finish.
    await copyFile(out, snapshot);
    await rec.finish();
    const size = (await stat(snapshot)).size;
    const r = await readRecording(snapshot, false);
    assert.equal(r.layout.packetCount, checkpointAt);
    assert.equal(
      size,
      r.layout.firstPacketOffset + sent * 3200,
      'later packets are on disk, the index is gone',
    );
    if (peerReady(t, 'ffmpeg')) {
      await ffprobeDuration(snapshot);
      assertPrefix(await frames(snapshot), await referenceFrames(media('d')), 'killed');
    }
    // Resume on what the kill left: every complete packet is kept, none is lost.
    const resumed = await Recorder.resume(snapshot);
    assert.equal(resumed.stats.filePackets, sent);
    assert.ok(resumed.resumePoint);
    await resumed.finish();
    const back = await readRecording(snapshot);
    assert.equal(back.layout.packetCount, sent);
    assert.equal(back.indexes.length, 1);
    const source = await readFile(media('d'));
    const sourceStart = parseFileStart(source, source.length).firstPacketOffset;
    assert.ok(dataOf(back).equals(source.subarray(sourceStart, sourceStart + sent * 3200)));
  });

  for (const afterMs of [15, 110, 260]) {
    it(`a real kill -9 ${afterMs} ms into a recording: valid up to its header, and resume keeps every packet`, async (t) => {
      const out = join(dir, `kill-${afterMs}.asf`);
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', 'test/helpers/recorder-child.ts', media('d'), out],
        {
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      const exited = once(child, 'exit');
      let said = '';
      for await (const chunk of child.stdout) {
        said += String(chunk);
        if (said.includes('recording')) break;
      }
      assert.ok(said.includes('recording'), 'the child started recording');
      await sleep(afterMs);
      child.kill('SIGKILL');
      const [, signal] = (await exited) as [number | null, string | null];
      assert.equal(signal, 'SIGKILL', 'killed before it finished');
      const killed = await readRecording(out, false);
      const size = (await stat(out)).size;
      assert.ok(size >= killed.layout.dataEnd, 'the packets the header counts are all there');
      if (peerReady(t, 'ffmpeg')) {
        assertPrefix(await frames(out), await referenceFrames(media('d')), `killed at ${afterMs} ms`);
      }
      const resumed = await Recorder.resume(out);
      const recovered = resumed.stats.filePackets;
      assert.ok(recovered >= killed.layout.packetCount);
      // What is left after the recovered packets is at most a partial packet or an index (266 bytes for d).
      const leftover = size - (killed.layout.firstPacketOffset + recovered * 3200);
      assert.ok(leftover >= 0 && leftover < 3200, `${leftover} bytes after the last recovered packet`);
      await resumed.finish();
      const back = await readRecording(out);
      const source = await readFile(media('d'));
      const start = parseFileStart(source, source.length).firstPacketOffset;
      assert.ok(
        dataOf(back).equals(source.subarray(start, start + recovered * 3200)),
        'the packets of the source',
      );
    });
  }

  it('resume ignores a trailing partial packet and a trailing index', async () => {
    const out = join(dir, 'partial.asf');
    const stream = await serve('a', { count: 50 });
    const rec = await Recorder.create(out, stream.header);
    for await (const item of stream.packets) await rec.write(item);
    await rec.checkpoint();
    const sizeAtCheckpoint = (await stat(out)).size;
    await rec.finish();
    assert.equal((await stat(out)).size, sizeAtCheckpoint, 'finish after a checkpoint changes no size');
    // The file now ends with the index; add half a packet after it, as a cut mid-write would.
    await appendFile(out, Buffer.alloc(1600, 0x82));
    const resumed = await Recorder.resume(out);
    assert.equal(resumed.stats.filePackets, 50);
    const a = parseFileStart(await readFile(media('a')));
    assert.ok(resumed.resumePoint!.lastSendTime > 0);
    await resumed.finish();
    const r = await readRecording(out);
    assert.equal(r.layout.packetCount, 50);
    assert.equal(r.layout.packetSize, a.packetSize);
  });
});

describe('recorder: resume after a cut', () => {
  it('cut at 40 %, resumed from the returned position: the same file data and frames as one run', async (t) => {
    const whole = join(dir, 'resume-whole.asf');
    const s1 = await serve('d', { strip: 'rtsp' });
    await recordStream(await Recorder.create(whole, s1.header), s1);

    const cut = join(dir, 'resume-cut.asf');
    const s2 = await serve('d', { strip: 'rtsp', count: 154, stop: 'drop' });
    const first = await recordStream(await Recorder.create(cut, s2.header), s2);
    assert.equal(first.ended, 'dropped');
    assert.equal(first.stats.packets, 154);

    const rec = await Recorder.resume(cut);
    const point = rec.resumePoint!;
    assert.ok(point.startMs > 0);
    // The server restarts at a key frame before the cut (over MMSH this time), so packets come again.
    const s3 = await serve('d', { strip: 'mmsh', startMs: point.startMs });
    assert.ok(s3.first < 154 && s3.first > 100, `server restarts at packet ${s3.first}`);
    const second = await recordStream(rec, s3);
    assert.equal(second.ended, 'end');
    assert.equal(second.stats.duplicates, 154 - s3.first);
    assert.equal(second.stats.packets, 385 - 154);

    const a = await readRecording(whole);
    const b = await readRecording(cut);
    assert.ok(dataOf(a).equals(dataOf(b)), 'same packets');
    assert.ok(a.bytes.subarray(a.layout.dataEnd).length === b.bytes.subarray(b.layout.dataEnd).length);
    assert.deepEqual(
      b.indexes.map((i) => i.entries),
      a.indexes.map((i) => i.entries),
    );
    assert.equal(b.layout.header.fileProperties.playDuration, a.layout.header.fileProperties.playDuration);
    if (!peerReady(t, 'ffmpeg')) return;
    assert.deepEqual(await frames(cut), await frames(whole));
    assert.equal(await ffprobeDuration(cut), await ffprobeDuration(whole));
  });
});

describe('recorder: stream changes', () => {
  it('a different header continues in name-2.asf; the same header again changes nothing', async (t) => {
    const out = join(dir, 'change.asf');
    const b = await serve('b');
    const bItems: StreamItem[] = [{ kind: 'header', header: b.header }];
    for await (const item of b.packets) bItems.push(item);
    const a = await serve('a', {
      strip: 'rtsp',
      then: [{ kind: 'header', header: await headerOf('a') }, ...bItems],
    });
    const outcome = await recordStream(await Recorder.create(out, a.header), a);
    assert.deepEqual(outcome.stats.files, [out, numbered(out, 2)]);
    assert.equal(numbered(out, 2), join(dir, 'change-2.asf'));
    const first = await readRecording(out);
    const second = await readRecording(numbered(out, 2));
    assert.equal(first.layout.packetCount, 131);
    assert.equal(second.layout.packetCount, 27);
    assert.equal(second.layout.header.streams.length, 1);
    if (!peerReady(t, 'ffmpeg')) return;
    assert.deepEqual(await frames(out), await referenceFrames(media('a')));
    assert.deepEqual(await frames(numbered(out, 2)), await referenceFrames(media('b')));
  });

  it('a new header before any packet replaces the empty recording in place', async () => {
    const out = join(dir, 'replaced.asf');
    const rec = await Recorder.create(out, await headerOf('a'));
    const b = await serve('b');
    await rec.header(b.header);
    for await (const item of b.packets) await rec.write(item);
    const stats = await rec.finish();
    assert.deepEqual(stats.files, [out]);
    const r = await readRecording(out);
    assert.equal(r.layout.packetCount, 27);
    assert.equal(r.indexes.length, 0);
  });

  it('malformed and oversized packets are counted and never written', async () => {
    const out = join(dir, 'malformed.asf');
    const a = await serve('a');
    const rec = await Recorder.create(out, a.header);
    const it = a.packets[Symbol.asyncIterator]();
    const one = (await it.next()).value as StreamItem;
    assert.equal(await rec.write(one), 'packet');
    assert.equal(await rec.packet(Buffer.alloc(3201, 0x82)), 'malformed');
    assert.equal(await rec.packet(Buffer.alloc(100)), 'malformed');
    await a.close();
    const stats = await rec.finish();
    assert.equal(stats.malformed, 2);
    assert.equal((await readRecording(out)).layout.packetCount, 1);
  });
});
