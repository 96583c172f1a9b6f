// Classifies an MMSH request into one of the request types of MS-WMSP [MS-WMSP 2.2.2; wmsp.md §2].
import type { PragmaSet } from './pragma.js';
import type { WmspUserAgent } from './user-agent.js';

export const REQUEST_KINDS = [
  'log',
  'keep-alive',
  'get-content-info',
  'send-event',
  'pipeline',
  'play-next-entry',
  'stop',
  'play',
  'select-stream',
  'describe',
  /** A HEAD: the head of what a GET would get. */
  'head',
  /** A GET from a browser, curl, `Lavf`...: served as a plain ASF download (wmsp.md §6.11). */
  'not-wmsp',
  /** A POST that is none of the WMSP POSTs. */
  'unknown-post',
  /** A method MMSH does not use (PUT, DELETE...). */
  'unsupported-method',
] as const;
export type RequestKind = (typeof REQUEST_KINDS)[number];

export interface RequestFacts {
  readonly method: string;
  readonly pragmas: PragmaSet;
  readonly userAgent: WmspUserAgent | null;
  readonly contentType?: string | undefined;
  readonly contentLength?: number | undefined;
}

/** Tokens that only a WMSP client sends: with one of them, an unknown agent is still served as WMSP. */
const WMSP_MARKERS = [
  'xPlayStrm',
  'xPlayNextEntry',
  'pipeline-request',
  'stream-switch-entry',
  'xStopStrm',
  'client-id',
];

function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

/** The request type, by the table of wmsp.md §2, top to bottom; first match wins. */
export function classifyRequest(req: RequestFacts): RequestKind {
  const method = req.method.toUpperCase();
  const p = req.pragmas;
  const type = mediaType(req.contentType);
  if (method === 'POST') {
    // [MS-WMSP 2.2.2.4] Log: a LogStats body, or a log-line Pragma with an empty body.
    if (type === 'application/x-wms-logstats' || type === 'application/x-wms-logconnectstats') return 'log';
    if (p.has('log-line') && !req.contentLength) return 'log';
    // [MS-WMSP 2.2.2.3.1] non-pipelined KeepAlive.
    if (p.flag('xKeepAliveInPause')) return 'keep-alive';
    if (type === 'application/x-wms-getcontentinfo') return 'get-content-info';
    if (type === 'application/x-wms-sendevent') return 'send-event';
    if (p.flag('xStopStrm')) return 'stop';
    if (p.flag('xPlayStrm')) return 'play';
    if (p.switchEntries !== null) return 'select-stream';
    return 'unknown-post';
  }
  // [MS-WMSP 2.2.2.3.2] pipelined KeepAlive is `OPTIONS`.
  if (method === 'OPTIONS') return 'keep-alive';
  if (method === 'HEAD') return 'head';
  if (method !== 'GET') return 'unsupported-method';
  // [MS-WMSP 3.2.5.1 <69>] no NSPlayer/NSServer/WMCacheProxy agent: not a WMSP client. netshow decision: unless
  // it still sends WMSP-only tokens (a curl with `Pragma: xPlayStrm=1` is served as WMSP, wmsp.md §6.4).
  if (req.userAgent === null && !WMSP_MARKERS.some((t) => p.has(t))) return 'not-wmsp';
  if (p.flag('pipeline-request')) return 'pipeline';
  if (p.flag('xPlayNextEntry')) return 'play-next-entry';
  if (p.flag('xStopStrm')) return 'stop';
  // [MS-WMSP 2.2.2.6] xPlayStrm=1 marks Play; xPlayStrm=0 is a Describe.
  if (p.flag('xPlayStrm')) return 'play';
  if (p.switchEntries !== null) return 'select-stream';
  return 'describe';
}
