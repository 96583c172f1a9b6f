// RTP fixed header and the RTCP packets netshow sends (SR, BYE) or reads (RR and whatever else a client
// sends, tolerantly) [RFC 3550 5.1, 6.4, 6.6; MS-RTSP 2.2.1.2, 2.2.4; rtsp.md §4.7, §5.2]. Big-endian.
//
//   RTP   |V=2|P|X| CC |M|   PT    |     sequence number     |
//         |                   timestamp                      |
//         |                     SSRC                         |  [CSRC x CC] [ext: profile u16, words u16, data]
//   SR    80 C8 00 06 | SSRC | NTP sec | NTP frac | RTP ts | packet count | octet count
//   BYE   81 CB 00 01 | SSRC
import { Reader } from '../core/bytes.js';
import { ProtocolError } from '../core/errors.js';

export const RTP_HEADER_SIZE = 12;
export const ASF_PAYLOAD_TYPE = 96;

export interface RtpHeader {
  readonly marker: boolean;
  readonly payloadType: number;
  readonly sequence: number;
  readonly timestamp: number;
  readonly ssrc: number;
  readonly csrcs: readonly number[];
  /** Header extension (X bit): profile-defined id and its data (a multiple of 4 bytes). */
  readonly extension: { readonly profile: number; readonly data: Buffer } | null;
}

export interface RtpPacket extends RtpHeader {
  /** Padding (P bit) already removed; a view into the datagram. */
  readonly payload: Buffer;
}

/** The header bytes of an RTP packet; the payload is written after it. */
export function encodeRtpHeader(h: RtpHeader): Buffer {
  const ext = h.extension;
  if (h.csrcs.length > 15) throw new RangeError('more than 15 CSRCs');
  if (ext && ext.data.length % 4 !== 0) throw new RangeError('RTP header extension is not whole words');
  const size = RTP_HEADER_SIZE + 4 * h.csrcs.length + (ext ? 4 + ext.data.length : 0);
  const b = Buffer.allocUnsafe(size);
  b[0] = 0x80 | (ext ? 0x10 : 0) | h.csrcs.length;
  b[1] = (h.marker ? 0x80 : 0) | (h.payloadType & 0x7f);
  b.writeUInt16BE(h.sequence & 0xffff, 2);
  b.writeUInt32BE(h.timestamp >>> 0, 4);
  b.writeUInt32BE(h.ssrc >>> 0, 8);
  let at = RTP_HEADER_SIZE;
  for (const c of h.csrcs) {
    b.writeUInt32BE(c >>> 0, at);
    at += 4;
  }
  if (ext) {
    b.writeUInt16BE(ext.profile, at);
    b.writeUInt16BE(ext.data.length / 4, at + 2);
    ext.data.copy(b, at + 4);
  }
  return b;
}

export function encodeRtpPacket(p: RtpPacket): Buffer {
  return Buffer.concat([encodeRtpHeader(p), p.payload]);
}

function rtpError(message: string, offset?: number): ProtocolError {
  return new ProtocolError('E_RTP', message, { offset });
}

export function decodeRtpPacket(buf: Buffer): RtpPacket {
  const r = new Reader(buf, 0, 'RTP packet');
  const b0 = r.u8('V/P/X/CC');
  if (b0 >> 6 !== 2) throw rtpError(`RTP version ${b0 >> 6} is not 2`, 0);
  const b1 = r.u8('M/PT');
  const sequence = r.u16be('sequence');
  const timestamp = r.u32be('timestamp');
  const ssrc = r.u32be('SSRC');
  const csrcs: number[] = [];
  for (let i = 0; i < (b0 & 0x0f); i++) csrcs.push(r.u32be('CSRC'));
  let extension: RtpHeader['extension'] = null;
  if (b0 & 0x10) {
    const profile = r.u16be('extension profile');
    const words = r.u16be('extension length');
    extension = { profile, data: r.bytes(words * 4, 'extension data') };
  }
  let end = buf.length;
  if (b0 & 0x20) {
    const pad = buf[buf.length - 1]!;
    if (pad === 0 || pad > buf.length - r.pos)
      throw rtpError(`padding count ${pad} is invalid`, buf.length - 1);
    end -= pad;
  }
  return {
    marker: (b1 & 0x80) !== 0,
    payloadType: b1 & 0x7f,
    sequence,
    timestamp,
    ssrc,
    csrcs,
    extension,
    payload: buf.subarray(r.pos, end),
  };
}

export const RTCP = { SR: 200, RR: 201, SDES: 202, BYE: 203, APP: 204, RTPFB: 205 } as const;

/** ms since 1970 to the 64-bit NTP timestamp (seconds since 1900, 32.32 fixed point). */
export function ntpTimestamp(unixMs: number): { seconds: number; fraction: number } {
  const ms = Math.max(0, unixMs);
  const seconds = (Math.floor(ms / 1000) + 2_208_988_800) >>> 0;
  const fraction = Math.floor(((ms % 1000) / 1000) * 0x1_0000_0000) >>> 0;
  return { seconds, fraction };
}

export interface SenderReport {
  readonly ssrc: number;
  readonly ntpSeconds: number;
  readonly ntpFraction: number;
  readonly rtpTimestamp: number;
  readonly packetCount: number;
  readonly octetCount: number;
}

/** A sender report with no report blocks (the server receives nothing). */
export function encodeSenderReport(sr: SenderReport): Buffer {
  const b = Buffer.allocUnsafe(28);
  b[0] = 0x80;
  b[1] = RTCP.SR;
  b.writeUInt16BE(6, 2);
  b.writeUInt32BE(sr.ssrc >>> 0, 4);
  b.writeUInt32BE(sr.ntpSeconds >>> 0, 8);
  b.writeUInt32BE(sr.ntpFraction >>> 0, 12);
  b.writeUInt32BE(sr.rtpTimestamp >>> 0, 16);
  b.writeUInt32BE(sr.packetCount >>> 0, 20);
  b.writeUInt32BE(sr.octetCount >>> 0, 24);
  return b;
}

export function encodeBye(ssrc: number): Buffer {
  const b = Buffer.allocUnsafe(8);
  b[0] = 0x81;
  b[1] = RTCP.BYE;
  b.writeUInt16BE(1, 2);
  b.writeUInt32BE(ssrc >>> 0, 4);
  return b;
}

export interface ReportBlock {
  readonly ssrc: number;
  readonly fractionLost: number;
  /** Signed 24-bit. */
  readonly cumulativeLost: number;
  readonly highestSequence: number;
  readonly jitter: number;
  readonly lastSr: number;
  readonly delaySinceLastSr: number;
}

export type RtcpPacket =
  | ({ readonly type: 'SR' } & SenderReport & { readonly reports: readonly ReportBlock[] })
  | { readonly type: 'RR'; readonly ssrc: number; readonly reports: readonly ReportBlock[] }
  | { readonly type: 'BYE'; readonly ssrcs: readonly number[] }
  | { readonly type: 'other'; readonly packetType: number; readonly count: number; readonly body: Buffer };

function reportBlocks(r: Reader, count: number): ReportBlock[] {
  const out: ReportBlock[] = [];
  for (let i = 0; i < count; i++) {
    const ssrc = r.u32be('report SSRC');
    const lost = r.u32be('lost');
    out.push({
      ssrc,
      fractionLost: lost >>> 24,
      cumulativeLost: (lost << 8) >> 8,
      highestSequence: r.u32be('highest sequence'),
      jitter: r.u32be('jitter'),
      lastSr: r.u32be('LSR'),
      delaySinceLastSr: r.u32be('DLSR'),
    });
  }
  return out;
}

/**
 * Every packet of a compound RTCP datagram. Tolerant: unknown types come back as 'other', and a malformed packet
 * after at least one good one ends the list; a datagram with no good packet is a ProtocolError.
 */
export function decodeRtcp(buf: Buffer): RtcpPacket[] {
  const out: RtcpPacket[] = [];
  let at = 0;
  while (buf.length - at >= 4) {
    try {
      const r = new Reader(buf, 0, 'RTCP packet');
      r.pos = at;
      const b0 = r.u8('V/P/RC');
      if (b0 >> 6 !== 2) r.fail('E_RTCP', `RTCP version ${b0 >> 6} is not 2`, at);
      const type = r.u8('packet type');
      const words = r.u16be('length');
      const body = r.sub(words * 4, 'RTCP packet body');
      const count = b0 & 0x1f;
      out.push(decodeOne(type, count, body));
      at = r.pos;
    } catch (e) {
      if (!(e instanceof ProtocolError) || out.length === 0) throw e;
      break;
    }
  }
  if (out.length === 0)
    throw new ProtocolError('E_RTCP', `RTCP datagram of ${buf.length} bytes holds no packet`);
  return out;
}

function decodeOne(type: number, count: number, body: Reader): RtcpPacket {
  switch (type) {
    case RTCP.SR: {
      const ssrc = body.u32be('SSRC');
      const ntpSeconds = body.u32be('NTP seconds');
      const ntpFraction = body.u32be('NTP fraction');
      const rtpTimestamp = body.u32be('RTP timestamp');
      const packetCount = body.u32be('packet count');
      const octetCount = body.u32be('octet count');
      return {
        type: 'SR',
        ssrc,
        ntpSeconds,
        ntpFraction,
        rtpTimestamp,
        packetCount,
        octetCount,
        reports: reportBlocks(body, count),
      };
    }
    case RTCP.RR:
      return { type: 'RR', ssrc: body.u32be('SSRC'), reports: reportBlocks(body, count) };
    case RTCP.BYE: {
      const ssrcs: number[] = [];
      for (let i = 0; i < count; i++) ssrcs.push(body.u32be('BYE SSRC'));
      return { type: 'BYE', ssrcs };
    }
    default:
      return { type: 'other', packetType: type, count, body: body.bytes(body.remaining) };
  }
}
