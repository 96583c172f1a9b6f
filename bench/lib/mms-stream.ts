// The client's view of an MMS (MS-MMSP) TCP stream, decoded here rather than with netshow's own codec so
// that the benchmark does not measure netshow with netshow's code (mmsp.md §1.2-1.5):
//
// ```
// TCP unit:    rep u8 | ver u8 | verMinor u8 | pad u8 | sessionId u32 = 0xB00BFACE | messageLength u32 |
//              seal u32 "MMS " | chunkCount u32 | seq u16 | MBZ u16 | timeSent u64 |      (32 bytes, T+0..31)
//              chunkLen u32 | MID u32 | fields ...                                       (messageLength - 16 bytes)
// Data packet: LocationId u32 | playIncarnation u8 | AFFlags u8 | PacketSize u16 (8 + payload) | payload
// ```
// Whatever comes next on the stream is a unit when its bytes 4..7 are the sessionId, else a Data packet.
// All integers little-endian. A UDP datagram is one Data packet.

export const SESSION_ID = 0xb00bface;
const SEAL = 0x20534d4d;
const MAX_MESSAGE_LENGTH = 65536;

/** The server's messages the benchmark's client reads (mmsp.md §2.1). */
export const SERVER_MID = {
  ConnectedEX: 0x00040001,
  ConnectedFunnel: 0x00040002,
  DisconnectedFunnel: 0x00040003,
  StartedPlaying: 0x00040005,
  OpenFile: 0x00040006,
  ReadBlock: 0x00040011,
  FunnelInfo: 0x00040015,
  SecurityChallenge: 0x0004001a,
  Ping: 0x0004001b,
  EndOfStream: 0x0004001e,
  StreamChange: 0x00040020,
  StreamSwitch: 0x00040021,
  Redirect: 0x00040022,
} as const;

const MID_NAME = new Map<number, string>(Object.entries(SERVER_MID).map(([k, v]) => [v, k]));
export const midName = (mid: number): string => MID_NAME.get(mid) ?? `0x${mid.toString(16).padStart(8, '0')}`;

export type MmsDataPacket = { locationId: number; incarnation: number; afFlags: number; payload: Buffer };

/** One MMS message: its MID and the message from M+0 (chunkLen) to the end of its padding. */
export type MmsUnit = { mid: number; message: Buffer };

export type MmsFrame = { kind: 'unit'; unit: MmsUnit } | { kind: 'data'; packet: MmsDataPacket };

/** A Data packet from a UDP datagram (or a TCP slice of exactly PacketSize bytes); null if malformed. */
export function readDataPacket(b: Buffer): MmsDataPacket | null {
  if (b.length < 8) return null;
  const size = b.readUInt16LE(6);
  if (size <= 8 || size > b.length) return null;
  return {
    locationId: b.readUInt32LE(0),
    incarnation: b[4] ?? 0,
    afFlags: b[5] ?? 0,
    payload: b.subarray(8, size),
  };
}

/** hr (M+8) of a reply, as an unsigned 32-bit number; the reports all carry it there (mmsp.md §2.3). */
export const hrOf = (u: MmsUnit): number => (u.message.length >= 12 ? u.message.readUInt32LE(8) : 0xffffffff);

/** Feed it TCP bytes; it returns the complete units and Data packets, in order. */
export class MmsTcpReader {
  private pending: Buffer = Buffer.alloc(0);
  error: string | null = null;

  push(bytes: Buffer): MmsFrame[] {
    const out: MmsFrame[] = [];
    if (this.error) return out;
    const buf = this.pending.length ? Buffer.concat([this.pending, bytes]) : bytes;
    let at = 0;
    while (buf.length - at >= 8) {
      if (buf.readUInt32LE(at + 4) === SESSION_ID) {
        if (buf.length - at < 12) break;
        const messageLength = buf.readUInt32LE(at + 8);
        if (messageLength < 24 || messageLength > MAX_MESSAGE_LENGTH) {
          this.error = `TCP unit with messageLength ${messageLength}`;
          return out;
        }
        const unitLength = messageLength + 16;
        if (buf.length - at < unitLength) break;
        if (buf.readUInt32LE(at + 12) !== SEAL) {
          this.error = 'TCP unit without the "MMS " seal';
          return out;
        }
        const chunkLen = buf.readUInt32LE(at + 32);
        const size = Math.min(chunkLen * 8, messageLength - 16);
        const message = buf.subarray(at + 32, at + 32 + Math.max(8, size));
        out.push({ kind: 'unit', unit: { mid: buf.readUInt32LE(at + 36), message } });
        at += unitLength;
      } else {
        const size = buf.readUInt16LE(at + 6);
        if (size <= 8) {
          this.error = `Data packet with PacketSize ${size}`;
          return out;
        }
        if (buf.length - at < size) break;
        const packet = readDataPacket(buf.subarray(at, at + size));
        if (packet) out.push({ kind: 'data', packet });
        at += size;
      }
    }
    // copy the remainder: a view would keep the whole (possibly large) chunk alive
    this.pending = at === buf.length ? Buffer.alloc(0) : Buffer.from(buf.subarray(at));
    return out;
  }
}
