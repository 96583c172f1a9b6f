// GStreamer 1.22 as a client, for MS-RTSP: rtspsrc (its Windows Media extension activates on a
// `Server: WMServer/...` answer) and rtpasfdepay, the depayloaded ASF written to a file and decoded
// afterwards. For http:// it is a plain download (souphttpsrc). Debian's GStreamer has no MMS element,
// so mms*:// URLs are refused before anything runs. `transport` (or `extraArgs: ['tcp'|'udp']`) picks
// the RTSP transport. The pipeline is ended with SIGINT (-e makes that a clean end of stream).
//
// The rtsp:// pipeline has one branch (rtspsrc ! rtpasfdepay ! filesink, linked to rtspsrc's first
// pad): an MS-RTSP server sends the whole session as one RTP flow on the first SETUP's port/channel
// (rtsp.md 5.1), and rtspsrc's pads carry `media=application` (from `m=application`), so the lab's old
// two-branch `media=video` / `media=audio` pipeline never linked and hung. `buffer-mode=0` (none):
// with the default (auto → `buffer`, chosen because the PLAY reply has a Range) rtspsrc posts
// `buffering 0%` and gst-launch holds the pipeline in PAUSED, so nothing reaches the file (seen against
// netshow on 2026-11-24); with none, slave or synced the recording holds every frame.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Capture, CaptureRequest } from './driver.js';
import { decodeFramemd5 } from './framemd5.js';
import { runLimited } from './process.js';

export class UnsupportedUrl extends Error {}

export async function gstCapture(req: CaptureRequest): Promise<Capture> {
  if (/^mms[thu]?:/.test(req.url)) throw new UnsupportedUrl('Debian 12 GStreamer has no MMS source element');
  const files: string[] = [];
  const args = ['-e'];
  if (req.url.startsWith('rtsp://')) {
    const transport = req.transport ?? req.extraArgs?.[0];
    const f = join(req.dir, 'gst-rtsp.asf');
    files.push(f);
    args.push('rtspsrc', `location=${req.url}`, 'latency=500', 'buffer-mode=0', 'tcp-timeout=15000000');
    if (transport) args.push(`protocols=${transport}`);
    args.push('!', 'rtpasfdepay', '!', 'filesink', `location=${f}`);
  } else {
    const f = join(req.dir, 'gst-http.asf');
    files.push(f);
    args.push('souphttpsrc', `location=${req.url}`, 'timeout=15', '!', 'filesink', `location=${f}`);
  }
  const limited = req.durationS !== undefined;
  const run = await runLimited('gst-launch-1.0', args, {
    log: req.log,
    timeoutS: limited ? (req.durationS ?? 0) + 2 : req.timeoutS,
    signal: limited ? 'INT' : 'TERM',
  });
  if (limited && run.code === 124) Object.assign(run, { code: 0, timedOut: false });
  const inputs = files.filter((f) => existsSync(f) && statSync(f).size > 0);
  const out = join(req.dir, 'gst.framemd5');
  if (inputs.length === 1 && inputs[0] !== undefined) {
    await decodeFramemd5(inputs[0], out, { log: req.log });
  } else if (inputs.length > 1) {
    // one FFmpeg run over every depayloaded stream, so the stream numbers follow the inputs
    const ff = inputs.flatMap((f) => ['-i', f]);
    const maps = inputs.flatMap((_, i) => ['-map', String(i)]);
    await runLimited(
      'ffmpeg',
      ['-nostdin', '-hide_banner', '-loglevel', 'error', ...ff, ...maps, '-f', 'framemd5', '-y', out],
      { log: req.log, timeoutS: 60 },
    );
  }
  return { kind: 'framemd5', path: out, run };
}
