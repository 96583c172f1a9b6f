// The MMSH server's decision for one HTTP request, as a pure function: what to answer and what to stream
// [MS-WMSP 3.2.5; wmsp.md §6]. The adapter writes `head` (and `body`), then for a Play streams `headerChunks` and
// paced $D chunks from `start` with `selection`, then $E. One handler per request kind behind `planRequest`.
import { isProtocolError } from '../core/errors.js';
import { changeChunk, headerChunks, metadataPayload, REASON } from './framing.js';
import { headerValues, parsePragmas, type PragmaSet, type ThinLevel } from './pragma.js';
import { playParams, type RateParams, type StartDecision } from './play-params.js';
import {
  FEATURES,
  describeReply,
  downloadReply,
  emptyReply,
  errorReply,
  playReply,
  SESSION_TIMEOUT_MS,
  type HeaderLine,
  type PragmaExtras,
  type SessionReply,
} from './reply.js';
import { classifyRequest, type RequestKind } from './request.js';
import { parseUserAgent, versionAtLeast, type WmspUserAgent } from './user-agent.js';

export interface HttpRequestHead {
  readonly method: string;
  readonly path: string;
  /** `1.0` or `1.1` (Node's `httpVersion`). */
  readonly httpVersion: string;
  /** Raw `[name, value]` pairs in arrival order (Node's `rawHeaders`, paired), so repeated Pragmas survive. */
  readonly headers: readonly (readonly [string, string])[];
}

/** What the machine needs to know about the content at the request's path. */
export interface ContentDescription {
  /** "The ASF header": Header Object plus the 50-byte Data Object start; served in $H as is. */
  readonly headerBytes: Buffer;
  readonly packetSize: number;
  readonly packetCount: number;
  readonly preroll: number;
  readonly streams: readonly number[];
  readonly live: boolean;
  readonly seekable: boolean;
  /** Media duration in ms (play duration minus preroll), to clamp seeks; optional. */
  readonly durationMs?: number;
  /** Size of the whole file when it is one: a download then gets every byte, index included. */
  readonly fileSize?: number;
}

export interface MachineContext {
  /** netshow's version for the Server header. */
  readonly serverVersion: string;
  /** A fresh random u32, unique among live sessions, used when the request starts a session. */
  readonly newClientId: number;
  /** Whether a client-id names a live session; without it every client-id is taken as known. */
  readonly isKnownClientId?: (id: number) => boolean;
}

/** What happens after the answer: an existing session is told to stop or to change streams. */
export type SessionAction =
  | { readonly type: 'stop'; readonly clientId: number }
  | { readonly type: 'select-stream'; readonly clientId: number; readonly pragmas: PragmaSet };

export interface PlanBase {
  /** The request type, or 'invalid' when the request could not be classified (bad HTTP version, Pragma caps). */
  readonly request: RequestKind | 'invalid';
  readonly head: string;
}

export interface DescribePlan extends PlanBase {
  readonly kind: 'describe';
  readonly clientId: number;
  /** $M (clients >= 9.0) and $H chunks; their total length is the head's Content-Length. */
  readonly body: readonly Buffer[];
}

export interface PlayPlan extends PlanBase {
  readonly kind: 'play';
  readonly clientId: number;
  /** $M (clients >= 9.0) and $H chunks to write right after the head, before any $D. */
  readonly headerChunks: readonly Buffer[];
  readonly start: StartDecision;
  /** Thin level per stream; streams not in the map are not sent; null = every stream. */
  readonly selection: ReadonlyMap<number, ThinLevel> | null;
  readonly rate: RateParams;
  readonly maxDurationMs: number;
  /** Incarnation to stamp on $D (the same as on the $H above) [MS-WMSP 2.2.3.1.2]. */
  readonly incarnation: number;
  readonly live: boolean;
  readonly userAgent: WmspUserAgent | null;
}

export interface DownloadPlan extends PlanBase {
  readonly kind: 'download';
  /** Header bytes then the data packets, unframed; undefined for live (until the client leaves). */
  readonly contentLength: number | undefined;
  readonly live: boolean;
}

export interface ReplyPlan extends PlanBase {
  readonly kind: 'reply';
  readonly status: number;
  readonly body: Buffer;
  readonly action?: SessionAction;
}

export type WmspPlan = DescribePlan | PlayPlan | DownloadPlan | ReplyPlan;

/** A request with its headers parsed once. */
interface Parsed {
  readonly req: HttpRequestHead;
  readonly kind: RequestKind;
  readonly pragmas: PragmaSet;
  readonly userAgent: WmspUserAgent | null;
  readonly content: ContentDescription | null;
  readonly ctx: MachineContext;
}

const EMPTY = Buffer.alloc(0);

function fail(
  p: { readonly req: HttpRequestHead; readonly kind: RequestKind | 'invalid'; readonly ctx: MachineContext },
  status: number,
  message: string,
  headers?: HeaderLine[],
): ReplyPlan {
  const e = errorReply(status, message, {
    httpVersion: p.req.httpVersion,
    serverVersion: p.ctx.serverVersion,
    headers,
  });
  return { kind: 'reply', request: p.kind, status, head: e.head, body: e.body };
}

function empty(p: Parsed, status: number, pragma?: string, action?: SessionAction): ReplyPlan {
  const head = emptyReply({
    httpVersion: p.req.httpVersion,
    serverVersion: p.ctx.serverVersion,
    status,
    pragma,
  });
  return action === undefined
    ? { kind: 'reply', request: p.kind, status, head, body: EMPTY }
    : { kind: 'reply', request: p.kind, status, head, body: EMPTY, action };
}

/** The client-id a session reply uses, and whether the client named one the server does not know. */
function sessionId(p: Parsed): { clientId: number; reset: boolean } {
  const asked = p.pragmas.u32('client-id');
  if (asked === undefined) return { clientId: p.ctx.newClientId, reset: false };
  if (p.ctx.isKnownClientId === undefined || p.ctx.isKnownClientId(asked))
    return { clientId: asked, reset: false };
  // [MS-WMSP 3.2.5.4, 3.2.5.6] unknown client-id on Describe/Play: a new session, announced by xResetStrm=1.
  return { clientId: p.ctx.newClientId, reset: true };
}

function sessionReply(p: Parsed, content: ContentDescription, clientId: number): SessionReply {
  return {
    httpVersion: p.req.httpVersion,
    serverVersion: p.ctx.serverVersion,
    clientId,
    live: content.live,
    userAgent: p.userAgent,
  };
}

/** $M then $H for clients >= 9.0 of a Cougar 9 server; $H alone otherwise [MS-WMSP 3.2.5.4, 3.2.5.6]. */
function headerBody(
  ua: WmspUserAgent | null,
  content: Pick<ContentDescription, 'headerBytes' | 'live'>,
  incarnation: number,
): Buffer[] {
  const h = headerChunks(content.headerBytes, incarnation);
  if (!versionAtLeast(ua, 9)) return h;
  const features = content.live ? FEATURES.live : FEATURES.onDemand;
  return [...headerChunks(metadataPayload(0, 0, features), incarnation, 'M'), ...h];
}

/**
 * A live stream's new header mid-play: `$C` (reason 0), then `$M` and `$H` as in the Play reply [MS-WMSP 3.2.4.2;
 * wmsp.md §6.5 policy 3: only ever to a session told `broadcast`].
 */
export function streamChangeChunks(plan: PlayPlan, headerBytes: Buffer): Buffer[] {
  const body = headerBody(plan.userAgent, { live: true, headerBytes }, plan.incarnation);
  return [changeChunk(REASON.ok), ...body];
}

function byteLength(chunks: readonly Buffer[]): number {
  return chunks.reduce((n, b) => n + b.length, 0);
}

function onDescribe(p: Parsed, content: ContentDescription): WmspPlan {
  const { clientId, reset } = sessionId(p);
  const body = headerBody(p.userAgent, content, 0);
  // [MS-WMSP 2.2.2.1] never chunked; the body is the $H piece(s) and nothing after them (wmsp.md §6.1).
  const head = describeReply(sessionReply(p, content, clientId), byteLength(body), { resetStream: reset });
  return { kind: 'describe', request: p.kind, head, clientId, body };
}

function onPlay(p: Parsed, content: ContentDescription): WmspPlan {
  const { clientId, reset } = sessionId(p);
  const params = playParams(
    p.pragmas,
    {
      headerSize: content.headerBytes.length,
      packetSize: content.packetSize,
      packetCount: content.packetCount,
      preroll: content.preroll,
      live: content.live,
      seekable: content.seekable,
      durationMs: content.durationMs,
    },
    content.streams,
    p.userAgent,
  );
  const extras: PragmaExtras = {
    resetStream: reset,
    // wmsp.md §6.2: echo Speed when honoured, and the Fast Start actually used (§6.8).
    ...(params.rate.speed === null ? {} : { speed: params.rate.speed }),
    ...(params.rate.accel === null
      ? {}
      : { accelBW: params.rate.accel.bitsPerSecond, accelDuration: params.rate.accel.durationMs }),
  };
  return {
    kind: 'play',
    request: p.kind,
    head: playReply(sessionReply(p, content, clientId), extras),
    clientId,
    headerChunks: headerBody(p.userAgent, content, 0),
    start: params.start,
    selection: params.selection,
    rate: params.rate,
    maxDurationMs: params.maxDurationMs,
    incarnation: 0,
    live: content.live,
    userAgent: p.userAgent,
  };
}

function onDownload(p: Parsed, content: ContentDescription): WmspPlan {
  // wmsp.md §6.11 netshow decision: a plain progressive ASF download, Content-Length for files.
  const contentLength = content.live
    ? undefined
    : (content.fileSize ?? content.headerBytes.length + content.packetCount * content.packetSize);
  const head = downloadReply({
    httpVersion: p.req.httpVersion,
    serverVersion: p.ctx.serverVersion,
    contentLength,
  });
  return { kind: 'download', request: p.kind, head, contentLength, live: content.live };
}

function onHead(p: Parsed, content: ContentDescription): WmspPlan {
  const get = p.userAgent === null ? onDownload(p, content) : onDescribe(p, content);
  return { kind: 'reply', request: p.kind, status: 200, head: get.head, body: EMPTY };
}

/** Requests that name an existing session must name a known one [MS-WMSP 3.2.5.1]. */
function knownSession(p: Parsed): number | null {
  const id = p.pragmas.u32('client-id');
  if (id === undefined) return null;
  return p.ctx.isKnownClientId === undefined || p.ctx.isKnownClientId(id) ? id : null;
}

function onKeepAlive(p: Parsed): WmspPlan {
  const id = knownSession(p);
  if (p.req.method.toUpperCase() === 'OPTIONS') {
    // [MS-WMSP 3.2.5.8] OPTIONS with an unknown client-id gets a new session and xResetStrm=1.
    const clientId = id ?? p.ctx.newClientId;
    const reset = id === null && p.pragmas.has('client-id') ? ', xResetStrm=1' : '';
    return empty(p, 200, `no-cache, client-id=${clientId}, timeout=${SESSION_TIMEOUT_MS}${reset}`);
  }
  if (id === null) return fail(p, 400, 'KeepAlive names no known client-id');
  return empty(p, 200, `no-cache, client-id=${id}, timeout=${SESSION_TIMEOUT_MS}`);
}

function onStop(p: Parsed): WmspPlan {
  const id = knownSession(p);
  if (id === null) return fail(p, 400, 'Stop names no known client-id');
  // wmsp.md §2 row 5: accepted in both modes; the session stops sending $D.
  return empty(p, 200, `no-cache, client-id=${id}`, { type: 'stop', clientId: id });
}

function onSelectStream(p: Parsed): WmspPlan {
  // [MS-WMSP 2.2.2.8, 3.2.5.1] SelectStream is a POST when not pipelined, and netshow never pipelines.
  if (p.req.method.toUpperCase() !== 'POST')
    return fail(p, 400, 'SelectStream must be a POST (pipelining declined)');
  const id = knownSession(p);
  if (id === null) return fail(p, 400, 'SelectStream names no known client-id');
  return empty(p, 200, `no-cache, client-id=${id}`, {
    type: 'select-stream',
    clientId: id,
    pragmas: p.pragmas,
  });
}

function onPipeline(p: Parsed): WmspPlan {
  // wmsp.md §6.9 netshow decision: the spec's "no" form, HTTP/1.0 204 with pipeline-result=0, to every test.
  const clientId = p.pragmas.u32('client-id') ?? p.ctx.newClientId;
  const head = emptyReply({
    httpVersion: '1.0',
    serverVersion: p.ctx.serverVersion,
    status: 204,
    pragma: `no-cache, client-id=${clientId}, pipeline-result=0`,
  });
  return { kind: 'reply', request: p.kind, status: 204, head, body: EMPTY };
}

type Handler = (p: Parsed) => WmspPlan;

/** Handlers that serve the content at the path (404 when there is none). */
function withContent(h: (p: Parsed, c: ContentDescription) => WmspPlan): Handler {
  return (p) => (p.content === null ? fail(p, 404, `no content at ${p.req.path}`) : h(p, p.content));
}

const HANDLERS: Readonly<Record<RequestKind, Handler>> = {
  // wmsp.md §6.7 netshow decision: accept any log, never fail over its body, 200 with Content-Length: 0.
  log: (p) => empty(p, 200),
  'keep-alive': onKeepAlive,
  // [MS-WMSP 2.2.2.2] GetContentInfo: Cache-Control only.
  'get-content-info': (p) => empty(p, 200),
  // [MS-WMSP 3.2.5.12] SendEvent: accepted, empty 200.
  'send-event': (p) => empty(p, 200),
  pipeline: onPipeline,
  // [MS-WMSP 3.2.5.9] PlayNextEntry exists only in pipelined mode, which netshow declines.
  'play-next-entry': (p) => fail(p, 400, 'PlayNextEntry needs pipelined mode, which this server declines'),
  stop: onStop,
  play: (p) =>
    p.req.method.toUpperCase() === 'GET'
      ? withContent(onPlay)(p)
      : fail(p, 400, 'Play must be a GET request'),
  'select-stream': onSelectStream,
  describe: withContent(onDescribe),
  head: withContent(onHead),
  'not-wmsp': withContent(onDownload),
  'unknown-post': (p) => fail(p, 400, 'not a WMSP POST request'),
  'unsupported-method': (p) =>
    fail(p, 405, `method ${p.req.method} not allowed`, [['Allow', 'GET, HEAD, POST, OPTIONS']]),
};

function contentLengthOf(req: HttpRequestHead): number | undefined {
  const v = headerValues(req.headers, 'content-length')[0];
  if (v === undefined || !/^\s*\d+\s*$/.test(v)) return undefined;
  return Number(v);
}

/**
 * The plan for one request. `content` is what the path names, or null when nothing is there. Never throws for
 * anything the peer sent: a ProtocolError becomes an error reply with its HTTP status.
 */
export function planRequest(
  req: HttpRequestHead,
  content: ContentDescription | null,
  ctx: MachineContext,
): WmspPlan {
  const base = { req, kind: 'invalid' as const, ctx };
  // wmsp.md §2: HTTP/1.0 or HTTP/1.1 only.
  if (req.httpVersion !== '1.0' && req.httpVersion !== '1.1') {
    return fail(
      { ...base, req: { ...req, httpVersion: '1.0' } },
      505,
      `HTTP/${req.httpVersion} is not supported`,
    );
  }
  try {
    const pragmas = parsePragmas(headerValues(req.headers, 'pragma'));
    const userAgent = parseUserAgent(headerValues(req.headers, 'user-agent')[0]);
    const kind = classifyRequest({
      method: req.method,
      pragmas,
      userAgent,
      contentType: headerValues(req.headers, 'content-type')[0],
      contentLength: contentLengthOf(req),
    });
    return HANDLERS[kind]({ req, kind, pragmas, userAgent, content, ctx });
  } catch (e) {
    if (!isProtocolError(e)) throw e;
    return fail(base, e.reply.http ?? 400, e.message);
  }
}
