// The MMS client adapter on loopback: against netshow's own server over TCP and UDP (every packet of the file, a
// 20 s start, MBR selection, a missing file, close), and against refusing, silent and misbehaving servers (each
// failure with its kind, within its timeout), one of them redirecting to the real server.
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import type { Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { openMms } from '../../src/client/mms-adapter.js';
import {
  encodeMessage,
  frameMessage,
  MmspServerMachine,
  type MmspServerOutput,
} from '../../src/mmsp/index.js';
import type { OpenedFile } from '../../src/mmsp/server-rules.js';
import {
  MEDIA,
  collect,
  content,
  failure,
  fakeServer as serveFake,
  fileOf,
  payloads,
} from '../helpers/client-streams.js';
import { startNetshow, type TestServer } from '../helpers/server.js';

/** A TCP server on port 0 whose connections `serve` handles. */
const fakeServer = (serve: (s: Socket) => void, scheme = 'mmst') =>
  serveFake(serve, (port) => `${scheme}://127.0.0.1:${port}/a-wmv2-wmav2-10s.wmv`);

const A = fileOf('a-wmv2-wmav2-10s.wmv');
const A_OPENED: OpenedFile = {
  headerBytes: A.layout.headerBytes,
  packetSize: A.layout.packetSize,
  packetCount: A.layout.packetCount,
  preroll: A.layout.header.fileProperties.preroll,
  streams: [1, 2],
  durationMs: 10_000,
  seekable: true,
  broadcast: false,
  bitRate: A.layout.header.fileProperties.maxBitrate,
};

/**
 * netshow's server machine on a fake connection: it answers the whole handshake and delivers the header (over
 * UDP to the client's port when asked), then sends `packets` Data packets on TCP and nothing more.
 */
function machineServer(o: { packets?: number; redirect?: string; seen?: string[] }) {
  return (s: Socket): void => {
    const m = new MmspServerMachine({ clientId: 1 });
    const udp = createSocket('udp4');
    s.once('close', () => udp.close());
    const apply = (out: MmspServerOutput): void => {
      for (const d of out.udp) udp.send(d, m.udpPort!, '127.0.0.1');
      for (const b of out.out) s.write(b);
      for (const e of out.events) {
        o.seen?.push(e.type === 'close' || e.type === 'stop' ? `${e.type}:${e.reason}` : e.type);
        if (e.type === 'close') s.end();
        if (e.type === 'open-file' && o.redirect !== undefined) {
          s.end(
            encodeMessage({
              type: 'LinkMacToViewerReportRedirect',
              hr: 0,
              redirectType: 1,
              location: o.redirect,
            }),
          );
        } else if (e.type === 'open-file') apply(m.fileOpened(A_OPENED, 0));
        if (e.type === 'start-playing' && m.transport === 'tcp')
          for (let n = 0; n < (o.packets ?? 0); n++) {
            s.write(Buffer.concat([m.dataPacket(n, A.packets[n]!)!, A.packets[n]!]));
          }
      }
    };
    s.on('data', (b: Buffer) => apply(m.receive(b, 0)));
  };
}

describe('MMS client adapter against netshow', { concurrency: true }, () => {
  let srv: TestServer;
  before(async () => {
    srv = await startNetshow({ mediaDir: MEDIA });
  });
  after(() => srv.close());
  const url = (scheme: 'mmst' | 'mmsu', path: string) => new URL(srv.url(scheme, path));

  for (const transport of ['tcp', 'udp'] as const) {
    const scheme = transport === 'udp' ? 'mmsu' : 'mmst';
    it(`${scheme}: the header and exactly the file's packets, then the end`, async () => {
      const s = await openMms(url(scheme, 'a-wmv2-wmav2-10s.wmv'), {}, transport);
      assert.equal(s.protocol, scheme);
      assert.equal(s.url, `${scheme}://127.0.0.1:${srv.mmsPort}/a-wmv2-wmav2-10s.wmv`);
      assert.equal(s.server, '9.01.01.3841');
      assert.equal(s.live, false);
      assert.deepEqual(s.header, A.layout.headerBytes);
      const got = await collect(s);
      assert.equal(got.length, A.layout.packetCount);
      assert.deepEqual(
        payloads(got, A.layout.packetSize).map(content),
        payloads(A.packets, A.layout.packetSize).map(content),
      );
      await s.close();
    });
  }

  it('mmst: a 20 s start on the 30 s indexed file starts at the key frame at or before 20 s', async () => {
    const D = fileOf('d-indexed-30s.wmv');
    const preroll = D.layout.header.fileProperties.preroll;
    const s = await openMms(url('mmst', 'd-indexed-30s.wmv'), { startMs: 20_000 }, 'tcp');
    const got = await collect(s);
    const firstVideo = payloads(got, D.layout.packetSize).find((p) => p.streamNumber === 1)!;
    assert.ok(firstVideo.keyFrame);
    const startsAt = firstVideo.presentationTime - preroll;
    assert.ok(startsAt > 17_000 && startsAt <= 20_000, `video starts at ${startsAt} ms`);
    // From there on, the rest of the file exactly.
    const first = D.packets.findIndex((p) => p.equals(got[0]!));
    assert.ok(first > 0);
    assert.deepEqual(
      payloads(got, D.layout.packetSize).map(content),
      payloads(D.packets.slice(first), D.layout.packetSize).map(content),
    );
  });

  it('mmsu: c-mbr at 250 kb/s gets only the 140 kb/s video (2) and the audio (3), and all of them', async () => {
    const C = fileOf('c-mbr-10s.wmv');
    const s = await openMms(
      url('mmsu', 'c-mbr-10s.wmv'),
      { streams: { kind: 'bandwidth', bitsPerSecond: 250_000 } },
      'udp',
    );
    const got = payloads(await collect(s), C.layout.packetSize);
    assert.deepEqual([...new Set(got.map((p) => p.streamNumber))].sort(), [2, 3]);
    const want = payloads(C.packets, C.layout.packetSize).filter((p) => p.streamNumber !== 1);
    assert.deepEqual(got.map(content), want.map(content));
  });

  it('a missing file → not-found, final, at once, on both transports', async () => {
    for (const t of ['tcp', 'udp'] as const) {
      const t0 = performance.now();
      const e = await failure(openMms(url(t === 'tcp' ? 'mmst' : 'mmsu', 'no-such.wmv'), {}, t));
      assert.equal(e.kind, 'not-found', e.message);
      assert.equal(e.final, true);
      assert.ok(performance.now() - t0 < 1000);
    }
  });

  it('close() during the stream is prompt, idempotent, and ends the iteration', async () => {
    const s = await openMms(url('mmst', 'd-indexed-30s.wmv'), {}, 'tcp');
    const it = s.packets[Symbol.asyncIterator]();
    assert.equal((await it.next()).done, false);
    const t0 = performance.now();
    await s.close();
    await s.close();
    assert.ok(performance.now() - t0 < 900);
    for (;;) if ((await it.next()).done) break;
  });

  it('a ReportRedirect to the real server is followed', async () => {
    const f = await fakeServer(machineServer({ redirect: srv.url('mmst', 'a-wmv2-wmav2-10s.wmv') }));
    const s = await openMms(f.url, {}, 'tcp');
    assert.equal(s.url, srv.url('mmst', 'a-wmv2-wmav2-10s.wmv'));
    assert.deepEqual(s.header, A.layout.headerBytes);
    await s.close();
    await f.close();
  });
});

describe('MMS client adapter against servers that fail', () => {
  it('a closed port → refused', async () => {
    const f = await fakeServer(() => undefined);
    await f.close();
    const e = await failure(openMms(f.url, {}, 'tcp'));
    assert.equal(e.kind, 'refused');
    assert.equal(e.protocol, 'mmst');
  });

  const unit = (messageLength: number): Buffer => {
    const b = frameMessage(0x00040001, Buffer.alloc(8));
    b.writeUInt32LE(messageLength, 8);
    return b;
  };
  for (const [name, serve, kind] of [
    ['garbage', (s: Socket) => s.write('HTTP/1.1 400 Bad Request\r\n\r\n'), 'protocol'],
    ['a truncated message, then a close', (s: Socket) => s.end(unit(24).subarray(0, 30)), 'protocol'],
    [
      'a truncated message on an open connection',
      (s: Socket) => s.write(unit(24).subarray(0, 30)),
      'protocol',
    ],
    ['an absurd length', (s: Socket) => s.write(unit(0x7ffffff0).subarray(0, 32)), 'protocol'],
    ['silence', () => undefined, 'timeout'],
  ] as const) {
    const slow = name === 'silence' || name.includes('open connection');
    it(`${name} → ${kind}, ${slow ? 'at' : 'well within'} the connect timeout`, async () => {
      const f = await fakeServer((s) => s.once('data', () => serve(s)));
      const t0 = performance.now();
      const e = await failure(openMms(f.url, { connectTimeoutMs: 800 }, 'tcp'));
      const took = performance.now() - t0;
      assert.equal(e.kind, kind, e.message);
      assert.ok(took < (slow ? 1500 : 300), `took ${took} ms`);
      await f.close();
    });
  }

  it('UDP: header answered but no datagram within the connect timeout after StartPlaying → timeout', async () => {
    const f = await fakeServer(machineServer({}), 'mmsu');
    const t0 = performance.now();
    const e = await failure(openMms(f.url, { connectTimeoutMs: 700 }, 'udp'));
    assert.equal(e.kind, 'timeout', e.message);
    assert.equal(e.protocol, 'mmsu');
    assert.match(e.message, /data after StartPlaying/);
    assert.ok(performance.now() - t0 < 1500);
    await f.close();
  });

  it('data that stops while playing → the iterator throws dropped after the idle timeout', async () => {
    const f = await fakeServer(machineServer({ packets: 3 }));
    const s = await openMms(f.url, { idleTimeoutMs: 400 }, 'tcp');
    const got: Buffer[] = [];
    const t0 = performance.now();
    const e = await failure(
      (async () => {
        for await (const item of s.packets) if (item.kind === 'packet') got.push(item.data);
      })(),
    );
    assert.equal(e.kind, 'dropped');
    assert.deepEqual(got, A.packets.slice(0, 3));
    assert.ok(performance.now() - t0 < 1200);
    await f.close();
  });

  it('close() while playing: the server reads StopPlaying, then CloseFile', async () => {
    const seen: string[] = [];
    const f = await fakeServer(machineServer({ packets: 3, seen }));
    const s = await openMms(f.url, {}, 'tcp');
    const it = s.packets[Symbol.asyncIterator]();
    assert.equal((await it.next()).done, false);
    await s.close();
    assert.deepEqual(seen.slice(-2), ['stop:stop-playing', 'close:CloseFile']);
    await f.close();
  });

  it('an aborted signal ends the attempt with its reason', async () => {
    const f = await fakeServer(() => undefined);
    const ac = new AbortController();
    const p = openMms(f.url, { signal: ac.signal }, 'tcp');
    setTimeout(() => ac.abort(new Error('stop')), 50);
    await assert.rejects(p, /stop/);
    await f.close();
  });
});
