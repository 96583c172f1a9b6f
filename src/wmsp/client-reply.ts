// The head of an HTTP reply as netshow's MMSH client reads it: status, the Pragma facts (client-id, features),
// the server's identity and what the body claims to be [MS-WMSP 3.1.5.3, 3.1.5.5, 3.1.5.11; wmsp.md §7].
//
//   HTTP/1.x SP status [SP reason] CRLF  *( name ":" value CRLF )  CRLF
//
// The client is tolerant where clients in the field are (wmsp.md §7): a missing reason phrase, bare LF line ends,
// any Server token. It fails at once on bytes that cannot start an HTTP reply, so a garbage server costs no timeout.
import { MAX_HEAD_BYTES, findHeadEnd } from '../core/http-head.js';
import { ProtocolError } from '../core/errors.js';
import { headerValues, parsePragmas, type PragmaSet } from './pragma.js';

const MAX_HEADERS = 100;
const PREFIX = 'HTTP/';

export interface ClientReply {
  /** `1.0` or `1.1`. */
  readonly httpVersion: string;
  readonly status: number;
  readonly reason: string;
  /** In arrival order, names as sent; repeated Pragma lines stay separate. */
  readonly headers: readonly (readonly [string, string])[];
  /** The media type, lower case, without parameters; '' when absent. */
  readonly contentType: string;
  readonly contentLength: number | undefined;
  readonly server: string | undefined;
  /** Major version of a `Cougar/` or `Rex/` Server token [MS-WMSP 2.2.1.5]; undefined for any other server. */
  readonly wmsMajor: number | undefined;
  readonly pragmas: PragmaSet;
  readonly clientId: number | undefined;
  /** The `features` tokens [MS-WMSP 2.2.1.4.8], lower case. */
  readonly features: readonly string[];
  /** `broadcast` among the features: live content, no seeking [MS-WMSP 2.2.1.4.8.1]. */
  readonly broadcast: boolean;
  readonly location: string | undefined;
  readonly wwwAuthenticate: readonly string[];
}

function replyError(message: string, offset?: number): ProtocolError {
  return new ProtocolError('E_WMSP_REPLY', message, offset === undefined ? {} : { offset });
}

/**
 * Finds a complete reply head at the start of `buf`: null while more bytes are needed, else the reply and the
 * bytes it took (the body starts there). Throws ProtocolError E_WMSP_REPLY on anything that is not one.
 */
export function parseReplyHead(buf: Buffer): { reply: ClientReply; length: number } | null {
  const start = buf.subarray(0, PREFIX.length).toString('latin1');
  if (!PREFIX.startsWith(start)) throw replyError(`not an HTTP reply: ${JSON.stringify(start)}`, 0);
  const end = findHeadEnd(buf);
  if (end === null) {
    if (buf.length > MAX_HEAD_BYTES)
      throw replyError(`reply head over ${MAX_HEAD_BYTES} bytes`, MAX_HEAD_BYTES);
    return null;
  }
  const lines = buf.subarray(0, end.at).toString('latin1').replace(/\r$/, '').split(/\r?\n/);
  const statusLine = lines.shift() ?? '';
  const m = /^HTTP\/(\d)\.(\d) (\d{3})(?: (.*))?$/.exec(statusLine);
  if (!m) throw replyError(`malformed status line ${JSON.stringify(statusLine.slice(0, 80))}`, 0);
  const headers: [string, string][] = [];
  for (const line of lines) {
    if (line.length === 0) continue;
    const colon = line.indexOf(':');
    // VLC's client also refuses a header line without a colon (wmsp.md §9.2).
    if (colon <= 0) throw replyError(`malformed header line ${JSON.stringify(line.slice(0, 80))}`);
    if (headers.length >= MAX_HEADERS) throw replyError(`more than ${MAX_HEADERS} headers`);
    headers.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
  }
  return {
    reply: replyFacts(`${m[1]!}.${m[2]!}`, Number(m[3]), m[4] ?? '', headers),
    length: end.at + end.sep,
  };
}

/** The facts of a reply from its parsed parts. */
export function replyFacts(
  httpVersion: string,
  status: number,
  reason: string,
  headers: readonly (readonly [string, string])[],
): ClientReply {
  const first = (name: string): string | undefined => headerValues(headers, name)[0];
  const pragmas = parsePragmas(headerValues(headers, 'pragma'));
  const features = (pragmas.value('features') ?? '')
    .split(',')
    .map((f) => f.trim().toLowerCase())
    .filter((f) => f !== '');
  const length = first('content-length');
  const server = first('server');
  const wms = /^(?:Cougar|Rex)\/(\d{1,2})\b/i.exec(server ?? '');
  return {
    httpVersion,
    status,
    reason,
    headers,
    contentType: (first('content-type') ?? '').split(';')[0]!.trim().toLowerCase(),
    contentLength: length !== undefined && /^\d{1,15}$/.test(length) ? Number(length) : undefined,
    server,
    wmsMajor: wms ? Number(wms[1]) : undefined,
    pragmas,
    clientId: pragmas.u32('client-id'),
    features,
    broadcast: features.includes('broadcast'),
    location: first('location'),
    wwwAuthenticate: headerValues(headers, 'www-authenticate'),
  };
}

/** What a status means to the client (wmsp.md §6.12, rollover.md §2.3). */
export type ReplyOutcome = 'ok' | 'redirect' | 'auth' | 'not-found' | 'refused';

export function replyOutcome(reply: ClientReply): ReplyOutcome {
  const s = reply.status;
  if (s >= 200 && s < 300) return 'ok';
  if ((s === 301 || s === 302 || s === 303 || s === 307 || s === 308) && reply.location !== undefined)
    return 'redirect';
  if (s === 401 || s === 403 || s === 407) return 'auth';
  if (s === 404 || s === 410) return 'not-found';
  return 'refused';
}
