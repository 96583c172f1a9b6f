// What every client driver (ffmpeg.ts, vlc.ts, ...) takes and gives back.
import type { CompareOptions } from './framemd5.js';
import type { RunResult } from './process.js';

export interface CaptureRequest {
  url: string;
  /** A fresh folder for this run: the capture and any scratch files go here. */
  dir: string;
  log: string;
  timeoutS: number;
  /** Start playing at this many seconds (the client's own seek). */
  seekS?: number;
  /** Bandwidth in bit/s the client may claim when it picks among multiple-bitrate streams. */
  bandwidthBps?: number;
  /** Stop after this many seconds of media (live sources). */
  durationS?: number;
  /** rtsp:// only: `tcp` (interleaved) or `udp` RTP transport, in each client's own spelling. */
  transport?: 'tcp' | 'udp';
  extraArgs?: readonly string[];
}

export interface Capture {
  /** `media`: a file FFmpeg decodes next; `framemd5`: the client already wrote frame checksums. */
  kind: 'media' | 'framemd5';
  path: string;
  run: RunResult;
  /** What this way of capturing is known to lose, so the comparison allows exactly that. */
  allowance?: Pick<CompareOptions, 'maxLead' | 'tailSlack'>;
}

export type Driver = (req: CaptureRequest) => Promise<Capture>;
