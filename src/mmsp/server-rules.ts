// The pure decisions of the MMS server that do not depend on the session state: the file name a client asked
// for, where a StartPlaying starts, and what a StreamSwitch selects [MS-MMSP 2.2.4.21, 2.2.4.25, 2.2.4.28,
// 3.2.5.10; mmsp.md §2.2, §5.3, §5.6].
import { DBL_MAX, FRAME_OFFSET_NO_LIMIT, UNUSED, type StartFields } from './messages/start-fields.js';
import { NO_STREAM, type StreamSwitchEntry } from './messages/link-viewer-to-mac-stream-switch.js';

/** Where playback starts; structurally the streaming core's StartPoint (mmsp sits below streaming). */
export type StartPoint =
  | { readonly kind: 'start' }
  | { readonly kind: 'time'; readonly ms: number }
  | { readonly kind: 'packet'; readonly number: number };

/** 0 everything, 1 key frames only, 2 nothing [MS-MMSP 2.2.4.28]. */
export type ThinLevel = 0 | 1 | 2;

/** What the adapter learnt about the content the client opened. */
export interface OpenedFile {
  /** "The ASF header": Header Object plus the 50-byte Data Object start ending `01 01` (mmsp.md §4.1). */
  readonly headerBytes: Buffer;
  readonly packetSize: number;
  readonly packetCount: number;
  readonly preroll: number;
  readonly streams: readonly number[];
  /** Media duration in ms (play duration minus preroll); 0 when unknown or live. */
  readonly durationMs: number;
  readonly seekable: boolean;
  readonly broadcast: boolean;
  /** File Properties Maximum Bitrate, bit/s (ReportOpenFile.fileBitRate). */
  readonly bitRate?: number;
  /** Fed by a server-side playlist (fileAttributes PLAYLIST). */
  readonly playlist?: boolean;
}

/** A client file name split the way the server resolves it. */
export interface RequestedName {
  /** The name as sent, without one leading "/" and without the query. */
  readonly path: string;
  /** The percent-decoded path, to try only when `path` finds nothing; null when identical or undecodable. */
  readonly decodedPath: string | null;
  /** The query after `?`, without it; '' when none. */
  readonly query: string;
}

const hasDotDot = (p: string): boolean => p.split(/[/\\]/).some((s) => s === '..');

/**
 * mmsp.md §2.2 OpenFile: strip one leading "/", split off `?query` (libmms appends it), reject `..` segments and
 * NULs. Returns null for a malformed name (answered with NS_E_INVALID_NAME).
 */
export function parseRequestedName(fileName: string): RequestedName | null {
  const noSlash = fileName.startsWith('/') ? fileName.slice(1) : fileName;
  const q = noSlash.indexOf('?');
  const path = q < 0 ? noSlash : noSlash.slice(0, q);
  const query = q < 0 ? '' : noSlash.slice(q + 1);
  if (path.length === 0 || path.includes('\0') || hasDotDot(path)) return null;
  let decodedPath: string | null;
  try {
    const d = decodeURIComponent(path);
    decodedPath = d === path || d.includes('\0') || hasDotDot(d) ? null : d;
  } catch {
    decodedPath = null;
  }
  return { path, decodedPath, query };
}

/**
 * Start point of a StartPlaying: locationId, then asfOffset, then position (mmsp.md §2.2, 9.9); position is
 * media time (9.10). A time seek in content that is not seekable starts at the beginning.
 */
export function startPointOf(m: StartFields, file: OpenedFile): StartPoint {
  if (file.broadcast) return { kind: 'start' };
  if (m.locationId !== 0 && m.locationId !== UNUSED) return { kind: 'packet', number: m.locationId };
  if (m.asfOffset !== 0 && m.asfOffset !== UNUSED && file.packetSize > 0) {
    const n = Math.floor((m.asfOffset - file.headerBytes.length) / file.packetSize);
    return { kind: 'packet', number: Math.max(0, n) };
  }
  if (Number.isFinite(m.position) && m.position !== DBL_MAX && m.position > 0 && file.seekable) {
    return { kind: 'time', ms: Math.round(m.position * 1000) };
  }
  return { kind: 'start' };
}

/** mmsp.md §5.3 step 3: a packet or time past the end gets ReportStartedPlaying, then EndOfStream at once. */
export function isPastEnd(start: StartPoint, file: OpenedFile): boolean {
  if (file.broadcast) return false;
  if (start.kind === 'packet') return file.packetCount > 0 && start.number >= file.packetCount;
  if (start.kind === 'time') return file.durationMs > 0 && start.ms >= file.durationMs;
  return false;
}

/** Where playback stops, from frameOffset; null for "no limit" [MS-MMSP 2.2.4.25; mmsp.md 9.11]. */
export type PlayLimit = { readonly ms: number; readonly fromStartPosition: boolean } | null;

export function playLimitOf(frameOffset: number, file: OpenedFile): PlayLimit {
  if (file.broadcast || frameOffset === 0 || frameOffset === FRAME_OFFSET_NO_LIMIT) return null;
  return { ms: frameOffset & 0x7fffffff, fromStartPosition: frameOffset >>> 31 === 1 };
}

/**
 * Applies StreamSwitch entries to a selection [MS-MMSP 3.2.5.10; mmsp.md §5.6, 9.5]. `base` is the selection the
 * entries change (an empty map for a complete selection). Stream numbers are masked with 0x7F; entries naming a
 * stream the file does not have are ignored; a replacement A -> B turns A off and B on at B's level (switching at
 * B's first key frame is the delivery core's job).
 */
export function applyStreamSwitch(
  base: ReadonlyMap<number, ThinLevel>,
  entries: readonly StreamSwitchEntry[],
  streams: readonly number[] | null,
): Map<number, ThinLevel> {
  const out = new Map(base);
  const known = (n: number): boolean => streams === null || streams.includes(n);
  for (const e of entries) {
    const src = e.wSrcStreamNumber === NO_STREAM ? null : e.wSrcStreamNumber & 0x7f;
    const dst = e.wDstStreamNumber === NO_STREAM ? null : e.wDstStreamNumber & 0x7f;
    const level = Math.min(e.wThinningLevel, 2) as ThinLevel;
    if (dst === null) {
      if (src !== null && known(src)) out.set(src, 2);
      continue;
    }
    if (!known(dst)) continue;
    if (src !== null && src !== dst && known(src)) out.set(src, 2);
    out.set(dst, level);
  }
  return out;
}
