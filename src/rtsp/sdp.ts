// SDP for MS-RTSP: a line-exact codec, the description netshow's server builds from an ASF header (session
// lines, the base64 ASF header, one media block per audio/video stream and the rtx block), and the facts a
// client reads back out of one [RFC 4566; MS-RTSP 2.2.5; rtsp.md §3.2, §3.3, §9].
//
//   v= o= s= c= b=AS: a=maxps: t= a=control:<base/> a=etag: a=range: a=type: a=recvonly
//   a=pgmpu:data:application/vnd.ms.wms-hdr.asfv1;base64,<Header Object + 50 Data Object bytes, one line>
//   m=video 0 RTP/AVP 96 | b=AS: b=RS:0 b=RR:0 | a=rtpmap:96 x-asf-pf/1000 | a=control:video1 | a=stream:1
//   m=application 0 RTP/AVP 96 | b=RS:0 b=RR:0 | a=rtpmap:96 x-wms-rtx/1000 | a=control:rtx | a=stream:65536
import { parseHeader, type AsfHeader } from '../asf/header.js';
import { guidText } from '../core/guid.js';
import { ProtocolError } from '../core/errors.js';
import { formatNpt } from './headers.js';
import { ASF_PAYLOAD_TYPE } from './rtp.js';

export interface SdpLine {
  /** One letter: v, o, s, c, b, t, a, m, ... */
  readonly type: string;
  readonly value: string;
}

export interface SessionDescription {
  readonly session: readonly SdpLine[];
  /** Each block starts with its `m=` line. */
  readonly media: readonly (readonly SdpLine[])[];
}

/** An SDP with a 1 MiB ASF header is far past anything real; the cap bounds what a client buffers. */
export const MAX_SDP_BYTES = 2 * 1024 * 1024;
const MAX_SDP_LINES = 4096;
export const PGMPU_ASF_PREFIX = 'pgmpu:data:application/vnd.ms.wms-hdr.asfv1;base64,';
export const RTX_STREAM_NUMBER = 65536;
export const RTX_CONTROL = 'rtx';

export function encodeSdp(sd: SessionDescription): string {
  const lines = [...sd.session, ...sd.media.flat()].map((l) => `${l.type}=${l.value}`);
  return `${lines.join('\r\n')}\r\n`;
}

function sdpError(message: string): ProtocolError {
  return new ProtocolError('E_SDP', message, { reply: { rtsp: 400 } });
}

/** Lines `x=value` with CRLF or LF ends; empty lines are skipped; anything else is a ProtocolError. */
export function decodeSdp(text: string): SessionDescription {
  if (text.length > MAX_SDP_BYTES) throw sdpError(`SDP over ${MAX_SDP_BYTES} characters`);
  const raw = text.split(/\r?\n/).filter((l) => l.length > 0);
  if (raw.length > MAX_SDP_LINES) throw sdpError(`SDP over ${MAX_SDP_LINES} lines`);
  const session: SdpLine[] = [];
  const media: SdpLine[][] = [];
  for (const l of raw) {
    if (!/^[a-zA-Z]=/.test(l)) throw sdpError(`malformed SDP line ${JSON.stringify(l.slice(0, 60))}`);
    const line = { type: l[0]!, value: l.slice(2) };
    if (line.type === 'm') media.push([line]);
    else if (media.length > 0) media[media.length - 1]!.push(line);
    else session.push(line);
  }
  if (session[0]?.type !== 'v') throw sdpError('SDP does not start with v=');
  return { session, media };
}

/** Values of `a=<name>:` (or a bare `a=<name>`, as '') among lines. */
export function attributes(lines: readonly SdpLine[], name: string): string[] {
  const out: string[] = [];
  for (const l of lines) {
    if (l.type !== 'a') continue;
    if (l.value === name) out.push('');
    else if (l.value.startsWith(`${name}:`)) out.push(l.value.slice(name.length + 1));
  }
  return out;
}

export interface AsfSdpInput {
  /** Header Object + the 50 Data Object bytes, as in `$H` [MS-RTSP 2.2.5.2.3.1]. */
  readonly headerBytes: Buffer;
  /** Parsed header, when the caller has it already. */
  readonly header?: AsfHeader;
  /** The session-level control: absolute, ending in `/` [rtsp.md §3.2]. */
  readonly baseUrl: string;
  readonly live: boolean;
  /** o= session id and version; default from the header's creation date. */
  readonly originId?: string;
  /** a=etag value; default the File ID in braces. */
  readonly etag?: string;
}

export interface SdpStream {
  readonly streamNumber: number;
  readonly kind: 'audio' | 'video';
  /** Relative control URL, `video1`, `audio2` (the golden exchange's names). */
  readonly control: string;
  readonly kbps: number;
  readonly reliable: boolean;
}

/** Audio and video streams with the bitrate each announces: streams of unknown rate share what is left. */
export function sdpStreams(header: AsfHeader): SdpStream[] {
  const av = header.streams.filter((s) => s.kind === 'audio' || s.kind === 'video');
  const known = av.reduce((n, s) => n + (s.bitrate ?? 0), 0);
  const unknown = av.filter((s) => s.bitrate === undefined).length;
  const share = unknown === 0 ? 0 : Math.max(0, header.fileProperties.maxBitrate - known) / unknown;
  return av.map((s) => ({
    streamNumber: s.streamNumber,
    kind: s.kind as 'audio' | 'video',
    control: `${s.kind}${s.streamNumber}`,
    kbps: Math.max(1, Math.ceil((s.bitrate ?? share) / 1000)),
    // [MS-RTSP 2.2.5.2.4] ESP flag 0x1 asks for reliable delivery.
    reliable: ((s.extended?.flags ?? 0) & 1) !== 0,
  }));
}

function oneLine(s: string): string {
  return s.replace(/[\r\n\0]+/g, ' ').trim();
}

function mediaBlock(s: SdpStream): SdpLine[] {
  return [
    { type: 'm', value: `${s.kind} 0 RTP/AVP ${ASF_PAYLOAD_TYPE}` },
    { type: 'b', value: `AS:${s.kbps}` },
    { type: 'b', value: 'RS:0' },
    { type: 'b', value: 'RR:0' },
    ...(s.reliable ? [{ type: 'a', value: 'reliable' }] : []),
    { type: 'a', value: `rtpmap:${ASF_PAYLOAD_TYPE} x-asf-pf/1000` },
    { type: 'a', value: `control:${s.control}` },
    { type: 'a', value: `stream:${s.streamNumber}` },
  ];
}

/** The rtx block: FFmpeg's UDP mode needs it and finds it by its control ending in `/rtx` [rtsp.md §3.3]. */
function rtxBlock(): SdpLine[] {
  return [
    { type: 'm', value: `application 0 RTP/AVP ${ASF_PAYLOAD_TYPE}` },
    { type: 'b', value: 'RS:0' },
    { type: 'b', value: 'RR:0' },
    { type: 'a', value: `rtpmap:${ASF_PAYLOAD_TYPE} x-wms-rtx/1000` },
    { type: 'a', value: `control:${RTX_CONTROL}` },
    { type: 'a', value: `stream:${RTX_STREAM_NUMBER}` },
  ];
}

/** Creation date (100 ns since 1601) as `yyyymmddhhmmss000`, the timestamp-like id WMS uses. */
function originFromHeader(header: AsfHeader): string {
  const ms = Number(header.fileProperties.creationDate / 10_000n) - 11_644_473_600_000;
  const d = new Date(Number.isFinite(ms) && ms > 0 && ms < 253_402_300_800_000 ? ms : 0);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getUTCFullYear(), 4)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}000`;
}

/**
 * The DESCRIBE body for an ASF header [MS-RTSP 2.2.5; rtsp.md §3]. The rtx block follows the first media
 * block, as WMS and the golden exchange order them. Streams other than audio and video get no block
 * (FFmpeg would take an `m=application` for the rtx stream).
 */
export function asfSdp(input: AsfSdpInput): SessionDescription {
  const header = input.header ?? parseHeader(input.headerBytes);
  const fp = header.fileProperties;
  const streams = sdpStreams(header);
  const total = streams.reduce((n, s) => n + s.kbps, 0);
  const originId = input.originId ?? originFromHeader(header);
  const title = oneLine(header.metadata.title) || '<No Title>';
  const playMs = Number(fp.playDuration / 10_000n);
  const range = input.live
    ? 'npt=0.000-'
    : `npt=${formatNpt(fp.preroll)}-${formatNpt(Math.max(playMs, fp.preroll))}`;
  // [MS-RTSP 2.2.5.2.6] once at session level unless empty; netshow never fast-forwards.
  const type = input.live ? 'broadcast,notseekable,notstridable' : 'notstridable';
  const session: SdpLine[] = [
    { type: 'v', value: '0' },
    { type: 'o', value: `- ${originId} ${originId} IN IP4 127.0.0.1` },
    { type: 's', value: title },
    { type: 'c', value: 'IN IP4 0.0.0.0' },
    { type: 'b', value: `AS:${Math.max(total, Math.ceil(fp.maxBitrate / 1000))}` },
    { type: 'a', value: `maxps:${fp.maxPacketSize}` },
    { type: 't', value: '0 0' },
    { type: 'a', value: `control:${input.baseUrl}` },
    { type: 'a', value: `etag:${input.etag ?? `{${guidText(fp.fileId)}}`}` },
    { type: 'a', value: `range:${range}` },
    { type: 'a', value: `type:${type}` },
    { type: 'a', value: 'recvonly' },
    { type: 'a', value: `${PGMPU_ASF_PREFIX}${input.headerBytes.toString('base64')}` },
  ];
  const blocks = streams.map(mediaBlock);
  const media = blocks.length === 0 ? [rtxBlock()] : [blocks[0]!, rtxBlock(), ...blocks.slice(1)];
  return { session, media };
}

export interface SdpMediaInfo {
  /** `audio`, `video`, `application`. */
  readonly media: string;
  readonly control: string | null;
  /** a=stream: 1..65534 for ASF streams, 65536.. for rtx; null when absent. */
  readonly streamNumber: number | null;
  readonly rtx: boolean;
  readonly kbps: number | null;
}

export interface WmsSdpInfo {
  readonly control: string | null;
  readonly title: string;
  readonly range: { readonly startMs: number; readonly endMs: number | null } | null;
  readonly maxPacketSize: number | null;
  readonly broadcast: boolean;
  readonly asfHeader: Buffer | null;
  readonly media: readonly SdpMediaInfo[];
}

function nptOf(v: string): number | null {
  const m = /^(\d{1,9})(?:\.(\d{1,9}))?$/.exec(v.trim());
  return m ? Number(m[1]) * 1000 + Math.round(Number(`0.${m[2] ?? '0'}`) * 1000) : null;
}

function intOf(v: string | undefined): number | null {
  return v !== undefined && /^\d{1,10}$/.test(v.trim()) ? Number(v.trim()) : null;
}

/** What a WMS client needs from a DESCRIBE body; the pgmpu prefix is matched case-insensitively (as VLC). */
export function wmsSdpInfo(sd: SessionDescription): WmsSdpInfo {
  const pgmpu = sd.session.find(
    (l) => l.type === 'a' && l.value.toLowerCase().startsWith(PGMPU_ASF_PREFIX.toLowerCase()),
  );
  let asfHeader: Buffer | null = null;
  if (pgmpu) {
    const b64 = pgmpu.value.slice(PGMPU_ASF_PREFIX.length).trim();
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) throw sdpError('the pgmpu ASF header is not base64');
    asfHeader = Buffer.from(b64, 'base64');
  }
  const rangeText = attributes(sd.session, 'range')[0];
  const rm = rangeText === undefined ? null : /^npt=([^-]*)-(.*)$/.exec(rangeText.trim());
  const start = rm ? nptOf(rm[1]!) : null;
  const types = (attributes(sd.session, 'type')[0] ?? '').split(',').map((s) => s.trim().toLowerCase());
  return {
    control: attributes(sd.session, 'control')[0] ?? null,
    title: sd.session.find((l) => l.type === 's')?.value ?? '',
    range: rm && start !== null ? { startMs: start, endMs: rm[2] === '' ? null : nptOf(rm[2]!) } : null,
    maxPacketSize: intOf(attributes(sd.session, 'maxps')[0]),
    broadcast: types.includes('broadcast'),
    asfHeader,
    media: sd.media.map((block) => {
      const stream = intOf(attributes(block, 'stream')[0]);
      const rtpmap = attributes(block, 'rtpmap')[0] ?? '';
      const as = block.find((l) => l.type === 'b' && l.value.startsWith('AS:'));
      return {
        media: block[0]!.value.split(' ')[0] ?? '',
        control: attributes(block, 'control')[0] ?? null,
        streamNumber: stream,
        rtx: /x-wms-rtx/i.test(rtpmap) || (stream !== null && stream >= RTX_STREAM_NUMBER),
        kbps: intOf(as?.value.slice(3)),
      };
    }),
  };
}

/** A relative control resolved against the session control (or the request URL) [MS-RTSP 2.2.5.2.1]. */
export function resolveControl(base: string, control: string): string {
  if (/^rtsp:\/\//i.test(control)) return control;
  if (control === '*') return base;
  return base.endsWith('/') ? `${base}${control}` : `${base}/${control}`;
}
