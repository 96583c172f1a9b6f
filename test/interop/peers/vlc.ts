// VLC 3.0 (dummy interface) as a client. By default it dumps what its MMS access module received
// (--demux=dump): the exact ASF bytes, so only VLC's protocol code is under test. A seek needs VLC's ASF
// demuxer (the dump demuxer cannot seek by time), so with seekS it re-muxes instead
// (--sout '#std{access=file,mux=asf}'), which is lossy by VLC's own doing even from a local file: it
// alters the first audio frame and drops the last 3 frames of each stream; `allowance` says so.
// VLC seeks an MMSH stream by byte position (Pragma stream-offset), estimated from the bit rate.
// Runs as nobody when we are root (unprivileged.ts).
import { copyFileSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Capture, CaptureRequest } from './driver.js';
import { runLimited } from './process.js';
import { unprivileged } from './unprivileged.js';

export async function vlcCapture(req: CaptureRequest): Promise<Capture> {
  const who = unprivileged(req.dir, 'vlc');
  const scratch = join(who.workDir, 'vlc.asf');
  const out = join(req.dir, 'vlc.asf');
  const args = [
    '--intf=dummy',
    '--aout=dummy',
    '--vout=dummy',
    '--verbose=1',
    '--no-interact',
    '--play-and-exit',
    '--no-sout-all',
    '--mms-timeout=15000',
    '--network-caching=1000',
  ];
  if (req.bandwidthBps !== undefined) args.push(`--mms-maxbitrate=${req.bandwidthBps}`);
  const remux = req.seekS !== undefined;
  if (remux) {
    args.push(`--start-time=${req.seekS}`, `--sout=#std{access=file,mux=asf,dst=${scratch}}`);
  } else {
    args.push('--demux=dump', `--demuxdump-file=${scratch}`);
  }
  // The dump demuxer ignores --run-time: a duration is an interrupt (VLC closes the file on SIGINT).
  const limited = req.durationS !== undefined && !remux;
  if (req.durationS !== undefined && remux) args.push(`--run-time=${req.durationS}`);
  const run = await runLimited('vlc', [...args, ...(req.extraArgs ?? []), req.url], {
    log: req.log,
    timeoutS: limited ? (req.durationS ?? 0) + 2 : req.timeoutS,
    signal: limited ? 'INT' : 'TERM',
    cwd: who.workDir,
    env: who.env,
    prefix: who.prefix,
  });
  if (limited && run.code === 124) Object.assign(run, { code: 0, timedOut: false });
  if (scratch !== out) {
    if (existsSync(scratch)) copyFileSync(scratch, out);
    rmSync(who.workDir, { recursive: true, force: true });
  }
  return {
    kind: 'media',
    path: out,
    run,
    ...(remux ? { allowance: { maxLead: 2, tailSlack: 3 } } : {}),
  };
}
