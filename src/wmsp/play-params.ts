// What a Play request asks for: start point, stream selection and rate tokens [MS-WMSP 3.2.5.6; wmsp.md §6.2-6.4, §6.8].
import { ProtocolError } from '../core/errors.js';
import { U32_UNSPECIFIED, type PragmaSet, type ThinLevel } from './pragma.js';
import { versionAtLeast, type WmspUserAgent } from './user-agent.js';

/** Where playback starts; `time` is media time in ms (presentation time minus preroll). */
export type StartPoint =
  | { readonly kind: 'start' }
  | { readonly kind: 'time'; readonly ms: number }
  | { readonly kind: 'packet'; readonly number: number };

/** What the start point depends on in the content. */
export interface ContentShape {
  /** Bytes of "the ASF header": Header Object plus the 50-byte Data Object start. */
  readonly headerSize: number;
  readonly packetSize: number;
  readonly packetCount: number;
  readonly preroll: number;
  readonly live: boolean;
  /** Seeking allowed (advertised `seekable`); defaults to `!live`. */
  readonly seekable?: boolean;
  /** Media duration in ms (play duration minus preroll) when known, to clamp stream-time. */
  readonly durationMs?: number;
}

export interface StartDecision {
  readonly start: StartPoint;
  /** Which token decided it. */
  readonly from: 'stream-time' | 'packet-num' | 'stream-offset' | 'default' | 'live' | 'not-seekable';
  /** The requested position lay past the end and was moved to the last packet / the duration. */
  readonly clamped: boolean;
}

/** Packet number for a byte offset, accepting both client conventions (wmsp.md §6.3). */
export function packetForOffset(offset: number, headerSize: number, packetSize: number): number {
  if (packetSize <= 0) return 0;
  // libmms: offset into the file, header included [MS-WMSP 2.2.1.4.25].
  if (offset >= headerSize && (offset - headerSize) % packetSize === 0)
    return (offset - headerSize) / packetSize;
  // VLC: packet index x packet size, counted from the first data packet.
  if (offset % packetSize === 0) return offset / packetSize;
  return Math.floor(Math.max(offset - headerSize, 0) / packetSize);
}

function packetStart(n: number, c: ContentShape, from: StartDecision['from']): StartDecision {
  const last = Math.max(c.packetCount - 1, 0);
  const clamped = c.packetCount > 0 && n > last;
  const number = clamped ? last : n;
  return { start: number === 0 ? { kind: 'start' } : { kind: 'packet', number }, from, clamped };
}

/** The start point of a Play request, token priority per [MS-WMSP 3.2.5.6] (wmsp.md §6.3). */
export function startPoint(p: PragmaSet, c: ContentShape): StartDecision {
  // wmsp.md §6.3: for live, ignore positions and join live.
  if (c.live) return { start: { kind: 'start' }, from: 'live', clamped: false };
  if (!(c.seekable ?? true)) return { start: { kind: 'start' }, from: 'not-seekable', clamped: false };
  const t = p.u32('stream-time');
  if (t !== undefined && t !== 0 && t !== U32_UNSPECIFIED) {
    // netshow decision (wmsp.md §10): read as presentation time minus preroll, FFmpeg's view.
    const end = c.durationMs ?? Infinity;
    const clamped = t > end;
    const ms = Math.min(t, end);
    return { start: ms === 0 ? { kind: 'start' } : { kind: 'time', ms }, from: 'stream-time', clamped };
  }
  const n = p.u32('packet-num');
  if (n !== undefined && n !== U32_UNSPECIFIED) return packetStart(n, c, 'packet-num');
  const offset = parseStreamOffset(p.value('stream-offset'));
  if (offset !== undefined)
    return packetStart(packetForOffset(offset, c.headerSize, c.packetSize), c, 'stream-offset');
  return { start: { kind: 'start' }, from: 'default', clamped: false };
}

/** `hi:lo` as one byte offset, or undefined when absent, malformed, or both halves 4294967295. */
export function parseStreamOffset(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const m = /^\s*(\d+)\s*:\s*(\d+)/.exec(value);
  if (!m) return undefined;
  const hi = Math.min(Number(m[1]!.slice(0, 11)), U32_UNSPECIFIED);
  const lo = Math.min(Number(m[2]!.slice(0, 11)), U32_UNSPECIFIED);
  if (hi === U32_UNSPECIFIED && lo === U32_UNSPECIFIED) return undefined;
  // Offsets past 2^53 are past any file; the precision lost there does not matter.
  return hi * 0x100000000 + lo;
}

/**
 * Thin level per stream from `stream-switch-entry` (wmsp.md §6.4): null = every stream (no entry at all,
 * netshow decision); otherwise streams not listed are not sent. Entries naming streams absent from the header
 * are ignored; when none remains the request is meaningless: ProtocolError with HTTP 400.
 */
export function streamSelection(p: PragmaSet, streams: readonly number[]): Map<number, ThinLevel> | null {
  const entries = p.switchEntries;
  if (entries === null) return null;
  const known = new Set(streams);
  const levels = new Map<number, ThinLevel>();
  // [MS-WMSP 3.2.5.6] the server filters out payloads of streams that are not selected; a later entry wins.
  for (const e of entries) if (known.has(e.dst)) levels.set(e.dst, e.thin);
  if (levels.size === 0) {
    throw new ProtocolError(
      'E_WMSP_NO_STREAM',
      `stream-switch-entry names no stream of this content (streams ${streams.join(', ') || 'none'})`,
      { reply: { http: 400 } },
    );
  }
  return levels;
}

/** Fast Start: send the first `durationMs` of content at up to `bitsPerSecond` [MS-WMSP 2.2.1.4.1-2]. */
export interface Acceleration {
  readonly bitsPerSecond: number;
  readonly durationMs: number;
}

export interface RateParams {
  /** `rate=`; 1 = normal, negative = rewind (not served by netshow). */
  readonly rate: number;
  /** `Speed=` when honoured (on-demand only), clamped to 0.1..MAX_SPEED; null = not asked. */
  readonly speed: number | null;
  /** AccelBW + AccelDuration, for clients >= 8.0; null = not asked. */
  readonly accel: Acceleration | null;
  /** `LinkBW=` in bits/s; null when absent or 2147483647 ("unknown"). */
  readonly linkBW: number | null;
}

export const MAX_SPEED = 10;
const LINK_BW_UNKNOWN = 2147483647;

/** Rate, Speed, AccelBW/AccelDuration and LinkBW of a Play request (wmsp.md §6.8). */
export function rateParams(p: PragmaSet, ua: WmspUserAgent | null, live: boolean): RateParams {
  const rate = p.real('rate') ?? 1;
  const asked = p.real('speed');
  const speed =
    live || asked === undefined || !(asked > 0) ? null : Math.min(Math.max(asked, 0.1), MAX_SPEED);
  const bw = p.u32('AccelBW');
  const duration = p.u32('AccelDuration');
  // [MS-WMSP 2.2.1.4.1] AccelBW needs a client >= 8.0; AccelDuration 0 means ignore [2.2.1.4.2].
  const accel =
    versionAtLeast(ua, 8) && bw !== undefined && bw > 0 && duration !== undefined && duration > 0
      ? { bitsPerSecond: bw, durationMs: duration }
      : null;
  const link = p.u32('LinkBW');
  return {
    rate,
    speed,
    accel,
    linkBW: link === undefined || link === LINK_BW_UNKNOWN || link === 0 ? null : link,
  };
}

export interface PlayParams {
  readonly start: StartDecision;
  readonly selection: Map<number, ThinLevel> | null;
  readonly rate: RateParams;
  /** `max-duration=` in ms; 0 = to the end [MS-WMSP 2.2.1.4.11]. MAY be ignored. */
  readonly maxDurationMs: number;
}

/** Everything a Play request asks for. Throws ProtocolError (HTTP 400) for a selection naming no stream. */
export function playParams(
  p: PragmaSet,
  content: ContentShape,
  streams: readonly number[],
  ua: WmspUserAgent | null,
): PlayParams {
  return {
    start: startPoint(p, content),
    selection: streamSelection(p, streams),
    rate: rateParams(p, ua, content.live),
    maxDurationMs: (p.u32('max-duration') ?? 0) & 0x7fffffff,
  };
}
