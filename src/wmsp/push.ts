// Encoder push: recognising a POST that carries a live stream to a broadcast point, deciding its answer, and the
// answer's head [MS-WMHTTP; RFC 9112 §6.3 for the body length].
//
// Encoder push. Two kinds of pusher POST to the point's path (e.g. `/live`):
// - Windows Media Encoder speaks [MS-WMHTTP]: a PushSetup POST (`Content-Type: application/x-wms-pushsetup`,
//   `Cookie: push-id=0`, a tiny `AutoDestroy: 1` body [2.2.2.1]) answered 204 with `Set-Cookie: push-id=N`
//   [3.2.5.1]; then, on the same connection, a PushStart POST (`application/x-wms-pushstart`, `Content-Length:
//   2147483647`, the cookie [2.2.2.2]) whose body is `$H` `$D`.. `$E` with 4-byte framing [2.2.3]. 401 challenges
//   happen on either [3.2.5.1, 3.2.5.2]; the encoder reconnects and sends Authorization.
// - FFmpeg (`-f asf -method POST`) sends one POST with no Content-Type: a chunked plain ASF body (no length at all
//   with `-chunked_post 0`, `$H`/`$D` MMSH framing with `-f asf_stream`). With credentials in the URL it first
//   sends `Expect: 100-continue` and waits for `100 Continue` or a 401 (`-auth_type basic` sends them at once).
// Bodies are decoded by wmsp/push-body.ts, chunked transfer coding by core/http-chunked.ts.
import { createHash, timingSafeEqual } from 'node:crypto';
import { ProtocolError } from '../core/errors.js';
import { headerValues, parsePragmas } from './pragma.js';
import { errorReply, formatHead, SERVER_TOKEN, type HeaderLine, type ReplyBase } from './reply.js';
import { classifyRequest } from './request.js';
import { parseUserAgent } from './user-agent.js';

export const PUSH_CONTENT_TYPE = {
  setup: 'application/x-wms-pushsetup',
  start: 'application/x-wms-pushstart',
} as const;
/** Idle-Timeout announced in `Pragma: timeout=` [MS-WMHTTP 2.2.1.4.2, 3.2.2]: its default, 60 s. */
export const PUSH_IDLE_TIMEOUT_MS = 60000;
/** A PushSetup body holds two short directives [MS-WMHTTP 2.2.2.1]. */
export const MAX_PUSH_SETUP_BODY = 4096;
/** Realm of the Basic challenge. */
export const PUSH_REALM = 'netshow';
/**
 * What WMS 9 lists in Supported on push replies. None applies to push [MS-WMHTTP 2.2.1.7]; it is sent because
 * the receivers known to work with Windows Media Encoder (PeerCast, Flumotion) copy it from WMS.
 */
export const PUSH_SUPPORTED =
  'com.microsoft.wm.srvppair, com.microsoft.wm.sswitch, com.microsoft.wm.predstrm, com.microsoft.wm.fastcache, ' +
  'com.microsoft.wm.startupprofile';

export interface PushRequestHead {
  readonly method: string;
  readonly path: string;
  /** Raw `[name, value]` pairs in arrival order. */
  readonly headers: readonly (readonly [string, string])[];
}

/** How the request body is delimited [RFC 9112 §6.3]. */
export type PushBodyLength =
  | { readonly type: 'length'; readonly length: number }
  | { readonly type: 'chunked' }
  /** Neither Content-Length nor Transfer-Encoding: the body runs until the connection closes (`-chunked_post 0`). */
  | { readonly type: 'close' };

export interface BasicCredentials {
  readonly user: string;
  readonly password: string;
}

export interface PushRequest {
  readonly kind: 'push-setup' | 'push-start' | 'plain-post';
  readonly path: string;
  readonly body: PushBodyLength;
  /** The `push-id` cookie; null without one; "0" asks for a new session [MS-WMHTTP 2.2.1.3.1]. */
  readonly pushId: string | null;
  /** Authorization: Basic, decoded; null without it, with another scheme, or when it does not decode. */
  readonly credentials: BasicCredentials | null;
  /** The Authorization scheme as sent (`Basic`, `Digest`, `NTLM`, `Negotiate`); null without the header. */
  readonly authScheme: string | null;
  /** `Expect: 100-continue`: the client sends the body only after `100 Continue` [RFC 9110 §10.1.1]. */
  readonly expectContinue: boolean;
  /** `WMEncoder/major.minor` [MS-WMHTTP 2.2.1.8]; null for any other agent (FFmpeg says `Lavf/59.27.100`). */
  readonly encoder: { readonly major: number; readonly minor: number } | null;
  readonly userAgent: string | null;
}

export type PushClassification = PushRequest | { readonly kind: 'not-push' };

function badRequest(message: string, http = 400): ProtocolError {
  return new ProtocolError('E_WMSP_PUSH_REQUEST', message, { reply: { http } });
}

function first(head: PushRequestHead, name: string): string | undefined {
  return headerValues(head.headers, name)[0];
}

function mediaType(value: string | undefined): string {
  return (value ?? '').split(';')[0]!.trim().toLowerCase();
}

/** The body length rules of RFC 9112 §6.3, refusing the ambiguous cases a proxy could read differently. */
export function bodyLength(head: PushRequestHead): PushBodyLength {
  const codings = headerValues(head.headers, 'transfer-encoding')
    .flatMap((v) => v.split(','))
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '');
  const lengths = headerValues(head.headers, 'content-length').flatMap((v) =>
    v.split(',').map((x) => x.trim()),
  );
  if (codings.length > 0) {
    if (lengths.length > 0) throw badRequest('both Transfer-Encoding and Content-Length');
    if (codings[codings.length - 1] !== 'chunked')
      throw badRequest('a Transfer-Encoding that does not end in chunked');
    if (codings.length > 1) throw badRequest(`Transfer-Encoding ${codings.join(', ')} is not supported`, 501);
    return { type: 'chunked' };
  }
  if (lengths.length === 0) return { type: 'close' };
  if (!lengths.every((l) => /^\d{1,15}$/.test(l) && l === lengths[0]))
    throw badRequest(`malformed Content-Length ${JSON.stringify(lengths.join(', ').slice(0, 40))}`);
  return { type: 'length', length: Number(lengths[0]) };
}

/** The push-id cookie of any Cookie header [MS-WMHTTP 2.2.1.3; RFC 2109 allows `;` and `,` between cookies]. */
function pushIdCookie(head: PushRequestHead): string | null {
  for (const value of headerValues(head.headers, 'cookie')) {
    for (const part of value.split(/[;,]/)) {
      const eq = part.indexOf('=');
      if (eq < 0 || part.slice(0, eq).trim() !== 'push-id') continue;
      const id = part
        .slice(eq + 1)
        .trim()
        .replace(/^"(.*)"$/, '$1');
      // [MS-WMHTTP 3.2.3] a server's id is at most 255 visible characters.
      if (!/^[\x21-\x7e]{1,255}$/.test(id)) throw badRequest('a malformed push-id cookie');
      return id;
    }
  }
  return null;
}

/** `Basic base64(user:password)` [RFC 7617]; null when it is not Basic or does not decode. */
export function parseBasicCredentials(authorization: string | undefined): BasicCredentials | null {
  const m = /^Basic[ \t]+([A-Za-z0-9+/]{1,1024}={0,2})[ \t]*$/i.exec(authorization ?? '');
  if (!m) return null;
  const text = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon < 0) return null;
  return { user: text.slice(0, colon), password: text.slice(colon + 1) };
}

function encoderVersion(userAgent: string | undefined): PushRequest['encoder'] {
  const m = /^WMEncoder\/(\d{1,2})\.(\d{1,4})/.exec(userAgent ?? '');
  return m ? { major: Number(m[1]), minor: Number(m[2]) } : null;
}

/**
 * Which push, if any, a request is. A POST that WMSP itself defines (Log, KeepAlive, Stop...) or that declares
 * an empty body is `not-push`: the MMSH machine answers it. Throws only ProtocolError (a body length that cannot
 * be trusted, a malformed push-id, Pragma over its caps).
 */
export function classifyPush(head: PushRequestHead): PushClassification {
  if (head.method.toUpperCase() !== 'POST') return { kind: 'not-push' };
  const contentType = first(head, 'content-type');
  const type = mediaType(contentType);
  const body = bodyLength(head);
  let kind: PushRequest['kind'];
  // [MS-WMHTTP 2.2.1.1] the Content-Type alone tells PushSetup from PushStart.
  if (type === PUSH_CONTENT_TYPE.setup) kind = 'push-setup';
  else if (type === PUSH_CONTENT_TYPE.start) kind = 'push-start';
  else {
    const facts = {
      method: head.method,
      pragmas: parsePragmas(headerValues(head.headers, 'pragma')),
      userAgent: parseUserAgent(first(head, 'user-agent')),
      contentType,
      contentLength: body.type === 'length' ? body.length : undefined,
    };
    if (classifyRequest(facts) !== 'unknown-post') return { kind: 'not-push' };
    if (body.type === 'length' && body.length === 0) return { kind: 'not-push' };
    kind = 'plain-post';
  }
  if (kind === 'push-setup' && body.type === 'length' && body.length > MAX_PUSH_SETUP_BODY)
    throw badRequest(`a PushSetup body of ${body.length} bytes`, 413);
  const authorization = first(head, 'authorization');
  const userAgent = first(head, 'user-agent');
  return {
    kind,
    path: head.path,
    // A PushSetup without a length has no body [RFC 9112 §6.3]; it never streams.
    body: kind === 'push-setup' && body.type === 'close' ? { type: 'length', length: 0 } : body,
    pushId: pushIdCookie(head),
    credentials: parseBasicCredentials(authorization),
    authScheme: authorization === undefined ? null : (authorization.trim().split(/[ \t]/)[0] ?? ''),
    expectContinue: (first(head, 'expect') ?? '').trim().toLowerCase() === '100-continue',
    encoder: encoderVersion(userAgent),
    userAgent: userAgent ?? null,
  };
}

/** The directives of a PushSetup body [MS-WMHTTP 2.2.2.1.1, 2.2.2.1.2]; unknown lines are ignored. */
export function parsePushSetupBody(body: Buffer): {
  readonly autoDestroy: boolean;
  readonly templateUrl: string | null;
} {
  let autoDestroy = false;
  let templateUrl: string | null = null;
  for (const line of body.subarray(0, MAX_PUSH_SETUP_BODY).toString('latin1').split(/\r?\n/)) {
    const m = /^\s*(AutoDestroy|Template-URL)\s*:\s*(.*?)\s*$/i.exec(line);
    if (!m) continue;
    if (m[1]!.toLowerCase() === 'autodestroy') autoDestroy = m[2] === '1';
    else templateUrl = m[2]!.replace(/^"(.*)"$/, '$1');
  }
  return { autoDestroy, templateUrl };
}

/** What the server knows about the path of a push. */
export interface PushPointFacts {
  /** null: no broadcast point takes pushes at this path. */
  readonly point: {
    /** The point's push password, when it has one; any user name is accepted. */
    readonly password?: string;
    /** Another encoder is pushing to it now. */
    readonly busy: boolean;
  } | null;
}

export type PushDecision =
  | { readonly type: 'accept' }
  | { readonly type: 'reject'; readonly status: 401 | 404 | 409; readonly message: string };

function samePassword(given: string, expected: string): boolean {
  // Hashing first gives equal lengths, so the comparison time says nothing about the password.
  const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * The answer to a push, in the order of [MS-WMHTTP 3.2.5.1]: an unknown path is refused (404), then credentials
 * are checked (401 with a Basic challenge), then a point already fed by another encoder is refused (409).
 */
export function decidePush(req: PushRequest, facts: PushPointFacts): PushDecision {
  const point = facts.point;
  if (point === null)
    return { type: 'reject', status: 404, message: `no broadcast point takes pushes at ${req.path}` };
  if (
    point.password !== undefined &&
    !(req.credentials && samePassword(req.credentials.password, point.password))
  )
    return { type: 'reject', status: 401, message: 'the push password is missing or wrong' };
  if (point.busy)
    return { type: 'reject', status: 409, message: `another encoder is pushing to ${req.path}` };
  return { type: 'accept' };
}

/** Push replies name the session; `pushId` is the server's, never "0" [MS-WMHTTP 3.2.3]. */
export interface PushReply extends ReplyBase {
  readonly pushId?: string;
}

/**
 * Headers every push reply carries [MS-WMHTTP 2.2.2.1, 2.2.2.2]: Server (WME refuses a server without a Cougar
 * token [3.1.5.1]), `Pragma: no-cache, timeout=` and Cache-Control, and the push-id cookie. Names are written
 * exactly so: Flumotion found that Windows Media Encoder does not cope with other capitalisations.
 */
function pushHeaders(r: PushReply): HeaderLine[] {
  const headers: HeaderLine[] = [
    ['Server', `${SERVER_TOKEN} netshow/${r.serverVersion}`],
    ['Cache-Control', 'no-cache'],
    ['Pragma', `no-cache, timeout=${PUSH_IDLE_TIMEOUT_MS}`],
  ];
  if (r.pushId !== undefined) headers.push(['Set-Cookie', `push-id=${r.pushId}`]);
  headers.push(['Supported', PUSH_SUPPORTED]);
  return headers;
}

/**
 * 204 to an accepted PushSetup [MS-WMHTTP 3.2.5.1]. The connection stays open: the PushStart follows on it
 * [3.1.5.1 step 4], as PeerCast's `Connection: Keep-Alive` makes sure.
 */
export function pushSetupReply(r: PushReply & { readonly pushId: string }): string {
  return formatHead(r.httpVersion, 204, [
    ...pushHeaders(r),
    ['Content-Length', '0'],
    ['Connection', 'Keep-Alive'],
  ]);
}

/**
 * 204 to a PushStart whose body has been received in full [MS-WMHTTP 3.2.5.2.1]; also the answer to FFmpeg's
 * POST at its end (FFmpeg reads no status). The connection stays open for a next PushStart.
 */
export function pushStartReply(r: PushReply): string {
  return formatHead(r.httpVersion, 204, [
    ...pushHeaders(r),
    ['Content-Length', '0'],
    ['Connection', 'Keep-Alive'],
  ]);
}

/** `100 Continue` to a request with `Expect: 100-continue` that will be accepted [RFC 9110 §10.1.1]. */
export function continueReply(): string {
  // Expect exists only in HTTP/1.1, so the interim status is always 1.1.
  return 'HTTP/1.1 100 Continue\r\n\r\n';
}

/**
 * A refusal with its short text body: 401 carries the Basic challenge [MS-WMHTTP 3.2.5.1, RFC 7617], 404 an
 * unknown point, 409 a point another encoder feeds, 400/413/501 a request that cannot be read. The connection is
 * closed after it: an encoder answers a 401 on a new connection [3.1.5.1]. FFmpeg reads no reply while it sends
 * (unless it sent `Expect`): only a reset connection stops it, a half-close lets it stream on and exit 0 (tried).
 */
export function pushErrorReply(
  status: number,
  message: string,
  r: PushReply,
): { readonly head: string; readonly body: Buffer } {
  const headers = pushHeaders(r).filter(([name]) => name !== 'Server' && name !== 'Supported');
  if (status === 401) headers.push(['WWW-Authenticate', `Basic realm="${PUSH_REALM}"`]);
  return errorReply(status, message, { ...r, headers });
}
