// Encoder and incremental decoder of the packets in a PushStart body [MS-WMHTTP 2.2.3]. Unlike the `$H`/`$D` a
// server sends ([MS-WMSP 2.2.3.1.2], wmsp/framing.ts), a pushed packet has no 8-byte MMS data packet header: the
// 4-byte framing header of [MS-WMSP 2.2.3.1.1] is followed directly by the payload. Integers are little-endian.
//
//   0       1          2              4
//   +-+-----+----------+--------------+-----------------------------------------------------------
//   |B|0x24 | PacketID | PacketLength | PacketLength bytes
//   +-+-----+----------+--------------+-----------------------------------------------------------
//   'H' header   the ASF Header Object + the 50-byte Data Object start, at most 65,531 bytes [2.2.3.6]
//   'D' data     one ASF data packet, its padding possibly removed [2.2.3.3]
//   'C' change   Reason u32 (0), then the new ASF header (at most 65,527 bytes) [2.2.3.2]
//   'E' end      Reason u32: 0 finished, 1 this playlist entry finished and a $C follows [2.2.3.4]
//   'F' filler   zero or more bytes to ignore, to make the body fill its Content-Length [2.2.3.5]
//
// Flumotion's and PeerCast's push receivers read the same 4-byte layout from Windows Media Encoder.
import { NetshowError } from '../core/errors.js';
import { FrameDecoder } from '../core/frame-decoder.js';
import { Reader } from '../core/bytes.js';
import { GUID } from '../asf/index.js';
import { FRAME } from './framing.js';

/** Largest PacketLength: a u16. */
export const MAX_PUSH_PACKET_LENGTH = 0xffff;

export type PushChunk =
  | { readonly type: 'H' | 'D' | 'F'; readonly payload: Buffer }
  | { readonly type: 'C'; readonly reason: number; readonly payload: Buffer }
  | { readonly type: 'E'; readonly reason: number };

export type PushChunkType = PushChunk['type'];

const TYPE_CODES: Readonly<Record<PushChunkType, number>> = { H: 0x48, D: 0x44, C: 0x43, E: 0x45, F: 0x46 };
const CODE_TYPES = new Map<number, PushChunkType>(
  Object.entries(TYPE_CODES).map(([t, c]) => [c, t as PushChunkType] as [number, PushChunkType]),
);

/** The chunk as bytes: netshow's own pushes (a relay to another server) and tests. */
export function encodePushChunk(chunk: PushChunk): Buffer {
  const reason = chunk.type === 'C' || chunk.type === 'E' ? 4 : 0;
  const payload = chunk.type === 'E' ? Buffer.alloc(0) : chunk.payload;
  const length = reason + payload.length;
  if (length > MAX_PUSH_PACKET_LENGTH) {
    throw new NetshowError('E_WMSP_ENCODE', `a $${chunk.type} of ${length} bytes does not fit PacketLength`);
  }
  const head = Buffer.allocUnsafe(4 + reason);
  head[0] = FRAME;
  head[1] = TYPE_CODES[chunk.type];
  head.writeUInt16LE(length, 2);
  if (chunk.type === 'C' || chunk.type === 'E') head.writeUInt32LE(chunk.reason >>> 0, 4);
  return Buffer.concat([head, payload]);
}

/**
 * `push` the body bytes as they arrive, get back the complete chunks; payloads are views (copy what is kept).
 * Accepts the B bit although [MS-WMHTTP 2.2.3.1.1] says it is 0, as the MMSH decoder does. Throws only
 * ProtocolError, and stays failed after one.
 */
export class PushChunkDecoder extends FrameDecoder<PushChunk> {
  constructor() {
    super('push body', 'packet');
  }

  protected next(): PushChunk | null {
    if (this.buffered < 4) return null;
    const at = this.consumed;
    const r: Reader = new Reader(this.peek(4), at, 'push packet');
    const frame = r.u8('frame');
    if ((frame & 0x7f) !== FRAME)
      r.fail('E_WMSP_FRAMING', `expected a $ frame byte, got 0x${frame.toString(16)}`);
    const id = r.u8('PacketID');
    const type = CODE_TYPES.get(id);
    if (type === undefined) r.fail('E_WMSP_FRAMING', `unknown push packet type 0x${id.toString(16)}`, at + 1);
    const length = r.u16('PacketLength');
    if ((type === 'C' || type === 'E') && length < 4)
      r.fail('E_WMSP_FRAMING', `$${type} PacketLength ${length} leaves no room for its Reason`, at + 2);
    if (this.buffered < 4 + length) return null;
    const body = new Reader(this.take(4 + length), at, 'push packet');
    body.skip(4);
    switch (type) {
      case 'E':
        // Bytes after the Reason (none in the spec) are read past, as the MMSH decoder does.
        return { type, reason: body.u32('Reason') };
      case 'C':
        return changeChunk(body);
      default:
        return { type, payload: body.bytes(body.remaining) };
    }
  }
}

/**
 * [MS-WMHTTP 2.2.3.2] puts a Reason before the new header. A $C whose header starts right after the framing
 * header is read too: no capture of an encoder's $C has settled the order, and the header GUID is unmistakable.
 */
function changeChunk(r: Reader): PushChunk {
  if (r.remaining >= 16 && r.buf.subarray(r.pos, r.pos + 16).equals(GUID.header)) {
    return { type: 'C', reason: 0, payload: r.bytes(r.remaining) };
  }
  const reason = r.u32('Reason');
  return { type: 'C', reason, payload: r.bytes(r.remaining) };
}

/** Decodes a complete body at once (tests and tools). */
export function decodePushChunks(body: Buffer): PushChunk[] {
  const d = new PushChunkDecoder();
  const out = d.push(body);
  d.end();
  return out;
}
