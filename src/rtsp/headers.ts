// The structured RTSP headers netshow reads and writes: Transport, Range, Session and RTP-Info
// [RFC 2326 12.29, 12.37, 12.33, 12.39; MS-RTSP 2.2.6.7, 2.2.6.11; rtsp.md §4.1, §4.2].
//
//   Transport  RTP/AVP[/UDP|/TCP];unicast;client_port=5000[-5001];interleaved=0-1;ssrc=2B7F1C3D;mode=PLAY
//   Range      npt=3.100-13.146 | npt=5- | x-asf-packet=12- | x-asf-byte=4096-
//   Session    8106423151295581017;timeout=60
//   RTP-Info   url=rtsp://h/p/video1;seq=19231;rtptime=0, url=rtsp://h/p/audio2;seq=19231;rtptime=0
import { ProtocolError } from '../core/errors.js';

const MAX_TRANSPORT_CHARS = 1024;

export interface TransportSpec {
  /** As sent: `RTP/AVP`, `RTP/AVP/UDP`, `RTP/AVP/TCP`. */
  readonly protocol: string;
  readonly lower: 'udp' | 'tcp';
  readonly unicast: boolean;
  readonly multicast: boolean;
  /** RTP port and, when given, the RTCP port (FFmpeg's a/v SETUP gives one port). */
  readonly clientPort: readonly [number] | readonly [number, number] | null;
  readonly serverPort: readonly [number, number] | null;
  readonly interleaved: readonly [number, number] | null;
  readonly ssrc: number | null;
  /** Lower-cased: `play`, `record`; null when absent. */
  readonly mode: string | null;
  /** Parameters netshow does not interpret, in order, as `name` or `name=value`. */
  readonly other: readonly string[];
}

function transportError(message: string): ProtocolError {
  return new ProtocolError('E_RTSP_TRANSPORT', message, { reply: { rtsp: 461 } });
}

function portRange(v: string, max: number, what: string): [number] | [number, number] {
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(v);
  const a = Number(m?.[1]);
  const b = m?.[2] === undefined ? undefined : Number(m[2]);
  if (!m || a > max || (b !== undefined && b > max)) throw transportError(`bad ${what} ${JSON.stringify(v)}`);
  return b === undefined ? [a] : [a, b];
}

/** One transport spec (the first of a comma list: netshow answers exactly one [rtsp.md §4.1]). */
export function parseTransport(header: string): TransportSpec {
  if (header.length > MAX_TRANSPORT_CHARS) throw transportError('Transport header too long');
  const first = header.split(',')[0]!.trim();
  const [protocol = '', ...params] = first.split(';').map((s) => s.trim());
  const p = protocol.toUpperCase();
  if (p !== 'RTP/AVP' && p !== 'RTP/AVP/UDP' && p !== 'RTP/AVP/TCP')
    throw transportError(`transport ${JSON.stringify(protocol.slice(0, 40))} is not RTP/AVP`);
  let spec = {
    protocol,
    lower: p === 'RTP/AVP/TCP' ? ('tcp' as const) : ('udp' as const),
    unicast: false,
    multicast: false,
    clientPort: null as TransportSpec['clientPort'],
    serverPort: null as TransportSpec['serverPort'],
    interleaved: null as TransportSpec['interleaved'],
    ssrc: null as number | null,
    mode: null as string | null,
    other: [] as string[],
  };
  for (const param of params) {
    if (param === '') continue;
    const eq = param.indexOf('=');
    const name = (eq < 0 ? param : param.slice(0, eq)).toLowerCase();
    const value = eq < 0 ? '' : param.slice(eq + 1).trim();
    switch (name) {
      case 'unicast':
        spec = { ...spec, unicast: true };
        break;
      case 'multicast':
        spec = { ...spec, multicast: true };
        break;
      case 'client_port':
        spec = { ...spec, clientPort: portRange(value, 65535, 'client_port') };
        break;
      case 'server_port': {
        const r = portRange(value, 65535, 'server_port');
        spec = { ...spec, serverPort: [r[0], r[1] ?? r[0] + 1] };
        break;
      }
      case 'interleaved': {
        const r = portRange(value, 255, 'interleaved');
        spec = { ...spec, interleaved: [r[0], r[1] ?? r[0] + 1] };
        break;
      }
      case 'ssrc':
        if (!/^[0-9a-fA-F]{1,8}$/.test(value)) throw transportError(`bad ssrc ${JSON.stringify(value)}`);
        spec = { ...spec, ssrc: parseInt(value, 16) };
        break;
      case 'mode':
        spec = { ...spec, mode: value.replace(/^"|"$/g, '').toLowerCase() };
        break;
      default:
        spec.other.push(param);
    }
  }
  return spec;
}

export function formatSsrc(ssrc: number): string {
  return (ssrc >>> 0).toString(16).toUpperCase().padStart(8, '0');
}

/** The reply's transport in the order of the golden exchange (rtsp.md §9): echo, server_port, ssrc, mode. */
export function formatTransport(t: TransportSpec): string {
  const parts = [t.protocol];
  if (t.unicast) parts.push('unicast');
  if (t.multicast) parts.push('multicast');
  if (t.clientPort) parts.push(`client_port=${t.clientPort.join('-')}`);
  if (t.interleaved) parts.push(`interleaved=${t.interleaved.join('-')}`);
  if (t.serverPort) parts.push(`server_port=${t.serverPort.join('-')}`);
  if (t.ssrc !== null) parts.push(`ssrc=${formatSsrc(t.ssrc)}`);
  if (t.mode !== null) parts.push(`mode=${t.mode.toUpperCase()}`);
  return parts.join(';');
}

export type RangeSpec =
  | { readonly unit: 'npt'; readonly startMs: number | null; readonly endMs: number | null }
  | { readonly unit: 'x-asf-packet'; readonly start: number }
  | { readonly unit: 'x-asf-byte'; readonly start: number };

function rangeError(v: string): ProtocolError {
  return new ProtocolError('E_RTSP_RANGE', `bad Range ${JSON.stringify(v.slice(0, 60))}`, {
    reply: { rtsp: 457 },
  });
}

/** npt seconds (`5`, `5.000`, `now`, `hh:mm:ss.fff`) to ms; null for `now` or empty. */
function nptMs(v: string, whole: string): number | null {
  if (v === '' || v === 'now') return null;
  let m = /^(\d{1,9})(?:\.(\d{0,9}))?$/.exec(v);
  if (m) return Number(m[1]) * 1000 + fractionMs(m[2]);
  m = /^(\d{1,6}):([0-5]?\d):([0-5]?\d)(?:\.(\d{0,9}))?$/.exec(v);
  if (m) return ((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3])) * 1000 + fractionMs(m[4]);
  throw rangeError(whole);
}

function fractionMs(f: string | undefined): number {
  return f === undefined || f === '' ? 0 : Math.round(Number(`0.${f}`) * 1000);
}

/** Range header value; a `;time=` suffix is ignored (netshow plays at once). */
export function parseRange(header: string): RangeSpec {
  const v = header.split(';')[0]!.trim();
  const eq = v.indexOf('=');
  if (eq < 0) throw rangeError(header);
  const unit = v.slice(0, eq).trim().toLowerCase();
  const value = v.slice(eq + 1).trim();
  const dash = value.indexOf('-');
  if (dash < 0) throw rangeError(header);
  const a = value.slice(0, dash).trim();
  const b = value.slice(dash + 1).trim();
  if (unit === 'npt') {
    const startMs = nptMs(a, header);
    const endMs = nptMs(b, header);
    if (startMs !== null && endMs !== null && endMs < startMs) throw rangeError(header);
    return { unit, startMs, endMs };
  }
  if (unit === 'x-asf-packet' || unit === 'x-asf-byte') {
    if (!/^\d{1,15}$/.test(a)) throw rangeError(header);
    return { unit, start: Number(a) };
  }
  throw rangeError(header);
}

/** `3.100` from 3100 ms: seconds with three decimals [rtsp.md §0]. */
export function formatNpt(ms: number): string {
  const m = Math.max(0, Math.round(ms));
  return `${Math.floor(m / 1000)}.${String(m % 1000).padStart(3, '0')}`;
}

export function formatNptRange(startMs: number, endMs: number | null): string {
  return `npt=${formatNpt(startMs)}-${endMs === null ? '' : formatNpt(endMs)}`;
}

export interface SessionHeader {
  readonly id: string;
  readonly timeoutS: number | null;
}

export function parseSession(header: string): SessionHeader {
  const [id = '', ...params] = header.split(';').map((s) => s.trim());
  if (!/^[\w$\-.+]{1,64}$/.test(id)) {
    throw new ProtocolError('E_RTSP_SESSION', `bad Session ${JSON.stringify(header.slice(0, 80))}`, {
      reply: { rtsp: 454 },
    });
  }
  let timeoutS: number | null = null;
  for (const p of params) {
    const m = /^timeout\s*=\s*(\d{1,6})$/i.exec(p);
    if (m) timeoutS = Number(m[1]);
  }
  return { id, timeoutS };
}

export interface RtpInfoEntry {
  readonly url: string;
  readonly seq: number | null;
  readonly rtptime: number | null;
}

export function formatRtpInfo(entries: readonly RtpInfoEntry[]): string {
  return entries
    .map((e) =>
      [
        `url=${e.url}`,
        ...(e.seq === null ? [] : [`seq=${e.seq}`]),
        ...(e.rtptime === null ? [] : [`rtptime=${e.rtptime}`]),
      ].join(';'),
    )
    .join(', ');
}

/** RTP-Info: entries split on `,` followed by `url=` (a URL may itself hold commas). */
export function parseRtpInfo(header: string): RtpInfoEntry[] {
  return header
    .split(/,\s*(?=url=)/i)
    .map((part) => {
      let url = '';
      let seq: number | null = null;
      let rtptime: number | null = null;
      for (const p of part.split(';').map((s) => s.trim())) {
        const eq = p.indexOf('=');
        const k = p.slice(0, eq).toLowerCase();
        const v = p.slice(eq + 1);
        if (k === 'url') url = v;
        else if (k === 'seq' && /^\d{1,5}$/.test(v)) seq = Number(v) & 0xffff;
        else if (k === 'rtptime' && /^\d{1,10}$/.test(v)) rtptime = Number(v) >>> 0;
      }
      return { url, seq, rtptime };
    })
    .filter((e) => e.url !== '');
}
