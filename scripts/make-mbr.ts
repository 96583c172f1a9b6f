// Turns an FFmpeg-written ASF file with several video streams into a real multiple-bitrate (MBR) file
// by adding the header objects FFmpeg never writes [MS-ASF 3.12, 3.13, 4.7]: a Stream Bitrate
// Properties Object and a Bitrate Mutual Exclusion Object right after the File Properties Object, and an
// Advanced Mutual Exclusion Object with the same streams at the end of the Header Extension Object
// (VLC 3 honours only the advanced one). Packets and the index are copied unchanged.
//
//   npx tsx scripts/make-mbr.ts IN.wmv OUT.wmv 1,2 1:256822,2:140722,3:64108
//                                       exclusive streams   stream:average bit/s, one per stream
//
// Header Object after the patch (sizes are u64 LE, counts u32/u16 LE):
//   +--------------------+------+-------+--------+-----------------+----------------+-------------+----
//   | Header GUID        | size | count | 01 02  | File Properties | Stream Bitrate | Mutual Excl.| ...
//   | 16                 | 8    | 4 (+2)| 2      | (unchanged)     | Properties NEW | NEW         |
//   +--------------------+------+-------+--------+-----------------+----------------+-------------+----
//   ... | Header Extension: GUID 16, size 8, reserved GUID 16, reserved u16, data size u32, objects...
//       |                   + Advanced Mutual Exclusion NEW (size and data size grow by its length)
import { readFileSync, writeFileSync } from 'node:fs';

/** A textual GUID as ASF stores it: the first three fields little-endian, the last eight bytes as is. */
function guidBytes(text: string): Buffer {
  const hex = text.replace(/-/g, '');
  const b = Buffer.from(hex, 'hex');
  const out = Buffer.alloc(16);
  out.writeUInt32LE(b.readUInt32BE(0), 0);
  out.writeUInt16LE(b.readUInt16BE(4), 4);
  out.writeUInt16LE(b.readUInt16BE(6), 6);
  b.copy(out, 8, 8, 16);
  return out;
}

const GUIDS = {
  header: guidBytes('75B22630-668E-11CF-A6D9-00AA0062CE6C'),
  fileProperties: guidBytes('8CABDCA1-A947-11CF-8EE4-00C00C205365'),
  headerExtension: guidBytes('5FBF03B5-A92E-11CF-8EE3-00C00C205365'),
  streamBitrateProperties: guidBytes('7BF875CE-468D-11D1-8D82-006097C9A2B2'),
  mutualExclusion: guidBytes('D6E229DC-35DA-11D1-9034-00A0C90349BE'),
  advancedMutualExclusion: guidBytes('A08649CF-4775-4670-8A16-6E35357566CD'),
  mutexBitrate: guidBytes('D6E22A01-35DA-11D1-9034-00A0C90349BE'),
} as const;

const OBJECT_HEADER = 24;
const HEADER_OBJECT_FIXED = 30;
/** Header Extension: object header, reserved GUID (16), reserved u16, then the u32 data size. */
const HEADER_EXTENSION_DATA_SIZE_AT = OBJECT_HEADER + 16 + 2;
/** File Properties: object header, File ID (16), then File Size (u64). */
const FILE_SIZE_AT = OBJECT_HEADER + 16;

/** [MS-ASF 3.12] Stream Bitrate Properties: count u16, then per stream: flags u16 (stream number), bitrate u32. */
function streamBitrateProperties(rates: ReadonlyArray<readonly [number, number]>): Buffer {
  const size = OBJECT_HEADER + 2 + 6 * rates.length;
  const b = Buffer.alloc(size);
  GUIDS.streamBitrateProperties.copy(b, 0);
  b.writeBigUInt64LE(BigInt(size), 16);
  b.writeUInt16LE(rates.length, OBJECT_HEADER);
  rates.forEach(([stream, bps], i) => {
    b.writeUInt16LE(stream & 0x7f, OBJECT_HEADER + 2 + 6 * i);
    b.writeUInt32LE(bps, OBJECT_HEADER + 4 + 6 * i);
  });
  return b;
}

/** [MS-ASF 3.13, 4.7] (Advanced) Mutual Exclusion: exclusion type GUID, count u16, stream numbers u16. */
function exclusion(objectGuid: Buffer, streams: readonly number[]): Buffer {
  const size = OBJECT_HEADER + 16 + 2 + 2 * streams.length;
  const b = Buffer.alloc(size);
  objectGuid.copy(b, 0);
  b.writeBigUInt64LE(BigInt(size), 16);
  GUIDS.mutexBitrate.copy(b, OBJECT_HEADER);
  b.writeUInt16LE(streams.length, OBJECT_HEADER + 16);
  streams.forEach((n, i) => b.writeUInt16LE(n, OBJECT_HEADER + 18 + 2 * i));
  return b;
}

function makeMbr(
  src: Buffer,
  exclusive: readonly number[],
  rates: ReadonlyArray<readonly [number, number]>,
): Buffer {
  if (src.length < HEADER_OBJECT_FIXED || !src.subarray(0, 16).equals(GUIDS.header)) {
    throw new Error('not an ASF file (no Header Object)');
  }
  const headerSize = Number(src.readBigUInt64LE(16));
  const sbp = streamBitrateProperties(rates);
  const mex = exclusion(GUIDS.mutualExclusion, exclusive);
  const amex = exclusion(GUIDS.advancedMutualExclusion, exclusive);

  const children: Buffer[] = [];
  let sawFileProperties = false;
  let sawExtension = false;
  for (let at = HEADER_OBJECT_FIXED; at < headerSize;) {
    const id = src.subarray(at, at + 16);
    const size = Number(src.readBigUInt64LE(at + 16));
    if (size < OBJECT_HEADER || at + size > headerSize) throw new Error(`bad object size ${size} at ${at}`);
    let obj = src.subarray(at, at + size);
    if (id.equals(GUIDS.headerExtension)) {
      obj = Buffer.concat([obj, amex]);
      obj.writeBigUInt64LE(BigInt(obj.length), 16);
      const dataSize = obj.readUInt32LE(HEADER_EXTENSION_DATA_SIZE_AT);
      obj.writeUInt32LE(dataSize + amex.length, HEADER_EXTENSION_DATA_SIZE_AT);
      sawExtension = true;
    }
    children.push(obj);
    if (id.equals(GUIDS.fileProperties)) {
      children.push(sbp, mex);
      sawFileProperties = true;
    }
    at += size;
  }
  if (!sawFileProperties || !sawExtension) throw new Error('File Properties or Header Extension missing');

  const fixed = Buffer.from(src.subarray(0, HEADER_OBJECT_FIXED));
  fixed.writeBigUInt64LE(BigInt(headerSize + sbp.length + mex.length + amex.length), 16);
  fixed.writeUInt32LE(src.readUInt32LE(24) + 2, 24);
  const out = Buffer.concat([fixed, ...children, src.subarray(headerSize)]);
  const fp = out.indexOf(GUIDS.fileProperties);
  out.writeBigUInt64LE(BigInt(out.length), fp + FILE_SIZE_AT);
  return out;
}

function parseArgs(argv: readonly string[]): {
  input: string;
  output: string;
  exclusive: number[];
  rates: Array<[number, number]>;
} {
  const [input, output, exclusiveArg, ratesArg] = argv;
  if (!input || !output || !exclusiveArg || !ratesArg) {
    throw new Error('usage: make-mbr.ts IN OUT 1,2 1:bps,2:bps,3:bps');
  }
  const exclusive = exclusiveArg.split(',').map(Number);
  const rates = ratesArg.split(',').map((pair): [number, number] => {
    const [stream, bps] = pair.split(':').map(Number);
    if (!Number.isInteger(stream) || !Number.isInteger(bps)) throw new Error(`bad stream:bps pair ${pair}`);
    return [stream as number, bps as number];
  });
  if (exclusive.some((n) => !Number.isInteger(n) || n < 1 || n > 127)) {
    throw new Error(`bad stream list ${exclusiveArg}`);
  }
  return { input, output, exclusive, rates };
}

try {
  const { input, output, exclusive, rates } = parseArgs(process.argv.slice(2));
  const out = makeMbr(readFileSync(input), exclusive, rates);
  writeFileSync(output, out);
  console.log(
    `${output}: exclusive {${exclusive.join(',')}}, bitrates ${rates.map((r) => r.join(':')).join(',')}`,
  );
} catch (err) {
  console.error(`make-mbr: ${(err as Error).message}`);
  process.exit(1);
}
