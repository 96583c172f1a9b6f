// The RTSP client adapter on loopback: against netshow's own server over UDP and TCP (every payload of the
// file, a 20 s start, MBR selection), and against refusing, silent and misbehaving servers (each failure
// with its kind, within its timeout).
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { parsePacket } from '../../src/asf/packet.js';
import { openRtsp } from '../../src/client/rtsp-adapter.js';
import type { OpenOptions } from '../../src/client/types.js';
import { RtspServerMachine } from '../../src/rtsp/server-machine.js';
import type { RtspServerOutput } from '../../src/rtsp/server-events.js';
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
const fakeServer = (serve: (s: Socket) => void) =>
  serveFake(serve, (port) => `rtsp://127.0.0.1:${port}/a.wmv`);

/** netshow's server machine on a fake connection that plays nothing until `packets` says so. */
function machineServer(o: { udp: boolean; packets?: number; seen?: string[] }) {
  const A = fileOf('a-wmv2-wmav2-10s.wmv');
  return (s: Socket): void => {
    const m = new RtspServerMachine({
      sessionId: '42',
      ssrc: 7,
      initialSequence: 1,
      udpServerPorts: o.udp ? [9, 10] : null,
    });
    const apply = (out: RtspServerOutput): void => {
      for (const b of out.out) s.write(b);
      for (const e of out.events) {
        o.seen?.push(e.type);
        if (e.type === 'describe') apply(m.described({ headerBytes: A.layout.headerBytes, live: false }, 0));
        if (e.type === 'play' && e.path.kind === 'tcp')
          for (let n = 0; n < (o.packets ?? 0); n++)
            for (const f of m.rtpPackets({ data: A.packets[n]!, sendTime: n, number: n }))
              s.write(Buffer.concat(f));
      }
    };
    s.on('data', (b: Buffer) => apply(m.receive(b, 0)));
  };
}

describe('RTSP client adapter against netshow', () => {
  let srv: TestServer;
  before(async () => {
    srv = await startNetshow({ mediaDir: MEDIA });
  });
  after(() => srv.close());
  const url = (path: string) => new URL(srv.url('rtsp', path));

  for (const transport of ['udp', 'tcp'] as const) {
    it(`${transport === 'udp' ? 'rtspu' : 'rtspt'}: the header and every payload of the file, then the end`, async () => {
      const A = fileOf('a-wmv2-wmav2-10s.wmv');
      const s = await openRtsp(url('a-wmv2-wmav2-10s.wmv'), { fast: true }, transport);
      assert.equal(s.protocol, transport === 'udp' ? 'rtspu' : 'rtspt');
      assert.equal(s.url, `rtsp://127.0.0.1:${srv.rtspPort}/a-wmv2-wmav2-10s.wmv`);
      assert.equal(s.server, 'WMServer/9.1.1.5000');
      assert.equal(s.live, false);
      assert.deepEqual(s.header, A.layout.headerBytes);
      const got = await collect(s);
      assert.equal(got.length, A.layout.packetCount);
      assert.ok(
        got.some((p) => p.length < A.layout.packetSize),
        'padding was stripped',
      );
      assert.deepEqual(
        payloads(got, A.layout.packetSize).map(content),
        payloads(A.packets, A.layout.packetSize).map(content),
      );
      await s.close();
    });
  }

  it('a 20 s start on the 30 s indexed file starts at the key frame at or before 20 s', async () => {
    const D = fileOf('d-indexed-30s.wmv');
    const preroll = D.layout.header.fileProperties.preroll;
    const s = await openRtsp(url('d-indexed-30s.wmv'), { startMs: 20_000, fast: true }, 'tcp');
    const got = await collect(s);
    const firstVideo = payloads(got, D.layout.packetSize).find((p) => p.streamNumber === 1)!;
    assert.ok(firstVideo.keyFrame);
    const startsAt = firstVideo.presentationTime - preroll;
    assert.ok(startsAt > 17_000 && startsAt <= 20_000, `video starts at ${startsAt} ms`);
    // The rest of the file from there on, exactly.
    const first = D.packets.findIndex(
      (p) =>
        parsePacket(p, D.layout.packetSize).sendTime === parsePacket(got[0]!, D.layout.packetSize).sendTime,
    );
    assert.ok(first > 0);
    assert.deepEqual(
      payloads(got, D.layout.packetSize).map(content),
      payloads(D.packets.slice(first), D.layout.packetSize).map(content),
    );
  });

  for (const [name, options, streams] of [
    ['bandwidth 250 kb/s', { streams: { kind: 'bandwidth', bitsPerSecond: 250_000 } }, [2, 3]],
    ['stream numbers 1 and 3', { streams: { kind: 'numbers', numbers: [1, 3] } }, [1, 3]],
  ] as const) {
    it(`c-mbr with ${name}: only streams ${streams.join(' and ')} arrive, and all of them`, async () => {
      const C = fileOf('c-mbr-10s.wmv');
      const s = await openRtsp(url('c-mbr-10s.wmv'), { ...(options as OpenOptions), fast: true }, 'udp');
      const got = payloads(await collect(s), C.layout.packetSize);
      assert.deepEqual([...new Set(got.map((p) => p.streamNumber))].sort(), streams);
      const want = payloads(C.packets, C.layout.packetSize).filter((p) =>
        (streams as readonly number[]).includes(p.streamNumber),
      );
      assert.deepEqual(got.map(content), want.map(content));
    });
  }

  it('a missing file → not-found, on both transports', async () => {
    for (const t of ['udp', 'tcp'] as const) {
      const e = await failure(openRtsp(url('no-such.wmv'), {}, t));
      assert.equal(e.kind, 'not-found');
      assert.equal(e.final, true);
    }
  });

  it('close() during the stream sends TEARDOWN and ends the iteration', async () => {
    const s = await openRtsp(url('d-indexed-30s.wmv'), {}, 'tcp');
    const it = s.packets[Symbol.asyncIterator]();
    assert.equal((await it.next()).done, false);
    const t0 = performance.now();
    await s.close();
    await s.close();
    assert.ok(performance.now() - t0 < 1000);
    for (;;) if ((await it.next()).done) break;
  });
});

describe('RTSP client adapter against servers that fail', () => {
  it('a closed port → refused', async () => {
    const f = await fakeServer(() => undefined);
    await f.close();
    const e = await failure(openRtsp(f.url, {}, 'tcp'));
    assert.equal(e.kind, 'refused');
    assert.equal(e.protocol, 'rtspt');
  });

  for (const [name, serve, kind] of [
    ['garbage', (s: Socket) => s.write('HTTP/1.1 400 Bad Request\r\n\r\n'), 'protocol'],
    [
      'a reply cut off before its body ends, then a close',
      (s: Socket) => s.end('RTSP/1.0 200 OK\r\nCSeq: 1\r\nContent-Length: 500\r\n\r\nv=0'),
      'protocol',
    ],
    [
      'an absurd Content-Length',
      (s: Socket) => s.write('RTSP/1.0 200 OK\r\nCSeq: 1\r\nContent-Length: 99999999\r\n\r\n'),
      'protocol',
    ],
    ['silence', () => undefined, 'timeout'],
  ] as const) {
    it(`${name} → ${kind}, within the connect timeout`, async () => {
      const f = await fakeServer((s) => s.once('data', () => serve(s)));
      const t0 = performance.now();
      const e = await failure(openRtsp(f.url, { connectTimeoutMs: 800 }, 'tcp'));
      const took = performance.now() - t0;
      assert.equal(e.kind, kind, e.message);
      assert.ok(took < (kind === 'timeout' ? 1500 : 300), `took ${took} ms`);
      await f.close();
    });
  }

  it('an RTSP server that is not Windows Media (no WMServer/, no ASF header in the SDP) → unsupported', async () => {
    const sdp =
      'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=x\r\nt=0 0\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n';
    const f = await fakeServer((s) => {
      let n = 0;
      s.on('data', () => {
        n++;
        if (n === 1)
          s.write(
            'RTSP/1.0 200 OK\r\nCSeq: 1\r\nServer: GStreamer RTSP server\r\nPublic: OPTIONS, DESCRIBE\r\n\r\n',
          );
        else
          s.write(
            `RTSP/1.0 200 OK\r\nCSeq: 2\r\nContent-Type: application/sdp\r\nContent-Length: ${sdp.length}\r\n\r\n${sdp}`,
          );
      });
    });
    const e = await failure(openRtsp(f.url, {}, 'udp'));
    assert.equal(e.kind, 'unsupported', e.message);
    await f.close();
  });

  it('UDP answered but no RTP within the connect timeout after PLAY → timeout (rollover moves to TCP)', async () => {
    const seen: string[] = [];
    const f = await fakeServer(machineServer({ udp: true, seen }));
    const t0 = performance.now();
    const e = await failure(openRtsp(f.url, { connectTimeoutMs: 600 }, 'udp'));
    assert.equal(e.kind, 'timeout', e.message);
    assert.match(e.message, /no RTP over UDP/);
    assert.ok(performance.now() - t0 < 1500);
    assert.ok(seen.includes('play'));
    await f.close();
  });

  it('461 to a UDP SETUP → unsupported', async () => {
    const f = await fakeServer(machineServer({ udp: false }));
    const e = await failure(openRtsp(f.url, {}, 'udp'));
    assert.equal(e.kind, 'unsupported', e.message);
    await f.close();
  });

  it('data that stops while playing → the iterator throws dropped after the idle timeout', async () => {
    const f = await fakeServer(machineServer({ udp: false, packets: 3 }));
    const s = await openRtsp(f.url, { idleTimeoutMs: 400 }, 'tcp');
    const got: Buffer[] = [];
    const t0 = performance.now();
    const e = await failure(
      (async () => {
        for await (const item of s.packets) if (item.kind === 'packet') got.push(item.data);
      })(),
    );
    assert.equal(e.kind, 'dropped');
    assert.equal(got.length, 3);
    assert.ok(performance.now() - t0 < 1200);
    await f.close();
  });

  it('an aborted signal ends the attempt with its reason', async () => {
    const f = await fakeServer(() => undefined);
    const ac = new AbortController();
    const p = openRtsp(f.url, { signal: ac.signal }, 'tcp');
    setTimeout(() => ac.abort(new Error('stop')), 50);
    await assert.rejects(p, /stop/);
    await f.close();
  });
});
