// A received ASF header made acceptable when only its object count is wrong (VLC 3's asfh muxer counts one object
// more than it writes), so that what a client passes on, and records, is a header every parser takes [asf.md 2.1].
import { ProtocolError } from '../core/errors.js';
import { headerObjectSize, parseHeader, type AsfHeader } from './header.js';

/** Header objects that fit, walked by their sizes (the count field aside). */
function objectsInHeader(bytes: Buffer, size: number): number {
  let count = 0;
  for (let at = 30; at + 24 <= size; count++) {
    const objectSize = bytes.readBigUInt64LE(at + 16);
    if (objectSize < 24n || BigInt(at) + objectSize > BigInt(size)) break;
    at += Number(objectSize);
  }
  return count;
}

/**
 * parseHeader, but tolerant of a wrong "Number of Header Objects": VLC 3's asfh muxer counts one object more than it
 * writes (observed: 6 announced, 5 present), and FFmpeg and VLC's own demuxer walk the objects by size. The
 * client hands on the corrected bytes (repairedHeader), so a recording of such a stream is a file every parser takes.
 */
export function parseReceivedHeader(bytes: Buffer): AsfHeader {
  return parseHeader(repairedHeader(bytes));
}

/**
 * The received header with its object count corrected when that is all that is wrong, so that what is passed
 * on (and recorded) is a header every parser accepts; otherwise the bytes as received.
 */
export function repairedHeader(bytes: Buffer): Buffer {
  try {
    parseHeader(bytes);
    return bytes;
  } catch (e) {
    if (!(e instanceof ProtocolError) || e.code !== 'E_ASF_HEADER') throw e;
    const size = headerObjectSize(bytes);
    const count = objectsInHeader(bytes, size);
    if (bytes.length < size || count === bytes.readUInt32LE(24)) throw e;
    const fixed = Buffer.from(bytes);
    fixed.writeUInt32LE(count, 24);
    parseHeader(fixed.subarray(0, size));
    return fixed;
  }
}
