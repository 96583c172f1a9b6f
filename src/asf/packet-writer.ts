// Build a full-size data packet from payloads, as every reader accepts it: `82 00 00` error correction,
// Property Flags with a BYTE stream number, an explicit Padding Length, zero padding to the packet size
// [asf.md 3.2-3.7].
//
//   82 00 00 | LTF | PF | [Padding Length] | Send Time u32 | Duration u16 | [Payload Flags] | payloads | 0..0
//
// The Padding Length field eats into the padding it describes (asf.md 3.7): with `room` bytes free, a BYTE
// field leaves `room - 1` bytes of padding, a WORD field `room - 2`.
import { Writer } from '../core/bytes.js';
import { ProtocolError } from '../core/errors.js';
import { sizeCodeWidth, type Payload } from './packet.js';

export type PayloadInput = Pick<
  Payload,
  'streamNumber' | 'keyFrame' | 'objectNumber' | 'offset' | 'replicatedData' | 'data'
>;

export interface PacketInput {
  sendTime: number;
  duration: number;
  payloads: PayloadInput[];
  /** Multiple-payload form; by default used whenever it fits, else the single-payload form. */
  multiple?: boolean;
}

const EC = Buffer.from([0x82, 0x00, 0x00]);
/** At most 63 payloads: the count is 6 bits [asf.md 3.4]. */
export const MAX_PAYLOADS = 63;

/** Replicated data for a media object fragment: object size, presentation time (ms), extension data. */
export function replicatedData(objectSize: number, presentationTime: number, extension?: Buffer): Buffer {
  const b = Buffer.alloc(8 + (extension?.length ?? 0));
  b.writeUInt32LE(objectSize >>> 0, 0);
  b.writeUInt32LE(presentationTime >>> 0, 4);
  extension?.copy(b, 8);
  return b;
}

function sizeCode(max: number): 1 | 2 | 3 {
  return max <= 0xff ? 1 : max <= 0xffff ? 2 : 3;
}

function layout(p: PacketInput, multiple: boolean): { pf: number; monW: number; rdlW: number; used: number } {
  const monCode = sizeCode(Math.max(0, ...p.payloads.map((x) => x.objectNumber)));
  const rdlCode = sizeCode(Math.max(0, ...p.payloads.map((x) => x.replicatedData.length)));
  const pf = 0x40 | (monCode << 4) | (3 << 2) | rdlCode;
  const monW = sizeCodeWidth(monCode);
  const rdlW = sizeCodeWidth(rdlCode);
  let used = EC.length + 2 + 6 + (multiple ? 1 : 0);
  for (const x of p.payloads)
    used += 1 + monW + 4 + rdlW + x.replicatedData.length + (multiple ? 2 : 0) + x.data.length;
  return { pf, monW, rdlW, used };
}

/** Bytes the payloads need in the multiple-payload form, padding excluded: to decide what fits a packet. */
export function packetBytesNeeded(payloads: PayloadInput[]): number {
  return layout({ sendTime: 0, duration: 0, payloads }, true).used;
}

export function writePacket(p: PacketInput, packetSize: number): Buffer {
  const n = p.payloads.length;
  if (n === 0) throw new ProtocolError('E_ASF_WRITE', 'a packet needs at least one payload');
  let multiple = p.multiple ?? (n > 1 || layout(p, true).used <= packetSize);
  if (!multiple && n !== 1) throw new ProtocolError('E_ASF_WRITE', `single-payload form with ${n} payloads`);
  if (multiple && n > MAX_PAYLOADS)
    throw new ProtocolError('E_ASF_WRITE', `${n} payloads exceed ${MAX_PAYLOADS}`);
  multiple = multiple || false;
  const { pf, used } = layout(p, multiple);
  const room = packetSize - used;
  if (room < 0)
    throw new ProtocolError('E_ASF_WRITE', `payloads need ${used} bytes, the packet has ${packetSize}`);
  const padCode = room === 0 ? 0 : room - 1 <= 0xff ? 1 : room - 2 <= 0xffff ? 2 : 3;
  const padding = room - sizeCodeWidth(padCode);
  const w = new Writer(packetSize);
  w.bytes(EC)
    .u8((multiple ? 1 : 0) | (padCode << 3))
    .u8(pf);
  writeSized(w, padCode, padding);
  w.u32(p.sendTime).u16(p.duration);
  if (multiple) w.u8(0x80 | n);
  const monCode = (pf >> 4) & 3;
  const rdlCode = pf & 3;
  for (const x of p.payloads) {
    if (x.streamNumber < 1 || x.streamNumber > 127) {
      throw new ProtocolError('E_ASF_WRITE', `stream number ${x.streamNumber} is outside 1..127`);
    }
    if (multiple && x.data.length > 0xffff)
      throw new ProtocolError('E_ASF_WRITE', 'payload longer than 65535');
    w.u8(x.streamNumber | (x.keyFrame ? 0x80 : 0));
    writeSized(w, monCode, x.objectNumber);
    w.u32(x.offset);
    writeSized(w, rdlCode, x.replicatedData.length);
    w.bytes(x.replicatedData);
    if (multiple) w.u16(x.data.length);
    w.bytes(x.data);
  }
  w.zeros(padding);
  return w.toBuffer();
}

export function writeSized(w: Writer, code: number, v: number): void {
  if (code === 1) w.u8(v);
  else if (code === 2) w.u16(v);
  else if (code === 3) w.u32(v);
}
