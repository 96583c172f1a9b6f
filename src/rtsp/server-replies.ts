// The server's RTSP replies and its EndOfStream request, header for header as in the golden FFmpeg exchange
// [MS-RTSP 2.2.7, 3.2.4.1; rtsp.md §2.2, §4.6, §9].
import { encodeRequest, encodeResponse, reasonPhrase, type HeaderList } from './message.js';
import { formatRtpInfo, type RtpInfoEntry } from './headers.js';

export const DEFAULT_SERVER_HEADER = 'WMServer/9.1.1.5000';
export const PUBLIC_METHODS = 'OPTIONS, DESCRIBE, SETUP, PLAY, PAUSE, TEARDOWN, GET_PARAMETER, SET_PARAMETER';
/** [MS-RTSP 3.2.5.2] eosmsg and sswitch are mandatory; the golden exchange adds srvppair. */
export const SUPPORTED = 'com.microsoft.wm.srvppair, com.microsoft.wm.sswitch, com.microsoft.wm.eosmsg';
/** [MS-RTSP 2.2.6.18] the only value defined. */
export const END_OF_STREAM_NOTICE = '2101 "End-of-Stream Reached"';
export const EXTENSION_CMD = 'application/x-wms-extension-cmd';

const EMPTY = Buffer.alloc(0);

/** A reply: CSeq (when the request had one) and Server first, then `headers`, then Content-Length for a body. */
export function reply(
  status: number,
  cseq: string | null,
  server: string,
  headers: HeaderList = [],
  body: Buffer = EMPTY,
): Buffer {
  const all: [string, string][] = [];
  if (cseq !== null) all.push(['CSeq', cseq]);
  all.push(['Server', server], ...headers.map(([k, v]): [string, string] => [k, v]));
  if (body.length > 0) all.push(['Content-Length', String(body.length)]);
  return encodeResponse({ version: 'RTSP/1.0', status, reason: reasonPhrase(status), headers: all, body });
}

/** [MS-RTSP 2.2.7.3] EndOfStream: a SET_PARAMETER from the server; the client's reply status is ignored. */
export function endOfStreamRequest(o: {
  url: string;
  cseq: number;
  sessionId: string;
  playlistGenId: number;
  rtpInfo: readonly RtpInfoEntry[];
}): Buffer {
  const body = Buffer.from(`Session: ${o.sessionId}\r\nEOF: true\r\n`, 'latin1');
  const headers: [string, string][] = [
    ['CSeq', String(o.cseq)],
    ['Session', o.sessionId],
    ['X-Notice', END_OF_STREAM_NOTICE],
  ];
  if (o.rtpInfo.length > 0) headers.push(['RTP-Info', formatRtpInfo(o.rtpInfo)]);
  if (o.playlistGenId !== 0) headers.push(['X-Playlist-Gen-Id', String(o.playlistGenId)]);
  headers.push(['Content-Type', EXTENSION_CMD], ['Content-Length', String(body.length)]);
  return encodeRequest({ method: 'SET_PARAMETER', url: o.url, version: 'RTSP/1.0', headers, body });
}
