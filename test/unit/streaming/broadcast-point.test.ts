// The live fan-out core on a fake clock: pacing by send time, late join at a key frame, a slow subscriber skipping
// (counted) without delaying the others, a stalled one ended, a continuous time line across a source restart, and a
// header change reaching every subscriber before the first packet of the new stream.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { packetSendTime, parsePacket } from '../../../src/asf/index.js';
import { FakeClock } from '../../../src/core/clock.js';
import { FileSource } from '../../../src/streaming/file-source.js';
import { BroadcastPoint, type LiveFacts } from '../../../src/streaming/live/broadcast-point.js';
import type { LiveSubscriber } from '../../../src/streaming/live/live-subscription.js';
import type { LiveSink, LiveSource } from '../../../src/streaming/live/types.js';
import type { EndReason, OutPacket } from '../../../src/streaming/types.js';

const A = 'test/fixtures/media/a-wmv2-wmav2-10s.wmv';
const B = 'test/fixtures/media/b-wmav2-10s.wma';

interface Media {
  header: Buffer;
  packets: Buffer[];
  packetSize: number;
}

async function load(path: string): Promise<Media> {
  const src = await FileSource.open(path);
  const packets: Buffer[] = [];
  for (let n = 0; n < src.packetCount; n++) packets.push(Buffer.from(await src.packet(n)));
  const m = { header: Buffer.from(src.layout.headerBytes), packets, packetSize: src.packetSize };
  await src.close();
  return m;
}

/** A source the test drives by hand. */
class ManualSource implements LiveSource {
  readonly kind = 'push' as const;
  readonly description = 'manual';
  sink!: LiveSink;
  start(sink: LiveSink): void {
    this.sink = sink;
  }
  stop(): Promise<void> {
    return Promise.resolve();
  }
}

class Recorder implements LiveSubscriber {
  readonly got: OutPacket[] = [];
  readonly headers: LiveFacts[] = [];
  ended: EndReason | null = null;
  room = true;
  packet(p: OutPacket): boolean {
    this.got.push(p);
    return this.room;
  }
  newHeader(f: LiveFacts): void {
    this.headers.push(f);
  }
  end(r: EndReason): void {
    this.ended = r;
  }
}

function setup(o: { bufferMs?: number; stallMs?: number } = {}): {
  clock: FakeClock;
  source: ManualSource;
  point: BroadcastPoint;
} {
  const clock = new FakeClock(1000);
  const source = new ManualSource();
  const point = new BroadcastPoint({ path: '/live', source, clock, ...o });
  point.start();
  return { clock, source, point };
}

/** Feeds packets [from, to) and lets the clock run to the last one's send time. */
function feed(clock: FakeClock, sink: LiveSink, m: Media, from: number, to: number): void {
  for (let n = from; n < to; n++) sink.packet(m.packets[n]!);
}

function isVideoKey(m: Media, p: Buffer, video: number): boolean {
  return parsePacket(p, m.packetSize).payloads.some(
    (x) => x.streamNumber === video && x.keyFrame && x.offset === 0,
  );
}

let a: Media;
let b: Media;
before(async () => {
  a = await load(A);
  b = await load(B);
});
after(() => undefined);

describe('BroadcastPoint', () => {
  it('releases packets at their send times, not as they arrive', () => {
    const { clock, source, point } = setup();
    source.sink.header(a.header);
    const sub = new Recorder();
    point.subscribe(sub, { filter: null }).start();
    feed(clock, source.sink, a, 0, 120);
    const first = packetSendTime(a.packets[0]!);
    const last = packetSendTime(a.packets[119]!);
    assert.ok(sub.got.length < 20, `only what is due at once went out (${sub.got.length})`);
    clock.advance(last - first + 10);
    assert.equal(sub.got.length, 120);
    assert.deepEqual(
      sub.got.map((p) => p.number),
      Array.from({ length: 120 }, (_, i) => i + 1),
      'running packet numbers from 1',
    );
  });

  it('a late joiner starts at the newest key frame with a burst, then follows live', () => {
    const { clock, source, point } = setup();
    source.sink.header(a.header);
    feed(clock, source.sink, a, 0, 100);
    clock.advance(60_000);
    const video = point.facts!.header.streams.find((s) => s.kind === 'video')!.streamNumber;
    const sub = new Recorder();
    point.subscribe(sub, { filter: null }).start();
    assert.ok(sub.got.length > 0, 'the burst went out at once');
    assert.ok(isVideoKey(a, sub.got[0]!.data, video), 'the first packet starts a video key frame');
    const n0 = sub.got.length;
    feed(clock, source.sink, a, 100, 110);
    clock.advance(60_000);
    assert.equal(sub.got.length, n0 + 10);
  });

  it('a stalled subscriber is ended after stallMs while another keeps getting every packet', () => {
    const { clock, source, point } = setup({ stallMs: 3000 });
    source.sink.header(a.header);
    const slow = new Recorder();
    slow.room = false;
    const fast = new Recorder();
    point.subscribe(slow, { filter: null }).start();
    point.subscribe(fast, { filter: null }).start();
    feed(clock, source.sink, a, 0, a.packets.length);
    clock.advance(20_000);
    assert.equal(fast.got.length, a.packets.length, 'the fast one got everything');
    assert.equal(slow.got.length, 1, 'the slow one took one packet and stopped reading');
    assert.deepEqual(slow.ended, { kind: 'stalled', afterMs: 3000 });
    assert.equal(point.stats.subscribers, 1);
  });

  it('a subscriber that falls out of the ring skips to a key frame, and the skip is counted', () => {
    const { clock, source, point } = setup({ bufferMs: 2000 });
    source.sink.header(a.header);
    const slow = new Recorder();
    slow.room = false;
    const sub = point.subscribe(slow, { filter: null });
    sub.start();
    feed(clock, source.sink, a, 0, a.packets.length);
    clock.advance(8000);
    slow.room = true;
    sub.resume();
    assert.equal(sub.stats.skips, 1);
    const video = point.facts!.header.streams.find((s) => s.kind === 'video')!.streamNumber;
    assert.ok(isVideoKey(a, slow.got[1]!.data, video), 'went on from a key frame');
    assert.ok(slow.got[1]!.number > 2, 'packets were skipped');
  });

  it('a restarted source with the same streams continues the time line, with no header change', () => {
    const { clock, source, point } = setup();
    source.sink.header(a.header);
    const sub = new Recorder();
    point.subscribe(sub, { filter: null }).start();
    feed(clock, source.sink, a, 0, 100);
    clock.advance(20_000);
    source.sink.interrupted('encoder gone');
    source.sink.header(a.header);
    feed(clock, source.sink, a, 0, 100);
    clock.advance(20_000);
    assert.equal(sub.headers.length, 0, 'no stream change');
    assert.equal(sub.got.length, 200);
    const times = sub.got.map((p) => p.sendTime);
    for (let i = 1; i < times.length; i++) assert.ok(times[i]! >= times[i - 1]!, `send time ${i} goes on`);
    // Every stream's objects go on after the last one before the restart: players never see time go back.
    const last = new Map<number, number>();
    for (const [i, got] of sub.got.entries())
      for (const x of parsePacket(got.data, a.packetSize).payloads) {
        if (x.offset !== 0 && !x.compressed) continue;
        const before = last.get(x.streamNumber);
        assert.ok(
          before === undefined || x.presentationTime > before,
          `packet ${i}: stream ${x.streamNumber} at ${x.presentationTime} after ${before}`,
        );
        last.set(x.streamNumber, x.presentationTime);
      }
  });

  it('a header with other streams reaches the subscriber before the first packet of the new stream', () => {
    const { clock, source, point } = setup();
    source.sink.header(a.header);
    const sub = new Recorder();
    point.subscribe(sub, { filter: null }).start();
    feed(clock, source.sink, a, 0, 50);
    clock.advance(20_000);
    source.sink.header(b.header);
    feed(clock, source.sink, b, 0, b.packets.length);
    clock.advance(20_000);
    assert.equal(sub.headers.length, 1);
    assert.equal(sub.headers[0]!.incarnation, 2);
    assert.equal(sub.got.length, 50 + b.packets.length);
    assert.equal(point.stats.malformed, 0);
    assert.equal(point.facts!.incarnation, 2);
    assert.ok(point.facts!.headerBytes.length > 0);
  });

  it('a source faster than real time is told to wait', () => {
    const { source } = setup();
    source.sink.header(a.header);
    let refused = 0;
    for (let i = 0; i < 20; i++) for (const p of a.packets) if (!source.sink.packet(p)) refused++;
    assert.ok(refused > 0, 'packet() said false once pending passed its cap');
  });

  it('a subscriber that throws is ended with the error; the point and the others go on', () => {
    const { clock, source, point } = setup();
    source.sink.header(a.header);
    const broken = new Recorder();
    broken.packet = () => {
      throw new Error('socket gone wrong');
    };
    const fine = new Recorder();
    point.subscribe(broken, { filter: null }).start();
    point.subscribe(fine, { filter: null }).start();
    feed(clock, source.sink, a, 0, 50);
    clock.advance(20_000);
    assert.equal(broken.ended?.kind, 'error');
    assert.equal(fine.got.length, 50);
    assert.equal(point.stats.subscribers, 1);
  });
});
