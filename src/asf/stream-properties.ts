// Stream Properties Object: one per stream, with its type, number and codec format
// [asf.md 2.3, ASF spec 3.3, 9.1, 9.2].
//
//   24 Stream Type GUID | 40 Error Correction Type GUID | 56 Time Offset u64 (100 ns)
//   64 Type-Specific Data Length u32 (TSD) | 68 Error Correction Data Length u32 (ECD)
//   72 Flags u16 (bits 0-6 stream number, bit 15 encrypted) | 74 Reserved u32
//   78 Type-Specific Data [TSD] | 78+TSD Error Correction Data [ECD]
//
// The type-specific and error-correction bytes are kept raw and written back unchanged; the audio and
// video fields below are read-only views of them.
import { Reader, Writer } from '../core/bytes.js';
import { GUID, guidName } from './guids.js';
import { expectEnd, frameObject, openObject } from './object.js';

export type StreamKind =
  'audio' | 'video' | 'command' | 'jfif' | 'degradable-jpeg' | 'file-transfer' | 'binary' | 'unknown';

const KIND_BY_GUID: Partial<Record<string, StreamKind>> = {
  audioMedia: 'audio',
  videoMedia: 'video',
  commandMedia: 'command',
  jfifMedia: 'jfif',
  degradableJpegMedia: 'degradable-jpeg',
  fileTransferMedia: 'file-transfer',
  binaryMedia: 'binary',
};

/** WAVEFORMATEX, the audio type-specific data [ASF spec 9.1]. */
export interface AudioFormat {
  formatTag: number;
  channels: number;
  sampleRate: number;
  avgBytesPerSec: number;
  blockAlign: number;
  bitsPerSample: number;
  codecData: Buffer;
}

/** The video type-specific data with its BITMAPINFOHEADER [ASF spec 9.2]. */
export interface VideoFormat {
  width: number;
  height: number;
  bitsPerPixel: number;
  /** Four ASCII characters, e.g. `WMV2`. */
  fourcc: string;
  compression: number;
  imageSize: number;
  codecData: Buffer;
}

export interface StreamPropertiesObject {
  streamType: Buffer;
  kind: StreamKind;
  errorCorrectionType: Buffer;
  /** 100 ns. */
  timeOffset: bigint;
  streamNumber: number;
  encrypted: boolean;
  /** The whole Flags word, written back as is. */
  flags: number;
  reserved: number;
  typeSpecificData: Buffer;
  errorCorrectionData: Buffer;
  audio?: AudioFormat;
  video?: VideoFormat;
}

/** Streams are numbered 1..127 [ASF spec 3.3]; 0 and larger values cannot be addressed by a payload. */
export const MAX_STREAM_NUMBER = 127;

export function streamKind(streamType: Uint8Array): StreamKind {
  const name = guidName(streamType);
  return (name && KIND_BY_GUID[name]) ?? 'unknown';
}

export function decodeStreamProperties(buf: Buffer, base = 0): StreamPropertiesObject {
  const r = openObject(buf, base, 'streamProperties', 'Stream Properties');
  const streamType = Buffer.from(r.bytes(16, 'Stream Type'));
  const errorCorrectionType = Buffer.from(r.bytes(16, 'Error Correction Type'));
  const timeOffset = r.u64('Time Offset');
  const tsdLength = r.u32('Type-Specific Data Length');
  const ecdLength = r.u32('Error Correction Data Length');
  const flagsAt = r.offset;
  const flags = r.u16('Flags');
  const reserved = r.u32('Reserved');
  const tsdAt = r.offset;
  const typeSpecificData = Buffer.from(r.bytes(tsdLength, 'Type-Specific Data'));
  const errorCorrectionData = Buffer.from(r.bytes(ecdLength, 'Error Correction Data'));
  expectEnd(r);
  const streamNumber = flags & 0x7f;
  if (streamNumber === 0) r.fail('E_ASF_STREAM', 'stream number 0 is invalid', flagsAt);
  const kind = streamKind(streamType);
  const out: StreamPropertiesObject = {
    streamType,
    kind,
    errorCorrectionType,
    timeOffset,
    streamNumber,
    encrypted: (flags & 0x8000) !== 0,
    flags,
    reserved,
    typeSpecificData,
    errorCorrectionData,
  };
  if (kind === 'audio') out.audio = decodeAudioFormat(new Reader(typeSpecificData, tsdAt, 'WAVEFORMATEX'));
  if (kind === 'video') out.video = decodeVideoFormat(new Reader(typeSpecificData, tsdAt, 'video format'));
  return out;
}

function decodeAudioFormat(r: Reader): AudioFormat {
  const formatTag = r.u16('Codec ID');
  const channels = r.u16('Number of Channels');
  const sampleRate = r.u32('Samples Per Second');
  const avgBytesPerSec = r.u32('Average Bytes Per Second');
  const blockAlign = r.u16('Block Alignment');
  const bitsPerSample = r.u16('Bits Per Sample');
  // A bare 16-byte WAVEFORMAT (PCM) has no cbSize field.
  const cbSize = r.remaining >= 2 ? r.u16('Codec Specific Data Size') : 0;
  const codecData = Buffer.from(r.bytes(cbSize, 'Codec Specific Data'));
  return { formatTag, channels, sampleRate, avgBytesPerSec, blockAlign, bitsPerSample, codecData };
}

function decodeVideoFormat(r: Reader): VideoFormat {
  const width = r.u32('Encoded Image Width');
  const height = r.u32('Encoded Image Height');
  r.skip(1, 'Reserved Flags');
  const formatDataSize = r.u16('Format Data Size');
  const at = r.offset;
  const bih = r.sub(formatDataSize, 'BITMAPINFOHEADER');
  const biSize = bih.u32('biSize');
  if (biSize < 40 || biSize > formatDataSize) {
    r.fail('E_ASF_STREAM', `BITMAPINFOHEADER size ${biSize} is outside 40..${formatDataSize}`, at);
  }
  bih.skip(8, 'Image Width/Height');
  bih.skip(2, 'Planes');
  const bitsPerPixel = bih.u16('Bits Per Pixel');
  const fourccBytes = bih.bytes(4, 'Compression ID');
  const compression = fourccBytes.readUInt32LE(0);
  const fourcc = fourccBytes.toString('latin1').replace(/[^\x20-\x7e]/g, '?');
  const imageSize = bih.u32('Image Size');
  bih.skip(16, 'Pixels Per Meter, Colors');
  const codecData = Buffer.from(bih.bytes(biSize - 40, 'Codec Specific Data'));
  return { width, height, bitsPerPixel, fourcc, compression, imageSize, codecData };
}

export function encodeStreamProperties(v: StreamPropertiesObject): Buffer {
  const w = new Writer(54 + v.typeSpecificData.length + v.errorCorrectionData.length);
  w.bytes(v.streamType)
    .bytes(v.errorCorrectionType)
    .u64(v.timeOffset)
    .u32(v.typeSpecificData.length)
    .u32(v.errorCorrectionData.length)
    .u16((v.flags & ~0x7f) | (v.streamNumber & 0x7f))
    .u32(v.reserved)
    .bytes(v.typeSpecificData)
    .bytes(v.errorCorrectionData);
  return frameObject(GUID.streamProperties, w.view());
}
