// Runs one client against one URL from the command line and prints the verdict: for trying a driver
// against any MMSH/MMS/RTSP server by hand. With a REFERENCE, FFmpeg on mmst:// is bounded just before the
// last frame, as in the tests (ffmpeg.ts).
//   npx tsx test/interop/peers/cli.ts CLIENT URL [REFERENCE] [--seek S] [--bandwidth BPS]
//                                     [--timeout S] [--duration S] [--live] [--arg WORD]...
// --live compares by the live rule (live-compare.ts): the client joined a broadcast of REFERENCE, looped.
import { parseArgs } from 'node:util';
import { CLIENTS, missingFor, runPeer } from './index.js';
import type { ClientName, PeerRun } from './index.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    seek: { type: 'string' },
    bandwidth: { type: 'string' },
    timeout: { type: 'string' },
    duration: { type: 'string' },
    live: { type: 'boolean' },
    arg: { type: 'string', multiple: true },
  },
});
const [client, url, reference] = positionals;
if (!client || !url || !(CLIENTS as readonly string[]).includes(client)) {
  console.error(`usage: cli.ts ${CLIENTS.join('|')} URL [REFERENCE] [--seek S] [--bandwidth BPS] ...`);
  process.exit(2);
}
const name = client as ClientName;
const missing = missingFor(name);
if (missing) {
  console.error(`${name} cannot run here (missing: ${missing}) — run scripts/install-peers.sh`);
  process.exit(3);
}
const opts: PeerRun = { label: 'cli' };
if (reference) opts.reference = reference;
if (values.seek) opts.seekS = Number(values.seek);
if (values.bandwidth) opts.bandwidthBps = Number(values.bandwidth);
if (values.timeout) opts.timeoutS = Number(values.timeout);
if (values.duration) opts.durationS = Number(values.duration);
if (values.arg) opts.extraArgs = values.arg;
if (values.live) opts.compare = { mode: 'live' };
const v = await runPeer(name, url, opts);
console.log(v.summary);
console.log(`log: ${v.log}`);
process.exit(v.pass ? 0 : 1);
