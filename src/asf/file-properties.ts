// File Properties Object: sizes, counts, durations, preroll, flags and the fixed packet size
// [asf.md 2.2, ASF spec 3.2].
//
//   24 File ID (GUID) | 40 File Size u64 | 48 Creation Date u64 | 56 Data Packets Count u64
//   64 Play Duration u64 (100 ns) | 72 Send Duration u64 (100 ns) | 80 Preroll u64 (ms)
//   88 Flags u32 | 92 Min Packet Size u32 | 96 Max Packet Size u32 | 100 Max Bitrate u32 | 104 end
import { Writer } from '../core/bytes.js';
import { GUID } from './guids.js';
import { expectEnd, frameObject, openObject } from './object.js';

export const FILE_PROPERTIES_SIZE = 104;

export const FilePropertiesFlags = { broadcast: 0x1, seekable: 0x2 } as const;

export interface FilePropertiesObject {
  fileId: Buffer;
  fileSize: bigint;
  /** FILETIME: 100 ns since 1601-01-01 UTC. */
  creationDate: bigint;
  dataPacketsCount: bigint;
  /** 100 ns, includes the preroll. */
  playDuration: bigint;
  /** 100 ns. */
  sendDuration: bigint;
  /** Milliseconds. The field is a u64 but every reader keeps 32 bits; a larger value is kept as read. */
  preroll: number;
  /** Written as is; `broadcast` and `seekable` are read-only views of bits 0 and 1. */
  flags: number;
  broadcast: boolean;
  seekable: boolean;
  minPacketSize: number;
  maxPacketSize: number;
  maxBitrate: number;
}

export function decodeFileProperties(buf: Buffer, base = 0): FilePropertiesObject {
  const r = openObject(buf, base, 'fileProperties', 'File Properties');
  const fileId = Buffer.from(r.bytes(16, 'File ID'));
  const fileSize = r.u64('File Size');
  const creationDate = r.u64('Creation Date');
  const dataPacketsCount = r.u64('Data Packets Count');
  const playDuration = r.u64('Play Duration');
  const sendDuration = r.u64('Send Duration');
  const preroll = r.u64n('Preroll');
  const flags = r.u32('Flags');
  const minPacketSize = r.u32('Minimum Data Packet Size');
  const maxPacketSize = r.u32('Maximum Data Packet Size');
  const maxBitrate = r.u32('Maximum Bitrate');
  expectEnd(r);
  return {
    fileId,
    fileSize,
    creationDate,
    dataPacketsCount,
    playDuration,
    sendDuration,
    preroll,
    flags,
    broadcast: (flags & FilePropertiesFlags.broadcast) !== 0,
    seekable: (flags & FilePropertiesFlags.seekable) !== 0,
    minPacketSize,
    maxPacketSize,
    maxBitrate,
  };
}

export function encodeFileProperties(v: FilePropertiesObject): Buffer {
  const w = new Writer(FILE_PROPERTIES_SIZE - 24);
  w.bytes(v.fileId)
    .u64(v.fileSize)
    .u64(v.creationDate)
    .u64(v.dataPacketsCount)
    .u64(v.playDuration)
    .u64(v.sendDuration)
    .u64(v.preroll)
    .u32(v.flags)
    .u32(v.minPacketSize)
    .u32(v.maxPacketSize)
    .u32(v.maxBitrate);
  return frameObject(GUID.fileProperties, w.view());
}
