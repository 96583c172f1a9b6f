// The header a broadcast publishing point serves, from whatever its source sent: File Properties say Broadcast and
// not Seekable, with the counts, sizes and durations of a finite file zeroed, and a 50-byte Data Object start whose
// size says 50 and whose packet count is 0 [asf.md 7.1]. Every other byte is kept as received.
import { ProtocolError } from '../core/errors.js';
import { DATA_OBJECT_HEADER_SIZE, writeDataObjectHeader } from './data-object.js';
import { fixedPacketSize } from './file-layout.js';
import {
  decodeFileProperties,
  encodeFileProperties,
  FILE_PROPERTIES_SIZE,
  FilePropertiesFlags,
} from './file-properties.js';
import { headerObjectSize, type AsfHeader } from './header.js';
import { parseReceivedHeader, repairedHeader } from './header-repair.js';
import { filePropertiesOffset } from './recording.js';

export interface LiveHeader {
  /** Header Object + the 50-byte Data Object start, as every protocol sends "the ASF header". */
  readonly bytes: Buffer;
  readonly header: AsfHeader;
  readonly packetSize: number;
}

/** `received`: a Header Object, optionally followed by (part of) its Data Object start. */
export function liveHeader(received: Buffer): LiveHeader {
  const fixed = repairedHeader(received);
  const header = parseReceivedHeader(fixed);
  const packetSize = fixedPacketSize(header);
  const size = headerObjectSize(fixed.subarray(0, 24));
  const out = Buffer.alloc(size + DATA_OBJECT_HEADER_SIZE);
  fixed.copy(out, 0, 0, size);
  const at = filePropertiesOffset(out, 30, size);
  if (at === undefined) throw new ProtocolError('E_ASF_HEADER', 'ASF header: no File Properties Object');
  const fp = decodeFileProperties(out.subarray(at, at + FILE_PROPERTIES_SIZE), at);
  encodeFileProperties({
    ...fp,
    fileSize: 0n,
    creationDate: 0n,
    dataPacketsCount: 0n,
    // FFmpeg's streamed output says the preroll alone; clients read 0 as "unknown" either way.
    playDuration: BigInt(fp.preroll) * 10_000n,
    sendDuration: 0n,
    flags: (fp.flags | FilePropertiesFlags.broadcast) & ~FilePropertiesFlags.seekable,
  }).copy(out, at);
  writeDataObjectHeader({
    fileId: fp.fileId,
    // 50, not 0: VLC 3 rejects objects under 24 bytes and takes <= 50 as a broadcast [asf.md 7.1].
    objectSize: BigInt(DATA_OBJECT_HEADER_SIZE),
    totalDataPackets: 0n,
    reserved: 0x0101,
  }).copy(out, size);
  return { bytes: out, header: parseReceivedHeader(out), packetSize };
}
