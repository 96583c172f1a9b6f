// The source of a command publishing point: any program whose stdout is an ASF stream (typically FFmpeg turning MP3,
// Icecast, HLS or other files into WMA/WMV for legacy players), run with /bin/sh -c. Its output is decoded like a
// pushed body; when it exits it is started again after a backoff (1 s doubling to 30 s, back to 1 s once it ran
// for a minute), and its last stderr lines are logged so a person can see why it stopped.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Logger } from 'pino';
import type { LiveSink, LiveSource } from '../streaming/live/types.js';
import { PushBodyDecoder } from '../wmsp/index.js';

const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 30_000;
/** A run this long counts as healthy: the next failure retries quickly again. */
const HEALTHY_RUN_MS = 60_000;
const STDERR_LINES = 5;

export class CommandSource implements LiveSource {
  readonly kind = 'command' as const;
  readonly description: string;
  private child: ChildProcess | null = null;
  private stopped = false;
  private retry: NodeJS.Timeout | null = null;
  private backoff = FIRST_RETRY_MS;
  private sink: LiveSink | null = null;

  constructor(private readonly o: { command: string; log: Logger }) {
    this.description = `command ${o.command}`;
  }

  start(sink: LiveSink): void {
    this.sink = sink;
    sink.onDrain(() => this.child?.stdout?.resume());
    this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once('close', () => r()));
    this.kill(child, 'SIGTERM');
    const timer = setTimeout(() => this.kill(child, 'SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  }

  private kill(child: ChildProcess, signal: NodeJS.Signals): void {
    try {
      // The shell and whatever it started: the process group.
      if (child.pid !== undefined) process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  }

  private run(): void {
    const sink = this.sink;
    if (!sink || this.stopped) return;
    const started = Date.now();
    const child = spawn('/bin/sh', ['-c', this.o.command], {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    this.child = child;
    const decoder = new PushBodyDecoder();
    const stderr: string[] = [];
    let failed: string | null = null;
    let packets = 0;
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (t: string) => {
      stderr.push(...t.split('\n').filter((l) => l.trim().length > 0));
      stderr.splice(0, Math.max(0, stderr.length - STDERR_LINES));
    });
    child.stdout.on('data', (b: Buffer) => {
      if (failed) return;
      try {
        for (const e of decoder.push(b)) {
          if (e.type === 'header') sink.header(e.bytes);
          else if (e.type === 'packet') {
            packets++;
            if (!sink.packet(e.data)) child.stdout.pause();
          }
        }
      } catch (e) {
        failed = (e as Error).message;
        this.o.log.warn(`command output is not ASF: ${failed}`);
        this.kill(child, 'SIGTERM');
      }
    });
    child.once('error', (e) => this.o.log.error(`command could not start: ${e.message}`));
    child.once('close', (code, signal) => {
      this.child = null;
      if (this.stopped) return;
      const how = failed ?? (signal ? `killed by ${signal}` : `exited with ${code ?? '?'}`);
      this.o.log.warn({ stderr: stderr.join(' | ') }, `command ${how} after ${packets} packets`);
      if (packets > 0) sink.interrupted(`command ${how}`);
      if (Date.now() - started >= HEALTHY_RUN_MS) this.backoff = FIRST_RETRY_MS;
      this.retry = setTimeout(() => this.run(), this.backoff);
      this.backoff = Math.min(MAX_RETRY_MS, this.backoff * 2);
    });
  }
}
