// Data packets of MMS, on TCP between units or one per UDP datagram; header pieces; packet-pair packets; and the
// UDP RequestPacketListResend [MS-MMSP 2.2.2, 2.2.5, 3.2.5.8; mmsp.md §1.5-1.7, §4.2].
//
//   0            4                 5         6            8
//   +------------+-----------------+---------+------------+----------------------------------------------
//   | LocationId | playIncarnation | AFFlags | PacketSize | payload: header slice, ASF packet, or filler
//   +------------+-----------------+---------+------------+----------------------------------------------
//                                             PacketSize = 8 + payload length
//
//   RequestPacketListResend (UDP, client to server):
//   +------------+------------+-----------+-------------+---------------------------+
//   | 0xBEEFF00D | dwClientId | wSourceId | wNumPackets | dwBeginPacketList u32 x n |
//   +------------+------------+-----------+-------------+---------------------------+
import { NetshowError } from '../core/errors.js';
import { Reader, Writer } from '../core/bytes.js';

export const DATA_PACKET_HEADER_SIZE = 8;
/** Largest payload: PacketSize is a u16. */
export const MAX_DATA_PAYLOAD = 0xffff - DATA_PACKET_HEADER_SIZE;

/** AFFlags of header pieces and packet pairs [MS-MMSP 2.2.2; mmsp.md §1.5]. */
export const AF_FLAGS = {
  middle: 0x00,
  first: 0x04,
  last: 0x08,
  only: 0x0c,
  packetPair: 0x10,
} as const;

/** The incarnation stamped by the server itself: packet pairs and the playlist window [MS-MMSP 3.2.4.2]. */
export const SERVER_INCARNATION = 0xff;

export const PACKET_PAIR = {
  firstLocationId: 0xf0f0f000,
  secondLocationId: 0xf0f0f001,
  /** [MS-MMSP 3.2.5.8] 1,464 random bytes per packet (4.4.1's 1,472 is an erratum, mmsp.md 9.4). */
  payloadSize: 1464,
} as const;

export interface DataPacket {
  readonly locationId: number;
  readonly playIncarnation: number;
  readonly afFlags: number;
  /** A view into the received bytes. */
  readonly payload: Buffer;
}

function encodeError(message: string): NetshowError {
  return new NetshowError('E_MMSP_ENCODE', message);
}

/** The 8 bytes in front of a payload: built per client, the shared ASF packet written after it uncopied. */
export function dataPacketHeader(
  locationId: number,
  playIncarnation: number,
  afFlags: number,
  payloadLength: number,
): Buffer {
  if (!Number.isInteger(payloadLength) || payloadLength < 1 || payloadLength > MAX_DATA_PAYLOAD) {
    throw encodeError(`a Data packet holds 1..${MAX_DATA_PAYLOAD} payload bytes, not ${payloadLength}`);
  }
  const b = Buffer.allocUnsafe(DATA_PACKET_HEADER_SIZE);
  b.writeUInt32LE(locationId >>> 0, 0);
  b[4] = playIncarnation & 0xff;
  b[5] = afFlags & 0xff;
  b.writeUInt16LE(DATA_PACKET_HEADER_SIZE + payloadLength, 6);
  return b;
}

/** A whole Data packet (UDP datagram, tests, tools). */
export function encodeDataPacket(p: DataPacket): Buffer {
  return Buffer.concat([
    dataPacketHeader(p.locationId, p.playIncarnation, p.afFlags, p.payload.length),
    p.payload,
  ]);
}

/** Decodes one whole Data packet (a UDP datagram, or a frame the TCP decoder cut); throws ProtocolError. */
export function decodeDataPacket(bytes: Buffer, base = 0): DataPacket {
  const r = new Reader(bytes, base, 'MMS Data packet');
  const locationId = r.u32('LocationId');
  const playIncarnation = r.u8('playIncarnation');
  const afFlags = r.u8('AFFlags');
  const size = r.u16('PacketSize');
  if (size <= DATA_PACKET_HEADER_SIZE || size !== bytes.length) {
    r.fail('E_MMSP_FRAMING', `PacketSize ${size} does not match the ${bytes.length} bytes`, base + 6);
  }
  return { locationId, playIncarnation, afFlags, payload: r.bytes(r.remaining, 'payload') };
}

/**
 * The ASF header as Data packets: slices of at most `packetSize` bytes, LocationId 0, 1, ..., AFFlags 0x04 on
 * each but the last, 0x0C on the last [MS-MMSP 3.2.5.8; mmsp.md §4.2]. No piece but the last may end in `01 01`
 * (MPlayer stops collecting there), so such a slice is made one byte shorter.
 */
export function headerPieces(header: Buffer, packetSize: number, playIncarnation: number): Buffer[] {
  if (header.length === 0) throw encodeError('the ASF header is empty');
  const slice = Math.max(2, Math.min(packetSize, MAX_DATA_PAYLOAD));
  const out: Buffer[] = [];
  let at = 0;
  while (at < header.length) {
    let end = Math.min(at + slice, header.length);
    if (end < header.length && header[end - 1] === 0x01 && header[end - 2] === 0x01) end--;
    const last = end === header.length;
    const piece = header.subarray(at, end);
    const flags = last ? AF_FLAGS.only : AF_FLAGS.first;
    out.push(Buffer.concat([dataPacketHeader(out.length, playIncarnation, flags, piece.length), piece]));
    at = end;
  }
  return out;
}

/** The two UDP packet-pair packets, from caller-supplied random payloads [MS-MMSP 3.2.5.8; mmsp.md §1.6]. */
export function packetPairPackets(first: Buffer, second: Buffer): [Buffer, Buffer] {
  return [
    encodeDataPacket({
      locationId: PACKET_PAIR.firstLocationId,
      playIncarnation: SERVER_INCARNATION,
      afFlags: AF_FLAGS.packetPair,
      payload: first,
    }),
    encodeDataPacket({
      locationId: PACKET_PAIR.secondLocationId,
      playIncarnation: SERVER_INCARNATION,
      afFlags: AF_FLAGS.packetPair,
      payload: second,
    }),
  ];
}

export const RESEND_SIGNATURE = 0xbeeff00d;
/** [MS-MMSP 2.2.5] at most 32 packets per request. */
export const MAX_RESEND_PACKETS = 32;

export interface RequestPacketListResend {
  readonly clientId: number;
  readonly sourceId: number;
  /** 32-bit sequence numbers (the AFFlags counter extended by the client). */
  readonly packets: readonly number[];
}

export function encodeRequestPacketListResend(m: RequestPacketListResend): Buffer {
  if (m.packets.length < 1 || m.packets.length > MAX_RESEND_PACKETS) {
    throw encodeError(`a resend request lists 1..${MAX_RESEND_PACKETS} packets, not ${m.packets.length}`);
  }
  const w = new Writer(12 + 4 * m.packets.length)
    .u32(RESEND_SIGNATURE)
    .u32(m.clientId)
    .u16(m.sourceId)
    .u16(m.packets.length);
  for (const p of m.packets) w.u32(p);
  return w.toBuffer();
}

/**
 * Decodes a resend datagram; the count is bounded by the datagram's length and by 32 [MS-MMSP 3.2.5.11.1].
 * Throws ProtocolError on a wrong signature or an empty list (the server then drops the datagram silently).
 */
export function decodeRequestPacketListResend(datagram: Buffer): RequestPacketListResend {
  const r = new Reader(datagram, 0, 'RequestPacketListResend');
  const signature = r.u32('Signature');
  if (signature !== RESEND_SIGNATURE) {
    r.fail('E_MMSP_FRAMING', `signature 0x${signature.toString(16)} is not 0xbeeff00d`, 0);
  }
  const clientId = r.u32('dwClientId');
  const sourceId = r.u16('wSourceId');
  const claimed = r.u16('wNumPackets');
  const n = Math.min(claimed, MAX_RESEND_PACKETS, Math.floor(r.remaining / 4));
  if (n < 1) r.fail('E_MMSP_FRAMING', `no packet listed (wNumPackets ${claimed})`, 10);
  const packets: number[] = [];
  for (let i = 0; i < n; i++) packets.push(r.u32('dwBeginPacketList'));
  return { clientId, sourceId, packets };
}
