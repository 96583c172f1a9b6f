// FFmpeg as a live encoder: pushes a media file, looped and in real time (-re), as one endless ASF
// stream in an HTTP POST body to a broadcast publishing point, the way Windows Media Encoder pushes
// to a server. The packets are copied (-c copy), so the stream decodes to the file's own frames.
// It runs under the same hard limit as every peer (process.ts), in its own process group, which
// stop() ends: TERM, then KILL 5 s later; kill() sends one signal at once (a crash, for restart tests).
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { appendLog, shellQuote } from './process.js';

export interface Encoder {
  readonly log: string;
  /** Resolves with the exit status once FFmpeg (or `timeout` above it) is gone. */
  readonly exited: Promise<number>;
  /** True while it runs. */
  running(): boolean;
  stop(): Promise<number>;
  /** Sends `signal` to the whole process group at once (SIGKILL: a crash mid-stream) and waits until it is gone. */
  kill(signal: NodeJS.Signals): Promise<number>;
}

export interface EncoderOptions {
  /** The file to push; played round and round. */
  source: string;
  /** http://host:port/point: where the body is POSTed. */
  url: string;
  log: string;
  /** Hard limit in seconds (default 120). */
  timeoutS?: number;
}

export function startEncoder(o: EncoderOptions): Encoder {
  const ffmpeg = [
    'ffmpeg',
    ...['-nostdin', '-hide_banner', '-loglevel', 'warning'],
    ...['-re', '-stream_loop', '-1', '-i', o.source],
    ...['-map', '0', '-c', 'copy', '-f', 'asf', '-method', 'POST', o.url],
  ];
  const argv = ['-k', '5', String(o.timeoutS ?? 120), ...ffmpeg];
  appendLog(o.log, `+ ${shellQuote(['timeout', ...argv])}`);
  const fd = openSync(o.log, 'a');
  const started = performance.now();
  let child;
  try {
    child = spawn('timeout', argv, { stdio: ['ignore', fd, fd], detached: true });
  } finally {
    closeSync(fd);
  }
  let code: number | undefined;
  const exited = new Promise<number>((resolve) => {
    child.once('error', (err) => {
      appendLog(o.log, `+ cannot start: ${err.message}`);
      code = 127;
      resolve(code);
    });
    child.once('close', (status, signal) => {
      code = status ?? (signal ? 128 + 15 : 1);
      appendLog(o.log, `+ exit status ${code} after ${((performance.now() - started) / 1000).toFixed(1)} s`);
      resolve(code);
    });
  });
  const signal = (sig: NodeJS.Signals): void => {
    if (code !== undefined || child.pid === undefined) return;
    try {
      // only the process group started here: `timeout` and FFmpeg under it
      process.kill(-child.pid, sig);
    } catch {
      // already gone
    }
  };
  return {
    log: o.log,
    exited,
    running: () => code === undefined,
    async stop() {
      signal('SIGTERM');
      const timer = setTimeout(() => signal('SIGKILL'), 5000);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
    kill(sig) {
      appendLog(o.log, `+ ${sig} after ${((performance.now() - started) / 1000).toFixed(1)} s`);
      signal(sig);
      return exited;
    },
  };
}
