// Stream thinning: drop the payloads of unselected streams from a packet while keeping it a valid,
// full-size packet with the same send time [asf.md 6.2].
//
// No payload dropped: the same Buffer. All dropped: null (the packet is not sent). Otherwise a new packet:
//
//   EC bytes (as read) | LTF = multiple + padding type | PF (as read) | Padding Length | Send Time | Duration
//   | Payload Flags (length type as read, kept count) | kept payloads, byte for byte | zero padding to S
//
// Payloads are never split, merged or renumbered, so a caller that keeps or drops whole media objects
// (`keep` sees the key-frame bit to start a stream at a key frame) never produces orphan fragments.
import { Writer } from '../core/bytes.js';
import { parsePacketSpans, sizeCodeWidth } from './packet.js';
import { writeSized } from './packet-writer.js';

/** `index` is the payload's position in the packet, for callers that decided per payload beforehand. */
export type KeepPayload = (streamNumber: number, keyFrame: boolean, index: number) => boolean;

export function thinPacket(pkt: Buffer, packetSize: number, keep: KeepPayload, base = 0): Buffer | null {
  const { packet, spans } = parsePacketSpans(pkt, packetSize, base);
  const kept = packet.payloads.map((p, i) => keep(p.streamNumber, p.keyFrame, i));
  const keptCount = kept.filter(Boolean).length;
  if (keptCount === packet.payloads.length) return pkt;
  if (keptCount === 0) return null;
  // Only a multiple-payload packet can lose some payloads: a single-payload packet has one.
  const lengthType = packet.payloadLengthType;
  const lengthWidth = sizeCodeWidth(lengthType);
  let body = 0;
  spans.forEach((s, i) => {
    if (kept[i]) body += s.headerEnd - s.headerStart + lengthWidth + (s.dataEnd - s.dataStart);
  });
  // The result is never larger than the input: we drop the Packet Length and Sequence fields and at least
  // one payload (>= 2 bytes), and add at most a WORD Padding Length where the input may have had none.
  const used = packet.errorCorrection.length + 2 + 6 + 1 + body;
  const room = packetSize - used;
  const padCode = room === 0 ? 0 : room - 1 <= 0xff ? 1 : 2;
  const padding = room - sizeCodeWidth(padCode);
  const w = new Writer(packetSize);
  w.bytes(packet.errorCorrection)
    .u8(0x01 | (padCode << 3))
    .u8(packet.propertyFlags);
  writeSized(w, padCode, padding);
  w.u32(packet.sendTime)
    .u16(packet.duration)
    .u8((lengthType << 6) | keptCount);
  const src = pkt;
  spans.forEach((s, i) => {
    if (!kept[i]) return;
    w.bytes(src.subarray(s.headerStart, s.headerEnd));
    writeSized(w, lengthType, s.dataEnd - s.dataStart);
    w.bytes(src.subarray(s.dataStart, s.dataEnd));
  });
  w.zeros(padding);
  return w.toBuffer();
}
