// Broadcast publishing points end to end on loopback, with netshow's own client on every protocol: the live header,
// joining at a key frame, a channel looping with a continuous time line, a stream change reaching MMSH and MMS
// sessions, a relay (edge) serving the same packets as its origin, and what a client gets from a point whose
// source has not started.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { packetSendTime, parsePacket, parseReceivedHeader } from '../../src/asf/index.js';
import { ADAPTERS } from '../../src/client/open-stream.js';
import { ClientError, type AsfStream, type ClientProtocol } from '../../src/client/types.js';
import { MEDIA, fileOf } from '../helpers/client-streams.js';
import { pino } from 'pino';
import { startServer } from '../../src/server/netshow-server.js';
import { startNetshow, type TestScheme, type TestServer } from '../helpers/server.js';

const A = 'a-wmv2-wmav2-10s.wmv';
const B = 'b-wmav2-10s.wma';
const OPTS = { connectTimeoutMs: 8000, idleTimeoutMs: 10_000 };

const SCHEME: Record<ClientProtocol, TestScheme> = {
  mmsh: 'mmsh',
  http: 'http',
  mmst: 'mmst',
  mmsu: 'mmsu',
  rtspt: 'rtsp',
  rtspu: 'rtsp',
};

function open(server: TestServer, protocol: ClientProtocol, path: string): Promise<AsfStream> {
  return ADAPTERS[protocol](new URL(server.url(SCHEME[protocol], path)), OPTS);
}

interface Received {
  header: Buffer;
  live: boolean;
  /** performance.now() at each packet's arrival. */
  arrivals: number[];
  packets: Buffer[];
  headers: Buffer[];
  ended: boolean;
}

/** Reads a stream for `ms` (or until it ends), then closes it. */
async function read(stream: AsfStream, ms: number): Promise<Received> {
  const out: Received = {
    header: stream.header,
    live: stream.live,
    arrivals: [],
    packets: [],
    headers: [],
    ended: false,
  };
  const t0 = performance.now();
  try {
    for await (const item of stream.packets) {
      if (item.kind === 'header') out.headers.push(item.header);
      else {
        out.packets.push(item.data);
        out.arrivals.push(performance.now());
      }
      if (performance.now() - t0 > ms) break;
    }
    out.ended = performance.now() - t0 <= ms;
  } finally {
    await stream.close();
  }
  return out;
}

function pad(p: Buffer, size: number): Buffer {
  return p.length >= size ? p : Buffer.concat([p, Buffer.alloc(size - p.length)]);
}

/** Payloads by what they carry and when, within send times [from, to]. */
function payloadKeys(packets: readonly Buffer[], from: number, to: number): Set<string> {
  const out = new Set<string>();
  for (const p of packets) {
    const t = packetSendTime(p);
    if (t < from || t > to) continue;
    for (const x of parsePacket(pad(p, size), size).payloads)
      out.add(`${x.streamNumber}:${x.presentationTime}:${x.offset}:${x.data.toString('hex')}`);
  }
  return out;
}

/** Two receivers of the same stream got the same payloads where their times overlap (a second of margin). */
function assertSamePayloads(one: readonly Buffer[], two: readonly Buffer[]): number {
  const span = (l: readonly Buffer[]): [number, number] => [packetSendTime(l[0]!), packetSendTime(l.at(-1)!)];
  const [a0, a1] = span(one);
  const [b0, b1] = span(two);
  const from = Math.max(a0, b0) + 1000;
  const to = Math.min(a1, b1) - 1000;
  assert.ok(to - from > 1000, `they overlap for ${to - from} ms`);
  const x = payloadKeys(one, from, to);
  const y = payloadKeys(two, from, to);
  assert.deepEqual(
    [...x].filter((k) => !y.has(k)),
    [],
    'payloads only the first got',
  );
  assert.deepEqual(
    [...y].filter((k) => !x.has(k)),
    [],
    'payloads only the second got',
  );
  return x.size;
}

const a = fileOf(A);
const size = a.layout.packetSize;
const videoOfA = a.layout.header.streams.find((s) => s.kind === 'video')!.streamNumber;
/** Every payload of file a by content (time aside: a live stream moves it). */
const payloadsOfA = new Set(
  a.packets.flatMap((p) =>
    parsePacket(p, size).payloads.map((x) => `${x.streamNumber}:${x.data.toString('hex')}`),
  ),
);

let dir: string;
let server: TestServer;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'netshow-live-'));
  mkdirSync(join(dir, 'loop'));
  copyFileSync(join(MEDIA, A), join(dir, 'loop', '1.wmv'));
  mkdirSync(join(dir, 'change'));
  copyFileSync(join(MEDIA, A), join(dir, 'change', '1.wmv'));
  copyFileSync(join(MEDIA, B), join(dir, 'change', '2.wma'));
  server = await startNetshow({
    mediaDir: MEDIA,
    broadcast: [
      { path: '/loop', source: { kind: 'playlist', path: join(dir, 'loop'), loop: true } },
      { path: '/change', source: { kind: 'playlist', path: join(dir, 'change'), loop: true } },
      { path: '/waiting', source: { kind: 'push' } },
    ],
  });
});

after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('live', { concurrency: true }, () => {
  describe('a broadcast point on every protocol', { concurrency: true }, () => {
    for (const protocol of ['mmsh', 'http', 'mmst', 'mmsu', 'rtspt', 'rtspu'] as const) {
      it(`${protocol}: a live header, a key-frame start, payloads of the source, time going on across the loop`, async () => {
        const got = await read(await open(server, protocol, 'loop'), 11_500);
        const header = parseReceivedHeader(got.header);
        assert.equal(header.fileProperties.broadcast, true, 'Broadcast flag');
        assert.equal(header.fileProperties.seekable, false, 'not Seekable');
        assert.equal(header.fileProperties.dataPacketsCount, 0n);
        assert.equal(got.live, true, 'the client sees a broadcast');
        assert.ok(got.packets.length > 100, `${got.packets.length} packets in 12 s`);
        const first = parsePacket(pad(got.packets[0]!, size), size);
        const firstVideo = first.payloads.find((x) => x.streamNumber === videoOfA);
        assert.ok(
          firstVideo?.keyFrame && firstVideo.offset === 0,
          'the first video payload starts a key frame',
        );
        const times = got.packets.map((p) => packetSendTime(p));
        for (let i = 1; i < times.length; i++)
          assert.ok(times[i]! >= times[i - 1]! - 50, `send time ${times[i]} after ${times[i - 1]}`);
        assert.ok(
          times.at(-1)! - times[0]! > 10_000,
          'more than one pass of the 10 s file: the loop went on',
        );
        for (const p of got.packets)
          for (const x of parsePacket(pad(p, size), size).payloads)
            assert.ok(
              payloadsOfA.has(`${x.streamNumber}:${x.data.toString('hex')}`),
              'a payload of the source',
            );
        assert.equal(got.headers.length, 0, 'no stream change for a file looping');
      });
    }

    it('two clients joining 3 s apart both start at a key frame, and get the same packets where they overlap', async () => {
      const first = read(await open(server, 'mmsh', 'loop'), 8000);
      await new Promise((r) => setTimeout(r, 3000));
      const second = await read(await open(server, 'mmst', 'loop'), 4000);
      const one = await first;
      for (const got of [one, second]) {
        const p = parsePacket(pad(got.packets[0]!, size), size);
        const v = p.payloads.find((x) => x.streamNumber === videoOfA);
        assert.ok(v?.keyFrame && v.offset === 0, 'starts at a key frame');
      }
      const common = assertSamePayloads(one.packets, second.packets);
      assert.ok(common > 20, `${common} payloads in common`);
    });
  });

  describe('a stream change (a channel whose next file has other streams)', { concurrency: true }, () => {
    for (const protocol of ['mmsh', 'mmst'] as const) {
      it(`${protocol}: the new header arrives in the stream, then packets of the new file`, async () => {
        const got = await read(await open(server, protocol, 'change'), 22_000);
        assert.ok(got.headers.length >= 1, `stream changes seen: ${got.headers.length}`);
        const kinds = got.headers.map((h) =>
          parseReceivedHeader(h)
            .streams.map((s) => s.kind)
            .join('+'),
        );
        assert.ok(kinds.includes('audio'), `a header with audio only came: ${kinds.join(', ')}`);
      });
    }
  });

  describe('a point whose source has not started', () => {
    it('MMSH answers 503 after waiting for it, and the client reports it', async () => {
      const t0 = performance.now();
      await assert.rejects(open(server, 'mmsh', 'waiting'), (e: unknown) => e instanceof ClientError);
      assert.ok(performance.now() - t0 >= 4500, 'the server waited for the source first');
    });
  });

  describe('relay: an edge pulling from the origin', { concurrency: true }, () => {
    for (const pull of ['mmsh', 'http', 'mmst', 'rtsp'] as const) {
      it(`over ${pull}: the edge serves a live stream whose packets are the origin's`, async () => {
        const edge = await startNetshow({
          mediaDir: MEDIA,
          broadcast: [{ path: '/relay', source: { kind: 'pull', url: server.url(pull, 'loop') } }],
        });
        try {
          const fromEdge = read(await open(edge, 'mmsh', 'relay'), 6000);
          const fromOrigin = await read(await open(server, 'mmsh', 'loop'), 6000);
          const edgeGot = await fromEdge;
          const header = parseReceivedHeader(edgeGot.header);
          assert.equal(header.fileProperties.broadcast, true);
          const common = assertSamePayloads(edgeGot.packets, fromOrigin.packets);
          assert.ok(common > 20, `${common} payloads in common`);
        } finally {
          await edge.close();
        }
      });
    }

    it('the edge reconnects when its origin goes away and comes back; its client stays and gets the new packets', async () => {
      const origin = await startNetshow({
        mediaDir: MEDIA,
        broadcast: [{ path: '/loop', source: { kind: 'playlist', path: join(dir, 'loop'), loop: true } }],
      });
      const port = origin.httpPort;
      const edge = await startNetshow({
        mediaDir: MEDIA,
        broadcast: [{ path: '/relay', source: { kind: 'pull', url: `mmsh://127.0.0.1:${port}/loop` } }],
      });
      let second: Awaited<ReturnType<typeof startServer>> | undefined;
      try {
        const client = read(await open(edge, 'mmsh', 'relay'), 12_000);
        await new Promise((r) => setTimeout(r, 3000));
        await origin.close();
        await new Promise((r) => setTimeout(r, 1500));
        second = await startServer({
          mediaDir: MEDIA,
          host: '127.0.0.1',
          httpPort: port,
          mmsPort: null,
          rtspPort: null,
          logger: pino({ level: 'silent' }),
          broadcast: [{ path: '/loop', source: { kind: 'playlist', path: join(dir, 'loop'), loop: true } }],
        });
        const back = performance.now();
        const got = await client;
        assert.equal(got.ended, false, 'the client was never ended');
        const after = got.arrivals.filter((t) => t > back).length;
        assert.ok(after > 50, `${after} packets came through the edge after the origin was back`);
        const times = got.packets.map((p) => packetSendTime(p));
        for (let i = 1; i < times.length; i++) assert.ok(times[i]! >= times[i - 1]!, 'the time line went on');
        // 3 s before the origin went away, and packets again once the edge had reconnected (backoff 1 s, 2 s).
        assert.ok(
          times.at(-1)! - times[0]! > 5000,
          `media over ${times.at(-1)! - times[0]!} ms of send time`,
        );
      } finally {
        await edge.close();
        await second?.close();
      }
    });
  });
});
