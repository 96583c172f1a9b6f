// The pure half of the recorder: turns a received header and received packets into the bytes of a valid,
// seekable ASF file, as often as the caller asks [asf.md 7.3 steps 1, 2, 4-6; 5.1; 3.7; 2.10].
//
//   0            headerObjectSize   +50               dataEnd = dataStart + N x S
//   +------------+------------------+-----------------+-------------------------+
//   | Header     | Data Object (50) | N packets of S  | Simple Index per video  |
//   +------------+------------------+-----------------+-------------------------+
//   \___ head(): rewritten at each checkpoint ____/   \_ index(): after the last packet
//
// Only the File Properties Object of the received header changes; every other byte is kept.
import { Writer } from '../core/bytes.js';
import { isProtocolError, ProtocolError } from '../core/errors.js';
import { DATA_OBJECT_HEADER_SIZE, writeDataObjectHeader } from './data-object.js';
import { fixedPacketSize } from './file-layout.js';
import { decodeFileProperties, encodeFileProperties, FILE_PROPERTIES_SIZE } from './file-properties.js';
import { GUID } from './guids.js';
import { headerObjectSize, parseHeader, type AsfHeader } from './header.js';
import { parsePacket, sizeCodeWidth, type DataPacket } from './packet.js';
import { writeSized } from './packet-writer.js';
import { SimpleIndexBuilder, writeSimpleIndex } from './simple-index.js';
import { thinPacket } from './thin.js';
import { OrphanFilter } from './orphan-filter.js';

/** FILETIME of the Unix epoch: 100 ns steps from 1601-01-01 to 1970-01-01 [asf.md 0]. */
const FILETIME_UNIX_EPOCH = 116_444_736_000_000_000n;
const HEADER_EXTENSION_FIXED_SIZE = 46;

export function fileTimeFromUnixMs(ms: number): bigint {
  return BigInt(Math.floor(ms)) * 10_000n + FILETIME_UNIX_EPOCH;
}

/** The File Properties fields a recording owns; everything else in the header is kept as received. */
export interface RecordedFileFields {
  fileId: Buffer;
  /** FILETIME. */
  creationDate: bigint;
  fileSize: bigint;
  dataPacketsCount: bigint;
  /** 100 ns, preroll included. */
  playDuration: bigint;
  /** 100 ns. */
  sendDuration: bigint;
}

/** Where the File Properties Object sits in a Header Object: top level, or inside the Header Extension. */
export function filePropertiesOffset(buf: Buffer, from: number, to: number): number | undefined {
  for (let at = from; at + 24 <= to;) {
    const size = Number(buf.readBigUInt64LE(at + 16));
    const guid = buf.subarray(at, at + 16);
    if (guid.equals(GUID.fileProperties)) return at;
    if (guid.equals(GUID.headerExtension)) {
      const inner = filePropertiesOffset(buf, at + HEADER_EXTENSION_FIXED_SIZE, at + size);
      if (inner !== undefined) return inner;
    }
    at += size;
  }
  return undefined;
}

/**
 * The recorded file's Header Object from a received one (which may carry the 50-byte Data Object prefix the
 * protocols send with it): the File Properties fields of `fields`, Broadcast cleared and Seekable set, so a
 * live header becomes a finite file [asf.md 7.3 step 5]. The File Properties Object is patched in place
 * (its size is fixed), which keeps every other byte of the header exactly as received.
 */
export function recordedHeader(received: Buffer, fields: RecordedFileFields): Buffer {
  parseHeader(received);
  const out = Buffer.from(received.subarray(0, headerObjectSize(received.subarray(0, 24))));
  const at = filePropertiesOffset(out, 30, out.length);
  if (at === undefined) throw new ProtocolError('E_ASF_HEADER', 'ASF header: no File Properties Object');
  const fp = decodeFileProperties(out.subarray(at, at + FILE_PROPERTIES_SIZE), at);
  const flags = (fp.flags & ~0x1) | 0x2;
  encodeFileProperties({ ...fp, ...fields, flags }).copy(out, at);
  return out;
}

/** Whether two received headers describe the same stream, ignoring the fields a recording rewrites. */
export function sameStreamHeader(a: Buffer, b: Buffer): boolean {
  const neutral: RecordedFileFields = {
    fileId: Buffer.alloc(16),
    creationDate: 0n,
    fileSize: 0n,
    dataPacketsCount: 0n,
    playDuration: 0n,
    sendDuration: 0n,
  };
  return recordedHeader(a, neutral).equals(recordedHeader(b, neutral));
}

/** The Data Object's 50-byte header for `packetCount` packets of `packetSize` bytes [asf.md 2.10]. */
export function recordedDataObjectHeader(fileId: Buffer, packetCount: number, packetSize: number): Buffer {
  return writeDataObjectHeader({
    fileId,
    objectSize: BigInt(DATA_OBJECT_HEADER_SIZE) + BigInt(packetCount) * BigInt(packetSize),
    totalDataPackets: BigInt(packetCount),
    reserved: 0x0101,
  });
}

/**
 * A received packet as exactly `packetSize` bytes with an exact Padding Length [asf.md 3.7, 7.3 step 2]:
 * the inverse of stripping padding for the wire. Payload bytes are copied unchanged. The result is one
 * canonical form (no Packet Length field, the narrowest Padding Length field, as FFmpeg writes), whatever
 * the protocol did to the packet, so a packet received again over another protocol after a resume is
 * still byte-equal to the one recorded; a packet already in that form comes back as the same Buffer.
 * Throws ProtocolError for a packet that does not parse or is longer than the packet size.
 *
 *   in   EC | LTF  | PF | [Packet Length] | [Sequence] | [Padding Length]  | Send Time | Duration | payloads
 *   out  EC | LTF' | PF |                   [Sequence] | [Padding Length'] | Send Time | Duration | payloads | 0..0
 */
export function padPacket(pkt: Buffer, packetSize: number): Buffer {
  if (pkt.length > packetSize) {
    throw new ProtocolError(
      'E_ASF_PACKET',
      `received packet of ${pkt.length} bytes exceeds the packet size ${packetSize}`,
      { offset: packetSize },
    );
  }
  const p = parseReceived(pkt, packetSize);
  const ec = p.errorCorrection.length;
  const ltf = p.lengthTypeFlags;
  const lengthWidth = sizeCodeWidth(ltf >> 5);
  const seqWidth = sizeCodeWidth(ltf >> 1);
  const fieldsEnd = ec + 2 + lengthWidth + seqWidth + sizeCodeWidth(ltf >> 3) + 6;
  const payloads = pkt.subarray(fieldsEnd, p.usedLength);
  // No Packet Length field (so the length is the packet size); the Padding Length field eats into the room.
  const room = packetSize - (ec + 2 + seqWidth + 6 + payloads.length);
  const padCode = room === 0 ? 0 : room - 1 <= 0xff ? 1 : 2;
  const padding = room - sizeCodeWidth(padCode);
  const canonical =
    pkt.length === packetSize &&
    lengthWidth === 0 &&
    ((ltf >> 3) & 3) === padCode &&
    p.paddingLength === padding;
  if (canonical) return pkt;
  const w = new Writer(packetSize);
  w.bytes(pkt.subarray(0, ec))
    .u8((ltf & 0x07) | (padCode << 3))
    .u8(p.propertyFlags);
  if (seqWidth > 0) w.bytes(pkt.subarray(ec + 2 + lengthWidth, ec + 2 + lengthWidth + seqWidth));
  writeSized(w, padCode, padding);
  w.u32(p.sendTime).u16(p.duration).bytes(payloads).zeros(padding);
  return w.toBuffer();
}

/**
 * A short single-payload packet without a Packet Length field had its padding stripped with Padding Length
 * set to 0 (MS-WMSP 2.2.3.3): its payload ends where its bytes end, not at the packet size.
 */
function parseReceived(pkt: Buffer, packetSize: number): DataPacket {
  try {
    return parsePacket(pkt, packetSize);
  } catch (e) {
    if (pkt.length === packetSize || pkt.length === 0 || !isProtocolError(e)) throw e;
    try {
      return parsePacket(pkt, pkt.length);
    } catch {
      throw e;
    }
  }
}

/** Where a stream's presentation ends: its latest object time plus one object's duration [asf.md 7.3 step 4]. */
class StreamEnd {
  private last: number | undefined;
  private step = 0;
  /** ms, from the Extended Stream Properties' Average Time Per Frame when it says one. */
  constructor(private readonly frameMs: number) {}

  object(pt: number, step?: number): void {
    if (step !== undefined && step > 0) this.step = step;
    else if (this.last !== undefined && pt > this.last) this.step = pt - this.last;
    this.last = this.last === undefined ? pt : Math.max(this.last, pt);
  }

  get end(): number | undefined {
    return this.last === undefined ? undefined : this.last + (this.frameMs || this.step);
  }
}

/** What `Recording.push` did with a received packet. */
export type PushResult =
  | { readonly kind: 'packet'; readonly data: Buffer; readonly packet: DataPacket }
  | { readonly kind: 'duplicate' }
  | { readonly kind: 'orphans' };

/** Where to ask the server to restart after a cut: media time (ms), and the last send time recorded. */
export interface ResumePoint {
  readonly startMs: number;
  readonly lastSendTime: number;
}

export interface RecordingIdentity {
  fileId: Buffer;
  /** FILETIME. */
  creationDate: bigint;
}

/**
 * One recorded file as a pure value: fed packets in order, it says what to write for each, and at any time
 * the file's head (Header Object + Data Object header) and index for what was pushed so far.
 */
export class Recording {
  readonly header: AsfHeader;
  /** The received Header Object, without the Data Object prefix the protocols send with it. */
  readonly receivedHeader: Buffer;
  readonly packetSize: number;
  readonly preroll: number;
  /** Offset of the first packet. */
  readonly dataStart: number;
  private count = 0;
  private sendEnd = 0;
  private lastSend = 0;
  private last: Buffer | undefined;
  private replaying = false;
  private readonly ends = new Map<number, StreamEnd>();
  private readonly indexes: SimpleIndexBuilder[];
  private readonly orphans: OrphanFilter;

  constructor(
    received: Buffer,
    readonly identity: RecordingIdentity,
  ) {
    this.header = parseHeader(received);
    this.receivedHeader = Buffer.from(received.subarray(0, headerObjectSize(received.subarray(0, 24))));
    this.packetSize = fixedPacketSize(this.header);
    this.preroll = this.header.fileProperties.preroll;
    this.dataStart = this.receivedHeader.length + DATA_OBJECT_HEADER_SIZE;
    for (const s of this.header.streams) {
      const frame = s.extended ? Number(s.extended.averageTimePerFrame / 10_000n) : 0;
      this.ends.set(s.streamNumber, new StreamEnd(frame));
    }
    this.orphans = new OrphanFilter(
      this.header.streams.filter((s) => s.kind === 'video').map((s) => s.streamNumber),
    );
    // One Simple Index per non-hidden video stream, in stream-number order [asf.md 1.2, 5.1].
    this.indexes = this.header.streams
      .filter((s) => s.kind === 'video' && !s.hidden)
      .map((s) => new SimpleIndexBuilder(s.streamNumber));
  }

  get packetCount(): number {
    return this.count;
  }

  /** Offset just past the last packet pushed: where the next packet, or the index, goes. */
  get dataEnd(): number {
    return this.dataStart + this.count * this.packetSize;
  }

  /**
   * Take one received packet: pad it, drop a replayed duplicate, drop orphan fragments, and count it.
   * Throws ProtocolError for a packet that cannot be recorded; nothing is counted then.
   */
  push(received: Buffer): PushResult {
    let data = padPacket(received, this.packetSize);
    let packet = parsePacket(data, this.packetSize);
    if (this.replaying) {
      // A server restarts at a key frame before the cut, so packets up to the last one recorded come again.
      if (this.last?.equals(data)) {
        this.replaying = false;
        return { kind: 'duplicate' };
      }
      if (packet.sendTime <= this.lastSend) return { kind: 'duplicate' };
      this.replaying = false;
    }
    const keep = this.orphans.keep(packet);
    if (!keep.every(Boolean)) {
      const thinned = thinPacket(data, this.packetSize, (_s, _k, i) => keep[i] === true);
      if (thinned === null) return { kind: 'orphans' };
      data = thinned;
      packet = parsePacket(data, this.packetSize);
    }
    this.tally(data, packet);
    return { kind: 'packet', data, packet };
  }

  /**
   * Count a packet already in the file being resumed (exactly the packet size, written by a recording):
   * rebuilds the totals, the index and what is open per stream, without changing a byte.
   */
  pushRecorded(data: Buffer): DataPacket {
    if (data.length !== this.packetSize) {
      throw new ProtocolError(
        'E_ASF_PACKET',
        `recorded packet of ${data.length} bytes is not ${this.packetSize}`,
        {
          offset: data.length,
        },
      );
    }
    const packet = parsePacket(data, this.packetSize);
    this.orphans.keep(packet);
    this.tally(data, packet);
    return packet;
  }

  private tally(data: Buffer, packet: DataPacket): void {
    this.count++;
    this.lastSend = packet.sendTime;
    this.sendEnd = Math.max(this.sendEnd, packet.sendTime + packet.duration);
    this.last = data;
    for (const x of packet.payloads) {
      if (x.offset !== 0 && !x.compressed) continue;
      const end = this.ends.get(x.streamNumber);
      if (!end) continue;
      const n = x.subPayloads?.length ?? 1;
      const delta = x.presentationTimeDelta ?? 0;
      end.object(x.presentationTime + (n - 1) * delta, x.compressed ? delta : undefined);
    }
    for (const b of this.indexes) b.add(packet);
  }

  /**
   * After a cut: where to ask the server to restart, and from now on drop the replayed packets up to and
   * including one byte-equal to the last recorded, or else up to its send time. The start is early enough
   * that any server lands at or before the last recorded packet: before the last recorded key frame of every
   * video stream (index lookups) and before its send time (binary searches) [asf.md 5.2].
   */
  resume(): ResumePoint {
    if (this.count === 0) return { startMs: 0, lastSendTime: 0 };
    this.replaying = true;
    let start = this.lastSend - 1;
    for (const b of this.indexes) {
      const pt = b.lastKeyFrameTime;
      if (pt !== undefined) start = Math.min(start, pt - this.preroll);
    }
    return { startMs: Math.max(0, start), lastSendTime: this.lastSend };
  }

  /** 100 ns, preroll included: the latest object end over all streams [asf.md 4, 7.3 step 5]. */
  get playDuration(): bigint {
    let end = 0;
    for (const e of this.ends.values()) end = Math.max(end, e.end ?? 0);
    return BigInt(Math.round(end)) * 10_000n;
  }

  get sendDuration(): bigint {
    return BigInt(this.sendEnd) * 10_000n;
  }

  /** Every Simple Index, ready to append after the last packet. */
  index(): Buffer {
    const playDuration = this.playDuration;
    return Buffer.concat(
      this.indexes.map((b) => writeSimpleIndex(b.build({ playDuration, fileId: this.identity.fileId }))),
    );
  }

  /** Header Object and Data Object header for the packets so far, followed by `indexSize` bytes of index. */
  head(indexSize: number): Buffer {
    const fileSize = BigInt(this.dataEnd + indexSize);
    const header = recordedHeader(this.receivedHeader, {
      ...this.identity,
      fileSize,
      dataPacketsCount: BigInt(this.count),
      playDuration: this.playDuration,
      sendDuration: this.sendDuration,
    });
    return Buffer.concat([
      header,
      recordedDataObjectHeader(this.identity.fileId, this.count, this.packetSize),
    ]);
  }
}
