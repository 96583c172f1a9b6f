// The contracts of live delivery: what a source feeds a broadcast publishing point, what observes everything it
// ingests (the archive), and how a publishing point is declared (config file, command line).

/** What a live source feeds, in order: a header, then the packets of that header's stream. */
export interface LiveSink {
  /**
   * A (new) stream: the ASF Header Object, optionally followed by the Data Object's 50-byte start. A header
   * equal to the current one after an interruption continues the stream; any other starts a new incarnation.
   */
  header(bytes: Buffer): void;
  /**
   * One data packet of the current header (a short one is padded to the packet size). Returns false while the
   * point holds more than it wants queued: a source that can (a pushed body, a command's stdout) pauses its
   * input until `onDrain`.
   */
  packet(data: Buffer): boolean;
  /** The source lost its input; it may come back with `header` again. */
  interrupted(reason: string): void;
  /** Called when a source that was told to slow down may read again. */
  onDrain(listener: () => void): void;
}

export type SourceKind = 'push' | 'pull' | 'playlist' | 'command';

/** A running live input. `start` is called once; `stop` ends it and releases everything it holds. */
export interface LiveSource {
  readonly kind: SourceKind;
  /** One line for logs and errors: "push", "pull mmsh://origin/live", "playlist channel.wsx". */
  readonly description: string;
  start(sink: LiveSink): void;
  stop(): Promise<void>;
}

/**
 * Sees every header and packet a publishing point ingests, synchronously and in order (the archive). Must not
 * block; must not throw (it reports its own failures).
 */
export interface LiveTap {
  header(bytes: Buffer): void;
  /** A packet padded to the packet size; `keyFrame`: a video key frame starts in it (always true without video). */
  packet(data: Buffer, keyFrame: boolean): void;
  /** The source dropped; what arrived so far must be safe on disk. */
  interrupted(): void;
  close(): Promise<void>;
}

export type SourceConfig =
  | { readonly kind: 'push'; readonly password?: string }
  | { readonly kind: 'pull'; readonly url: string }
  | { readonly kind: 'playlist'; readonly path: string; readonly loop: boolean }
  /** Run with `/bin/sh -c`; its stdout is an ASF stream. */
  | { readonly kind: 'command'; readonly command: string };

export interface ArchiveConfig {
  /**
   * Output file path; tokens `{name}` (the point's path without slashes), `{date}` (YYYYMMDD), `{time}`
   * (HHMMSS), `{n}` (a counter from 1). Relative to the config file's folder, or to the working folder.
   */
  readonly template: string;
  /** Start a new file at the next key frame once the current one is this large. */
  readonly rotateBytes?: number;
  /** ... or this old. */
  readonly rotateMs?: number;
}

export interface BroadcastConfig {
  /** URL path, e.g. `/live`; served by MMS, MMSH and RTSP alike. */
  readonly path: string;
  readonly source: SourceConfig;
  readonly archive?: ArchiveConfig;
}
