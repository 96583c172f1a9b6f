// resolveInput against real files and a real HTTP server on loopback (rollover.md §4): local and served
// metafiles, ENTRYREF chains, loops and depth, redirects, sniffing an extension-less URL, and the limits.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { GUID } from '../../src/asf/index.js';
import { NetshowError } from '../../src/core/errors.js';
import { MAX_ENTRYREF_DEPTH, resolveInput } from '../../src/client/playlist/resolve.js';

interface Route {
  status?: number;
  type?: string;
  body?: string | Buffer;
  headers?: Record<string, string>;
  /** Never answer: for the timeout test. */
  hang?: boolean;
}

const routes = new Map<string, Route>();
const hits: string[] = [];
let server: Server;
let base = '';
let dir = '';

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'netshow-playlist-'));
  server = createServer((req, res) => {
    hits.push(req.url ?? '');
    const r = routes.get(req.url ?? '');
    if (!r) {
      res.writeHead(404, { 'Content-Type': 'text/html' }).end('<html>no</html>');
      return;
    }
    if (r.hang) return;
    res.writeHead(r.status ?? 200, { 'Content-Type': r.type ?? 'video/x-ms-asf', ...r.headers });
    res.end(r.body ?? '');
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => {
  server.closeAllConnections();
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

const asx = (...entries: string[]): string => `<ASX VERSION="3.0">${entries.join('')}</ASX>`;
const entry = (...refs: string[]): string =>
  `<ENTRY>${refs.map((r) => `<REF HREF="${r}"/>`).join('')}</ENTRY>`;
const entryRef = (href: string): string => `<ENTRYREF HREF="${href}"/>`;

function rejectsWith(code: string, message: RegExp): (e: unknown) => boolean {
  return (e: unknown) => {
    assert.ok(e instanceof NetshowError, `not a NetshowError: ${String(e)}`);
    assert.equal(e.code, code, e.message);
    assert.match(e.message, message);
    assert.ok(!e.message.includes('\n'), 'one line');
    return true;
  };
}

describe('local files', () => {
  it('an .asx by relative path, absolute path and file:// URL gives the REFs, relative ones against the file', async () => {
    const file = join(dir, 'radio.asx');
    writeFileSync(
      file,
      asx(
        '<TITLE>Radio</TITLE>',
        entry('mms://media.example/live/radio', 'http://media.example:8080/live/radio'),
        entry('clip.wmv'),
      ),
    );
    const want = {
      kind: 'url',
      candidates: [
        'mms://media.example/live/radio',
        'http://media.example:8080/live/radio',
        pathToFileURL(join(dir, 'clip.wmv')).href,
      ],
      title: 'Radio',
      warnings: [],
    };
    assert.deepEqual(await resolveInput(relative(process.cwd(), file)), want);
    assert.deepEqual(await resolveInput(file), want);
    assert.deepEqual(await resolveInput(pathToFileURL(file).href), want);
  });

  it('a UTF-16 .wvx in the [Reference] form', async () => {
    const file = join(dir, 'ref.wvx');
    const text = '[Reference]\r\nRef1=http://h/live?MSWMExt=.asf\r\nRef2=http://h:80/live?MSWMExt=.asf\r\n';
    writeFileSync(file, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    assert.deepEqual((await resolveInput(file)).candidates, [
      'http://h/live?MSWMExt=.asf',
      'http://h:80/live?MSWMExt=.asf',
    ]);
  });

  it('an .nsc hands its Unicast URL to rollover; one without it is a clear error', async () => {
    const withUrl = join(dir, 'station.nsc');
    writeFileSync(
      withUrl,
      '[Address]\r\nName=Station\r\nIP Address=239.1.1.1\r\nIP Port=0x00001F40\r\nUnicast URL=mms://h/live\r\n',
    );
    assert.deepEqual(await resolveInput(withUrl), {
      kind: 'url',
      candidates: ['mms://h/live'],
      title: 'Station',
      warnings: [],
    });
    const multicastOnly = join(dir, 'mc.nsc');
    writeFileSync(multicastOnly, '[Address]\r\nIP Address=239.1.1.1\r\nIP Port=0x00001F40\r\n');
    await assert.rejects(
      resolveInput(multicastOnly),
      rejectsWith('E_METAFILE_NO_URL', /no Unicast URL \(multicast 239\.1\.1\.1:8000\)/),
    );
  });

  it('a missing file, a broken file, and a file over 1 MiB each give their own error', async () => {
    await assert.rejects(
      resolveInput(join(dir, 'nope.asx')),
      rejectsWith('E_METAFILE_FETCH', /cannot read .*nope\.asx: ENOENT/),
    );
    const broken = join(dir, 'broken.asx');
    writeFileSync(broken, '<html>not a playlist</html>');
    await assert.rejects(
      resolveInput(broken),
      rejectsWith('E_ASX_NOT_ASX', /broken\.asx: not an ASX metafile/),
    );
    const big = join(dir, 'big.asx');
    writeFileSync(big, Buffer.alloc(1024 * 1024 + 1, 0x20));
    await assert.rejects(resolveInput(big), rejectsWith('E_METAFILE_TOO_LARGE', /at most 1048576/));
  });

  it('inputs that are not metafiles come back as they are, and nothing is fetched for them', async () => {
    const before = hits.length;
    for (const input of ['mms://h/a.wmv', 'rtsp://h/a.asx', 'mmsh://h/x', 'local.wmv']) {
      assert.deepEqual(await resolveInput(input), { kind: 'url', candidates: [input], warnings: [] });
    }
    assert.equal(hits.length, before);
  });
});

describe('over HTTP', () => {
  it('a served .asx with several entries: first entry REFs in order, later entries after, duplicates once', async () => {
    routes.set('/list.asx', {
      body: asx(
        '<TITLE>List</TITLE>',
        entry('mms://a/1', 'http://a/1'),
        entry('mms://b/2', 'mms://a/1'),
        entry('rel/3.wmv'),
      ),
    });
    assert.deepEqual(await resolveInput(`${base}/list.asx`), {
      kind: 'url',
      candidates: ['mms://a/1', 'http://a/1', 'mms://b/2', `${base}/rel/3.wmv`],
      title: 'List',
      warnings: [],
    });
  });

  it('a .wax served as text/plain through a redirect still parses, relative REFs against the final URL', async () => {
    routes.set('/old/radio.wax', { status: 302, headers: { Location: '/new/radio.wax' } });
    routes.set('/new/radio.wax', { type: 'text/plain', body: asx(entry('audio.wma')) });
    assert.deepEqual((await resolveInput(`${base}/old/radio.wax`)).candidates, [`${base}/new/audio.wma`]);
  });

  it('an extension-less URL answering video/x-ms-asf with a [Reference] body is a redirector', async () => {
    routes.set('/live', {
      type: 'video/x-ms-asf',
      body: '[Reference]\r\nRef1=http://h/live?MSWMExt=.asf\r\n',
    });
    assert.deepEqual((await resolveInput(`${base}/live`)).candidates, ['http://h/live?MSWMExt=.asf']);
  });

  it('an extension-less URL answering ASF bytes, another content type, or nothing is left as the stream URL', async () => {
    routes.set('/stream', { type: 'video/x-ms-asf', body: Buffer.concat([GUID.header, Buffer.alloc(5000)]) });
    routes.set('/page', { type: 'text/html', body: '<ASX><ENTRY><REF HREF="mms://x/"/></ENTRY></ASX>' });
    for (const p of ['/stream', '/page', '/missing']) {
      assert.deepEqual((await resolveInput(`${base}${p}`)).candidates, [`${base}${p}`]);
    }
    assert.deepEqual((await resolveInput(`${base}/live`, { sniffHttp: false })).candidates, [`${base}/live`]);
  });

  it('an ENTRYREF chain .asx -> .asx -> .nsc replaces each ENTRYREF in place', async () => {
    routes.set('/chain/a.asx', {
      body: asx(entry('mms://a/first'), entryRef('b.asx'), entry('mms://a/last')),
    });
    routes.set('/chain/b.asx', {
      body: asx('<TITLE>B</TITLE>', entry('mms://b/1', 'mms://b/2'), entryRef(`${base}/chain/c.nsc`)),
    });
    routes.set('/chain/c.nsc', {
      type: 'application/x-netshow-channel',
      body: '[Address]\r\nIP Address=239.0.0.9\r\nIP Port=0x00001F40\r\nUnicast URL=mms://c/unicast\r\n',
    });
    assert.deepEqual(await resolveInput(`${base}/chain/a.asx`), {
      kind: 'url',
      candidates: ['mms://a/first', 'mms://b/1', 'mms://b/2', 'mms://c/unicast', 'mms://a/last'],
      title: 'B',
      warnings: [],
    });
  });

  it('an ENTRYREF loop is stopped: alone it is an error, next to REFs it is skipped with a warning', async () => {
    routes.set('/loop/x.asx', { body: asx(entryRef('y.asx')) });
    routes.set('/loop/y.asx', { body: asx(entryRef('x.asx')) });
    await assert.rejects(
      resolveInput(`${base}/loop/x.asx`),
      rejectsWith(
        'E_METAFILE_NO_URL',
        /no stream URL left: ENTRYREF .*y\.asx skipped: .*ENTRYREF loop: .*x\.asx -> .*y\.asx -> .*x\.asx/,
      ),
    );
    routes.set('/loop/self.asx', { body: asx(entry('mms://s/1'), entryRef('self.asx')) });
    const r = await resolveInput(`${base}/loop/self.asx`);
    assert.deepEqual(r.candidates, ['mms://s/1']);
    assert.equal(r.warnings.length, 1);
    assert.match(r.warnings[0]!, /ENTRYREF loop/);
  });

  it(`ENTRYREFs are followed ${MAX_ENTRYREF_DEPTH} levels deep and no further`, async () => {
    for (let i = 0; i <= MAX_ENTRYREF_DEPTH + 1; i++) {
      routes.set(`/deep/${i}.asx`, { body: asx(entry(`mms://d/${i}`), entryRef(`${i + 1}.asx`)) });
    }
    const r = await resolveInput(`${base}/deep/0.asx`);
    assert.deepEqual(
      r.candidates,
      Array.from({ length: MAX_ENTRYREF_DEPTH + 1 }, (_, i) => `mms://d/${i}`),
    );
    assert.equal(r.warnings.length, 1);
    assert.match(
      r.warnings[0]!,
      new RegExp(`${MAX_ENTRYREF_DEPTH + 1}\\.asx skipped: ENTRYREFs nest deeper than ${MAX_ENTRYREF_DEPTH}`),
    );
  });

  it('an ENTRYREF from a served metafile to a local file is refused', async () => {
    const local = join(dir, 'secret.asx');
    writeFileSync(local, asx(entry('mms://secret/')));
    routes.set('/evil.asx', { body: asx(entry('mms://ok/'), entryRef(pathToFileURL(local).href)) });
    const r = await resolveInput(`${base}/evil.asx`);
    assert.deepEqual(r.candidates, ['mms://ok/']);
    assert.match(r.warnings[0]!, /cannot refer to a local file/);
  });

  it('an error status, a body over 1 MiB and a server that never answers end with their own errors', async () => {
    await assert.rejects(
      resolveInput(`${base}/gone.asx`),
      rejectsWith('E_METAFILE_FETCH', /gone\.asx: HTTP 404/),
    );
    routes.set('/huge.asx', { type: 'text/plain', body: Buffer.alloc(2 * 1024 * 1024, 0x20) });
    await assert.rejects(
      resolveInput(`${base}/huge.asx`),
      rejectsWith('E_METAFILE_TOO_LARGE', /at most 1048576 bytes/),
    );
    routes.set('/slow.asx', { hang: true });
    const t0 = Date.now();
    await assert.rejects(
      resolveInput(`${base}/slow.asx`, { timeoutMs: 300 }),
      rejectsWith('E_METAFILE_TIMEOUT', /300 ms/),
    );
    assert.ok(Date.now() - t0 < 2000, `took ${Date.now() - t0} ms`);
  });

  it('redirects are followed at most 5 times', async () => {
    for (let i = 0; i < 7; i++)
      routes.set(`/r${i}.asx`, { status: 301, headers: { Location: `/r${i + 1}.asx` } });
    await assert.rejects(
      resolveInput(`${base}/r0.asx`),
      rejectsWith('E_METAFILE_FETCH', /more than 5 redirects/),
    );
  });
});
