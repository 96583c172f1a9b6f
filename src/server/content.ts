// What a request path names: a broadcast publishing point (matched first, by name, case-insensitively as WMS does)
// or a file of the media folder; and the facts every protocol machine asks of either.
import { ProtocolError } from '../core/errors.js';
import type { Content } from '../streaming/delivery.js';
import type { BroadcastPoint, LiveFacts } from '../streaming/live/broadcast-point.js';
import { contentFacts, type ContentFacts } from './content-info.js';
import type { ServerContext } from './netshow-server.js';

/** How long a request for a point whose source has not started waits for its first header. */
const LIVE_READY_WAIT_MS = 5_000;

/** The key a point is found by: no query, no slashes around, decoded, lower case. */
export function pointKey(path: string): string {
  const raw = path.replace(/^[a-z]+:\/\/[^/]*/i, '').split('?')[0] ?? '';
  let decoded = raw;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    // an undecodable path names no point; the media library answers it
  }
  return decoded.replace(/^\/+|\/+$/g, '').toLowerCase();
}

export function findPoint(ctx: ServerContext, path: string): BroadcastPoint | undefined {
  return ctx.points.get(pointKey(path));
}

function notReady(path: string): ProtocolError {
  // NS_E_SERVER_UNAVAILABLE: the publishing point exists but has nothing to send yet.
  return new ProtocolError('E_LIVE_NOT_READY', `${path}: the broadcast has not started`, {
    reply: { http: 503, rtsp: 503, hresult: 0xc00d0004 },
  });
}

/** The content at a path; the caller must `releaseContent` it. Throws ProtocolError (404, 400, 503). */
export async function acquireContent(ctx: ServerContext, path: string): Promise<Content> {
  const point = findPoint(ctx, path);
  if (point) {
    const facts = point.facts ?? (await point.whenReady(LIVE_READY_WAIT_MS));
    if (!facts) throw notReady(path);
    return { kind: 'live', point, facts };
  }
  return { kind: 'file', source: await ctx.library.acquire(path) };
}

export async function releaseContent(c: Content | null): Promise<void> {
  if (c?.kind === 'file') await c.source.close();
}

export interface SessionFacts extends ContentFacts {
  readonly live: boolean;
}

export function liveContentFacts(f: LiveFacts): SessionFacts {
  return {
    headerBytes: f.headerBytes,
    packetSize: f.packetSize,
    packetCount: 0,
    preroll: f.preroll,
    streams: [...f.streams],
    durationMs: 0,
    maxBitrate: f.maxBitrate,
    fileSize: 0,
    live: true,
  };
}

/** The facts of what a session serves now (a live point's current header). */
export function sessionFacts(c: Content): SessionFacts {
  if (c.kind === 'file') return { ...contentFacts(c.source), live: false };
  return liveContentFacts(c.point.facts ?? c.facts);
}
