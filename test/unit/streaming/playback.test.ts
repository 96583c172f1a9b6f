// The delivery core against a fake clock: the pacing schedule, the fast-start burst, backpressure and the
// stall timeout, stream thinning and start-point resolution, on the real fixture files.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../../src/core/clock.js';
import { packetSendTime, parsePacket } from '../../../src/asf/index.js';
import { FileSource } from '../../../src/streaming/file-source.js';
import { Playback } from '../../../src/streaming/playback.js';
import { startPacket } from '../../../src/streaming/start-packet.js';
import { dueAt } from '../../../src/streaming/pacer.js';
import { filterFromLevels, type EndReason, type OutPacket } from '../../../src/streaming/types.js';

const A = 'test/fixtures/media/a-wmv2-wmav2-10s.wmv';
const B = 'test/fixtures/media/b-wmav2-10s.wma';
const C = 'test/fixtures/media/c-mbr-10s.wmv';
const D = 'test/fixtures/media/d-indexed-30s.wmv';

/** Lets pending file reads and promise continuations run. */
async function settle(): Promise<void> {
  // File reads finish on the thread pool, so give real time as well as turns of the event loop.
  for (let i = 0; i < 3; i++) await new Promise((r) => setTimeout(r, 1));
}

function recorder(accept: (n: number) => boolean = () => true) {
  const got: (OutPacket & { at: number })[] = [];
  const ends: EndReason[] = [];
  return {
    got,
    ends,
    sub(clock: FakeClock) {
      return {
        packet(p: OutPacket) {
          got.push({ ...p, at: clock.now() });
          return accept(got.length);
        },
        end(r: EndReason) {
          ends.push(r);
        },
      };
    },
  };
}

describe('pacer', () => {
  it('sends the first preroll of content at once, then in real time, scaled by rate', () => {
    const o = { t0: 1000, s0: 500, burstMs: 3000, rate: 1 };
    assert.equal(dueAt(o, 500), 1000);
    assert.equal(dueAt(o, 3500), 1000);
    assert.equal(dueAt(o, 4500), 2000);
    assert.equal(dueAt({ ...o, rate: 2, burstMs: 0 }, 2500), 2000);
  });
});

describe('Playback', () => {
  let a: FileSource;
  before(async () => {
    a = await FileSource.open(A);
  });
  after(() => a.close());

  it('delivers every packet at its due time on the fake clock, then ends with eos', async () => {
    const clock = new FakeClock(10_000);
    const rec = recorder();
    const pb = new Playback({ source: a, firstPacket: 0, filter: null, clock, subscriber: rec.sub(clock) });
    pb.start();
    await settle();
    const preroll = a.layout.header.fileProperties.preroll;
    const s0 = packetSendTime(await a.packet(0));
    const burst = rec.got.length;
    assert.ok(burst > 0 && burst < a.packetCount, `burst of ${burst} packets`);
    for (const p of rec.got) assert.ok(p.sendTime - s0 <= preroll);
    for (let t = 0; t < 15_000 && rec.ends.length === 0; t += 10) {
      clock.advance(10);
      await settle();
    }
    assert.equal(rec.got.length, a.packetCount);
    assert.deepEqual(rec.ends, [{ kind: 'eos' }]);
    for (const p of rec.got) {
      const due = 10_000 + Math.max(0, p.sendTime - s0 - preroll);
      assert.ok(p.at >= due && p.at <= due + 10, `packet ${p.number} at ${p.at}, due ${due}`);
    }
    assert.deepEqual(
      rec.got.map((p) => p.number),
      Array.from({ length: a.packetCount }, (_, i) => i),
    );
    assert.equal(clock.pending, 0);
  });

  it('pauses when the subscriber is full, resumes on resume(), and ends a stalled session', async () => {
    const clock = new FakeClock();
    const rec = recorder((n) => n % 5 !== 0);
    const pb = new Playback({
      source: a,
      firstPacket: 0,
      filter: null,
      clock,
      subscriber: rec.sub(clock),
      stallMs: 2000,
    });
    pb.start();
    await settle();
    assert.equal(rec.got.length, 5);
    pb.resume();
    await settle();
    assert.equal(rec.got.length, 10);
    clock.advance(1999);
    await settle();
    assert.equal(rec.ends.length, 0);
    clock.advance(1);
    await settle();
    assert.deepEqual(rec.ends, [{ kind: 'stalled', afterMs: 2000 }]);
    pb.resume();
    await settle();
    assert.equal(rec.got.length, 10);
  });

  it('stop() ends once and cancels its timers', async () => {
    const clock = new FakeClock();
    const rec = recorder();
    const pb = new Playback({ source: a, firstPacket: 0, filter: null, clock, subscriber: rec.sub(clock) });
    pb.start();
    await settle();
    pb.stop();
    pb.stop();
    assert.deepEqual(rec.ends, [{ kind: 'stopped' }]);
    assert.equal(clock.pending, 0);
  });

  it('drops the payloads of unselected streams and skips packets left empty', async () => {
    const c = await FileSource.open(C);
    try {
      const clock = new FakeClock();
      const rec = recorder();
      const filter = filterFromLevels(
        new Map([
          [2, 0],
          [3, 0],
        ] as const),
        [1, 2, 3],
      );
      const pb = new Playback({ source: c, firstPacket: 0, filter, clock, subscriber: rec.sub(clock) });
      pb.start();
      for (let i = 0; i < 200 && rec.ends.length === 0; i++) {
        clock.advance(100);
        await settle();
      }
      assert.deepEqual(rec.ends, [{ kind: 'eos' }]);
      const streams = new Set(
        rec.got.flatMap((p) => parsePacket(p.data, c.packetSize).payloads.map((x) => x.streamNumber)),
      );
      assert.deepEqual([...streams].sort(), [2, 3]);
      assert.equal(rec.got.length + pb.stats.packetsDropped, c.packetCount);
      assert.ok(pb.stats.packetsDropped > 0);
      // A second session with the same selection gets the very same thinned buffers.
      const again = c.thinned(rec.got[5]!.number, await c.packet(rec.got[5]!.number), filter!);
      assert.equal(again, rec.got[5]!.data);
    } finally {
      await c.close();
    }
  });

  it('builds filters from thin levels: key frames only, unlisted streams off, all-on means no filter', () => {
    const f = filterFromLevels(
      new Map([
        [1, 1],
        [2, 0],
      ] as const),
      [1, 2, 3],
    )!;
    assert.equal(f.keep(1, true), true);
    assert.equal(f.keep(1, false), false);
    assert.equal(f.keep(2, false), true);
    assert.equal(f.keep(3, true), false);
    assert.equal(f.key, '1:1,2:0');
    const all = new Map([
      [1, 0],
      [2, 0],
    ] as const);
    assert.equal(filterFromLevels(all, [1, 2]), null);
    assert.notEqual(filterFromLevels(all, [1, 2, 3]), null);
    assert.equal(filterFromLevels(null, [1]), null);
  });
});

describe('startPacket', () => {
  it('uses the Simple Index for a time, clamps packet numbers, and searches send times without an index', async () => {
    const d = await FileSource.open(D);
    const b = await FileSource.open(B);
    try {
      assert.ok(d.index);
      assert.equal(await startPacket(d, { kind: 'start' }), 0);
      assert.equal(await startPacket(d, { kind: 'packet', number: 99_999 }), d.packetCount - 1);
      const p20 = await startPacket(d, { kind: 'time', ms: 20_000 });
      const pkt = parsePacket(await d.packet(p20), d.packetSize);
      assert.ok(
        pkt.payloads.some((x) => x.streamNumber === 1 && x.keyFrame && x.offset === 0),
        'starts on a key frame',
      );
      const pts = pkt.payloads
        .filter((x) => x.keyFrame && x.offset === 0)
        .map((x) => x.presentationTime - 3100);
      assert.ok(
        pts.some((t) => t <= 20_000 && t > 18_900),
        `key frame at ${pts.join(',')}`,
      );
      assert.equal(b.index, null);
      const pb5 = await startPacket(b, { kind: 'time', ms: 5000 });
      assert.ok(packetSendTime(await b.packet(pb5)) <= 5000);
      assert.ok(pb5 === b.packetCount - 1 || packetSendTime(await b.packet(pb5 + 1)) > 5000);
    } finally {
      await d.close();
      await b.close();
    }
  });
});
