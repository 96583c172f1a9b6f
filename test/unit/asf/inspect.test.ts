// `netshow inspect` on every sample file, and on broken ones (one clear line, exit code 1).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runInspect } from '../../../src/cli/inspect.js';
import { FIXTURES, fixture } from './fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'netshow-inspect-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function inspect(
  file: string,
  opts: { json?: boolean; packets?: boolean } = {},
): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const code = await runInspect(file, opts, (l) => lines.push(l));
  return { code, lines };
}

for (const key of Object.keys(FIXTURES) as (keyof typeof FIXTURES)[]) {
  void test(`inspect ${key}: text, JSON and --packets`, async () => {
    const f = fixture(key);
    const text = await inspect(f.path);
    assert.equal(text.code, 0);
    assert.match(text.lines[0]!, new RegExp(`: ASF, ${f.bytes.length} bytes$`));
    assert.ok(text.lines.some((l) => l.includes(`packets ${f.layout.packetCount} x 3200 bytes`)));
    for (const s of f.layout.header.streams)
      assert.ok(text.lines.some((l) => l.startsWith(`  stream ${s.streamNumber} ${s.kind}`)));

    const json = await inspect(f.path, { json: true });
    assert.equal(json.code, 0);
    const summary = JSON.parse(json.lines.join('\n')) as {
      packetCount: number;
      streams: unknown[];
      index: { present: boolean };
    };
    assert.equal(summary.packetCount, f.layout.packetCount);
    assert.equal(summary.streams.length, f.layout.header.streams.length);
    assert.equal(summary.index.present, key !== 'b');

    const packets = await inspect(f.path, { packets: true });
    assert.equal(packets.code, 0);
    const lines = packets.lines.filter((l) => l.startsWith('#'));
    assert.equal(lines.length, f.layout.packetCount);
    assert.match(lines[0]!, /^#0 @\d+ send 0 dur \d+ pad \d+ \[s\d/);

    const both = await inspect(f.path, { packets: true, json: true });
    const parsed = JSON.parse(both.lines.join('\n')) as {
      packetList: unknown[];
      packets: { parsed: number };
    };
    assert.equal(parsed.packetList.length, f.layout.packetCount);
    assert.equal(parsed.packets.parsed, f.layout.packetCount);
  });
}

void test('inspect c: MBR details in the text', async () => {
  const { lines } = await inspect(fixture('c').path);
  assert.ok(lines.includes('  stream 2 video WMV2 (Windows Media Video 8) 160x120, 140.7 kb/s'));
  assert.ok(lines.includes('  mutual exclusion (bitrate, in the header extension): 1, 2'));
  assert.ok(lines.includes('  title: netshow test C MBR'));
});

const oneLine = /^netshow inspect: .+: .+ at byte \d+$/;

void test('inspect a truncated file: one line, exit 1', async () => {
  const f = fixture('a');
  for (const cut of [10, 100, 500, f.layout.headerObjectSize + 20, 100_000]) {
    const file = join(dir, `cut-${cut}.wmv`);
    writeFileSync(file, f.bytes.subarray(0, cut));
    const { code, lines } = await inspect(file);
    assert.equal(code, 1, `cut at ${cut}`);
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, oneLine);
  }
});

void test('inspect --packets on a corrupt packet reports its byte offset', async () => {
  const f = fixture('a');
  const bytes = Buffer.from(f.bytes);
  const at = f.layout.firstPacketOffset + 7 * 3200;
  bytes[at] = 0xa2;
  const file = join(dir, 'corrupt.wmv');
  writeFileSync(file, bytes);
  const { code, lines } = await inspect(file, { packets: true });
  assert.equal(code, 1);
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, new RegExp(`at byte ${at}$`));
});

void test('inspect a file that is not ASF, and one that does not exist', async () => {
  const file = join(dir, 'not.asf');
  writeFileSync(file, Buffer.alloc(4096, 0x41));
  const r = await inspect(file);
  assert.equal(r.code, 1);
  assert.deepEqual(r.lines, [
    `netshow inspect: ${file}: ASF header: not an ASF file (no Header Object GUID) at byte 0`,
  ]);
  const missing = await inspect(join(dir, 'missing.wmv'));
  assert.equal(missing.code, 1);
  assert.equal(missing.lines.length, 1);
});
