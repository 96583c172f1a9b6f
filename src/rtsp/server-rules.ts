// The server's pure decisions about a request: which control a URL names, where a PLAY starts, the Speed and
// SelectStream it asks for [RFC 2326 C.1.1; MS-RTSP 2.2.6.7, 2.2.7.10.3; rtsp.md §4.1, §4.2, §4.5].
import { ProtocolError } from '../core/errors.js';
import { headerValue, type HeaderList } from './message.js';
import { parseRange } from './headers.js';
import type { StartPoint, ThinLevel } from './server-events.js';

export interface SplitUrl {
  /** `rtsp://host:port`, as sent. */
  readonly origin: string;
  /** From the first `/` after the host, without the query; `/` at least. */
  readonly path: string;
  readonly query: string;
}

/** An absolute `rtsp://` (or `rtspu://`, `rtsps://`) URL; null for anything else (`*`, relative paths). */
export function splitUrl(url: string): SplitUrl | null {
  const m = /^(rtsp[su]?:\/\/[^/?#\s]+)([^?#\s]*)(?:\?([^#\s]*))?/i.exec(url);
  if (!m) return null;
  return { origin: m[1]!, path: m[2] === '' ? '/' : m[2]!, query: m[3] ?? '' };
}

/** The session control for content described at `url`: absolute, ending in `/` [rtsp.md §3.2]. */
export function baseUrlOf(u: SplitUrl): string {
  return `${u.origin}${u.path.endsWith('/') ? u.path : `${u.path}/`}`;
}

function trimSlash(p: string): string {
  return p.replace(/\/+$/, '');
}

/**
 * What a request URL names relative to the content at `contentPath`: the aggregate (the content itself,
 * with or without `/`), a relative control (`video1`, `rtx`, `stream=2`), or null when it is elsewhere. The
 * host is not compared: clients reach the server by names the server does not know.
 */
export function controlOf(
  url: string,
  contentPath: string,
): { aggregate: true } | { control: string } | null {
  const u = splitUrl(url);
  if (u === null) return null;
  const base = trimSlash(contentPath);
  const path = trimSlash(u.path);
  if (path === base) return { aggregate: true };
  if (path.startsWith(`${base}/`)) return { control: path.slice(base.length + 1) };
  return null;
}

export interface StartFacts {
  readonly live: boolean;
  readonly seekable: boolean;
  readonly preroll: number;
  /** Media duration (play duration minus preroll), ms. */
  readonly durationMs: number;
  readonly headerSize: number;
  readonly packetSize: number;
  /** WMP counts npt with the preroll; FFmpeg and the rest without [rtsp.md §4.2]. */
  readonly nptIncludesPreroll: boolean;
}

function invalidRange(message: string): ProtocolError {
  return new ProtocolError('E_RTSP_RANGE', message, { reply: { rtsp: 457 } });
}

/**
 * Where a PLAY starts, from its Range [MS-RTSP 2.2.6.7; rtsp.md §4.2 netshow decision]. null = no Range.
 * Live content and unseekable files start at once wherever the client asks.
 */
export function startFromRange(headers: HeaderList, f: StartFacts): StartPoint | null {
  const v = headerValue(headers, 'range');
  if (v === undefined) return null;
  const r = parseRange(v);
  if (f.live || !f.seekable) {
    // A broadcast plays from the live edge: "from the start" (npt=0-, now-, or the SDP's own start) joins it, any
    // other position is out of its bounds [RFC 2326 §11.3.11; rtsp.md §4.2 "Live"].
    const ahead =
      r.unit === 'x-asf-byte'
        ? r.start - f.headerSize + 1
        : r.unit === 'x-asf-packet'
          ? r.start
          : r.startMs === null
            ? 0
            : f.nptIncludesPreroll
              ? r.startMs - f.preroll
              : r.startMs;
    if (ahead > 0)
      throw invalidRange(`${f.live ? 'a broadcast' : 'this content'} cannot seek (Range ${v.trim()})`);
    return { kind: 'start' };
  }
  if (r.unit === 'x-asf-packet') return { kind: 'packet', number: r.start };
  if (r.unit === 'x-asf-byte') {
    if (r.start < f.headerSize) return { kind: 'start' };
    return { kind: 'packet', number: Math.floor((r.start - f.headerSize) / Math.max(1, f.packetSize)) };
  }
  if (r.startMs === null) return null;
  const ms = f.nptIncludesPreroll ? r.startMs - f.preroll : r.startMs;
  if (ms <= 0) return { kind: 'start' };
  if (ms > f.durationMs) throw invalidRange(`npt ${r.startMs} ms is past the end (${f.durationMs} ms)`);
  return { kind: 'time', ms };
}

/** Speed: a positive decimal (rtsp.md §2.1); anything else is ignored. */
export function speedOf(headers: HeaderList): number | null {
  const v = headerValue(headers, 'speed');
  if (v === undefined || !/^\s*\d{1,4}(\.\d{1,6})?\s*$/.test(v)) return null;
  const n = Number(v);
  return n > 0 ? n : null;
}

export const NO_STREAM = 4294967295;

export interface StreamSwitch {
  readonly from: number | null;
  readonly to: number | null;
  readonly thin: ThinLevel;
}

/** `SSEntry: <old> <new> <thin> [uris]` lines of a SelectStream body [MS-RTSP 2.2.7.10.3]. */
export function parseStreamSwitch(body: Buffer): StreamSwitch[] {
  const out: StreamSwitch[] = [];
  for (const line of body.toString('latin1').split(/\r?\n/)) {
    const m = /^\s*SSEntry\s*:\s*(\d{1,10})\s+(\d{1,10})\s+(\d)\b/i.exec(line);
    if (!m) continue;
    const stream = (s: string): number | null => (Number(s) === NO_STREAM ? null : Number(s));
    const thin = Number(m[3]);
    if (thin > 2)
      throw new ProtocolError('E_RTSP_SSENTRY', `thin level ${thin} is not 0..2`, { reply: { rtsp: 451 } });
    out.push({ from: stream(m[1]!), to: stream(m[2]!), thin: thin as ThinLevel });
    if (out.length > 256) break;
  }
  return out;
}
