// MPlayer 1.5 as a client: -dumpstream writes the ASF stream its own MMS/TCP and MMSH code received
// (MPlayer does not use FFmpeg or libmms for mms). -dumpstream has no stop-after option: a duration is an
// interrupt. -bandwidth is MPlayer's limit for its choice among multiple-bitrate streams.
import { join } from 'node:path';
import type { Capture, CaptureRequest } from './driver.js';
import { runLimited } from './process.js';

export async function mplayerCapture(req: CaptureRequest): Promise<Capture> {
  const out = join(req.dir, 'mplayer.asf');
  const args = [
    '-noconfig',
    'all',
    '-nolirc',
    '-nojoystick',
    '-noconsolecontrols',
    '-nomouseinput',
    '-prefer-ipv4',
    '-vo',
    'null',
    '-ao',
    'null',
  ];
  if (req.bandwidthBps !== undefined) args.push('-bandwidth', String(req.bandwidthBps));
  if (req.url.startsWith('rtsp://') && req.extraArgs?.includes('tcp')) args.push('-rtsp-stream-over-tcp');
  args.push('-dumpstream', '-dumpfile', out, ...(req.extraArgs?.filter((a) => a !== 'tcp') ?? []), req.url);
  const limited = req.durationS !== undefined;
  const run = await runLimited('mplayer', args, {
    log: req.log,
    timeoutS: limited ? (req.durationS ?? 0) + 2 : req.timeoutS,
    signal: limited ? 'INT' : 'TERM',
  });
  if (limited && run.code === 124) Object.assign(run, { code: 0, timedOut: false });
  return { kind: 'media', path: out, run };
}
