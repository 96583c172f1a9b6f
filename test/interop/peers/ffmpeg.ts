// FFmpeg 5.1 as a client: decodes the URL straight to per-frame checksums (-f framemd5), so its own
// mmst/mmsh/rtsp/http code and the decoders run, and no intermediate file exists.
// FFmpeg ignores -rw_timeout on mmsh:// (the hard limit of process.ts ends a stall); it is kept for
// mmst:// and http://, and replaced by -timeout on rtsp:// (which refuses -rw_timeout). A seek is FFmpeg's input -ss, which on mmsh:// reconnects with a start time;
// -noaccurate_seek keeps every decoded frame from the key frame on (no trimmed first audio frame).
//
// FFmpeg's mmst:// never reports the end of the stream (mmsp.md 7.2; seen against netshow on 2026-11-24):
// at ReportEndOfStream it prints "Corrupt stream (unexpected packet type 0x1e ...)" and blocks; once the
// server closes the connection 5 s later it loops on "Error reading packet header" (about 16 MB of log a
// second), ignores TERM, and the framemd5 muxer never writes its buffered lines. `-t` at or past the start
// of the last frame hangs the same way: FFmpeg closes an output stream only when a frame at or past the
// bound arrives. So an on-demand mmst:// run is bounded just before the start of the reference's last
// frame (mmstBound); it then exits by itself and lacks at most the last frame of each stream.
import { join } from 'node:path';
import type { Capture, CaptureRequest } from './driver.js';
import { PASSTHROUGH } from './framemd5.js';
import type { StreamFrames } from './framemd5.js';
import { runLimited } from './process.js';

/** FFmpeg on mmst:// never stops by itself (file comment): true when a whole-file run must be bounded. */
export function ffmpegNeedsBound(url: string): boolean {
  return url.startsWith('mmst:');
}

/** Seconds for `-t`: 10 ms before the start of the reference's last frame (of any stream). */
export function mmstBound(reference: readonly StreamFrames[]): number {
  const starts = reference.flatMap((s) => s.frames.map((f) => f.pts * s.timeBase));
  return Math.max(0, ...starts) - 0.01;
}

export async function ffmpegCapture(req: CaptureRequest): Promise<Capture> {
  const out = join(req.dir, 'ffmpeg.framemd5');
  const args = ['-nostdin', '-hide_banner', '-loglevel', 'info'];
  if (req.url.startsWith('rtsp://')) {
    // FFmpeg 5.1's rtsp demuxer has no -rw_timeout ("Option rw_timeout not found"): its socket
    // timeout is -timeout (µs), and the RTP transport is -rtsp_transport.
    args.push('-timeout', '15000000');
    if (req.transport) args.push('-rtsp_transport', req.transport);
  } else {
    args.push('-rw_timeout', '15000000');
  }
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
  // Bounded by mmstBound: the last frame of each stream starts at or past the bound.
  const bounded = req.durationS !== undefined && ffmpegNeedsBound(req.url);
  const allowance = seeked ? { tailSlack: 2 } : bounded ? { tailSlack: 1 } : undefined;
  return { kind: 'framemd5', path: out, run, ...(allowance ? { allowance } : {}) };
}
