// Encoders pushing to a broadcast point over HTTP, end to end: FFmpeg's captured POSTs replayed byte for byte (plain
// ASF and MMSH-framed bodies), the Windows Media Encoder PushSetup + PushStart exchange, passwords, a second encoder
// refused while one pushes, `Expect: 100-continue`, and the archive holding every packet that arrived even when the
// encoder drops and comes back [MS-WMHTTP 3.2.5; issue 6].
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseFileStart } from '../../src/asf/index.js';
import { encodePushChunk } from '../../src/wmsp/index.js';
import { MEDIA, fileOf } from '../helpers/client-streams.js';
import { startNetshow, type TestServer } from '../helpers/server.js';

const CAPTURE = readFileSync('test/fixtures/push/ffmpeg-asf-chunked.http');
const CAPTURE_FRAMED = readFileSync('test/fixtures/push/ffmpeg-asf-stream-chunked.http');
/** Packets in the plain capture (test/fixtures/push/README.md). */
const CAPTURE_PACKETS = 39;

/** The capture's head for another path and extra headers, its chunked body as captured. */
function replay(capture: Buffer, path: string, extra: string[] = []): Buffer {
  const end = capture.indexOf('\r\n\r\n') + 4;
  const lines = capture
    .subarray(0, end - 4)
    .toString('latin1')
    .split('\r\n');
  lines[0] = `POST ${path} HTTP/1.1`;
  return Buffer.concat([
    Buffer.from([...lines, ...extra].join('\r\n') + '\r\n\r\n', 'latin1'),
    capture.subarray(end),
  ]);
}

interface Exchange {
  socket: Socket;
  /** Everything the server sent until it closed. */
  reply: Promise<string>;
}

function open(port: number): Exchange {
  const socket = connect(port, '127.0.0.1');
  const reply = new Promise<string>((resolve) => {
    const got: Buffer[] = [];
    socket.on('data', (b: Buffer) => got.push(b));
    socket.on('error', () => undefined);
    socket.once('close', () => resolve(Buffer.concat(got).toString('latin1')));
  });
  return { socket, reply };
}

async function send(port: number, bytes: Buffer): Promise<string> {
  const x = open(port);
  x.socket.end(bytes);
  return x.reply;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function archivedPackets(dir: string): number {
  return readdirSync(dir)
    .filter((n) => n.endsWith('.asf'))
    .reduce((sum, n) => {
      const bytes = readFileSync(join(dir, n));
      return sum + parseFileStart(bytes, bytes.length).packetCount;
    }, 0);
}

describe('encoder push', () => {
  let server: TestServer;
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'netshow-push-'));
    server = await startNetshow({
      mediaDir: MEDIA,
      broadcast: [
        { path: '/open', source: { kind: 'push' } },
        { path: '/locked', source: { kind: 'push', password: 'secret' } },
        { path: '/framed', source: { kind: 'push' } },
        { path: '/wme', source: { kind: 'push' } },
        { path: '/channel', source: { kind: 'playlist', path: join(MEDIA, 'b-wmav2-10s.wma'), loop: true } },
      ],
    });
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("FFmpeg's plain ASF POST is taken to its end and answered 204; the point then serves its header", async () => {
    const reply = await send(server.httpPort, replay(CAPTURE, '/open'));
    assert.match(reply, /^HTTP\/1\.1 204 No Content\r\n/);
    const describe = await send(
      server.httpPort,
      Buffer.from(
        'GET /open HTTP/1.0\r\nUser-Agent: NSPlayer/4.1.0.3856\r\nPragma: xClientGUID={00000000-0000-0000-0000-000000000000}\r\n\r\n',
      ),
    );
    assert.match(describe, /^HTTP\/1\.0 200 OK/);
    assert.match(describe, /features="broadcast/);
  });

  it("FFmpeg's -f asf_stream POST ($H/$D framing) is taken too", async () => {
    assert.match(await send(server.httpPort, replay(CAPTURE_FRAMED, '/framed')), /^HTTP\/1\.1 204 /);
  });

  it('a point with a password: none or a wrong one gets 401 with a Basic challenge, the right one is taken', async () => {
    const none = await send(server.httpPort, replay(CAPTURE, '/locked'));
    assert.match(none, /^HTTP\/1\.1 401 Unauthorized\r\n/);
    assert.match(none, /WWW-Authenticate: Basic realm="netshow"/);
    const basic = (p: string): string => `Authorization: Basic ${Buffer.from(`enc:${p}`).toString('base64')}`;
    assert.match(
      await send(server.httpPort, replay(CAPTURE, '/locked', [basic('guess')])),
      /^HTTP\/1\.1 401 /,
    );
    assert.match(
      await send(server.httpPort, replay(CAPTURE, '/locked', [basic('secret')])),
      /^HTTP\/1\.1 204 /,
    );
  });

  it('Expect: 100-continue is answered at once, so FFmpeg sends its body', async () => {
    const x = open(server.httpPort);
    const bytes = replay(CAPTURE, '/open', ['Expect: 100-continue']);
    const head = bytes.indexOf('\r\n\r\n') + 4;
    x.socket.write(bytes.subarray(0, head));
    const first = await new Promise<string>((r) =>
      x.socket.once('data', (b: Buffer) => r(b.toString('latin1'))),
    );
    assert.match(first, /^HTTP\/1\.1 100 Continue\r\n\r\n/);
    x.socket.end(bytes.subarray(head));
    assert.match(await x.reply, /HTTP\/1\.1 204 /);
  });

  it('a second encoder is refused with 409 while one pushes; a POST to a point that is not a push point gets 404', async () => {
    const first = open(server.httpPort);
    const bytes = replay(CAPTURE, '/open');
    first.socket.write(bytes.subarray(0, 20_000));
    await sleep(300);
    const second = await send(server.httpPort, replay(CAPTURE, '/open'));
    assert.match(second, /^HTTP\/1\.1 409 Conflict\r\n/);
    first.socket.end(bytes.subarray(20_000));
    assert.match(await first.reply, /204/);
    assert.match(await send(server.httpPort, replay(CAPTURE, '/channel')), /^HTTP\/1\.1 404 /);
  });

  it('Windows Media Encoder: PushSetup gets a push-id, then PushStart with $H/$D/$E on the same connection', async () => {
    const a = fileOf('a-wmv2-wmav2-10s.wmv');
    const header = Buffer.concat([a.layout.headerBytes]);
    const body = Buffer.concat([
      encodePushChunk({ type: 'H', payload: header }),
      ...a.packets.slice(0, 30).map((p) => encodePushChunk({ type: 'D', payload: p })),
      encodePushChunk({ type: 'E', reason: 0 }),
    ]);
    const x = open(server.httpPort);
    const setupBody = 'AutoDestroy: 1\r\n';
    x.socket.write(
      'POST /wme HTTP/1.1\r\nContent-Type: application/x-wms-pushsetup\r\nUser-Agent: WMEncoder/9.0.0.2980\r\n' +
        `Cookie: push-id=0\r\nContent-Length: ${setupBody.length}\r\nHost: 127.0.0.1\r\n\r\n${setupBody}`,
    );
    const setup = await new Promise<string>((r) =>
      x.socket.once('data', (b: Buffer) => r(b.toString('latin1'))),
    );
    assert.match(setup, /^HTTP\/1\.1 204 /);
    const id = /Set-Cookie: push-id=(\d+)/.exec(setup)?.[1];
    assert.ok(id && id !== '0', `a push-id: ${setup}`);
    x.socket.end(
      Buffer.concat([
        Buffer.from(
          'POST /wme HTTP/1.1\r\nContent-Type: application/x-wms-pushstart\r\nUser-Agent: WMEncoder/9.0.0.2980\r\n' +
            `Cookie: push-id=${id}\r\nContent-Length: 2147483647\r\nHost: 127.0.0.1\r\n\r\n`,
        ),
        body,
      ]),
    );
    assert.match(await x.reply, /HTTP\/1\.1 204 /);
  });
});

describe('the archive of a pushed point', () => {
  it('holds every packet that arrived, across an encoder that dropped mid-stream and came back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'netshow-archive-'));
    const server = await startNetshow({
      mediaDir: MEDIA,
      broadcast: [
        {
          path: '/rec',
          source: { kind: 'push' },
          archive: { template: join(dir, '{name}-{n}.asf') },
        },
      ],
    });
    try {
      // First encoder: its body is cut after the header and 12 whole packets (plus part of a 13th) and the
      // connection dropped, as when the encoder crashes.
      const bytes = replay(CAPTURE, '/rec');
      const head = bytes.indexOf('\r\n\r\n') + 4;
      const chunkHead = (n: number): number => `${n.toString(16)}\r\n`.length;
      const headerChunk = chunkHead(847) + 847 + 2;
      const packetChunk = chunkHead(3200) + 3200 + 2;
      const cut = head + headerChunk + 12 * packetChunk + 1000;
      const first = open(server.httpPort);
      first.socket.write(bytes.subarray(0, cut));
      await sleep(500);
      first.socket.destroy();
      await first.reply;
      await sleep(300);
      // The encoder comes back and sends its whole stream.
      assert.match(await send(server.httpPort, bytes), /204/);
      await sleep(300);
    } finally {
      await server.close();
    }
    try {
      assert.equal(archivedPackets(dir), 12 + CAPTURE_PACKETS, 'every whole packet that arrived is archived');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
