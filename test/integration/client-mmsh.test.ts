// The MMSH client adapter against netshow's own server on loopback, a tiny plain web server, and servers that
// misbehave: what arrives must be the file's packets, and every failure must have the right kind, in time.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import {
  headerObjectSize,
  parseFileStart,
  parsePacket,
  parseSimpleIndex,
  simpleIndexPacketFor,
  type AsfFileLayout,
} from '../../src/asf/index.js';
import { openHttp, openMmsh } from '../../src/client/mmsh-adapter.js';
import { ClientError, type AsfStream, type OpenOptions } from '../../src/client/types.js';
import { endChunk, headerChunks } from '../../src/wmsp/index.js';
import { startNetshow, type TestServer } from '../helpers/server.js';

const MEDIA = 'test/fixtures/media';
const A = 'a-wmv2-wmav2-10s.wmv';
const C = 'c-mbr-10s.wmv';
const D = 'd-indexed-30s.wmv';

interface Fixture {
  file: Buffer;
  layout: AsfFileLayout;
  packets: Buffer[];
}

async function fixture(name: string): Promise<Fixture> {
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

/** Every packet and header change of a stream, until its end. */
async function drain(s: AsfStream): Promise<{ packets: Buffer[]; headers: Buffer[] }> {
  const packets: Buffer[] = [];
  const headers: Buffer[] = [];
  for await (const item of s.packets) {
    if (item.kind === 'packet') packets.push(item.data);
    else headers.push(item.header);
  }
  return { packets, headers };
}

/** The payload bytes of every packet, per stream, in order: equal payloads mean equal media. */
function payloads(packets: readonly Buffer[], packetSize: number): Map<number, Buffer[]> {
  const out = new Map<number, Buffer[]>();
  for (const p of packets) {
    for (const pl of parsePacket(p, packetSize).payloads) {
      const list = out.get(pl.streamNumber) ?? [];
      list.push(pl.data);
      out.set(pl.streamNumber, list);
    }
  }
  return out;
}

/** Resolves to the ClientError an open (or the stream after it) ends with, and how long that took. */
async function failure(run: () => Promise<unknown>): Promise<{ error: ClientError; ms: number }> {
  const t0 = performance.now();
  try {
    const s = await run();
    if (s && typeof s === 'object' && 'packets' in s) await drain(s as AsfStream);
  } catch (e) {
    assert.ok(e instanceof ClientError, `expected a ClientError, got ${String(e)}`);
    return { error: e, ms: performance.now() - t0 };
  }
  assert.fail('the attempt succeeded');
}

/** A TCP server that answers every connection with `answer` (then closes, unless `keepOpen`). */
async function rawServer(answer: (s: Socket) => void): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.once('data', () => answer(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

const FAST: OpenOptions = { fast: true, connectTimeoutMs: 5000, idleTimeoutMs: 10000 };

describe('MMSH client against netshow', () => {
  let srv: TestServer;
  before(async () => {
    srv = await startNetshow({ mediaDir: MEDIA });
  });
  after(() => srv.close());

  it('receives exactly the file: the header from $H and every packet, payload for payload', async () => {
    const a = await fixture(A);
    const s = await openMmsh(new URL(srv.url('mmsh', A)), FAST);
    assert.equal(s.protocol, 'mmsh');
    assert.equal(s.live, false);
    assert.match(s.server ?? '', /^Cougar\/9/);
    assert.deepEqual(s.header, a.layout.headerBytes);
    const t0 = performance.now();
    const got = await drain(s);
    const ms = performance.now() - t0;
    assert.deepEqual(got.headers, []);
    assert.equal(got.packets.length, a.packets.length);
    assert.deepEqual(payloads(got.packets, a.layout.packetSize), payloads(a.packets, a.layout.packetSize));
    // Speed=5 was honoured: 10 s of media (3.1 s of it preroll, sent at once) well under real time.
    assert.ok(ms < 5000, `fast delivery took ${ms.toFixed(0)} ms`);
  });

  it('starts at 20 s of the indexed file: the packets from the index entry to the end', async () => {
    const d = await fixture(D);
    const index = parseSimpleIndex(d.file.subarray(d.layout.dataEnd));
    const first = simpleIndexPacketFor(index, 20_000 + d.layout.header.fileProperties.preroll);
    assert.ok(first > 200 && first < 300, `index entry for 20 s is packet ${first}`);
    const s = await openMmsh(new URL(srv.url('mmsh', D)), { ...FAST, startMs: 20_000 });
    const got = await drain(s);
    assert.equal(got.packets.length, d.packets.length - first);
    assert.deepEqual(got.packets[0], d.packets[first]);
    assert.deepEqual(got.packets.at(-1), d.packets.at(-1));
  });

  it('selects one video of the MBR file by bandwidth and receives only its payloads and the audio', async () => {
    const c = await fixture(C);
    // 300 kbit/s: the 140 kbit/s video (stream 2) and the 64 kbit/s audio (stream 3) fit; stream 1 does not.
    const s = await openMmsh(new URL(srv.url('mmsh', C)), {
      ...FAST,
      streams: { kind: 'bandwidth', bitsPerSecond: 300_000 },
    });
    const got = payloads((await drain(s)).packets, c.layout.packetSize);
    const all = payloads(c.packets, c.layout.packetSize);
    assert.equal(got.get(1), undefined);
    assert.deepEqual(got.get(2), all.get(2));
    assert.deepEqual(got.get(3), all.get(3));
  });

  it('selects by stream number', async () => {
    const c = await fixture(C);
    const s = await openMmsh(new URL(srv.url('mmsh', C)), {
      ...FAST,
      streams: { kind: 'numbers', numbers: [3] },
    });
    const got = payloads((await drain(s)).packets, c.layout.packetSize);
    assert.deepEqual([...got.keys()], [3]);
    assert.deepEqual(got.get(3), payloads(c.packets, c.layout.packetSize).get(3));
  });

  it('answers a missing file with not-found, a final failure', async () => {
    const { error } = await failure(() => openMmsh(new URL(srv.url('mmsh', 'missing.wmv')), FAST));
    assert.equal(error.kind, 'not-found');
    assert.equal(error.final, true);
  });

  it('openHttp on netshow speaks MMSH (the server is a WMS)', async () => {
    const a = await fixture(A);
    const s = await openHttp(new URL(srv.url('http', A)), FAST);
    assert.equal(s.protocol, 'mmsh');
    assert.equal((await drain(s)).packets.length, a.packets.length);
  });
});

describe('MMSH client against plain web servers and broken servers', () => {
  let web: HttpServer;
  let webPort = 0;
  const seen: { agent: string | undefined; pragma: string | undefined }[] = [];
  before(async () => {
    const a = await fixture(A);
    web = createHttpServer((req, res) => {
      seen.push({ agent: req.headers['user-agent'], pragma: req.headers.pragma });
      if (req.url === `/${A}`) {
        res.writeHead(200, { 'Content-Type': 'video/x-ms-asf', 'Content-Length': a.file.length });
        res.end(a.file);
      } else if (req.url === '/protected.wmv') {
        const ok = req.headers.authorization === `Basic ${Buffer.from('ann:secret').toString('base64')}`;
        res.writeHead(
          ok ? 200 : 401,
          ok ? { 'Content-Type': 'video/x-ms-asf' } : { 'WWW-Authenticate': 'Basic' },
        );
        res.end(ok ? a.file : 'no');
      } else if (req.url === '/page' && (req.headers.pragma ?? '').includes('xClientGUID')) {
        // A server that shows NSPlayer an HTML page but gives everyone else the file.
        res.writeHead(200, { 'Content-Type': 'text/html' });
        res.end('<html>no players here</html>');
      } else if (req.url === '/page') {
        res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
        res.end(a.file);
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((r) => web.listen(0, '127.0.0.1', r));
    webPort = (web.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((r) => web.close(() => r())));

  it('reads a plain ASF reply as a file: its header, then its packets (protocol http)', async () => {
    const a = await fixture(A);
    const s = await openMmsh(new URL(`http://127.0.0.1:${webPort}/${A}`), FAST);
    assert.equal(s.protocol, 'http');
    assert.equal(s.live, false);
    assert.deepEqual(s.header, a.layout.headerBytes);
    const got = await drain(s);
    assert.deepEqual(got.packets, a.packets);
  });

  it('openHttp falls back to a plain download when the NSPlayer request gets no ASF', async () => {
    const a = await fixture(A);
    seen.length = 0;
    const s = await openHttp(new URL(`http://127.0.0.1:${webPort}/page`), FAST);
    assert.equal(s.protocol, 'http');
    assert.deepEqual((await drain(s)).packets, a.packets);
    assert.equal(seen.length, 2);
    assert.match(seen[0]!.agent ?? '', /^NSPlayer\//);
    assert.doesNotMatch(seen[1]!.agent ?? '', /NSPlayer/);
    assert.equal(seen[1]!.pragma, undefined);
  });

  it('retries once with Basic credentials on 401, and fails with auth without them', async () => {
    const url = new URL(`http://127.0.0.1:${webPort}/protected.wmv`);
    const s = await openMmsh(url, { ...FAST, user: 'ann', password: 'secret' });
    assert.ok((await drain(s)).packets.length > 0);
    assert.equal((await failure(() => openMmsh(url, FAST))).error.kind, 'auth');
    const wrong = await failure(() => openMmsh(url, { ...FAST, user: 'ann', password: 'nope' }));
    assert.equal(wrong.error.kind, 'auth');
  });

  it('a closed port is refused', async () => {
    const s = await rawServer(() => undefined);
    const port = s.port;
    await s.close();
    const { error } = await failure(() => openMmsh(new URL(`mmsh://127.0.0.1:${port}/x.wmv`), FAST));
    assert.equal(error.kind, 'refused');
  });

  const broken: [string, (s: Socket, header: Buffer) => void, ClientError['kind']][] = [
    ['garbage instead of a reply', (s) => s.end('\x00\x01\x02garbage\r\n\r\n'), 'protocol'],
    ['a reply head cut short', (s) => s.end('HTTP/1.0 200 OK\r\nContent-Type: app'), 'protocol'],
    [
      'a 200 with an HTML body',
      (s) => s.end('HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n<html>'),
      'protocol',
    ],
    [
      'a $H header cut short',
      (s, h) => s.end(Buffer.concat([Buffer.from(ok), headerChunks(h)[0]!.subarray(0, 300)])),
      'protocol',
    ],
    [
      'a $H announcing an absurd header size',
      (s, h) => {
        const bad = Buffer.from(h);
        bad.writeBigUInt64LE(1n << 40n, 16);
        s.end(Buffer.concat([Buffer.from(ok), headerChunks(bad)[0]!]));
      },
      'protocol',
    ],
    ['a server that never answers', () => undefined, 'timeout'],
    ['a reply head that never ends', (s) => s.write('HTTP/1.0 200 OK\r\n'), 'timeout'],
    [
      'a Describe that sends a $D longer than the packet size',
      (s, h) => {
        const d = Buffer.alloc(12 + 4000);
        d.write('$D', 0, 'latin1');
        d.writeUInt16LE(4008, 2);
        d.writeUInt16LE(4008, 10);
        s.end(Buffer.concat([Buffer.from(ok), ...headerChunks(h), d]));
      },
      'protocol',
    ],
  ];
  const ok =
    'HTTP/1.0 200 OK\r\nContent-Type: application/vnd.ms.wms-hdr.asfv1\r\nPragma: features="seekable"\r\n\r\n';

  for (const [name, answer, kind] of broken) {
    it(`${name}: ${kind}, within the connect timeout`, async () => {
      const a = await fixture(A);
      const s = await rawServer((sock) => answer(sock, a.layout.headerBytes));
      try {
        const { error, ms } = await failure(() =>
          openMmsh(new URL(`mmsh://127.0.0.1:${s.port}/x.wmv`), {
            connectTimeoutMs: 800,
            idleTimeoutMs: 800,
          }),
        );
        assert.equal(error.kind, kind, error.message);
        assert.ok(ms < (kind === 'timeout' ? 2000 : 500), `${kind} after ${ms.toFixed(0)} ms`);
      } finally {
        await s.close();
      }
    });
  }

  it('a Play that stalls after some packets is dropped at the idle timeout', async () => {
    const a = await fixture(A);
    const s = await rawServer((sock) => {
      const [h] = headerChunks(a.layout.headerBytes);
      const d = Buffer.concat([Buffer.from([0x24, 0x44]), Buffer.alloc(10), a.packets[0]!]);
      d.writeUInt16LE(8 + a.layout.packetSize, 2);
      d.writeUInt16LE(8 + a.layout.packetSize, 10);
      sock.write(Buffer.concat([Buffer.from(ok), h!, d]));
    });
    try {
      const stream = await openMmsh(new URL(`mmsh://127.0.0.1:${s.port}/x.wmv`), { idleTimeoutMs: 600 });
      const got: Buffer[] = [];
      const t0 = performance.now();
      const { error } = await failure(async () => {
        for await (const item of stream.packets) if (item.kind === 'packet') got.push(item.data);
      });
      assert.equal(error.kind, 'dropped');
      assert.equal(got.length, 1);
      assert.ok(performance.now() - t0 < 1500);
    } finally {
      await s.close();
    }
  });

  it('ends at $E, and a $C with a new header mid-stream becomes a header item', async () => {
    const a = await fixture(A);
    const changed = Buffer.from(a.layout.headerBytes);
    changed[changed.length - 60] = (changed[changed.length - 60]! + 1) & 0xff;
    const dChunk = (n: number): Buffer => {
      const d = Buffer.concat([Buffer.from([0x24, 0x44]), Buffer.alloc(10), a.packets[n]!]);
      d.writeUInt16LE(8 + a.layout.packetSize, 2);
      d.writeUInt32LE(n, 4);
      d.writeUInt16LE(8 + a.layout.packetSize, 10);
      return d;
    };
    const live = ok.replace('seekable', 'broadcast');
    const s = await rawServer((sock) =>
      sock.end(
        Buffer.concat([
          Buffer.from(live),
          ...headerChunks(a.layout.headerBytes),
          dChunk(0),
          Buffer.from([0x24, 0x43, 4, 0, 0, 0, 0, 0]),
          ...headerChunks(changed),
          dChunk(1),
          endChunk(),
          dChunk(2),
        ]),
      ),
    );
    try {
      const stream = await openMmsh(new URL(`mmsh://127.0.0.1:${s.port}/live`), FAST);
      assert.equal(stream.live, true);
      const items: string[] = [];
      for await (const item of stream.packets) items.push(item.kind === 'header' ? 'H' : 'D');
      assert.deepEqual(items, ['D', 'H', 'D']);
    } finally {
      await s.close();
    }
  });
});
