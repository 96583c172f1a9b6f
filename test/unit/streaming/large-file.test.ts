// A 2 GB ASF file is served without being loaded: the header, the chunk a session is at, nothing more.
// The file is sparse (a real header, real packets at both ends, holes elsewhere), so it costs no disk.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { headerObjectSize, packetSendTime, parseFileStart } from '../../../src/asf/index.js';
import { FileSource } from '../../../src/streaming/file-source.js';
import { runInspect } from '../../../src/cli/inspect.js';

it('opens a 2 GB file and reads packets at both ends with little memory', async () => {
  const a = await readFile('test/fixtures/media/a-wmv2-wmav2-10s.wmv');
  const layout = parseFileStart(a.subarray(0, headerObjectSize(a) + 50), a.length);
  const S = layout.packetSize;
  const packets = Math.ceil((2 * 1024 ** 3) / S);
  const size = layout.firstPacketOffset + packets * S;
  // Same header, with the Data Object and File Properties sizes and counts of the big file.
  const head = Buffer.from(a.subarray(0, layout.firstPacketOffset));
  head.writeBigUInt64LE(BigInt(50 + packets * S), layout.dataObjectOffset + 16);
  head.writeBigUInt64LE(BigInt(packets), layout.dataObjectOffset + 40);
  const fp = head.indexOf(Buffer.from('a1dcab8c47a9cf118ee400c00c205365', 'hex'));
  head.writeBigUInt64LE(BigInt(size), fp + 40);
  head.writeBigUInt64LE(BigInt(packets), fp + 56);

  const dir = await mkdtemp(join(tmpdir(), 'netshow-big-'));
  const path = join(dir, 'big.wmv');
  const fh = await open(path, 'w');
  try {
    await fh.write(head, 0, head.length, 0);
    const first = a.subarray(layout.firstPacketOffset, layout.firstPacketOffset + S);
    await fh.write(first, 0, S, layout.firstPacketOffset);
    await fh.write(first, 0, S, layout.firstPacketOffset + (packets - 1) * S);
    await fh.truncate(size);
  } finally {
    await fh.close();
  }
  try {
    const rss0 = process.memoryUsage().rss;
    const src = await FileSource.open(path);
    assert.equal(src.packetCount, packets);
    assert.equal(src.fileSize, size);
    assert.equal(packetSendTime(await src.packet(0)), packetSendTime(a.subarray(layout.firstPacketOffset)));
    assert.deepEqual(await src.packet(packets - 1), await src.packet(0));
    const lines: string[] = [];
    assert.equal(await runInspect(path, {}, (l) => lines.push(l)), 0);
    assert.match(lines.join('\n'), new RegExp(`packets ${packets} x ${S}`));
    const grown = process.memoryUsage().rss - rss0;
    assert.ok(grown < 64 * 1024 * 1024, `RSS grew by ${grown} bytes`);
    await src.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
