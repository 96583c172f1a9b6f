// `netshow get URL`: open the stream (rollover, metafiles) and record it to a valid, seekable ASF file,
// with progress, a duration limit, resume of a cut on-demand recording and reconnection of a dropped live one.
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { packetSendTime } from '../asf/index.js';
import { openStream, type OpenStreamOptions } from '../client/open-stream.js';
import { Recorder, feed, type FeedOutcome } from '../streaming/recorder.js';
import { RolloverError, describeAttempts, type AttemptReport } from '../client/rollover.js';
import { ClientError, type AsfStream, type StreamItem } from '../client/types.js';

export interface GetOptions extends OpenStreamOptions {
  readonly output?: string;
  readonly force?: boolean;
  readonly resume?: boolean;
  /** Seconds of media to record. */
  readonly durationS?: number;
  readonly reconnect?: boolean;
  readonly json?: boolean;
}

type Print = (line: string) => void;

const RECONNECT_TRIES = 5;

/** The file name a URL records to when `-o` is not given: its last path segment as .asf. */
export function defaultOutput(url: string): string {
  let name: string;
  try {
    name = decodeURIComponent(basename(new URL(url).pathname));
  } catch {
    name = basename(url);
  }
  name = name.replace(/[^\w.\- ]+/g, '_').replace(/\.(asx|wax|wvx|nsc)$/i, '');
  if (!name || name === '.' || name === '..') name = 'recording';
  return /\.(asf|wmv|wma)$/i.test(name) ? name : `${name}.asf`;
}

export async function runGet(
  url: string,
  opts: GetOptions,
  out: Print,
  err: Print,
  isTty = false,
): Promise<number> {
  const path = opts.output ?? defaultOutput(url);
  if (!opts.resume && !opts.force && existsSync(path)) {
    err(`netshow get: ${path} exists; use --resume to continue it or --force to overwrite it`);
    return 2;
  }
  const stop = new AbortController();
  const onSigint = (): void => stop.abort();
  process.once('SIGINT', onSigint);
  process.once('SIGTERM', onSigint);
  try {
    let recorder: Recorder | null = null;
    let startMs = opts.startMs;
    if (opts.resume && existsSync(path)) {
      recorder = await Recorder.resume(path);
      startMs = recorder.resumePoint?.startMs ?? 0;
      if (!opts.json) err(`resuming ${path} from ${(startMs / 1000).toFixed(1)} s`);
    }
    const attempts: AttemptReport[] = [];
    let outcome: FeedOutcome | undefined;
    let protocol = '';
    let tries = 0;
    const progress = new Progress(isTty && !opts.json, err);
    for (;;) {
      let opened;
      try {
        opened = await openStream(url, {
          ...opts,
          ...(startMs !== undefined ? { startMs } : {}),
          signal: stop.signal,
        });
      } catch (e) {
        if (e instanceof RolloverError) attempts.push(...e.attempts);
        if (!(e instanceof ClientError)) throw e;
        if (recorder && opts.reconnect && tries < RECONNECT_TRIES && !stop.signal.aborted) {
          tries++;
          await sleep(1000 * 2 ** (tries - 1), stop.signal);
          continue;
        }
        if (!recorder) {
          if (!opts.json) for (const line of describeAttempts(attempts)) err(`  ${line}`);
          err(`netshow get: ${e.message}`);
          if (opts.json) out(JSON.stringify({ url, ok: false, error: e.message, attempts }));
          return 1;
        }
        break;
      }
      attempts.push(...opened.attempts);
      protocol = opened.stream.protocol;
      if (!opts.json) err(`recording ${opened.stream.url} over ${protocol} to ${path}`);
      recorder ??= await Recorder.create(path, opened.stream.header);
      outcome = await feed(recorder, limit(opened.stream, opts.durationS, progress), { signal: stop.signal });
      if (outcome.ended === 'dropped' && opts.reconnect && opened.stream.live && tries < RECONNECT_TRIES) {
        tries++;
        if (!opts.json)
          err(`connection dropped (${describe(outcome.error)}); reconnecting (${tries}/${RECONNECT_TRIES})`);
        await sleep(1000 * 2 ** (tries - 1), stop.signal);
        if (!stop.signal.aborted) continue;
      }
      break;
    }
    progress.done();
    const stats = recorder ? await recorder.finish() : undefined;
    const ended = stop.signal.aborted ? 'stopped' : (outcome?.ended ?? 'dropped');
    const summary = {
      url,
      ok: ended !== 'dropped',
      protocol,
      ended,
      files: stats?.files ?? [],
      packets: stats?.packets ?? 0,
      bytes: stats?.bytes ?? 0,
      lastSendTimeMs: stats?.lastSendTime ?? 0,
      duplicates: stats?.duplicates ?? 0,
      malformed: stats?.malformed ?? 0,
      reconnects: tries,
      ...(outcome?.error !== undefined ? { error: describe(outcome.error) } : {}),
      attempts,
    };
    if (opts.json) out(JSON.stringify(summary));
    else {
      err(
        `${ended === 'end' ? 'done' : ended}: ${summary.packets} packets, ${summary.bytes} bytes, ` +
          `${(summary.lastSendTimeMs / 1000).toFixed(1)} s, in ${summary.files.join(', ')}` +
          (summary.error ? ` (${summary.error})` : ''),
      );
    }
    return ended === 'dropped' ? 1 : 0;
  } finally {
    process.removeListener('SIGINT', onSigint);
    process.removeListener('SIGTERM', onSigint);
  }
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });
}

/** The stream with a media-time limit and a progress report on every packet. */
function limit(stream: AsfStream, durationS: number | undefined, progress: Progress): AsfStream {
  const limitMs = durationS === undefined ? Infinity : durationS * 1000;
  async function* packets(): AsyncGenerator<StreamItem> {
    let first: number | null = null;
    for await (const item of stream.packets) {
      if (item.kind === 'packet') {
        let t: number | null = null;
        try {
          t = packetSendTime(item.data);
        } catch {
          // The recorder counts a packet it cannot parse; the limit only needs the ones it can.
        }
        if (t !== null) {
          first ??= t;
          if (t - first >= limitMs) return;
          progress.packet(stream.protocol, t - first, item.data.length);
        }
      }
      yield item;
    }
  }
  return { ...stream, packets: packets(), close: () => stream.close() };
}

/** One line redrawn on a terminal; a plain line every 5 s of media otherwise. */
class Progress {
  private bytes = 0;
  private lastDraw = -Infinity;
  private drawn = false;
  private readonly startedAt = performance.now();

  constructor(
    private readonly tty: boolean,
    private readonly err: Print,
  ) {}

  packet(protocol: string, mediaMs: number, size: number): void {
    this.bytes += size;
    const wall = performance.now();
    if (this.tty ? wall - this.lastDraw < 250 : mediaMs - this.lastDraw < 5000) return;
    this.lastDraw = this.tty ? wall : mediaMs;
    const secs = (wall - this.startedAt) / 1000;
    const kbps = secs > 0 ? (this.bytes * 8) / 1000 / secs : 0;
    const line = `${clock(mediaMs)}  ${(this.bytes / 1e6).toFixed(2)} MB  ${kbps.toFixed(0)} kb/s  ${protocol}`;
    if (this.tty) {
      process.stderr.write(`\r${line}\x1b[K`);
      this.drawn = true;
    } else this.err(line);
  }

  done(): void {
    if (this.drawn) process.stderr.write('\n');
  }
}

function clock(ms: number): string {
  const s = Math.floor(ms / 1000);
  return `${String(Math.floor(s / 3600)).padStart(2, '0')}:${String(Math.floor(s / 60) % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}
