// Runs one third-party client under a hard wall-clock limit, with everything it prints appended to a
// log file. The limit is coreutils `timeout -k 5`: several clients ignore their own timeouts (FFmpeg on
// mmsh://, mpv, libmms), so nothing but a signal from outside reliably ends a stalled test.
import { spawn } from 'node:child_process';
import { appendFileSync, closeSync, openSync } from 'node:fs';

export interface RunOptions {
  /** Log file: the command line, then the client's stdout and stderr, then how it ended. */
  log: string;
  /** Seconds before the client gets `signal`; KILL follows 5 s later. */
  timeoutS: number;
  /** Signal sent at the limit: TERM, or INT for clients that only close their output cleanly on it. */
  signal?: 'TERM' | 'INT';
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Words put before the command, e.g. setpriv to drop root (see unprivileged.ts). */
  prefix?: readonly string[];
}

export interface RunResult {
  /** The client's exit status, 124 when the limit was reached, 137 when it had to be killed. */
  code: number;
  timedOut: boolean;
  elapsedS: number;
}

/** Arguments are logged quoted, so a failing line can be pasted into a shell. */
export function shellQuote(words: readonly string[]): string {
  return words.map((w) => (/^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`)).join(' ');
}

export function appendLog(log: string, line: string): void {
  appendFileSync(log, line.endsWith('\n') ? line : `${line}\n`);
}

export async function runLimited(cmd: string, args: readonly string[], opts: RunOptions): Promise<RunResult> {
  const argv = [
    '-k',
    '5',
    '-s',
    opts.signal ?? 'TERM',
    String(opts.timeoutS),
    ...(opts.prefix ?? []),
    cmd,
    ...args,
  ];
  appendLog(opts.log, `+ ${shellQuote([cmd, ...args])}   (limit ${opts.timeoutS} s)`);
  const fd = openSync(opts.log, 'a');
  const started = performance.now();
  try {
    const code = await new Promise<number>((resolve, reject) => {
      const child = spawn('timeout', argv, {
        cwd: opts.cwd,
        env: opts.env ?? process.env,
        stdio: ['ignore', fd, fd],
        detached: true,
      });
      // A last resort should `timeout` itself be stuck: end its whole process group.
      const guard = setTimeout(
        () => {
          if (child.pid !== undefined) {
            try {
              process.kill(-child.pid, 'SIGKILL');
            } catch {
              // already gone
            }
          }
        },
        (opts.timeoutS + 15) * 1000,
      );
      child.once('error', (err) => {
        clearTimeout(guard);
        reject(err);
      });
      child.once('close', (status, signal) => {
        clearTimeout(guard);
        resolve(status ?? (signal ? 128 + 9 : 1));
      });
    });
    const elapsedS = (performance.now() - started) / 1000;
    appendLog(opts.log, `+ exit status ${code} after ${elapsedS.toFixed(1)} s`);
    return { code, timedOut: code === 124 || code === 137, elapsedS };
  } finally {
    closeSync(fd);
  }
}
