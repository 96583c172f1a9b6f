// Data packet parsing: error-correction bytes, payload parsing information, single, multiple and compressed
// payloads [asf.md 3, ASF spec 5.2], following the bounds-checked procedure of asf.md 3.8.
//
//   +----------------------+ 82 00 00 when present (bit 7 of the first byte)
//   | Error Correction     |
//   +----------------------+
//   | Length Type Flags    | bit 0 multiple, 1-2 sequence, 3-4 padding, 5-6 packet length (size codes)
//   | Property Flags       | 0-1 replicated length, 2-3 offset, 4-5 object number, 6-7 stream (01)
//   | [Packet Length]      |
//   | [Sequence]           |
//   | [Padding Length]     |
//   | Send Time u32 ms     |
//   | Duration u16 ms      |
//   +----------------------+
//   | [Payload Flags]      | multiple only: bits 0-5 count, 6-7 payload length size code
//   | payload 1 .. n       | stream byte, [object number], [offset], [replicated length], replicated data,
//   |                      | [payload length] (multiple only), data
//   +----------------------+
//   | padding              | zeros up to the packet size
//   +----------------------+
import { Reader } from '../core/bytes.js';
import { ProtocolError } from '../core/errors.js';

/** FFmpeg refuses media objects this large; nothing real comes close [asf.md 8.1]. */
export const MAX_MEDIA_OBJECT_SIZE = 16 * 1024 * 1024;
/** Widths of the 2-bit size codes: absent, BYTE, WORD, DWORD [asf.md 3.3]. */
export function sizeCodeWidth(code: number): number {
  const c = code & 3;
  return c === 3 ? 4 : c;
}

export interface Payload {
  streamNumber: number;
  keyFrame: boolean;
  objectNumber: number;
  /** Offset into the media object; for a compressed payload, the presentation time of its first object. */
  offset: number;
  replicatedData: Buffer;
  /** From the replicated data; undefined for compressed payloads and for replicated length 0. */
  objectSize?: number;
  /** ms on the preroll-shifted scale; for replicated length 0, the packet's send time. */
  presentationTime: number;
  /** The fragment bytes; for a compressed payload, the `{u8 length, object}` list as stored. */
  data: Buffer;
  compressed: boolean;
  /** Compressed payloads only: the whole objects it carries, and the time step between them (ms). */
  subPayloads?: Buffer[];
  presentationTimeDelta?: number;
}

export interface DataPacket {
  /** ms. */
  sendTime: number;
  /** ms. */
  duration: number;
  /** The Packet Length field, or the fixed packet size when the field is absent. */
  packetLength: number;
  paddingLength: number;
  multiple: boolean;
  payloads: Payload[];
  /** The error-correction bytes including the flags byte (normally `82 00 00`); empty when absent. */
  errorCorrection: Buffer;
  lengthTypeFlags: number;
  propertyFlags: number;
  sequence: number;
  /** Size code of the Payload Length fields (multiple payloads only; 0 otherwise). */
  payloadLengthType: number;
  /** Bytes from the packet start to the end of the last payload. */
  usedLength: number;
}

/** Where each payload sits in the packet, for the thinner, which copies payloads byte for byte. */
export interface PayloadSpan {
  /** From the stream byte to the end of the replicated data. */
  headerStart: number;
  headerEnd: number;
  dataStart: number;
  dataEnd: number;
}

function readSized(r: Reader, code: number, field: string): number {
  switch (code & 3) {
    case 1:
      return r.u8(field);
    case 2:
      return r.u16(field);
    case 3:
      return r.u32(field);
    default:
      return 0;
  }
}

function checkPacketSize(packetSize: number, base: number): void {
  if (!Number.isInteger(packetSize) || packetSize < 1 || packetSize > 0x10000) {
    throw new ProtocolError('E_ASF_PACKET', `packet size ${packetSize} is outside 1..65536`, {
      offset: base,
    });
  }
}

/** Read the error-correction bytes and the two flag bytes [asf.md 3.2, 3.8 steps 1-2]. */
function readFlags(r: Reader): { ecLength: number; ltf: number; pf: number } {
  const b0 = r.u8('first packet byte');
  let ecLength = 0;
  let ltf = b0;
  if (b0 & 0x80) {
    if (b0 & 0x60)
      r.fail('E_ASF_PACKET', `error correction length type ${(b0 >> 5) & 3} is not supported`, r.offset - 1);
    if (b0 & 0x10) r.fail('E_ASF_PACKET', 'opaque error correction data is not supported', r.offset - 1);
    r.skip(b0 & 0x0f, 'Error Correction Data');
    ecLength = 1 + (b0 & 0x0f);
    ltf = r.u8('Length Type Flags');
    if (ltf & 0x80)
      r.fail('E_ASF_PACKET', 'Length Type Flags has the error-correction bit set', r.offset - 1);
  }
  const pf = r.u8('Property Flags');
  if (((pf >> 6) & 3) !== 1)
    r.fail('E_ASF_PACKET', `stream number length type ${(pf >> 6) & 3} is not BYTE`, r.offset - 1);
  return { ecLength, ltf, pf };
}

/** Send time (ms) without parsing payloads: the pacer calls this for every packet. */
export function packetSendTime(pkt: Buffer, base = 0): number {
  const b0 = pkt[0];
  // Fast path for what every writer emits: 82 00 00, LTF, PF, then fields whose widths the LTF gives.
  if (b0 === 0x82 && pkt.length >= 16) {
    const ltf = pkt[3]!;
    if ((ltf & 0x80) === 0) {
      const at = 5 + sizeCodeWidth(ltf >> 5) + sizeCodeWidth(ltf >> 1) + sizeCodeWidth(ltf >> 3);
      if (at + 4 <= pkt.length) return pkt.readUInt32LE(at);
    }
  }
  const r = new Reader(pkt, base, 'ASF packet');
  const { ltf } = readFlags(r);
  readSized(r, ltf >> 5, 'Packet Length');
  readSized(r, ltf >> 1, 'Sequence');
  readSized(r, ltf >> 3, 'Padding Length');
  return r.u32('Send Time');
}

/**
 * Parse one packet. `pkt` may be shorter than `packetSize` when its padding was stripped on the wire
 * (MMSH `$D`, RTP); bytes after `packetSize` are ignored. Every payload must lie inside the bytes given.
 */
export function parsePacket(pkt: Buffer, packetSize: number, base = 0): DataPacket {
  return parsePacketSpans(pkt, packetSize, base).packet;
}

export function parsePacketSpans(
  pkt: Buffer,
  packetSize: number,
  base = 0,
): { packet: DataPacket; spans: PayloadSpan[] } {
  checkPacketSize(packetSize, base);
  const view = pkt.length > packetSize ? pkt.subarray(0, packetSize) : pkt;
  const r = new Reader(view, base, 'ASF packet');
  const { ecLength, ltf, pf } = readFlags(r);
  const lengthAt = r.offset;
  const packetLength = (ltf >> 5) & 3 ? readSized(r, ltf >> 5, 'Packet Length') : packetSize;
  if (packetLength === 0 || packetLength > packetSize) {
    r.fail('E_ASF_PACKET', `Packet Length ${packetLength} is outside 1..${packetSize}`, lengthAt);
  }
  const sequence = readSized(r, ltf >> 1, 'Sequence');
  const paddingAt = r.offset;
  const paddingLength = readSized(r, ltf >> 3, 'Padding Length');
  const sendTime = r.u32('Send Time');
  const duration = r.u16('Duration');
  if (paddingLength > packetLength - r.pos) {
    r.fail(
      'E_ASF_PACKET',
      `Padding Length ${paddingLength} leaves no room in a ${packetLength}-byte packet`,
      paddingAt,
    );
  }
  const end = packetLength - paddingLength;
  const multiple = (ltf & 1) !== 0;
  let count = 1;
  let payloadLengthType = 0;
  if (multiple) {
    const at = r.offset;
    const flags = r.u8('Payload Flags');
    count = flags & 0x3f;
    payloadLengthType = flags >> 6;
    if (count === 0) r.fail('E_ASF_PAYLOAD', 'Payload Flags says 0 payloads', at);
    if (payloadLengthType === 0) r.fail('E_ASF_PAYLOAD', 'Payload Flags has no payload length type', at);
  }
  const payloads: Payload[] = [];
  const spans: PayloadSpan[] = [];
  for (let i = 0; i < count; i++) {
    const { payload, span } = readPayload(r, pf, multiple, payloadLengthType, end, sendTime);
    payloads.push(payload);
    spans.push(span);
  }
  const packet: DataPacket = {
    sendTime,
    duration,
    packetLength,
    paddingLength,
    multiple,
    payloads,
    errorCorrection: view.subarray(0, ecLength),
    lengthTypeFlags: ltf,
    propertyFlags: pf,
    sequence,
    payloadLengthType,
    usedLength: r.pos,
  };
  return { packet, spans };
}

function readPayload(
  r: Reader,
  pf: number,
  multiple: boolean,
  lengthType: number,
  end: number,
  sendTime: number,
): { payload: Payload; span: PayloadSpan } {
  const headerStart = r.pos;
  const streamAt = r.offset;
  const streamByte = r.u8('Stream Number');
  const streamNumber = streamByte & 0x7f;
  if (streamNumber === 0) r.fail('E_ASF_PAYLOAD', 'payload for stream 0', streamAt);
  const objectNumber = readSized(r, pf >> 4, 'Media Object Number');
  const offset = readSized(r, pf >> 2, 'Offset Into Media Object');
  const rdlAt = r.offset;
  const rdl = readSized(r, pf, 'Replicated Data Length');
  if (rdl >= 2 && rdl < 8) r.fail('E_ASF_PAYLOAD', `Replicated Data Length ${rdl} is invalid (2..7)`, rdlAt);
  const replicatedData = r.bytes(rdl, 'Replicated Data');
  const headerEnd = r.pos;
  const lengthAt = r.offset;
  const length = multiple ? readSized(r, lengthType, 'Payload Length') : end - r.pos;
  if (length <= 0 || r.pos + length > end) {
    r.fail('E_ASF_PAYLOAD', `Payload Length ${length} does not fit the ${end - r.pos} bytes left`, lengthAt);
  }
  const dataStart = r.pos;
  const data = r.bytes(length, 'Payload Data');
  const payload: Payload = {
    streamNumber,
    keyFrame: (streamByte & 0x80) !== 0,
    objectNumber,
    offset,
    replicatedData,
    presentationTime: sendTime,
    data,
    compressed: rdl === 1,
  };
  if (rdl === 1) {
    payload.presentationTime = offset;
    payload.presentationTimeDelta = replicatedData[0]!;
    payload.subPayloads = readSubPayloads(new Reader(data, r.base + dataStart, 'compressed payload'));
  } else if (rdl >= 8) {
    const objectSize = replicatedData.readUInt32LE(0);
    if (objectSize === 0 || objectSize >= MAX_MEDIA_OBJECT_SIZE) {
      r.fail(
        'E_ASF_PAYLOAD',
        `Media Object Size ${objectSize} is outside 1..${MAX_MEDIA_OBJECT_SIZE - 1}`,
        rdlAt + 1,
      );
    }
    if (offset + length > objectSize) {
      r.fail(
        'E_ASF_PAYLOAD',
        `fragment ${offset}+${length} lies beyond its ${objectSize}-byte object`,
        streamAt,
      );
    }
    payload.objectSize = objectSize;
    payload.presentationTime = replicatedData.readUInt32LE(4);
  }
  return { payload, span: { headerStart, headerEnd, dataStart, dataEnd: r.pos } };
}

/** `{u8 length, object}` repeated, exactly filling the payload [asf.md 3.6]. */
function readSubPayloads(r: Reader): Buffer[] {
  const out: Buffer[] = [];
  while (r.remaining > 0) {
    const n = r.u8('Sub-Payload Data Length');
    out.push(r.bytes(n, 'Sub-Payload Data'));
  }
  return out;
}
