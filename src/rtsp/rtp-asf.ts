// The RTP payload format for ASF: the payload format header, packetizing one ASF data packet into one RTP
// packet or into offset fragments under an MTU budget, and the depacketizer a client uses
// [MS-RTSP 2.2.1.1-2.2.1.4, 4.1; rtsp.md §5.2, §5.3].
//
//   byte 0  |S|L|R|D|I|res|   S key frame inside, L length (1) or offset (0), R/D/I optional fields present
//   1-3     Length/Offset u24 BE
//   [+4 Relative Timestamp i32 BE] [+4 Duration u32 BE] [+4 LocationId u32 BE]
//
// Length, when L=1, counts from the start of this header to the end of the ASF packet (header + packet), as
// FFmpeg and WMS read it; the spec's text says packet only, which costs FFmpeg 4 bytes a packet (rtsp.md §5.3).
import { ProtocolError } from '../core/errors.js';
import type { RtpPacket } from './rtp.js';

export interface AsfPayloadHeader {
  readonly keyFrame: boolean;
  /** true: `lengthOrOffset` is a length (whole packet); false: the fragment's byte offset. */
  readonly isLength: boolean;
  readonly lengthOrOffset: number;
  readonly relativeTimestamp: number | null;
  readonly duration: number | null;
  readonly locationId: number | null;
}

const S = 0x80;
const L = 0x40;
const R = 0x20;
const D = 0x10;
const I = 0x08;
export const MAX_U24 = 0xffffff;

export function payloadHeaderSize(
  h: Pick<AsfPayloadHeader, 'relativeTimestamp' | 'duration' | 'locationId'>,
) {
  return (
    4 +
    (h.relativeTimestamp === null ? 0 : 4) +
    (h.duration === null ? 0 : 4) +
    (h.locationId === null ? 0 : 4)
  );
}

export function encodePayloadHeader(h: AsfPayloadHeader): Buffer {
  if (!Number.isInteger(h.lengthOrOffset) || h.lengthOrOffset < 0 || h.lengthOrOffset > MAX_U24)
    throw new RangeError(`Length/Offset ${h.lengthOrOffset} is outside 0..${MAX_U24}`);
  const b = Buffer.allocUnsafe(payloadHeaderSize(h));
  b.writeUInt32BE(h.lengthOrOffset, 0);
  b[0] =
    (h.keyFrame ? S : 0) |
    (h.isLength ? L : 0) |
    (h.relativeTimestamp === null ? 0 : R) |
    (h.duration === null ? 0 : D) |
    (h.locationId === null ? 0 : I);
  let at = 4;
  if (h.relativeTimestamp !== null) {
    b.writeInt32BE(h.relativeTimestamp | 0, at);
    at += 4;
  }
  if (h.duration !== null) {
    b.writeUInt32BE(h.duration >>> 0, at);
    at += 4;
  }
  if (h.locationId !== null) b.writeUInt32BE(h.locationId >>> 0, at);
  return b;
}

function formatError(message: string, offset?: number): ProtocolError {
  return new ProtocolError('E_RTP_ASF', message, { offset });
}

/** The header at `at` in an RTP payload, and its size. Reserved bits are ignored [MS-RTSP 2.2.1.3]. */
export function decodePayloadHeader(buf: Buffer, at = 0): { header: AsfPayloadHeader; size: number } {
  if (buf.length - at < 4) throw formatError('payload format header needs 4 bytes', at);
  const flags = buf[at]!;
  const header: AsfPayloadHeader = {
    keyFrame: (flags & S) !== 0,
    isLength: (flags & L) !== 0,
    lengthOrOffset: buf.readUInt32BE(at) & MAX_U24,
    relativeTimestamp: flags & R ? 0 : null,
    duration: flags & D ? 0 : null,
    locationId: flags & I ? 0 : null,
  };
  const size = payloadHeaderSize(header);
  if (buf.length - at < size) throw formatError(`payload format header needs ${size} bytes`, at);
  let p = at + 4;
  const next = (signed: boolean): number => {
    const v = signed ? buf.readInt32BE(p) : buf.readUInt32BE(p);
    p += 4;
    return v;
  };
  return {
    header: {
      ...header,
      relativeTimestamp: flags & R ? next(true) : null,
      duration: flags & D ? next(false) : null,
      locationId: flags & I ? next(false) : null,
    },
    size,
  };
}

/** One RTP payload: the small header built per packet and a view of the shared ASF bytes. */
export interface AsfRtpPayload {
  readonly header: Buffer;
  readonly data: Buffer;
  /** The RTP marker bit: set on the packet that ends the ASF packet [MS-RTSP 2.2.1.2]. */
  readonly marker: boolean;
}

export interface PacketizeOptions {
  readonly keyFrame: boolean;
  /** Bytes an RTP payload (payload format header + data) may take; larger packets are fragmented. */
  readonly maxPayload: number;
  /** Only for clients that listed com.microsoft.wm.locid [MS-RTSP 2.2.6.10.3, 3.2.4.3]. */
  readonly locationId?: number | null;
}

/** The smallest budget that still moves a byte per fragment with every optional field present. */
export const MIN_PAYLOAD_BUDGET = 16 + 1;

/**
 * One ASF packet as RTP payloads: whole (L=1, Length = header + packet, M=1) when it fits `maxPayload`, else
 * fragments (L=0, offsets 0, n1, ...; M=1 on the last) [rtsp.md §5.3 rules 1-3]. LocationId goes on the
 * header of the packet that carries M=1 [MS-RTSP 3.2.4.3].
 */
export function packetizeAsf(asf: Buffer, o: PacketizeOptions): AsfRtpPayload[] {
  if (asf.length === 0) throw new RangeError('empty ASF packet');
  if (o.maxPayload < MIN_PAYLOAD_BUDGET) throw new RangeError(`payload budget ${o.maxPayload} is too small`);
  const loc = o.locationId ?? null;
  const base = { keyFrame: o.keyFrame, relativeTimestamp: null, duration: null };
  const whole = 4 + (loc === null ? 0 : 4) + asf.length;
  if (whole <= o.maxPayload && whole <= MAX_U24) {
    const header = encodePayloadHeader({ ...base, isLength: true, lengthOrOffset: whole, locationId: loc });
    return [{ header, data: asf, marker: true }];
  }
  const out: AsfRtpPayload[] = [];
  let offset = 0;
  while (offset < asf.length) {
    const lastRoom = o.maxPayload - (loc === null ? 4 : 8);
    const last = asf.length - offset <= lastRoom;
    const room = last ? lastRoom : o.maxPayload - 4;
    const n = Math.min(room, asf.length - offset);
    const header = encodePayloadHeader({
      ...base,
      isLength: false,
      lengthOrOffset: offset,
      locationId: last ? loc : null,
    });
    out.push({ header, data: asf.subarray(offset, offset + n), marker: last });
    offset += n;
  }
  return out;
}

export interface DepacketizedAsf {
  readonly data: Buffer;
  readonly keyFrame: boolean;
  /** RTP timestamp plus the Relative Timestamp field: the ASF packet's send time on the RTP clock. */
  readonly timestamp: number;
  readonly locationId: number | null;
}

/** Largest ASF packet reassembled from fragments. */
export const MAX_REASSEMBLY = 0x10000;

/**
 * RTP packets of the ASF flow in, whole ASF packets out: splits aggregated packets (L=1 each), reassembles
 * offset fragments and drops a fragment run broken by a loss [rtsp.md §5.3; MS-RTSP 2.2.1.1]. Accepts both
 * readings of Length (header + packet, and the spec's packet alone when it is the only one).
 */
export class AsfDepacketizer {
  private parts: Buffer[] = [];
  private gathered = 0;
  private fragmentSeq: number | null = null;
  private fragmentInfo: Omit<DepacketizedAsf, 'data'> | null = null;
  /** Fragment runs abandoned because a fragment was missing or out of place (one per ASF packet). */
  dropped = 0;

  push(p: RtpPacket): DepacketizedAsf[] {
    const out: DepacketizedAsf[] = [];
    const buf = p.payload;
    let at = 0;
    while (at < buf.length) {
      const { header: h, size } = decodePayloadHeader(buf, at);
      const timestamp = (p.timestamp + (h.relativeTimestamp ?? 0)) >>> 0;
      const info = { keyFrame: h.keyFrame, timestamp, locationId: h.locationId };
      if (h.isLength) {
        this.abandon();
        const rest = buf.length - at;
        const n = h.lengthOrOffset;
        // header + packet to the end (FFmpeg, WMS), the spec's packet alone, or one of several aggregated.
        const end = n === rest || n === rest - size ? buf.length : n > size && n < rest ? at + n : -1;
        if (end <= at + size) throw formatError(`Length ${n} does not fit the ${rest} bytes left`, at);
        out.push({ ...info, data: Buffer.from(buf.subarray(at + size, end)) });
        at = end;
        continue;
      }
      this.fragment(h.lengthOrOffset, buf.subarray(at + size), p, info, out);
      break;
    }
    return out;
  }

  private fragment(
    offset: number,
    data: Buffer,
    p: RtpPacket,
    info: Omit<DepacketizedAsf, 'data'>,
    out: DepacketizedAsf[],
  ): void {
    const continues =
      offset !== 0 && this.fragmentSeq !== null && ((this.fragmentSeq + 1) & 0xffff) === p.sequence;
    if (offset === 0) {
      this.abandon();
      this.fragmentInfo = info;
    } else if (!continues || offset !== this.gathered) {
      this.abandon();
      return;
    }
    if (this.gathered + data.length > MAX_REASSEMBLY) {
      this.abandon();
      return;
    }
    this.parts.push(Buffer.from(data));
    this.gathered += data.length;
    this.fragmentSeq = p.sequence;
    if (p.marker) {
      const first = this.fragmentInfo ?? info;
      out.push({ ...first, locationId: info.locationId, data: Buffer.concat(this.parts, this.gathered) });
      this.reset();
    }
  }

  /** A run of fragments that will never complete. */
  private abandon(): void {
    if (this.gathered > 0) this.dropped++;
    this.reset();
  }

  private reset(): void {
    this.parts = [];
    this.gathered = 0;
    this.fragmentSeq = null;
    this.fragmentInfo = null;
  }
}
