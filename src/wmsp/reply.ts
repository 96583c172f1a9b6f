// Response heads of the MMSH server as text, CRLF lines ending in an empty line [MS-WMSP 3.2.5.2; wmsp.md §3.2, §6].
//
// Every head carries a status line with a reason phrase (libmms rejects one without), `Server: Cougar/...`, and
// `Connection: close`. Nothing is ever chunked: MPlayer, VLC and libmms cannot decode chunked MMSH bodies.
import { versionAtLeast, type WmspUserAgent } from './user-agent.js';

/** The server token clients see; `Cougar` >= 9 obliges $M before $H for clients >= 9.0 [MS-WMSP 3.2.5.4]. */
export const SERVER_TOKEN = 'Cougar/9.01.01.3814';
/** Idle timeout announced with every client-id, ms [MS-WMSP 2.2.1.4.29, 3.2.2]. */
export const SESSION_TIMEOUT_MS = 60000;
export const CONTENT_TYPE = {
  describe: 'application/vnd.ms.wms-hdr.asfv1',
  play: 'application/x-mms-framed',
  download: 'video/x-ms-asf',
  text: 'text/plain; charset=utf-8',
} as const;
/** netshow advertises only what it implements [MS-WMSP 3.2.5.2]. */
export const SUPPORTED = 'com.microsoft.wm.sswitch';

export const FEATURES = { onDemand: 'seekable,stridable', live: 'broadcast,playlist' } as const;

const REASONS: Readonly<Record<number, string>> = {
  200: 'OK',
  204: 'No Content',
  302: 'Found',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Payload Too Large',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
  505: 'HTTP Version Not Supported',
};

/** The reason phrase of a status; always non-empty (wmsp.md §9.4). */
export function reasonPhrase(status: number): string {
  return REASONS[status] ?? (status >= 500 ? 'Server Error' : status >= 400 ? 'Client Error' : 'OK');
}

/** What every head depends on. */
export interface ReplyBase {
  /** HTTP version of the request: the status line answers with the same one (1.0 or 1.1). */
  readonly httpVersion: string;
  /** netshow's version, appended to the Server header as `netshow/<version>`. */
  readonly serverVersion: string;
}

/** A WMSP session reply also names the session and what the content allows. */
export interface SessionReply extends ReplyBase {
  readonly clientId: number;
  readonly live: boolean;
  readonly userAgent: WmspUserAgent | null;
}

export type HeaderLine = readonly [string, string];

function statusLine(httpVersion: string, status: number): string {
  const v = httpVersion === '1.1' ? '1.1' : '1.0';
  return `HTTP/${v} ${status} ${reasonPhrase(status)}`;
}

/** Joins a status line and header lines into a head. Header values must not contain CR or LF. */
export function formatHead(httpVersion: string, status: number, headers: readonly HeaderLine[]): string {
  const lines = [statusLine(httpVersion, status)];
  for (const [name, value] of headers) lines.push(`${name}: ${value.replace(/[\r\n]+/g, ' ')}`);
  return lines.join('\r\n') + '\r\n\r\n';
}

function serverHeader(version: string): HeaderLine {
  // [MS-WMSP 3.2.5.2] Server is required in every response; netshow trails its own product token.
  return ['Server', `${SERVER_TOKEN} netshow/${version}`];
}

/** Optional tokens of a Play reply: what the server decided (wmsp.md §4.2). */
export interface PragmaExtras {
  /** The client named a client-id the server does not know [MS-WMSP 3.2.5.4, 3.2.5.6]. */
  readonly resetStream?: boolean;
  readonly speed?: number;
  readonly accelBW?: number;
  readonly accelDuration?: number;
}

/** `no-cache, client-id=N, features="...", timeout=60000` and extras [MS-WMSP 3.2.5.2]. */
export function sessionPragma(r: SessionReply, extras: PragmaExtras = {}): string {
  const tokens = [
    'no-cache',
    `client-id=${r.clientId >>> 0}`,
    // VLC reads a reply without features as broadcast: always send it (wmsp.md §3.2).
    `features="${r.live ? FEATURES.live : FEATURES.onDemand}"`,
    `timeout=${SESSION_TIMEOUT_MS}`,
  ];
  if (extras.resetStream) tokens.push('xResetStrm=1');
  if (extras.speed !== undefined) tokens.push(`Speed=${extras.speed.toFixed(3)}`);
  if (extras.accelBW !== undefined) tokens.push(`AccelBW=${extras.accelBW}`);
  if (extras.accelDuration !== undefined) tokens.push(`AccelDuration=${extras.accelDuration}`);
  return tokens.join(', ');
}

/** Supported goes only to NSPlayer/NSServer >= 9.0 [MS-WMSP 2.2.1.7, 3.2.5.2]. */
function supportedFor(ua: WmspUserAgent | null): HeaderLine[] {
  const eligible = ua !== null && ua.product !== 'WMCacheProxy' && versionAtLeast(ua, 9);
  return eligible ? [['Supported', SUPPORTED]] : [];
}

function sessionHead(r: SessionReply, contentType: string, extras: PragmaExtras, length?: number): string {
  const headers: HeaderLine[] = [
    serverHeader(r.serverVersion),
    ['Content-Type', contentType],
    ['Cache-Control', 'no-cache'],
    ['Pragma', sessionPragma(r, extras)],
    ...supportedFor(r.userAgent),
  ];
  if (length !== undefined) headers.push(['Content-Length', String(length)]);
  headers.push(['Connection', 'close']);
  return formatHead(r.httpVersion, 200, headers);
}

/**
 * Describe reply head [MS-WMSP 2.2.2.1, 3.2.5.4]. `contentLength` is the exact body length ($M/$H chunks); all
 * four open-source clients accept it together with `Connection: close` (wmsp.md §3.2).
 */
export function describeReply(r: SessionReply, contentLength?: number, extras: PragmaExtras = {}): string {
  return sessionHead(r, CONTENT_TYPE.describe, extras, contentLength);
}

/** Play reply head [MS-WMSP 2.2.2.6, 3.2.5.6]: never a Content-Length, the body's length is unknown. */
export function playReply(r: SessionReply, extras: PragmaExtras = {}): string {
  return sessionHead(r, CONTENT_TYPE.play, extras);
}

/** Plain progressive download for a client that is not a WMSP client (wmsp.md §6.11). */
export function downloadReply(r: ReplyBase & { readonly contentLength?: number }): string {
  const headers: HeaderLine[] = [serverHeader(r.serverVersion), ['Content-Type', CONTENT_TYPE.download]];
  if (r.contentLength !== undefined) headers.push(['Content-Length', String(r.contentLength)]);
  headers.push(['Cache-Control', 'no-cache'], ['Connection', 'close']);
  return formatHead(r.httpVersion, 200, headers);
}

/**
 * A reply without a body for Log, KeepAlive, Stop, SendEvent, GetContentInfo and the declined Pipeline test.
 * `pragma` is the full Pragma value, when one is due.
 */
export function emptyReply(r: ReplyBase & { readonly status?: number; readonly pragma?: string }): string {
  const headers: HeaderLine[] = [serverHeader(r.serverVersion), ['Cache-Control', 'no-cache']];
  if (r.pragma !== undefined) headers.push(['Pragma', r.pragma]);
  headers.push(['Content-Length', '0'], ['Connection', 'close']);
  return formatHead(r.httpVersion, r.status ?? 200, headers);
}

/** An error head and its short text/plain body; never `$` framing with an error status (wmsp.md §6.12). */
export function errorReply(
  status: number,
  message: string,
  r: ReplyBase & { readonly headers?: readonly HeaderLine[] },
): { readonly head: string; readonly body: Buffer } {
  const body = Buffer.from(
    `${status} ${reasonPhrase(status)}: ${message.replace(/[\r\n]+/g, ' ').slice(0, 200)}\n`,
  );
  const headers: HeaderLine[] = [
    serverHeader(r.serverVersion),
    ['Content-Type', CONTENT_TYPE.text],
    ['Content-Length', String(body.length)],
    ...(r.headers ?? []),
    ['Connection', 'close'],
  ];
  return { head: formatHead(r.httpVersion, status, headers), body };
}
