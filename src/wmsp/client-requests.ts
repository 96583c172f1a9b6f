// The two requests of netshow's MMSH client as text, the Describe and the Play with the Pragma lines an NSPlayer
// sends [MS-WMSP 3.1.4.2.1, 3.1.4.3.1; wmsp.md §7, §8.1-8.5].
//
// netshow decision (wmsp.md §7): announce NSPlayer 7.1, below 9.0, so that no server owes it `$M` or pipelining,
// and send the classic non-pipelined exchange every server here answers. Everything the caller passes is checked
// for CR/LF so that no value can end a header line early.
import { guidText } from '../core/guid.js';
import { ProtocolError } from '../core/errors.js';
import { U32_UNSPECIFIED } from './pragma.js';

export const CLIENT_USER_AGENT = 'NSPlayer/7.1.0.3055';
/** The speed-up asked for on-demand content when the caller wants it fast: the spec's own example, 5x. */
export const FAST_SPEED = 5;
/** `Speed` is defined only towards servers 5.0 and later [MS-WMSP 2.2.1.4.24]. */
export const SPEED_MIN_SERVER_MAJOR = 5;

export interface ClientRequestBase {
  /** Path and query of the URL byte for byte (percent-encoding kept), e.g. `/d.wmv?x=1`. */
  readonly target: string;
  /** The Host header value, `host:port` (an IPv6 host in brackets). */
  readonly host: string;
  /** Registry-form GUID, identical for every request of one session [MS-WMSP 2.2.1.4.33]. */
  readonly clientGuid: string;
  readonly userAgent?: string;
  /** A complete Authorization header value (see `basicAuthorization`). */
  readonly authorization?: string;
}

export interface PlayRequest extends ClientRequestBase {
  /** From the Describe reply; the spec client echoes it [MS-WMSP 3.1.4.3.1]. */
  readonly clientId?: number;
  /** Broadcast content: no position tokens (wmsp.md §8.5). */
  readonly live: boolean;
  /** Media time in ms, preroll excluded, as FFmpeg and netshow's server read stream-time (wmsp.md §10). */
  readonly startMs?: number;
  /** Every stream number of the header: each is listed, on or off [MS-WMSP 3.1.4.3.1]. */
  readonly streams: readonly number[];
  readonly selected: readonly number[];
  /** Speed-up factor (on-demand, servers >= 5.0); omitted for normal pacing. */
  readonly speed?: number;
}

function requestError(message: string): ProtocolError {
  return new ProtocolError('E_WMSP_REQUEST', message);
}

function lineSafe(name: string, value: string): string {
  if (/[\r\n\0]/.test(value)) throw requestError(`${name} holds a line break or NUL`);
  return value;
}

/** `{8-4-4-4-12}` from 16 bytes (the caller draws them at random once per session). */
export function formatClientGuid(bytes: Uint8Array): string {
  return `{${guidText(bytes)}}`;
}

/** `Basic base64(user:password)` [RFC 2617 §2]; MPlayer and FFmpeg answer a 401 this way (wmsp.md §6.10). */
export function basicAuthorization(user: string, password: string): string {
  if (user.includes(':')) throw requestError('a Basic user name cannot contain ":"');
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}

function requestText(o: ClientRequestBase, pragmas: readonly string[]): string {
  if (!/^\/\S*$/.test(o.target))
    throw requestError(`request target ${JSON.stringify(o.target)} is not a path`);
  const lines = [
    `GET ${o.target} HTTP/1.0`,
    'Accept: */*',
    `User-Agent: ${lineSafe('User-Agent', o.userAgent ?? CLIENT_USER_AGENT)}`,
    `Host: ${lineSafe('Host', o.host)}`,
    ...pragmas.map((p) => `Pragma: ${p}`),
  ];
  if (o.authorization !== undefined)
    lines.push(`Authorization: ${lineSafe('Authorization', o.authorization)}`);
  lines.push('Connection: Close');
  return lines.join('\r\n') + '\r\n\r\n';
}

/** The Describe request [MS-WMSP 2.2.2.1]: no xPlayStrm, request-context 1 (wmsp.md §8.1). */
export function describeRequest(o: ClientRequestBase): string {
  return requestText(o, [
    'no-cache,rate=1.000000,stream-time=0,stream-offset=0:0,request-context=1,max-duration=0',
    `xClientGUID=${lineSafe('xClientGUID', o.clientGuid)}`,
  ]);
}

/** `ffff:N:0` for a wanted stream, `ffff:N:2` for the others, ids in hex [MS-WMSP 2.2.1.4.27]. */
export function switchEntries(streams: readonly number[], selected: readonly number[]): string {
  return streams.map((n) => `ffff:${n.toString(16)}:${selected.includes(n) ? 0 : 2}`).join(' ');
}

/**
 * The Play request [MS-WMSP 2.2.2.6]. On-demand: a non-zero stream-time wins over the unspecified packet-num and
 * stream-offset [MS-WMSP 3.2.5.6]; 0 with both unspecified means the start. Broadcast: no position at all.
 */
export function playRequest(o: PlayRequest): string {
  const start = Math.max(0, Math.min(Math.round(o.startMs ?? 0), U32_UNSPECIFIED - 1));
  const position = o.live
    ? 'no-cache,rate=1.000000,request-context=2'
    : `no-cache,rate=1.000000,stream-time=${start},stream-offset=${U32_UNSPECIFIED}:${U32_UNSPECIFIED},` +
      `packet-num=${U32_UNSPECIFIED},request-context=2,max-duration=0`;
  const pragmas = [position, 'xPlayStrm=1'];
  if (o.clientId !== undefined) pragmas.push(`client-id=${o.clientId >>> 0}`);
  pragmas.push(`xClientGUID=${lineSafe('xClientGUID', o.clientGuid)}`);
  if (o.streams.length > 0) {
    pragmas.push(`stream-switch-count=${o.streams.length}`);
    // [MS-WMSP 2.2.1.4.27] the entry list sits alone on its own Pragma line.
    pragmas.push(`stream-switch-entry=${switchEntries(o.streams, o.selected)}`);
  }
  if (o.speed !== undefined && !o.live) {
    // [MS-WMSP 2.2.1.4.24] a real number from 1 up, at most three decimals.
    if (!(o.speed >= 1)) throw requestError(`Speed ${o.speed} is below 1`);
    pragmas.push(`Speed=${o.speed.toFixed(3)}`);
  }
  return requestText(o, pragmas);
}

/** A plain GET for the progressive download a web server (or a WMS to a non-NSPlayer agent) answers. */
export function downloadRequest(o: Omit<ClientRequestBase, 'clientGuid'>): string {
  return requestText({ ...o, clientGuid: '', userAgent: o.userAgent ?? 'netshow' }, []);
}
