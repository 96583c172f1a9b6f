// `netshow serve` as a person runs it: a config file with a broadcast point that plays, a flag that wins over the
// file, and a broken config or flag answered with one line naming the place, exit 1.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openMmsh } from '../../src/client/mmsh-adapter.js';
import { MEDIA } from '../helpers/client-streams.js';

const MAIN = ['--import', 'tsx', 'src/cli/main.ts'];

async function run(
  args: readonly string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [...MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += String(b)));
  child.stderr.on('data', (b: Buffer) => (stderr += String(b)));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr };
}

/** Starts `serve`, resolves with its stdout once `lines` lines are out. */
async function serve(args: readonly string[], lines: number): Promise<{ child: ChildProcess; out: string }> {
  const child = spawn(process.execPath, [...MAIN, 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  for await (const chunk of child.stdout) {
    out += String(chunk);
    if (out.split('\n').length > lines) break;
  }
  return { child, out };
}

describe('netshow serve with a config file', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'netshow-serve-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('serves the broadcast points of the file; a port flag wins over the file', async () => {
    const config = join(dir, 'netshow.yaml');
    writeFileSync(
      config,
      [
        `media: ${resolve(MEDIA)}`,
        'host: 127.0.0.1',
        'ports: { http: 1, mms: null, rtsp: null }',
        'broadcast:',
        '  - path: /tv',
        '    source:',
        `      playlist: ${resolve(MEDIA, 'b-wmav2-10s.wma')}`,
        '',
      ].join('\n'),
    );
    const { child, out } = await serve(['--config', config, '--http-port', '0', '--log-level', 'warn'], 3);
    try {
      assert.match(out, /^mmsh listening on 127\.0\.0\.1:\d+/m);
      assert.doesNotMatch(out, /^mms listening/m, 'mms: null in the file');
      const url = /broadcast \/tv: playlist .* e\.g\. (mmsh:\/\/\S+)/.exec(out)?.[1];
      assert.ok(url, out);
      const stream = await openMmsh(new URL(url), { connectTimeoutMs: 8000 });
      try {
        assert.equal(stream.live, true);
        let packets = 0;
        for await (const item of stream.packets) if (item.kind === 'packet' && ++packets >= 3) break;
        assert.equal(packets, 3);
      } finally {
        await stream.close();
      }
    } finally {
      child.kill('SIGTERM');
      await once(child, 'close');
    }
  });

  it('a config error is one line with file:line:column, exit 1', async () => {
    const config = join(dir, 'bad.yaml');
    writeFileSync(config, 'ports:\n  htp: 8080\n');
    const r = await run(['serve', '--config', config]);
    assert.equal(r.code, 1);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, /^netshow serve: .*bad\.yaml:2:3: .*unknown key "htp" \(did you mean "http"\?\)/);
  });

  it('a bad --broadcast is one line naming the flag, exit 1', async () => {
    const r = await run(['serve', '--broadcast', '/x=ftp://nowhere/']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /--broadcast/);
  });
});
