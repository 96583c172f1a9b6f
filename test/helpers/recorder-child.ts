// A recorder in its own process, for a real kill -9: records a sample file to OUT, one packet every
// millisecond or so, with a checkpoint every 30 ms, and says "recording" once packets are flowing.
//   npx tsx test/helpers/recorder-child.ts SAMPLE OUT
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseFileStart } from '../../src/asf/index.js';
import { Recorder } from '../../src/streaming/recorder.js';

const [sample, out] = process.argv.slice(2);
if (!sample || !out) throw new Error('usage: recorder-child.ts SAMPLE OUT');
const bytes = await readFile(sample);
const layout = parseFileStart(bytes, bytes.length);
const rec = await Recorder.create(out, layout.headerBytes, { checkpointMs: 30 });
for (let n = 0; n < layout.packetCount; n++) {
  const at = layout.firstPacketOffset + n * layout.packetSize;
  await rec.packet(bytes.subarray(at, at + layout.packetSize));
  if (n === 20) process.stdout.write('recording\n');
  await sleep(1);
}
await rec.finish();
process.stdout.write('finished\n');
