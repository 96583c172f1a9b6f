// The Data Object's fixed 50-byte header, which precedes the packets [asf.md 2.10, ASF spec 5.1].
//
//   0 Data GUID | 16 Object Size u64 (50 + N x S; 0 or 50 when live) | 24 File ID GUID
//   40 Total Data Packets u64 (N; 0 when live) | 48 Reserved u16 (0x0101) | 50 packets
import { Reader, Writer } from '../core/bytes.js';
import { GUID } from './guids.js';
import { describeGuid } from './object.js';

export const DATA_OBJECT_HEADER_SIZE = 50;

export interface DataObjectHeader {
  fileId: Buffer;
  /** As declared: 0 (unknown, live), 50 (live, VLC-friendly) or 50 + N x S. */
  objectSize: bigint;
  totalDataPackets: bigint;
  reserved: number;
}

export function parseDataObjectHeader(buf: Buffer, base = 0): DataObjectHeader {
  const r = new Reader(buf, base, 'Data Object');
  const guid = r.bytes(16, 'Data Object ID');
  if (!guid.equals(GUID.data)) {
    r.fail('E_ASF_DATA', `expected the Data Object after the header, found ${describeGuid(guid)}`, base);
  }
  const sizeAt = r.offset;
  const objectSize = r.u64('Object Size');
  // 0 means "unknown" for a stream being written; anything else must at least hold this fixed part.
  if (objectSize !== 0n && objectSize < BigInt(DATA_OBJECT_HEADER_SIZE)) {
    r.fail('E_ASF_DATA', `Data Object size ${objectSize} is smaller than its 50-byte header`, sizeAt);
  }
  const fileId = Buffer.from(r.bytes(16, 'File ID'));
  const totalDataPackets = r.u64('Total Data Packets');
  const reserved = r.u16('Reserved');
  return { fileId, objectSize, totalDataPackets, reserved };
}

export function writeDataObjectHeader(v: DataObjectHeader): Buffer {
  const w = new Writer(DATA_OBJECT_HEADER_SIZE);
  w.bytes(GUID.data).u64(v.objectSize).bytes(v.fileId).u64(v.totalDataPackets).u16(v.reserved);
  return w.toBuffer();
}
