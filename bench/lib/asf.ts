// The little ASF the fan-out benchmark needs, written here so that the bench does not measure netshow with
// netshow's own decoder: header facts (packet size, preroll, streams) and each data packet's send time
// (asf.md §2.2, §2.3, §3.2, §3.3).
import { readFileSync } from 'node:fs';

const HEADER_GUID = Buffer.from('3026b2758e66cf11a6d900aa0062ce6c', 'hex');
const FILE_PROPERTIES_GUID = Buffer.from('a1dcab8c47a9cf118ee400c00c205365', 'hex');
const STREAM_PROPERTIES_GUID = Buffer.from('9107dcb7b7a9cf118ee600c00c205365', 'hex');

export type AsfHeaderFacts = {
  headerSize: number;
  packetSize: number;
  packetCount: number;
  prerollMs: number;
  maxBitrate: number;
  broadcast: boolean;
  streams: number[];
};

/**
 * Reads the facts above from an ASF Header Object (a whole file, or the payload of a `$H`). Returns null
 * when the bytes do not start with a complete Header Object.
 */
export function readHeaderFacts(buf: Buffer): AsfHeaderFacts | null {
  if (buf.length < 30 || !buf.subarray(0, 16).equals(HEADER_GUID)) return null;
  const headerSize = Number(buf.readBigUInt64LE(16));
  if (headerSize > buf.length) return null;
  const facts: AsfHeaderFacts = {
    headerSize,
    packetSize: 0,
    packetCount: 0,
    prerollMs: 0,
    maxBitrate: 0,
    broadcast: false,
    streams: [],
  };
  for (let at = 30; at + 24 <= headerSize;) {
    const size = Number(buf.readBigUInt64LE(at + 16));
    if (size < 24 || at + size > headerSize) return null;
    const guid = buf.subarray(at, at + 16);
    if (guid.equals(FILE_PROPERTIES_GUID) && size >= 104) {
      facts.packetCount = Number(buf.readBigUInt64LE(at + 56));
      facts.prerollMs = Number(buf.readBigUInt64LE(at + 80));
      facts.broadcast = (buf.readUInt32LE(at + 88) & 1) === 1;
      facts.packetSize = buf.readUInt32LE(at + 92);
      facts.maxBitrate = buf.readUInt32LE(at + 100);
    } else if (guid.equals(STREAM_PROPERTIES_GUID) && size >= 78) {
      facts.streams.push(buf.readUInt16LE(at + 72) & 0x7f);
    }
    at += size;
  }
  return facts.packetSize > 0 ? facts : null;
}

export type PacketTiming = {
  /** Send Time, ms. */
  sendTime: number;
  /** Packet Length (the field, or the bytes given when the field is absent) minus Padding Length. */
  contentBytes: number;
};

/**
 * Send time and content size of one ASF data packet, from its payload parsing information:
 *
 * ```
 * [82 00 00]  error correction: present when bit 7 of byte 0 is set, then (byte 0 & 0x0f) bytes
 * LTF PF      length type flags, property flags
 * [PacketLength][Sequence][PaddingLength]   widths from LTF bits 5-6, 1-2, 3-4: 0, 1, 2 or 4 bytes
 * SendTime u32 LE ms | Duration u16 LE ms
 * ```
 * Returns null when the packet is too short or malformed.
 */
export function readPacketTiming(p: Buffer): PacketTiming | null {
  let at = 0;
  const b0 = p[0];
  if (b0 === undefined) return null;
  if (b0 & 0x80) {
    if (b0 & 0x60) return null; // only "length in bits 0-3" is used by anyone (asf.md §3.2)
    at = 1 + (b0 & 0x0f);
  }
  const ltf = p[at];
  if (ltf === undefined || ltf & 0x80) return null;
  at += 2;
  const read = (code: number): number | null => {
    const width = [0, 1, 2, 4][code] ?? 0;
    if (at + width > p.length) return null;
    const v =
      width === 0 ? 0 : width === 1 ? p.readUInt8(at) : width === 2 ? p.readUInt16LE(at) : p.readUInt32LE(at);
    at += width;
    return v;
  };
  const lengthCode = (ltf >> 5) & 3;
  const packetLength = read(lengthCode);
  const sequence = read((ltf >> 1) & 3);
  const padding = read((ltf >> 3) & 3);
  if (packetLength === null || sequence === null || padding === null || at + 6 > p.length) return null;
  const length = lengthCode === 0 ? p.length : packetLength;
  return { sendTime: p.readUInt32LE(at), contentBytes: Math.max(0, length - padding) };
}

export type AsfFileFacts = AsfHeaderFacts & {
  file: string;
  /** Send time of the last packet minus that of the first, ms. */
  sendSpanMs: number;
  /** Largest Send Time step forward between two consecutive packets, ms. */
  maxSendStepMs: number;
  /** Content bytes (padding excluded) of all packets, times 8, over the send span: bits per second. */
  contentBitrate: number;
  /** Whole fixed-size packets, times 8, over the send span: bits per second. */
  paddedBitrate: number;
};

/** Reads a whole ASF file and measures its data rate from the packets' send times. */
export function readAsfFile(file: string): AsfFileFacts {
  const buf = readFileSync(file);
  const header = readHeaderFacts(buf);
  if (!header) throw new Error(`${file}: not an ASF file with a File Properties Object`);
  const dataStart = header.headerSize + 50;
  const count = Math.min(header.packetCount, Math.floor((buf.length - dataStart) / header.packetSize));
  let first = -1;
  let last = -1;
  let maxStep = 0;
  let content = 0;
  for (let i = 0; i < count; i++) {
    const at = dataStart + i * header.packetSize;
    const t = readPacketTiming(buf.subarray(at, at + header.packetSize));
    if (!t) throw new Error(`${file}: packet ${i} has no readable send time`);
    if (first < 0) first = t.sendTime;
    else maxStep = Math.max(maxStep, t.sendTime - last);
    last = t.sendTime;
    content += t.contentBytes;
  }
  const sendSpanMs = Math.max(1, last - first);
  return {
    ...header,
    packetCount: count,
    file,
    sendSpanMs,
    maxSendStepMs: maxStep,
    contentBitrate: Math.round((content * 8 * 1000) / sendSpanMs),
    paddedBitrate: Math.round((count * header.packetSize * 8 * 1000) / sendSpanMs),
  };
}
