// `netshow get` and `netshow probe` end to end against netshow's own server on port 0 (issue 5, "Done when"):
// every protocol pinned, mms:// rollover past refused and malformed ports, final failures, --resume after a
// cut, metafile fallbacks, and the overwrite guard. Recordings must decode to the source's frames.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { parseFileStart } from '../../src/asf/index.js';
import { runGet, type GetOptions } from '../../src/cli/get.js';
import { runProbe } from '../../src/cli/probe.js';
import { frameMessage } from '../../src/mmsp/tcp-message.js';
import { headerChunks } from '../../src/wmsp/index.js';
import { startNetshow, type TestServer } from '../helpers/server.js';
import { peerReady } from '../interop/peers/availability.js';
import {
  compareFrames,
  decodeFramemd5,
  referenceFrames,
  type StreamFrames,
} from '../interop/peers/framemd5.js';

const MEDIA = 'test/fixtures/media';
const A = 'a-wmv2-wmav2-10s.wmv';
const D = 'd-indexed-30s.wmv';
const source = (name: string): string => join(MEDIA, name);

const dir = await mkdtemp(join(tmpdir(), 'netshow-client-get-'));
const run = promisify(execFile);
let srv: TestServer;
before(async () => {
  srv = await startNetshow({ mediaDir: MEDIA });
});
after(async () => {
  await srv.close();
  await rm(dir, { recursive: true, force: true });
});

/** The ports of netshow's three listeners, as `--rtsp-port --mms-port --http-port` give them. */
const ports = (): NonNullable<GetOptions['ports']> => ({
  rtsp: srv.rtspPort,
  mms: srv.mmsPort,
  http: srv.httpPort,
});

interface AttemptJson {
  protocol: string;
  url: string;
  ms: number;
  error?: { kind: string; message: string };
}

interface GetSummary {
  ok: boolean;
  protocol?: string;
  ended?: string;
  packets?: number;
  duplicates?: number;
  reconnects?: number;
  error?: string;
  attempts: AttemptJson[];
}

interface GetRun {
  code: number;
  out: string[];
  err: string[];
  ms: number;
  summary: GetSummary;
}

/** runGet in-process with `--json`; the summary is its one stdout line. */
async function get(url: string, opts: GetOptions): Promise<GetRun> {
  const out: string[] = [];
  const err: string[] = [];
  const t0 = performance.now();
  const code = await runGet(
    url,
    { json: true, ...opts },
    (l) => out.push(l),
    (l) => err.push(l),
  );
  const ms = performance.now() - t0;
  assert.equal(out.length, 1, `one JSON line on stdout, got: ${out.join(' | ')} / ${err.join(' | ')}`);
  return { code, out, err, ms, summary: JSON.parse(out[0]!) as GetSummary };
}

interface Cli {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The real command: `node --import tsx src/cli/main.ts ARGS`. */
async function cli(args: readonly string[]): Promise<Cli> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += String(b)));
  child.stderr.on('data', (b: Buffer) => (stderr += String(b)));
  const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
  return { code, signal, stdout, stderr };
}

/** A port nothing listens on: bound on port 0, noted, closed. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** A TCP server on port 0 whose connections `serve` handles; close() drops every connection. */
async function rawServer(serve: (s: Socket) => void): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const s: Server = createServer((sock) => {
    sockets.add(sock);
    sock.on('error', () => undefined);
    sock.on('close', () => sockets.delete(sock));
    serve(sock);
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return {
    port: (s.address() as AddressInfo).port,
    close: () => {
      for (const sock of sockets) sock.destroy();
      return new Promise<void>((r) => s.close(() => r()));
    },
  };
}

let decodes = 0;
async function frames(file: string): Promise<StreamFrames[]> {
  const out = join(dir, `decode-${++decodes}.framemd5`);
  const r = await decodeFramemd5(file, out, { log: `${out}.log` });
  assert.equal(r.code, 0, `ffmpeg on ${file} failed, see ${out}.log`);
  assert.ok(
    r.streams.some((s) => s.frames.length > 0),
    `no frames decoded from ${file}`,
  );
  return r.streams;
}

async function ffprobeDuration(file: string): Promise<number> {
  const { stdout } = await run(
    'ffprobe',
    ['-v', 'error', '-show_entries', 'format=duration', '-of', 'default=nw=1:nk=1', file],
    { timeout: 60_000 },
  );
  const d = Number(stdout.trim());
  assert.ok(Number.isFinite(d) && d > 0, `ffprobe ${file}: duration ${stdout.trim()}`);
  return d;
}

/** The recording decodes to exactly the source's frames, and ffprobe gives both the same duration. */
async function assertSameAsSource(file: string, name: string): Promise<void> {
  const want = await referenceFrames(source(name));
  const got = await frames(file);
  const cmp = compareFrames(want, got, { mode: 'vod' });
  assert.ok(cmp.pass, `${file} against ${name}: ${cmp.summary}`);
  assert.deepEqual(got, want, `${file}: every frame, hash and time, as in ${name}`);
  assert.equal(await ffprobeDuration(file), await ffprobeDuration(source(name)));
}

/** The data packets of an ASF file, as its header counts them. */
async function dataOf(file: string): Promise<Buffer> {
  const bytes = await readFile(file);
  const layout = parseFileStart(bytes, bytes.length);
  return bytes.subarray(layout.firstPacketOffset, layout.dataEnd);
}

const ATTEMPT_MS = 2000;

describe('netshow get: every protocol pinned', { concurrency: true }, () => {
  const pinned = [
    ['rtspu', () => `rtspu://127.0.0.1:${srv.rtspPort}/${A}`, A, 'rtspu'],
    ['rtspt', () => `rtspt://127.0.0.1:${srv.rtspPort}/${A}`, A, 'rtspt'],
    ['mmsu', () => srv.url('mmsu', A), A, 'mmsu'],
    ['mmst', () => srv.url('mmst', A), A, 'mmst'],
    ['mmsh', () => srv.url('mmsh', A), A, 'mmsh'],
    // netshow is a Windows Media server: the http:// attempt finds MMSH there and says so.
    ['http', () => srv.url('http', A), A, 'mmsh'],
    ['rtspt', () => `rtspt://127.0.0.1:${srv.rtspPort}/${D}`, D, 'rtspt'],
  ] as const;
  for (const [pin, url, name, used] of pinned) {
    it(`${pin}: ${name} records over ${used}, frame for frame the source`, { timeout: 60_000 }, async (t) => {
      if (!peerReady(t, 'ffmpeg')) return;
      const out = join(dir, `pinned-${pin}-${name}.asf`);
      const r = await get(url(), { output: out, fast: true, connectTimeoutMs: ATTEMPT_MS });
      assert.equal(r.code, 0, r.err.join('\n'));
      assert.equal(r.summary.ok, true);
      assert.equal(r.summary.ended, 'end');
      assert.equal(r.summary.protocol, used);
      assert.deepEqual(
        r.summary.attempts.map((a) => [a.protocol, a.error]),
        [[pin, undefined]],
      );
      await assertSameAsSource(out, name);
    });
  }

  it('http: a plain web server serving the file is recorded as a download (protocol http)', async (t) => {
    if (!peerReady(t, 'ffmpeg')) return;
    const file = await readFile(source(A));
    const web = createHttpServer((req, res) => {
      if (req.url !== `/${A}`) return void res.writeHead(404).end();
      res.writeHead(200, { 'Content-Type': 'video/x-ms-asf', 'Content-Length': file.length });
      res.end(file);
    });
    await new Promise<void>((r) => web.listen(0, '127.0.0.1', r));
    try {
      const out = join(dir, 'pinned-plain-http.asf');
      const { port } = web.address() as AddressInfo;
      const r = await get(`http://127.0.0.1:${port}/${A}`, { output: out, connectTimeoutMs: ATTEMPT_MS });
      assert.equal(r.code, 0, r.err.join('\n'));
      assert.equal(r.summary.protocol, 'http');
      await assertSameAsSource(out, A);
    } finally {
      await new Promise<void>((r) => web.close(() => r()));
    }
  });
});

describe('netshow get: mms:// rollover', { concurrency: true }, () => {
  const cases = [
    ['nothing refused', [], 'rtspu', []],
    ['RTSP refused', ['rtsp'], 'mmsu', ['rtspu', 'rtspt']],
    ['RTSP and MMS refused', ['rtsp', 'mms'], 'mmsh', ['rtspu', 'rtspt', 'mmsu', 'mmst']],
  ] as const;
  for (const [name, refused, picked, failed] of cases) {
    it(`${name}: picks ${picked}, the attempts before it refused`, { timeout: 60_000 }, async (t) => {
      if (!peerReady(t, 'ffmpeg')) return;
      const closed = await closedPort();
      const p = { ...ports(), ...Object.fromEntries(refused.map((f) => [f, closed])) };
      const out = join(dir, `rollover-${picked}.asf`);
      const r = await get(`mms://127.0.0.1/${A}`, {
        output: out,
        ports: p,
        fast: true,
        connectTimeoutMs: ATTEMPT_MS,
      });
      assert.equal(r.code, 0, r.err.join('\n'));
      assert.equal(r.summary.protocol, picked);
      assert.deepEqual(
        r.summary.attempts.map((a) => [a.protocol, a.error?.kind]),
        [...failed.map((f) => [f, 'refused']), [picked, undefined]],
      );
      for (const a of r.summary.attempts.filter((x) => x.error))
        assert.ok(a.url.includes(`:${closed}/`), `${a.protocol} tried the closed port: ${a.url}`);
      await assertSameAsSource(out, A);
    });
  }

  it('the real CLI: mms:// with RTSP refused records over mmsu, --json on stdout, exit 0', async (t) => {
    if (!peerReady(t, 'ffmpeg')) return;
    const out = join(dir, 'cli-rollover.asf');
    const closed = await closedPort();
    const c = await cli([
      'get',
      `mms://127.0.0.1/${A}`,
      '-o',
      out,
      '--rtsp-port',
      String(closed),
      '--mms-port',
      String(srv.mmsPort),
      '--http-port',
      String(srv.httpPort),
      '--timeout',
      '2',
      '--json',
    ]);
    assert.equal(c.code, 0, c.stderr);
    const summary = JSON.parse(c.stdout) as GetSummary;
    assert.equal(summary.protocol, 'mmsu');
    assert.deepEqual(
      summary.attempts.map((a) => [a.protocol, a.error?.kind]),
      [
        ['rtspu', 'refused'],
        ['rtspt', 'refused'],
        ['mmsu', undefined],
      ],
    );
    await assertSameAsSource(out, A);
  });
});

describe('netshow get: failures', () => {
  it('a missing file stops at the first attempt with not-found, exit 1, one clear line', async () => {
    const out = join(dir, 'missing.asf');
    const url = `mms://127.0.0.1/no-such-file.wmv`;
    const r = await get(url, { output: out, ports: ports(), connectTimeoutMs: ATTEMPT_MS });
    assert.equal(r.code, 1);
    assert.equal(r.summary.ok, false);
    assert.deepEqual(
      r.summary.attempts.map((a) => [a.protocol, a.error?.kind]),
      [['rtspu', 'not-found']],
    );
    assert.equal(existsSync(out), false, 'no file for a stream that never opened');
    assert.equal(r.err.length, 1, r.err.join('\n'));
    assert.match(r.err[0]!, /^netshow get: rtspu: .*(404|not found)/i);
    assert.doesNotMatch(r.err[0]!, /\n/);

    // Without --json: the one attempt's line, then the one-line reason.
    const plain: string[] = [];
    const code = await runGet(
      url,
      { output: out, ports: ports(), connectTimeoutMs: ATTEMPT_MS },
      () => assert.fail('nothing on stdout'),
      (l) => plain.push(l),
    );
    assert.equal(code, 1);
    assert.equal(plain.length, 2, plain.join('\n'));
    assert.match(plain[0]!, /^ {2}rtspu .*no-such-file\.wmv {2}not-found: /);
    assert.equal(plain[1], r.err[0]);
  });

  it('a metafile that is not one, and an unknown scheme: exit 1 with one line naming the problem', async () => {
    const bad = join(dir, 'garbage.asx');
    await writeFile(bad, 'garbage');
    for (const [input, want] of [
      [bad, /^netshow get: file:\/\/.*garbage\.asx: not an ASX metafile/],
      ['ftp://127.0.0.1/x.wmv', /^netshow get: unsupported scheme ftp:/],
    ] as const) {
      const output = join(dir, 'never.asf');
      const r = await get(input, { output });
      assert.equal(r.code, 1);
      assert.equal(r.err.length, 1, r.err.join('\n'));
      assert.match(r.err[0]!, want);
      assert.equal(existsSync(output), false);
    }
  });

  it('refuses to overwrite an existing file without --force or --resume: exit 2, the file untouched', async () => {
    const out = join(dir, 'existing.asf');
    const before = Buffer.from('not a recording, and not to be lost\n');
    await writeFile(out, before);
    const err: string[] = [];
    const code = await runGet(
      srv.url('mmsh', A),
      { output: out },
      () => assert.fail('nothing on stdout'),
      (l) => err.push(l),
    );
    assert.equal(code, 2);
    assert.deepEqual(err, [
      `netshow get: ${out} exists; use --resume to continue it or --force to overwrite it`,
    ]);
    assert.deepEqual(await readFile(out), before);

    const c = await cli(['get', srv.url('mmsh', A), '-o', out]);
    assert.equal(c.code, 2, c.stderr);
    assert.match(c.stderr, /exists; use --resume to continue it or --force to overwrite it/);
    assert.deepEqual(await readFile(out), before);

    const forced = await get(srv.url('mmsh', A), { output: out, force: true, fast: true, durationS: 1 });
    assert.equal(forced.code, 0, forced.err.join('\n'));
    assert.notDeepEqual(await readFile(out), before, '--force overwrites');
  });
});

describe('netshow get: --resume', () => {
  it(
    'cut at 12 s over rtspt, resumed over mmsh: the same packets and frames as one run',
    { timeout: 90_000 },
    async (t) => {
      if (!peerReady(t, 'ffmpeg')) return;
      const whole = join(dir, 'resume-whole.asf');
      const one = await get(srv.url('mmsh', D), { output: whole, fast: true });
      assert.equal(one.code, 0, one.err.join('\n'));

      const cut = join(dir, 'resume-cut.asf');
      const first = await get(`rtspt://127.0.0.1:${srv.rtspPort}/${D}`, {
        output: cut,
        fast: true,
        durationS: 12,
      });
      assert.equal(first.code, 0, first.err.join('\n'));
      assert.ok(first.summary.packets! > 100 && first.summary.packets! < one.summary.packets! / 2);
      const d = await ffprobeDuration(cut);
      assert.ok(d > 10 && d < 14, `the cut recording lasts ${d} s`);

      const second = await get(srv.url('mmsh', D), { output: cut, fast: true, resume: true });
      assert.equal(second.code, 0, second.err.join('\n'));
      assert.equal(second.summary.ended, 'end');
      // The server restarts at a key frame at or before the cut; what it sends again is recognised and dropped.
      assert.ok(second.summary.duplicates! > 0, 'the restart overlaps the cut');
      // `packets` counts what each run wrote: the cut's packets plus the resumed ones make the whole file.
      assert.equal(first.summary.packets! + second.summary.packets!, one.summary.packets);

      assert.ok((await dataOf(cut)).equals(await dataOf(whole)), 'the same data packets as one run');
      assert.deepEqual(await frames(cut), await frames(whole));
      await assertSameAsSource(cut, D);
    },
  );

  it(
    'the real CLI killed mid-recording (SIGKILL), then `get --resume`: the same frames as the source',
    { timeout: 90_000 },
    async (t) => {
      if (!peerReady(t, 'ffmpeg')) return;
      const out = join(dir, 'killed.asf');
      // Paced at real time (no --fast), so the kill falls mid-way through the 30 s file.
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', 'src/cli/main.ts', 'get', srv.url('mmsh', D), '-o', out],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      const exited = once(child, 'close');
      let said = '';
      for await (const chunk of child.stderr) {
        said += String(chunk);
        // Progress lines come every 5 s of media; at 10 s, checkpoints (every 2 s) have been written.
        if (said.includes('00:00:10')) break;
      }
      assert.match(said, /recording mmsh:\/\/.* over mmsh to /);
      assert.ok(said.includes('00:00:10'), `progress reached 10 s: ${said}`);
      child.kill('SIGKILL');
      const [, signal] = (await exited) as [number | null, NodeJS.Signals | null];
      assert.equal(signal, 'SIGKILL', 'killed before it finished');
      const killedPackets = parseFileStart(await readFile(out)).packetCount;
      assert.ok(killedPackets > 0 && killedPackets < 385, `${killedPackets} packets counted after the kill`);

      const c = await cli(['get', srv.url('mmsh', D), '-o', out, '--resume', '--fast', '--json']);
      assert.equal(c.code, 0, c.stderr);
      const summary = JSON.parse(c.stdout) as GetSummary;
      assert.equal(summary.ended, 'end');
      assert.equal(summary.protocol, 'mmsh');
      await assertSameAsSource(out, D);
    },
  );
});

describe('netshow get: --reconnect', () => {
  const E = 'e-live-10s.asf';

  /**
   * A live MMSH server over fixture e (a broadcast header): every request gets the header; the first Play
   * gets the first `cut` packets and then the connection drops without `$E`, later Plays the rest and `$E`.
   */
  async function droppingLiveServer(
    cut: number,
  ): Promise<{ port: number; plays: () => number; close: () => Promise<void> }> {
    const bytes = await readFile(source(E));
    const layout = parseFileStart(bytes, bytes.length);
    const packet = (n: number): Buffer =>
      bytes.subarray(
        layout.firstPacketOffset + n * layout.packetSize,
        layout.firstPacketOffset + (n + 1) * layout.packetSize,
      );
    const dChunk = (n: number): Buffer => {
      const d = Buffer.concat([Buffer.from([0x24, 0x44]), Buffer.alloc(10), packet(n)]);
      d.writeUInt16LE(8 + layout.packetSize, 2);
      d.writeUInt32LE(n, 4);
      d.writeUInt16LE(8 + layout.packetSize, 10);
      return d;
    };
    const reply =
      'HTTP/1.0 200 OK\r\nContent-Type: application/x-mms-framed\r\nPragma: features="broadcast"\r\n\r\n';
    let plays = 0;
    const server = await rawServer((sock) =>
      sock.once('data', (request: Buffer) => {
        const head = [Buffer.from(reply), ...headerChunks(layout.headerBytes)];
        if (!/xPlayStrm=1/i.test(String(request))) return void sock.end(Buffer.concat(head));
        const first = plays++ === 0;
        const range = first ? [0, cut] : [cut, layout.packetCount];
        const body = Array.from({ length: range[1]! - range[0]! }, (_, i) => dChunk(range[0]! + i));
        if (first) {
          sock.write(Buffer.concat([...head, ...body]));
          setTimeout(() => sock.destroy(), 200);
        } else
          sock.end(
            Buffer.concat([...head, ...body, Buffer.from([0x24, 0x45, 8, 0, 0, 0, 0, 0, 0, 0, 8, 0])]),
          );
      }),
    );
    return { port: server.port, plays: () => plays, close: server.close };
  }

  it(
    'a live stream that drops mid-way is reconnected and continues in the same file',
    { timeout: 60_000 },
    async (t) => {
      if (!peerReady(t, 'ffmpeg')) return;
      const live = await droppingLiveServer(60);
      try {
        const output = join(dir, 'reconnect.asf');
        const r = await get(`mmsh://127.0.0.1:${live.port}/live`, {
          output,
          reconnect: true,
          connectTimeoutMs: ATTEMPT_MS,
        });
        t.diagnostic(r.err.join('\n'));
        assert.equal(r.code, 0);
        assert.equal(r.summary.ended, 'end');
        assert.equal(r.summary.packets, 131, 'the packets before and after the drop, in one file');
        assert.equal(live.plays(), 2);
        assert.equal(r.summary.reconnects, 1, 'the reconnection is counted');
        // The recording holds every packet the server sent, so it decodes to the source's frames.
        const cmp = compareFrames(await referenceFrames(source(E)), await frames(output), { mode: 'vod' });
        assert.ok(cmp.pass, cmp.summary);
        await ffprobeDuration(output);
      } finally {
        await live.close();
      }
    },
  );

  it(
    'without --reconnect the drop ends the recording: exit 1, the file valid up to the drop',
    { timeout: 60_000 },
    async (t) => {
      if (!peerReady(t, 'ffmpeg')) return;
      const live = await droppingLiveServer(60);
      try {
        const output = join(dir, 'no-reconnect.asf');
        const r = await get(`mmsh://127.0.0.1:${live.port}/live`, { output, connectTimeoutMs: ATTEMPT_MS });
        assert.equal(r.code, 1);
        assert.equal(r.summary.ended, 'dropped');
        assert.equal(r.summary.packets, 60);
        assert.equal(live.plays(), 1);
        assert.equal(r.summary.reconnects, 0);
        assert.equal((await dataOf(output)).length, 60 * 3200);
        await ffprobeDuration(output);
      } finally {
        await live.close();
      }
    },
  );
});

describe('netshow get: malformed servers', () => {
  const garbage = (s: Socket): void => {
    s.once('data', () => s.write(Buffer.from('\x00\xff\x13garbage, not RTSP at all\r\n\r\n\x7f', 'latin1')));
  };
  /** The start of a real MMS reply (ReportConnectedEX, 200 bytes), cut at 60 bytes; then `then`. */
  const truncated =
    (then: 'close' | 'silence') =>
    (s: Socket): void => {
      s.once('data', () => {
        const reply = frameMessage(0x00040001, Buffer.alloc(160, 0x41)).subarray(0, 60);
        if (then === 'close') s.end(reply);
        else s.write(reply);
      });
    };
  /** An MMSH Describe reply whose $H announces a header of 2^40 bytes. */
  const absurd = async (): Promise<(s: Socket) => void> => {
    const bytes = await readFile(source(A));
    const header = Buffer.from(parseFileStart(bytes, bytes.length).headerBytes);
    header.writeBigUInt64LE(1n << 40n, 16);
    const head =
      'HTTP/1.0 200 OK\r\nContent-Type: application/vnd.ms.wms-hdr.asfv1\r\nServer: Cougar/9.01.01.3814\r\n' +
      'Pragma: features="seekable"\r\n\r\n';
    return (s) => s.once('data', () => s.end(Buffer.concat([Buffer.from(head), headerChunks(header)[0]!])));
  };

  it(
    'garbage on RTSP, a truncated MMS reply: rollover goes through both to MMSH and records',
    { timeout: 20_000 },
    async (t) => {
      if (!peerReady(t, 'ffmpeg')) return;
      const rtsp = await rawServer(garbage);
      const mms = await rawServer(truncated('close'));
      try {
        const out = join(dir, 'malformed-rollover.asf');
        const r = await get(`mms://127.0.0.1/${A}`, {
          output: out,
          ports: { rtsp: rtsp.port, mms: mms.port, http: srv.httpPort },
          fast: true,
          connectTimeoutMs: ATTEMPT_MS,
        });
        assert.equal(r.code, 0, r.err.join('\n'));
        assert.equal(r.summary.protocol, 'mmsh');
        const failed = r.summary.attempts.slice(0, -1);
        assert.deepEqual(
          failed.map((a) => a.protocol),
          ['rtspu', 'rtspt', 'mmsu', 'mmst'],
        );
        for (const a of failed) {
          assert.ok(a.error, `${a.protocol} failed`);
          // Each is recognised as broken at once, not left to run into its timeout.
          assert.notEqual(a.error.kind, 'timeout', `${a.protocol}: ${a.error.message}`);
          assert.ok(a.ms < 1000, `${a.protocol} took ${a.ms} ms`);
          assert.ok(a.error.message.length > 0);
        }
        await assertSameAsSource(out, A);
      } finally {
        await rtsp.close();
        await mms.close();
      }
    },
  );

  it(
    'garbage, a truncated reply left hanging, an absurd length: every attempt explained, no hang',
    { timeout: 20_000 },
    async () => {
      const rtsp = await rawServer(garbage);
      const mms = await rawServer(truncated('silence'));
      const http = await rawServer(await absurd());
      try {
        const out = join(dir, 'malformed-all.asf');
        const r = await get(`mms://127.0.0.1/${A}`, {
          output: out,
          ports: { rtsp: rtsp.port, mms: mms.port, http: http.port },
          connectTimeoutMs: 1000,
        });
        assert.equal(r.code, 1);
        assert.equal(r.summary.ok, false);
        assert.equal(existsSync(out), false);
        const kinds = Object.fromEntries(r.summary.attempts.map((a) => [a.protocol, a.error?.kind]));
        assert.deepEqual(Object.keys(kinds), ['rtspu', 'rtspt', 'mmsu', 'mmst', 'mmsh']);
        assert.equal(kinds.rtspu, 'protocol');
        assert.equal(kinds.rtspt, 'protocol');
        assert.equal(kinds.mmsh, 'protocol');
        for (const a of r.summary.attempts) {
          const mms = a.protocol === 'mmsu' || a.protocol === 'mmst';
          // A reply cut short and then silence is only recognisable at the connect timeout, which names it.
          if (mms) {
            assert.equal(a.error!.kind, 'protocol');
            assert.match(a.error!.message, /stopped inside a message \(60 bytes\)/);
            assert.ok(a.ms >= 900, `${a.protocol} waited for its timeout: ${a.ms} ms`);
          }
          assert.ok(a.ms < (mms ? 1000 + 500 : 500), `${a.protocol} took ${a.ms} ms`);
          assert.ok(r.summary.error!.includes(`${a.protocol} ${a.error!.kind}`), r.summary.error);
        }
        assert.ok(r.ms < 5 * 1000, `the whole rollover took ${r.ms.toFixed(0)} ms`);
        assert.equal(r.err.length, 1);
        assert.match(r.err[0]!, /^netshow get: no protocol worked \(rtspu protocol, /);
      } finally {
        await rtsp.close();
        await mms.close();
        await http.close();
      }
    },
  );
});

describe('netshow get: metafiles', () => {
  it('an .asx whose first REF is dead records from the second', { timeout: 30_000 }, async (t) => {
    if (!peerReady(t, 'ffmpeg')) return;
    const dead = `mmsh://127.0.0.1:${await closedPort()}/${A}`;
    const asx = join(dir, 'fallback.asx');
    await writeFile(
      asx,
      `<ASX VERSION="3.0">\n  <TITLE>fallback</TITLE>\n  <ENTRY>\n    <REF HREF="${dead}" />\n` +
        `    <REF HREF="${srv.url('mmsh', A)}" />\n  </ENTRY>\n</ASX>\n`,
    );
    const out = join(dir, 'from-asx.asf');
    const r = await get(asx, { output: out, fast: true, connectTimeoutMs: ATTEMPT_MS });
    assert.equal(r.code, 0, r.err.join('\n'));
    assert.equal(r.summary.protocol, 'mmsh');
    assert.deepEqual(
      r.summary.attempts.map((a) => [a.url, a.error?.kind]),
      [
        [dead, 'refused'],
        [srv.url('mmsh', A), undefined],
      ],
    );
    await assertSameAsSource(out, A);
  });
});

describe('netshow probe', () => {
  it('mms://: every protocol answers, rollover picks rtspu, the header summary follows', async () => {
    const lines: string[] = [];
    const url = `mms://127.0.0.1/${A}`;
    const code = await runProbe(url, { ports: ports(), connectTimeoutMs: ATTEMPT_MS }, (l) => lines.push(l));
    assert.equal(code, 0, lines.join('\n'));
    assert.equal(lines[0], url);
    for (const p of ['rtspu', 'rtspt', 'mmsu', 'mmst', 'mmsh'])
      assert.ok(
        lines.some((l) => new RegExp(`^ {2}${p} +ok {2}server \\S.* {2}on-demand`).test(l)),
        `${p} ok in:\n${lines.join('\n')}`,
      );
    assert.ok(
      lines.includes(`rollover picks rtspu (rtsp://127.0.0.1:${srv.rtspPort}/${A})`),
      lines.join('\n'),
    );
    assert.ok(
      lines.some((l) => /^ {2}duration 10\.046 s/.test(l)),
      lines.join('\n'),
    );
    assert.ok(
      lines.some((l) => /^ {2}stream 1 video WMV2/.test(l)),
      lines.join('\n'),
    );
    assert.ok(
      lines.some((l) => /^ {2}stream 2 audio /.test(l)),
      lines.join('\n'),
    );
  });

  it('--json: the fields parse, and a refused RTSP port shows as refused', async () => {
    const lines: string[] = [];
    const closed = await closedPort();
    const code = await runProbe(
      `mms://127.0.0.1/${A}`,
      { ports: { ...ports(), rtsp: closed }, connectTimeoutMs: ATTEMPT_MS, json: true },
      (l) => lines.push(l),
    );
    assert.equal(code, 0);
    assert.equal(lines.length, 1);
    const j = JSON.parse(lines[0]!) as {
      picked: string | null;
      results: { protocol: string; ok: boolean; server?: string; live?: boolean; error?: { kind: string } }[];
      asf: { durationMs?: number; streams: { streamNumber: number; kind: string }[] } | null;
    };
    assert.equal(j.picked, 'mmsu');
    assert.deepEqual(
      j.results.map((r) => [r.protocol, r.ok, r.error?.kind]),
      [
        ['rtspu', false, 'refused'],
        ['rtspt', false, 'refused'],
        ['mmsu', true, undefined],
        ['mmst', true, undefined],
        ['mmsh', true, undefined],
      ],
    );
    for (const r of j.results.filter((x) => x.ok)) {
      assert.equal(r.live, false);
      assert.ok(r.server, `${r.protocol} names the server`);
    }
    assert.equal(j.asf?.durationMs, 10_046);
    assert.deepEqual(
      j.asf?.streams.map((s) => [s.streamNumber, s.kind]),
      [
        [1, 'video'],
        [2, 'audio'],
      ],
    );
  });
});
