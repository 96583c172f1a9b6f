// Encoders and an incremental decoder for the `$X` packets of an MMSH body [MS-WMSP 2.2.3; wmsp.md §5].
//
// Framing header, then (for $H, $D, $M) the MMS data packet "AF_HEADER_TYPE0". Integers are little-endian.
//
//   0       1          2             4                8             9         10           12
//   +-+-----+----------+-------------+----------------+-------------+---------+------------+-----------
//   |B|0x24 | PacketID | PacketLength| LocationId u32 | Incarnation | AFFlags | PacketSize | payload...
//   +-+-----+----------+-------------+----------------+-------------+---------+------------+-----------
//          'H' 'D' 'M': PacketLength = PacketSize = 8 + payload length (at most 65,535)
//
//   +-+-----+----------+-------------+-------------+
//   |B|0x24 | 'E' 'C'  |  4 (u16)    | Reason u32  |      $E end of stream, $C stream change
//   +-+-----+----------+-------------+-------------+
//   |B|0x24 |   'P'    | 504 / 1048  | Reason u32  | random payload (size rule of [MS-WMSP 2.2.3.7])
//   |B|0x24 |   'T'    |  0 (u16)    |                 pipeline test data
//
// netshow never sets B: FFmpeg, VLC and libmms reject 0xA4 (wmsp.md §5.1). The decoder accepts it.
import { NetshowError } from '../core/errors.js';
import { FrameDecoder } from '../core/frame-decoder.js';
import { Reader, Writer } from '../core/bytes.js';

export const FRAME = 0x24;
/** Largest payload of one MMS data packet: 65,535 - 8 [MS-WMSP 2.2.3.1.2]. */
export const MAX_MMS_PAYLOAD = 65527;
/** Size of the framing header plus the MMS data packet header, before the payload. */
export const DATA_CHUNK_HEADER_SIZE = 12;

/** $H/$M AFFlags [MS-WMSP 2.2.3.1.2]. */
export const AF_FLAGS = { middle: 0x00, first: 0x04, last: 0x08, whole: 0x0c } as const;

/** HRESULTs a $E or $C carries [MS-WMSP 2.2.3.2, 2.2.3.4]. */
export const REASON = {
  ok: 0x00000000,
  entryFinished: 0x00000001,
  eosReceding: 0x000d2f09,
  previousEntry: 0x400d14be,
} as const;

export type ChunkType = 'H' | 'D' | 'E' | 'C' | 'M' | 'P' | 'T';

/** $H, $D or $M: an MMS data packet. */
export interface DataChunk {
  readonly type: 'H' | 'D' | 'M';
  readonly locationId: number;
  readonly incarnation: number;
  readonly afFlags: number;
  /** A view into the decoded bytes; copy it to keep it past the next push. */
  readonly payload: Buffer;
}

/** $E or $C: framing header and Reason only. */
export interface ReasonChunk {
  readonly type: 'E' | 'C';
  readonly reason: number;
}

/** $P packet-pair probe; `packetLength` is carried as sent because it is not the byte count here. */
export interface PacketPairChunk {
  readonly type: 'P';
  readonly packetLength: number;
  readonly reason: number;
  readonly payload: Buffer;
}

/** $T pipeline test data. */
export interface TestChunk {
  readonly type: 'T';
}

export type Chunk = DataChunk | ReasonChunk | PacketPairChunk | TestChunk;

const TYPE_CODES: Readonly<Record<ChunkType, number>> = {
  H: 0x48,
  D: 0x44,
  E: 0x45,
  C: 0x43,
  M: 0x4d,
  P: 0x50,
  T: 0x54,
};
const CODE_TYPES = new Map<number, ChunkType>(
  Object.entries(TYPE_CODES).map(([t, c]) => [c, t as ChunkType] as [number, ChunkType]),
);

function encoderError(message: string): NetshowError {
  return new NetshowError('E_WMSP_ENCODE', message);
}

/**
 * The 12 bytes in front of an MMS data packet payload. Used for $D, once per client per packet: the ASF packet
 * itself is shared and written after it by the transport. `afFlags` is the $D sequence number [MS-WMSP 2.2.3.1.2],
 * kept to 8 bits.
 */
export function mmsPacketHeader(
  type: 'H' | 'D' | 'M',
  locationId: number,
  incarnation: number,
  afFlags: number,
  payloadLength: number,
): Buffer {
  if (!Number.isInteger(payloadLength) || payloadLength < 0 || payloadLength > MAX_MMS_PAYLOAD) {
    throw encoderError(`an MMS data packet holds 0..${MAX_MMS_PAYLOAD} payload bytes, not ${payloadLength}`);
  }
  const size = 8 + payloadLength;
  const b = Buffer.allocUnsafe(DATA_CHUNK_HEADER_SIZE);
  b[0] = FRAME;
  b[1] = TYPE_CODES[type];
  b.writeUInt16LE(size, 2);
  b.writeUInt32LE(locationId >>> 0, 4);
  b[8] = incarnation & 0xff;
  b[9] = afFlags & 0xff;
  // [MS-WMSP 2.2.3.1.2] PacketSize is the whole MMS packet; VLC reads it, FFmpeg PacketLength: keep them equal.
  b.writeUInt16LE(size, 10);
  return b;
}

/** The per-client header of a $D carrying ASF packet `locationId`; `seq` is the $D counter (AFFlags). */
export function dataChunkHeader(
  locationId: number,
  incarnation: number,
  seq: number,
  payloadLength: number,
): Buffer {
  return mmsPacketHeader('D', locationId, incarnation, seq, payloadLength);
}

/**
 * The ASF header as $H chunk(s): one with AFFlags 0x0C, or pieces of at most 65,527 bytes flagged 0x04, 0x00...,
 * 0x08 with LocationId 0, 1, ... [MS-WMSP 2.2.3.1.2, 2.2.3.5]. FFmpeg reads only the first piece (wmsp.md §5.3).
 */
export function headerChunks(header: Buffer, incarnation = 0, type: 'H' | 'M' = 'H'): Buffer[] {
  const pieces = Math.max(1, Math.ceil(header.length / MAX_MMS_PAYLOAD));
  const out: Buffer[] = [];
  for (let i = 0; i < pieces; i++) {
    const piece = header.subarray(i * MAX_MMS_PAYLOAD, (i + 1) * MAX_MMS_PAYLOAD);
    const flags =
      pieces === 1
        ? AF_FLAGS.whole
        : i === 0
          ? AF_FLAGS.first
          : i === pieces - 1
            ? AF_FLAGS.last
            : AF_FLAGS.middle;
    out.push(Buffer.concat([mmsPacketHeader(type, i, incarnation, flags, piece.length), piece]));
  }
  return out;
}

/** The $M payload text: `playlist-gen-id=N, broadcast-id=N, features="..."` and a NUL [MS-WMSP 2.2.3.6]. */
export function metadataPayload(playlistGenId: number, broadcastId: number, features: string): Buffer {
  return Buffer.from(
    `playlist-gen-id=${playlistGenId >>> 0}, broadcast-id=${broadcastId >>> 0}, features="${features}"\0`,
    'latin1',
  );
}

function reasonChunk(type: 'E' | 'C', reason: number): Buffer {
  const b = Buffer.allocUnsafe(8);
  b[0] = FRAME;
  b[1] = TYPE_CODES[type];
  b.writeUInt16LE(4, 2);
  b.writeUInt32LE(reason >>> 0, 4);
  return b;
}

/** $E: the last $D has been sent; 0 = done, 1 = playlist entry done and a $C follows [MS-WMSP 2.2.3.4]. */
export function endChunk(reason: number = REASON.ok): Buffer {
  return reasonChunk('E', reason);
}

/** $C: a new ASF header follows [MS-WMSP 2.2.3.2]. */
export function changeChunk(reason: number = REASON.ok): Buffer {
  return reasonChunk('C', reason);
}

/** Any chunk as bytes (tests, the client side, and tools); the server's hot path uses `dataChunkHeader`. */
export function encodeChunk(chunk: Chunk): Buffer {
  switch (chunk.type) {
    case 'H':
    case 'D':
    case 'M':
      return Buffer.concat([
        mmsPacketHeader(chunk.type, chunk.locationId, chunk.incarnation, chunk.afFlags, chunk.payload.length),
        chunk.payload,
      ]);
    case 'E':
    case 'C':
      return reasonChunk(chunk.type, chunk.reason);
    case 'P': {
      const w = new Writer(8 + chunk.payload.length);
      return w
        .u8(FRAME)
        .u8(TYPE_CODES.P)
        .u16(chunk.packetLength)
        .u32(chunk.reason)
        .bytes(chunk.payload)
        .toBuffer();
    }
    case 'T':
      return Buffer.from([FRAME, TYPE_CODES.T, 0, 0]);
  }
}

export interface ChunkDecoderOptions {
  /** Largest $H/$D/$M payload accepted (a client sets the header's packet size for $D). Default 65,527. */
  readonly maxPayload?: number;
}

/**
 * Incremental decoder of an MMSH body: `push` bytes as they arrive, get back the complete chunks. Follows what the
 * tolerant clients do (wmsp.md §7): accepts the B bit, trusts PacketLength over PacketSize, skips bytes after the
 * Reason of a longer $E/$C (FFmpeg's `asf_stream` writes 8). Throws only ProtocolError, and stays failed after one.
 */
export class ChunkDecoder extends FrameDecoder<Chunk> {
  private pairsSeen = 0;
  private readonly maxPayload: number;

  constructor(options: ChunkDecoderOptions = {}) {
    super('MMSH body', 'chunk');
    this.maxPayload = Math.min(options.maxPayload ?? MAX_MMS_PAYLOAD, MAX_MMS_PAYLOAD);
  }

  /** Total bytes of the chunk at the front, or null while fewer than its fixed part have arrived. */
  private frontLength(): number | null {
    if (this.buffered < 4) return null;
    const head = this.peek(Math.min(8, this.buffered));
    const r: Reader = new Reader(head, this.consumed, 'MMSH chunk');
    const frame = r.u8('frame');
    if ((frame & 0x7f) !== FRAME)
      r.fail('E_WMSP_FRAMING', `expected a $ frame byte, got 0x${frame.toString(16)}`, this.consumed);
    const id = r.u8('packet id');
    const type = CODE_TYPES.get(id);
    if (type === undefined)
      r.fail('E_WMSP_FRAMING', `unknown packet type 0x${id.toString(16)}`, this.consumed + 1);
    const length = r.u16('packet length');
    switch (type) {
      case 'H':
      case 'D':
      case 'M':
        if (length < 8)
          r.fail('E_WMSP_FRAMING', `$${type} PacketLength ${length} is below 8`, this.consumed + 2);
        if (length - 8 > this.maxPayload) {
          r.fail(
            'E_WMSP_LIMIT',
            `$${type} payload ${length - 8} exceeds ${this.maxPayload}`,
            this.consumed + 2,
          );
        }
        return 4 + length;
      case 'E':
      case 'C':
        if (length < 4)
          r.fail('E_WMSP_FRAMING', `$${type} PacketLength ${length} is below 4`, this.consumed + 2);
        return 4 + length;
      case 'P': {
        if (this.buffered < 8) return null;
        const reason = r.u32('reason');
        return 8 + this.pairPayloadLength(length, reason);
      }
      case 'T':
        return 4 + length;
    }
  }

  /**
   * [MS-WMSP 2.2.3.7] PacketLength is 504, 504, 1048 but the payloads are 504 - Reason, 504 and 1,048 + Reason;
   * any other length is read as the bytes that follow.
   */
  private pairPayloadLength(packetLength: number, reason: number): number {
    const r = Math.min(reason, 504);
    if (packetLength === 1048) return 1048 + r;
    if (packetLength === 504) return this.pairsSeen === 0 ? 504 - r : 504;
    return Math.max(packetLength - 4, 0);
  }

  protected next(): Chunk | null {
    const total = this.frontLength();
    if (total === null || this.buffered < total) return null;
    const at = this.consumed;
    const r = new Reader(this.take(total), at, 'MMSH chunk');
    r.skip(1);
    const type = CODE_TYPES.get(r.u8())!;
    const packetLength = r.u16();
    switch (type) {
      case 'H':
      case 'D':
      case 'M': {
        const locationId = r.u32('LocationId');
        const incarnation = r.u8('Incarnation');
        const afFlags = r.u8('AFFlags');
        r.skip(2, 'PacketSize');
        return { type, locationId, incarnation, afFlags, payload: r.bytes(r.remaining, 'payload') };
      }
      case 'E':
      case 'C':
        return { type, reason: r.u32('reason') };
      case 'P': {
        const reason = r.u32('reason');
        this.pairsSeen++;
        return { type, packetLength, reason, payload: r.bytes(r.remaining, 'payload') };
      }
      case 'T':
        return { type };
    }
  }
}

/** Decodes a complete body at once (tests and tools). */
export function decodeChunks(body: Buffer, options?: ChunkDecoderOptions): Chunk[] {
  const d = new ChunkDecoder(options);
  const out = d.push(body);
  d.end();
  return out;
}
