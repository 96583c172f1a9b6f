// mpv 0.35 as a client: plays for real with null outputs and no clock (--untimed), and records the
// demuxed packets with --stream-record (Matroska, packets copied). mpv reaches mmst/mmsh/rtsp through
// libavformat. Its --network-timeout does not end a stalled MMS connection; the hard limit does.
import { join } from 'node:path';
import type { Capture, CaptureRequest } from './driver.js';
import { runLimited } from './process.js';

export async function mpvCapture(req: CaptureRequest): Promise<Capture> {
  const out = join(req.dir, 'mpv.mkv');
  const args = [
    '--no-config',
    '--msg-level=all=info',
    '--vo=null',
    '--ao=null',
    '--ao-null-untimed',
    '--untimed',
    '--network-timeout=15',
    `--stream-record=${out}`,
  ];
  if (req.transport && req.url.startsWith('rtsp://')) args.push(`--rtsp-transport=${req.transport}`);
  if (req.seekS !== undefined) args.push(`--start=${req.seekS}`);
  if (req.durationS !== undefined) args.push(`--length=${req.durationS}`);
  const run = await runLimited('mpv', [...args, ...(req.extraArgs ?? []), req.url], {
    log: req.log,
    timeoutS: req.timeoutS,
  });
  return { kind: 'media', path: out, run };
}
