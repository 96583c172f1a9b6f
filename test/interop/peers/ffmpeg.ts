// FFmpeg 5.1 as a client: decodes the URL straight to per-frame checksums (-f framemd5), so its own
// mmst/mmsh/rtsp/http code and the decoders run, and no intermediate file exists.
// FFmpeg ignores -rw_timeout on mmsh:// (the hard limit of process.ts ends a stall); it is kept for
// mmst:// and http://. A seek is FFmpeg's input -ss, which on mmsh:// reconnects with a start time;
// -noaccurate_seek keeps every decoded frame from the key frame on (no trimmed first audio frame).
import { join } from 'node:path';
import type { Capture, CaptureRequest } from './driver.js';
import { PASSTHROUGH } from './framemd5.js';
import { runLimited } from './process.js';

export async function ffmpegCapture(req: CaptureRequest): Promise<Capture> {
  const out = join(req.dir, 'ffmpeg.framemd5');
  const args = ['-nostdin', '-hide_banner', '-loglevel', 'info', '-rw_timeout', '15000000'];
  if (req.url.startsWith('rtsp://')) args.push('-timeout', '15000000');
  if (req.seekS !== undefined) args.push('-ss', String(req.seekS), '-noaccurate_seek');
  args.push('-i', req.url);
  if (req.durationS !== undefined) args.push('-t', String(req.durationS));
  args.push('-map', '0', ...PASSTHROUGH, ...(req.extraArgs ?? []), '-f', 'framemd5', '-y', out);
  const run = await runLimited('ffmpeg', args, { log: req.log, timeoutS: req.timeoutS });
  // After a seek on mmsh:// FFmpeg 5.1 reports its position one ASF packet ahead: its mmsh_seek adds the
  // already-buffered first $D to header + LocationId x packet size, so its ASF demuxer takes the last
  // packet for the end of the Data Object and never reads it. On file d that packet holds the last 2
  // video frames. The server cannot correct it (libmms checks the LocationId), so exactly those may lack.
  const seeked = req.seekS !== undefined && req.url.startsWith('mmsh:');
  return { kind: 'framemd5', path: out, run, ...(seeked ? { allowance: { tailSlack: 2 } } : {}) };
}
