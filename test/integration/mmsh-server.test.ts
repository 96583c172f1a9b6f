// The MMSH server on loopback, asserted on the wire: headers, framing, pacing, seeking, stream thinning,
// path confinement and error replies (wmsp.md §5, §6).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, symlink, copyFile, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  headerObjectSize,
  packetSendTime,
  parseFileStart,
  parsePacket,
  parseSimpleIndex,
  simpleIndexPacketFor,
} from '../../src/asf/index.js';
import type { DataChunk } from '../../src/wmsp/index.js';
import { startNetshow, type TestServer } from '../helpers/server.js';
import { chunksOf, describeLines, header, playLines, rawRequest } from '../helpers/mmsh-client.js';

const MEDIA = 'test/fixtures/media';
const A = 'a-wmv2-wmav2-10s.wmv';
const C = 'c-mbr-10s.wmv';
const D = 'd-indexed-30s.wmv';

async function layoutOf(name: string) {
  const file = await readFile(join(MEDIA, name));
  const layout = parseFileStart(file.subarray(0, headerObjectSize(file) + 50), file.length);
  const packets = Array.from({ length: layout.packetCount }, (_, n) =>
    file.subarray(
      layout.firstPacketOffset + n * layout.packetSize,
      layout.firstPacketOffset + (n + 1) * layout.packetSize,
    ),
  );
  return { file, layout, packets };
}

function dataChunks(body: Buffer): DataChunk[] {
  return chunksOf(body).filter((c): c is DataChunk => c.type === 'D');
}

describe('MMSH server', () => {
  let srv: TestServer;
  before(async () => {
    srv = await startNetshow({ mediaDir: MEDIA });
  });
  after(() => srv.close());

  it('answers a Describe with the exact ASF header in one $H and nothing else', async () => {
    const { layout } = await layoutOf(A);
    const r = await rawRequest(srv.httpPort, describeLines(`/${A}`, srv.httpPort));
    assert.equal(r.statusLine, 'HTTP/1.0 200 OK');
    assert.equal(header(r, 'Content-Type'), 'application/vnd.ms.wms-hdr.asfv1');
    assert.match(header(r, 'Server') ?? '', /^Cougar\/9\.01\.01\.3814/);
    const pragma = r.headers
      .filter(([k]) => k === 'Pragma')
      .map(([, v]) => v)
      .join(',');
    assert.match(pragma, /client-id=\d+/);
    assert.match(pragma, /features="seekable,stridable"/);
    const chunks = chunksOf(r.body);
    assert.equal(chunks.length, 1);
    const h = chunks[0]!;
    assert.equal(h.type, 'H');
    assert.deepEqual(h.payload, layout.headerBytes);
    assert.equal(h.afFlags, 0x0c);
  });

  it('plays whole files paced by send time, every packet intact, then $E and close', async () => {
    const [a, c] = await Promise.all([layoutOf(A), layoutOf('b-wmav2-10s.wma')]);
    const run = async (name: string, ref: typeof a) => {
      const t0 = performance.now();
      const r = await rawRequest(
        srv.httpPort,
        playLines(`/${name}`, srv.httpPort, 'stream-time=0,stream-offset=0:0', []),
      );
      const elapsed = performance.now() - t0;
      assert.equal(r.status, 200);
      assert.equal(header(r, 'Content-Type'), 'application/x-mms-framed');
      assert.equal(header(r, 'Content-Length'), undefined);
      const chunks = chunksOf(r.body);
      assert.equal(chunks[0]?.type, 'H');
      assert.deepEqual(chunks[0].payload, ref.layout.headerBytes);
      const last = chunks[chunks.length - 1]!;
      assert.deepEqual(last, { type: 'E', reason: 0 });
      const ds = dataChunks(r.body);
      assert.equal(ds.length, ref.layout.packetCount);
      ds.forEach((d, n) => {
        assert.equal(d.locationId, n);
        assert.equal(d.afFlags, n % 255);
        assert.deepEqual(d.payload, ref.packets[n]);
      });
      // Paced: the last packet cannot leave before its send time minus the fast-start burst (the preroll).
      const lastSend = packetSendTime(ref.packets[ref.packets.length - 1]!);
      const earliest = lastSend - ref.layout.header.fileProperties.preroll;
      assert.ok(elapsed >= earliest - 100, `finished after ${elapsed} ms, before ${earliest} ms`);
      assert.ok(elapsed <= earliest + 3000, `finished after ${elapsed} ms, far after ${earliest} ms`);
    };
    // No stream-switch-entry at all: every stream (wmsp.md §6.4 netshow decision).
    await Promise.all([run(A, a), run('b-wmav2-10s.wma', c)]);
  });

  it('starts a Play at the index entry for stream-time, packet-num and both stream-offset conventions', async () => {
    const { file, layout } = await layoutOf(D);
    const indexAt = layout.dataObjectOffset + layout.dataObjectSize;
    const index = parseSimpleIndex(file.subarray(indexAt));
    const at20 = simpleIndexPacketFor(index, 20_000 + layout.header.fileProperties.preroll);
    const H = layout.headerBytes.length;
    const S = layout.packetSize;
    const cases: [string, number][] = [
      ['stream-time=20000,stream-offset=4294967295:4294967295,packet-num=4294967295', at20],
      ['stream-time=0,stream-offset=4294967295:4294967295,packet-num=300', 300],
      ['stream-time=0,stream-offset=0:' + 310 * S, 310],
      ['stream-time=0,stream-offset=0:' + (H + 320 * S), 320],
    ];
    await Promise.all(
      cases.map(async ([position, first]) => {
        const r = await rawRequest(
          srv.httpPort,
          playLines(`/${D}`, srv.httpPort, position, ['ffff:1:0', 'ffff:2:0']),
        );
        const ds = dataChunks(r.body);
        assert.equal(ds[0]?.locationId, first, position);
        assert.equal(ds.length, layout.packetCount - first, position);
        assert.deepEqual(
          ds.map((d) => d.locationId),
          Array.from({ length: ds.length }, (_, i) => first + i),
        );
      }),
    );
    assert.ok(at20 > 200 && at20 < 300, `index entry for 20 s is packet ${at20}`);
  });

  it('thins an MBR file to the selected streams: no payload of the other video, all of the chosen ones', async () => {
    const { layout, packets } = await layoutOf(C);
    const r = await rawRequest(
      srv.httpPort,
      playLines(`/${C}`, srv.httpPort, 'stream-time=0', ['ffff:1:2', 'ffff:2:0', 'ffff:3:0']),
    );
    const count = (bufs: Buffer[], stream: number) =>
      bufs.flatMap((b) => parsePacket(b, layout.packetSize).payloads).filter((p) => p.streamNumber === stream)
        .length;
    const sent = dataChunks(r.body).map((d) => d.payload);
    for (const d of sent) assert.equal(d.length, layout.packetSize);
    assert.equal(count(sent, 1), 0);
    assert.equal(count(sent, 2), count(packets, 2));
    assert.equal(count(sent, 3), count(packets, 3));
    assert.ok(sent.length < packets.length);
  });

  it('serves a non-WMSP GET as the plain ASF file', async () => {
    const { file } = await layoutOf(A);
    const r = await rawRequest(srv.httpPort, [
      `GET /${A} HTTP/1.1`,
      'Host: x',
      'User-Agent: Lavf/59.27.100',
      'Connection: close',
    ]);
    assert.equal(r.status, 200);
    assert.equal(header(r, 'Content-Type'), 'video/x-ms-asf');
    assert.equal(Number(header(r, 'Content-Length')), file.length);
    assert.deepEqual(r.body, file);
  });

  it('answers 404 for a missing file and 400 for paths that try to leave the media folder', async () => {
    const cases: [string, number][] = [
      ['/missing.wmv', 404],
      ['/not-media.txt', 404],
      ['/../package.json', 400],
      ['/sub/%2e%2e/%2e%2e/package.json', 400],
      ['/..%2fpackage.json', 400],
      ['/%00.wmv', 400],
    ];
    for (const [path, status] of cases) {
      const r = await rawRequest(srv.httpPort, describeLines(path, srv.httpPort));
      assert.equal(r.status, status, path);
      assert.match(header(r, 'Content-Type') ?? '', /^text\/plain/);
      assert.equal(r.body.includes('$H'), false);
    }
  });

  it('answers garbage with 400 and keeps serving others', async () => {
    const garbage = await new Promise<string>((resolve) => {
      const s = connect({ host: '127.0.0.1', port: srv.httpPort }, () =>
        s.write('\x00\x01\x02 nonsense\r\n\r\n'),
      );
      let got = '';
      s.on('data', (b) => (got += b.toString('latin1')));
      s.on('close', () => resolve(got));
    });
    assert.match(garbage, /^HTTP\/1\.0 400 /);
    const ok = await rawRequest(srv.httpPort, describeLines(`/${A}`, srv.httpPort));
    assert.equal(ok.status, 200);
  });
});

describe('MMSH server path confinement', () => {
  it('refuses a symlink that points out of the media folder', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'netshow-media-'));
    const outside = await mkdtemp(join(tmpdir(), 'netshow-outside-'));
    await copyFile(join(MEDIA, A), join(outside, 'secret.wmv'));
    await symlink(join(outside, 'secret.wmv'), join(dir, 'link.wmv'));
    await copyFile(join(MEDIA, A), join(dir, 'inside.wmv'));
    const srv = await startNetshow({ mediaDir: dir });
    try {
      const out = await rawRequest(srv.httpPort, describeLines('/link.wmv', srv.httpPort));
      assert.equal(out.status, 400);
      const inside = await rawRequest(srv.httpPort, describeLines('/inside.wmv', srv.httpPort));
      assert.equal(inside.status, 200);
    } finally {
      await srv.close();
      await rm(dir, { recursive: true, force: true });
      await rm(outside, { recursive: true, force: true });
    }
  });
});
