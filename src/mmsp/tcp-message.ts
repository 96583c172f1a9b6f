// The TCP framing of MMS: one TcpMessageHeader around one MMS message, and an incremental decoder of a TCP stream
// that interleaves those units with Data packets [MS-MMSP 2.2.3, 2.2.4, 3.1.5.2; mmsp.md §1.2-1.4].
//
//   T+0   1  rep 0x01        T+12  4  seal 0x20534D4D "MMS "    T+32  4  chunkLen (message size / 8)
//   T+1   1  version 0       T+16  4  chunkCount                T+36  4  MID
//   T+2   1  versionMinor 0  T+20  2  seq                       T+40  .. message fields, zero padding to 8
//   T+3   1  padding 0       T+22  2  MBZ
//   T+4   4  sessionId 0xB00BFACE                               messageLength (T+8) = 8 x chunkLen + 16
//   T+8   4  messageLength   T+24  8  timeSent                  chunkCount = messageLength / 8 (mmsp.md 9.1)
//
// Whatever follows on the stream is a unit when its bytes 4..7 are `ce fa 0b b0`, else a Data packet.
import { FrameDecoder } from '../core/frame-decoder.js';
import { NetshowError, ProtocolError } from '../core/errors.js';
import { Reader } from '../core/bytes.js';
import { DATA_PACKET_HEADER_SIZE, decodeDataPacket, type DataPacket } from './data-packet.js';

export const SESSION_ID = 0xb00bface;
export const SEAL = 0x20534d4d;
export const TCP_HEADER_SIZE = 32;
/** Smallest messageLength accepted: chunkLen and MID alone (mmsp.md §1.4). */
export const MIN_MESSAGE_LENGTH = 24;
/** Default cap on messageLength; the largest real message (Logging) has 1,520 (mmsp.md §1.4). */
export const MAX_MESSAGE_LENGTH = 65536;

export interface TcpMessageHeader {
  readonly rep: number;
  readonly version: number;
  readonly versionMinor: number;
  readonly padding: number;
  readonly sessionId: number;
  readonly messageLength: number;
  readonly seal: number;
  readonly chunkCount: number;
  readonly seq: number;
  readonly mbz: number;
  readonly timeSent: bigint;
}

/** One TCP unit as received: its header, and the MMS message's chunkLen, MID and fields (padding included). */
export interface TcpMessage {
  readonly header: TcpMessageHeader;
  readonly chunkLen: number;
  readonly mid: number;
  /** The fields from M+8 to the end of the message, padding included; a view into the received bytes. */
  readonly body: Buffer;
}

export type TcpFrame =
  | { readonly kind: 'message'; readonly message: TcpMessage }
  | { readonly kind: 'data'; readonly packet: DataPacket };

/** The per-direction counters a sender stamps on each unit. */
export interface UnitStamp {
  readonly seq?: number;
  readonly timeSent?: bigint;
}

/**
 * One TCP unit around the message `mid` whose fields (after the MID, unpadded) are `fields`: pads the message to
 * a multiple of 8 bytes with zeros, never a full extra chunk [MS-MMSP 2.2.4].
 */
export function frameMessage(mid: number, fields: Uint8Array, stamp: UnitStamp = {}): Buffer {
  const raw = 8 + fields.length;
  const chunkLen = Math.ceil(raw / 8);
  const messageLength = chunkLen * 8 + 16;
  if (messageLength > MAX_MESSAGE_LENGTH) {
    throw new NetshowError('E_MMSP_ENCODE', `MMS message of ${raw} bytes exceeds ${MAX_MESSAGE_LENGTH - 16}`);
  }
  const b = Buffer.alloc(TCP_HEADER_SIZE + chunkLen * 8);
  b[0] = 0x01;
  b.writeUInt32LE(SESSION_ID, 4);
  b.writeUInt32LE(messageLength, 8);
  b.writeUInt32LE(SEAL, 12);
  // mmsp.md 9.1: every client writes messageLength / 8 here, not the spec's (messageLength + 16) / 8.
  b.writeUInt32LE(messageLength / 8, 16);
  b.writeUInt16LE((stamp.seq ?? 0) & 0xffff, 20);
  b.writeBigUInt64LE(BigInt.asUintN(64, stamp.timeSent ?? 0n), 24);
  b.writeUInt32LE(chunkLen, 32);
  b.writeUInt32LE(mid >>> 0, 36);
  b.set(fields, 40);
  return b;
}

/** Decodes one complete TCP unit (the decoder has already checked the length); throws ProtocolError. */
export function decodeTcpMessage(unit: Buffer, base = 0): TcpMessage {
  const r = new Reader(unit, base, 'MMS TCP unit');
  const header: TcpMessageHeader = {
    rep: r.u8('rep'),
    version: r.u8('version'),
    versionMinor: r.u8('versionMinor'),
    padding: r.u8('padding'),
    sessionId: r.u32('sessionId'),
    messageLength: r.u32('messageLength'),
    seal: r.u32('seal'),
    chunkCount: r.u32('chunkCount'),
    seq: r.u16('seq'),
    mbz: r.u16('MBZ'),
    timeSent: r.u64('timeSent'),
  };
  if (header.sessionId !== SESSION_ID) {
    r.fail('E_MMSP_FRAMING', `sessionId 0x${header.sessionId.toString(16)} is not 0xb00bface`, base + 4);
  }
  if (header.seal !== SEAL)
    r.fail('E_MMSP_FRAMING', `seal 0x${header.seal.toString(16)} is not "MMS "`, base + 12);
  if (header.messageLength < MIN_MESSAGE_LENGTH || header.messageLength + 16 !== unit.length) {
    r.fail('E_MMSP_FRAMING', `messageLength ${header.messageLength} does not match the unit`, base + 8);
  }
  const chunkLen = r.u32('chunkLen');
  const mid = r.u32('MID');
  // mmsp.md §1.4: the message is min(chunkLen x 8, messageLength - 16) bytes; be lenient about the rest.
  const size = Math.max(8, Math.min(chunkLen * 8, header.messageLength - 16));
  return { header, chunkLen, mid, body: r.bytes(size - 8, 'message') };
}

export interface TcpMessageDecoderOptions {
  /** Whether Data packets may appear (a client's stream). A server gets only TCP units. Default false. */
  readonly allowData?: boolean;
  /** Largest messageLength accepted. Default 65,536. */
  readonly maxMessageLength?: number;
  /** Largest Data packet payload accepted (a client sets the ASF packet size). Default 65,527. */
  readonly maxDataPayload?: number;
}

/**
 * Incremental decoder of an MMS TCP stream: `push` bytes as they arrive in any split, get back complete units and
 * Data packets [MS-MMSP 3.1.5.2; mmsp.md §1.4]. Every length is capped; throws only ProtocolError and stays failed
 * after one.
 */
export class TcpMessageDecoder extends FrameDecoder<TcpFrame> {
  private readonly allowData: boolean;
  private readonly maxMessageLength: number;
  private readonly maxDataPayload: number;

  constructor(options: TcpMessageDecoderOptions = {}) {
    super('MMS stream', 'frame');
    this.allowData = options.allowData ?? false;
    this.maxMessageLength = Math.min(options.maxMessageLength ?? MAX_MESSAGE_LENGTH, 0xffffffff - 16);
    this.maxDataPayload = Math.min(options.maxDataPayload ?? 0xffff - 8, 0xffff - 8);
  }

  /** Total length of the frame at the front, or null while too few bytes are in. */
  private frontLength(): { kind: 'message' | 'data'; length: number } | null {
    if (this.buffered < 8) return null;
    const head = this.peek(Math.min(12, this.buffered));
    const at = this.consumed;
    if (head.readUInt32LE(4) === SESSION_ID) {
      if (head.length < 12) return null;
      const messageLength = head.readUInt32LE(8);
      if (messageLength < MIN_MESSAGE_LENGTH || messageLength > this.maxMessageLength) {
        throw new ProtocolError(
          'E_MMSP_LIMIT',
          `MMS TCP unit: messageLength ${messageLength} outside ${MIN_MESSAGE_LENGTH}..${this.maxMessageLength}`,
          { offset: at + 8 },
        );
      }
      return { kind: 'message', length: messageLength + 16 };
    }
    if (!this.allowData) {
      throw new ProtocolError(
        'E_MMSP_FRAMING',
        `MMS TCP unit: sessionId 0x${head.readUInt32LE(4).toString(16)} is not 0xb00bface`,
        { offset: at + 4 },
      );
    }
    const size = head.readUInt16LE(6);
    // [MS-MMSP 3.1.5.2] mmsp.md §1.4: PacketSize must exceed the 8-byte header.
    if (size <= DATA_PACKET_HEADER_SIZE || size - DATA_PACKET_HEADER_SIZE > this.maxDataPayload) {
      throw new ProtocolError(
        'E_MMSP_LIMIT',
        `MMS Data packet: PacketSize ${size} outside 9..${this.maxDataPayload + DATA_PACKET_HEADER_SIZE}`,
        { offset: at + 6 },
      );
    }
    return { kind: 'data', length: size };
  }

  protected next(): TcpFrame | null {
    const front = this.frontLength();
    if (front === null || this.buffered < front.length) return null;
    const at = this.consumed;
    const bytes = this.take(front.length);
    return front.kind === 'message'
      ? { kind: 'message', message: decodeTcpMessage(bytes, at) }
      : { kind: 'data', packet: decodeDataPacket(bytes, at) };
  }
}

/** What the first bytes on the MMS port are: an MMS unit, or HTTP/RTSP to hand over (mmsp.md §1.1). */
export function sniffFirstBytes(first: Buffer): 'mms' | 'http' | 'unknown' | 'need-more' {
  if (first.length < 4) return 'need-more';
  if (first.readUInt32LE(0) === 0x00000001) return 'mms';
  const word = first.subarray(0, 4).toString('latin1');
  return ['GET ', 'POST', 'OPTI', 'DESC', 'HEAD', 'SETU', 'PLAY'].includes(word) ? 'http' : 'unknown';
}
