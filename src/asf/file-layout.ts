// Where things are in an ASF file: the Header Object, the Data Object header and the fixed-size packets
// after it [asf.md 1.2, 2.10, 3.1]. Callers read the first bytes of a file, ask for the layout, then read
// packets by number at `firstPacketOffset + n * packetSize`.
//
//   0                 headerObjectSize          +50                   +50 + N*S
//   +-----------------+-------------------------+---------------------+---------------------
//   | Header Object   | Data Object header (50) | N packets of S bytes | Simple Index, ...
//   +-----------------+-------------------------+---------------------+---------------------
//   \________ headerBytes ("the ASF header" of MMS, MMSH and RTSP) ___/
import { ProtocolError } from '../core/errors.js';
import { DATA_OBJECT_HEADER_SIZE, parseDataObjectHeader, type DataObjectHeader } from './data-object.js';
import { headerObjectSize, parseHeader, type AsfHeader } from './header.js';

/**
 * Packet sizes we serve. Every transport netshow speaks frames a packet with a 16-bit length (`$D` chunks in
 * MS-WMSP, MMS data packets), so a larger packet could not be sent; a packet smaller than 24 bytes cannot
 * hold its own header and one payload header.
 */
export const MIN_PACKET_SIZE = 24;
export const MAX_PACKET_SIZE = 65536;

export interface AsfFileLayout {
  header: AsfHeader;
  headerObjectSize: number;
  /** A copy of the Header Object plus the 50-byte Data Object header: "the ASF header" of MMS/MMSH/RTSP. */
  headerBytes: Buffer;
  dataObject: DataObjectHeader;
  dataObjectOffset: number;
  firstPacketOffset: number;
  packetSize: number;
  /** Data Object count; when 0 (a live-written file) computed from the Data Object size or `fileSize`. */
  packetCount: number;
  /** As declared (0 or 50 for a live-written file). */
  dataObjectSize: number;
  /** Offset just past the last packet: where the index objects may start. */
  dataEnd: number;
}

/** Check Min == Max Data Packet Size and the caps; returns the fixed packet size. */
export function fixedPacketSize(header: AsfHeader, at = 92): number {
  const { minPacketSize: min, maxPacketSize: max } = header.fileProperties;
  if (min !== max) {
    throw new ProtocolError(
      'E_ASF_PACKET_SIZE',
      `Minimum Data Packet Size ${min} differs from Maximum ${max}`,
      {
        offset: at,
      },
    );
  }
  if (min < MIN_PACKET_SIZE || min > MAX_PACKET_SIZE) {
    throw new ProtocolError(
      'E_ASF_PACKET_SIZE',
      `Data Packet Size ${min} is outside ${MIN_PACKET_SIZE}..${MAX_PACKET_SIZE}`,
      { offset: at },
    );
  }
  return min;
}

/**
 * Lay out a file from its first bytes: `buf` holds at least the Header Object and the Data Object header.
 * `fileSize` (when known) bounds the packet count, which a live-written file leaves at 0.
 */
export function parseFileStart(buf: Buffer, fileSize?: number): AsfFileLayout {
  const size = headerObjectSize(buf.subarray(0, 24));
  const header = parseHeader(buf);
  const fpAt = fileOffsetOfFileProperties(header, buf);
  const packetSize = fixedPacketSize(header, fpAt + 92);
  const dataObject = parseDataObjectHeader(buf.subarray(size, size + DATA_OBJECT_HEADER_SIZE), size);
  const firstPacketOffset = size + DATA_OBJECT_HEADER_SIZE;
  const S = BigInt(packetSize);
  let count = dataObject.totalDataPackets;
  if (count === 0n && dataObject.objectSize > 50n) count = (dataObject.objectSize - 50n) / S;
  if (fileSize !== undefined) {
    const fits = BigInt(Math.max(0, Math.floor((fileSize - firstPacketOffset) / packetSize)));
    if (count === 0n || count > fits) count = fits;
  }
  // Without a file size to bound it, a count past 2^53 packets is not a file anyone can hold.
  if (count > BigInt(Number.MAX_SAFE_INTEGER) / S) {
    throw new ProtocolError('E_ASF_DATA', `Total Data Packets ${count} is implausible`, {
      offset: size + 40,
    });
  }
  const packetCount = Number(count);
  return {
    header,
    headerObjectSize: size,
    headerBytes: Buffer.from(buf.subarray(0, firstPacketOffset)),
    dataObject,
    dataObjectOffset: size,
    firstPacketOffset,
    packetSize,
    packetCount,
    dataObjectSize: Number(dataObject.objectSize),
    dataEnd: firstPacketOffset + packetCount * packetSize,
  };
}

/** Offset of the File Properties Object, so size errors point at the right bytes. */
function fileOffsetOfFileProperties(header: AsfHeader, buf: Buffer): number {
  let at = 30;
  for (const e of header.objects) {
    if (e.type === 'fileProperties') return at;
    at += Number(buf.readBigUInt64LE(at + 16));
  }
  return 30;
}
