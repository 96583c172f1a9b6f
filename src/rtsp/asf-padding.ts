// Removes the padding of an ASF data packet for RTP, with an explicit WORD Packet Length and no Padding Length
// field, as MS-RTSP asks (SHOULD) and FFmpeg needs [MS-RTSP 2.2.1.4; asf.md 3.7; rtsp.md §5.3 rule 4].
//
//   in   EC | LTF | PF | [Packet Length] | [Sequence] | [Padding Length] | Send Time | Duration | payloads | padding
//   out  EC | LTF' | PF | Packet Length (WORD) | [Sequence] | Send Time | Duration | payloads
//
// LTF' keeps the multiple-payload bit and the sequence type, sets the packet length type to WORD and the
// padding length type to none. Payload bytes are copied unchanged; a packet without padding is returned as is.
import { parsePacket, sizeCodeWidth } from '../asf/packet.js';

export interface StrippedPacket {
  /** The packet to send: the input itself when it had no padding. */
  readonly data: Buffer;
  /** Some payload has the key-frame bit (the S bit of the payload format header) [MS-RTSP 2.2.1.3]. */
  readonly keyFrame: boolean;
}

/** Throws ProtocolError for a packet that does not parse; `packetSize` is the header's fixed size. */
export function stripPadding(pkt: Buffer, packetSize: number): StrippedPacket {
  const p = parsePacket(pkt, packetSize);
  const keyFrame = p.payloads.some((x) => x.keyFrame);
  const given = Math.min(pkt.length, packetSize);
  if (p.usedLength >= given) return { data: pkt, keyFrame };
  const ec = p.errorCorrection.length;
  const ltf = p.lengthTypeFlags;
  const seqWidth = sizeCodeWidth(ltf >> 1);
  const oldFields =
    ec + 2 + sizeCodeWidth(ltf >> 5) + seqWidth + sizeCodeWidth(ltf >> 3) + 6; /* send time + duration */
  const rest = pkt.subarray(oldFields, p.usedLength);
  const length = ec + 2 + 2 + seqWidth + 6 + rest.length;
  // A packet with a byte or two of padding and no length fields would only grow: it goes as stored.
  if (length > given) return { data: pkt, keyFrame };
  const out = Buffer.allocUnsafe(length);
  pkt.copy(out, 0, 0, ec);
  out[ec] = (ltf & 0x07) | (2 << 5);
  out[ec + 1] = p.propertyFlags;
  out.writeUInt16LE(length, ec + 2);
  let at = ec + 4;
  if (seqWidth > 0) {
    pkt.copy(out, at, ec + 2 + sizeCodeWidth(ltf >> 5), ec + 2 + sizeCodeWidth(ltf >> 5) + seqWidth);
    at += seqWidth;
  }
  out.writeUInt32LE(p.sendTime >>> 0, at);
  out.writeUInt16LE(p.duration, at + 4);
  rest.copy(out, at + 6);
  return { data: out, keyFrame };
}

const cache = new WeakMap<Buffer, StrippedPacket>();

/**
 * `stripPadding` once per shared packet: every session of a publishing point receives the same Buffer
 * (STYLE.md encode-once), so the work is done for the first and looked up for the others.
 */
export function strippedOnce(pkt: Buffer, packetSize: number): StrippedPacket {
  let s = cache.get(pkt);
  if (s === undefined) {
    s = stripPadding(pkt, packetSize);
    cache.set(pkt, s);
  }
  return s;
}
