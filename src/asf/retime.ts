// Moves a packet on the time line: its Send Time and every payload's presentation time shift by the same amount, so a
// live stream stays continuous when its source restarts from 0 (an encoder pushed again, a looped file) [asf.md 3.4,
// 3.5, 3.6]. Everything else is copied byte for byte.
//
//   EC | LTF | PF | [Length] [Sequence] [Padding] | Send Time += d | Duration | payloads:
//     stream | object no | offset (compressed: presentation time += d) | rdl | replicated data (PT at +4 += d) | ...
import { ProtocolError } from '../core/errors.js';
import { parsePacketSpans, sizeCodeWidth } from './packet.js';

const U32 = 0x1_0000_0000;

function shifted(v: number, deltaMs: number): number {
  const t = v + deltaMs;
  if (t < 0 || t >= U32) throw new ProtocolError('E_ASF_PACKET', `a time of ${t} ms does not fit the packet`);
  return t;
}

/** A copy of `pkt` with every time moved by `deltaMs`; the same Buffer when `deltaMs` is 0. */
export function retimePacket(pkt: Buffer, packetSize: number, deltaMs: number): Buffer {
  if (deltaMs === 0) return pkt;
  const { packet, spans } = parsePacketSpans(pkt, packetSize);
  const out = Buffer.from(pkt);
  const ltf = packet.lengthTypeFlags;
  const sendAt =
    packet.errorCorrection.length +
    2 +
    sizeCodeWidth(ltf >> 5) +
    sizeCodeWidth(ltf >> 1) +
    sizeCodeWidth(ltf >> 3);
  out.writeUInt32LE(shifted(packet.sendTime, deltaMs), sendAt);
  const pf = packet.propertyFlags;
  const objectWidth = sizeCodeWidth(pf >> 4);
  const offsetWidth = sizeCodeWidth(pf >> 2);
  packet.payloads.forEach((p, i) => {
    const span = spans[i]!;
    if (p.compressed) {
      // A compressed payload keeps its presentation time in the Offset field; only a DWORD one can hold a time.
      if (offsetWidth === 4)
        out.writeUInt32LE(shifted(p.offset, deltaMs), span.headerStart + 1 + objectWidth);
    } else if (p.replicatedData.length >= 8) {
      const rd = span.headerEnd - p.replicatedData.length;
      out.writeUInt32LE(shifted(p.presentationTime, deltaMs), rd + 4);
    }
  });
  return out;
}
