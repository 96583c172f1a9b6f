// A 24/7 channel from files: a folder's ASF files in name order, the media of a .wsx playlist, or one file, played one after
// the other (in a loop unless told otherwise). Each file's header goes to the point, which carries the time line on
// when the next file has the same streams and signals a stream change otherwise [wmsp.md §6.5]. The point paces; this
// only keeps it fed, pausing while it holds enough.
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { NetshowError } from '../../core/errors.js';
import { FileSource } from '../file-source.js';
import type { LiveSink, LiveSource } from './types.js';
import { parseWsx } from './wsx.js';

const MEDIA = new Set(['.wmv', '.wma', '.asf']);

export interface PlaylistSourceOptions {
  /** A folder, a .wsx playlist, or one media file. */
  readonly path: string;
  readonly loop: boolean;
  /** A file that cannot be played is skipped; this hears why. */
  readonly onSkip?: (file: string, why: string) => void;
  /** The playlist ended (no loop, or nothing playable). */
  readonly onEnd?: (why: string) => void;
}

export class PlaylistSource implements LiveSource {
  readonly kind = 'playlist' as const;
  readonly description: string;
  private stopped = false;
  private wake: (() => void) | null = null;
  private running: Promise<void> = Promise.resolve();

  constructor(private readonly o: PlaylistSourceOptions) {
    this.description = `playlist ${o.path}`;
  }

  start(sink: LiveSink): void {
    sink.onDrain(() => {
      const w = this.wake;
      this.wake = null;
      w?.();
    });
    this.running = this.run(sink).catch((e: unknown) => this.o.onEnd?.((e as Error).message));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.running;
  }

  /** The files to play, resolved; re-read at each pass so a channel's folder can change while on air. */
  async entries(): Promise<string[]> {
    const st = await stat(this.o.path).catch(() => null);
    if (!st) throw new NetshowError('E_PLAYLIST', `${this.o.path}: no such file or folder`);
    if (st.isDirectory()) {
      const names = await readdir(this.o.path);
      return names
        .filter((n) => MEDIA.has(extname(n).toLowerCase()))
        .sort()
        .map((n) => join(this.o.path, n));
    }
    // One media file: a channel that plays it over and over.
    if (MEDIA.has(extname(this.o.path).toLowerCase())) return [this.o.path];
    const text = await readFile(this.o.path, 'utf8');
    const base = dirname(this.o.path);
    return parseWsx(text, this.o.path).map((src) =>
      isAbsolute(src) ? src : resolve(base, src.replace(/^file:\/\//i, '')),
    );
  }

  private async run(sink: LiveSink): Promise<void> {
    do {
      const files = await this.entries();
      let played = 0;
      for (const file of files) {
        if (this.stopped) return;
        if (await this.play(file, sink)) played++;
      }
      if (played === 0) {
        this.o.onEnd?.(`${this.o.path}: nothing playable`);
        return;
      }
    } while (this.o.loop && !this.stopped);
    if (!this.stopped) this.o.onEnd?.(`${this.o.path}: played to the end`);
  }

  private async play(file: string, sink: LiveSink): Promise<boolean> {
    let src: FileSource;
    try {
      src = await FileSource.open(file);
    } catch (e) {
      this.o.onSkip?.(file, (e as Error).message);
      return false;
    }
    try {
      if (src.packetCount === 0) {
        this.o.onSkip?.(file, 'no data packets');
        return false;
      }
      sink.header(src.layout.headerBytes);
      for (let n = 0; n < src.packetCount && !this.stopped; n++) {
        const got = src.packet(n);
        const pkt = got instanceof Promise ? await got : got;
        if (!sink.packet(pkt)) await new Promise<void>((r) => (this.wake = r));
      }
      return true;
    } finally {
      await src.close();
    }
  }
}
