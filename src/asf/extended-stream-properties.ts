// Extended Stream Properties Object: per-stream rates, buffer, frame rate, names, payload extensions and
// optionally an embedded ("hidden") Stream Properties Object [asf.md 2.5, ASF spec 4.1].
//
//   24 Start Time u64 ms | 32 End Time u64 ms | 40 Data Bitrate u32 | 44 Buffer Size u32
//   48 Initial Buffer Fullness u32 | 52 Alt Data Bitrate u32 | 56 Alt Buffer Size u32
//   60 Alt Initial Buffer Fullness u32 | 64 Maximum Object Size u32 | 68 Flags u32
//   72 Stream Number u16 | 74 Stream Language ID Index u16 | 76 Average Time Per Frame u64 (100 ns)
//   84 Stream Name Count u16 | 86 Payload Extension System Count u16
//   88 names: { Language ID Index u16, Name Length u16 (bytes), name }
//      systems: { ID GUID, Data Size u16 (0xFFFF variable), Info Length u32, info }
//      [Stream Properties Object]
import { Reader, Writer } from '../core/bytes.js';
import { GUID } from './guids.js';
import { expectEnd, frameObject, openObject, readObjectHeader } from './object.js';
import {
  decodeStreamProperties,
  encodeStreamProperties,
  type StreamPropertiesObject,
} from './stream-properties.js';

export interface PayloadExtensionSystem {
  id: Buffer;
  /** Bytes in each payload's replicated data, or 0xFFFF for variable (preceded by a u16 length). */
  dataSize: number;
  info: Buffer;
}

export interface ExtendedStreamPropertiesObject {
  startTime: bigint;
  endTime: bigint;
  dataBitrate: number;
  bufferSize: number;
  initialBufferFullness: number;
  alternateDataBitrate: number;
  alternateBufferSize: number;
  alternateInitialBufferFullness: number;
  maximumObjectSize: number;
  flags: number;
  streamNumber: number;
  languageIndex: number;
  /** 100 ns. */
  averageTimePerFrame: bigint;
  streamNames: { languageIndex: number; name: string }[];
  payloadExtensionSystems: PayloadExtensionSystem[];
  /** Present when the stream is hidden from old readers by embedding its Stream Properties here. */
  streamProperties?: StreamPropertiesObject;
}

export function decodeExtendedStreamProperties(buf: Buffer, base = 0): ExtendedStreamPropertiesObject {
  const r = openObject(buf, base, 'extendedStreamProperties', 'Extended Stream Properties');
  const v: ExtendedStreamPropertiesObject = {
    startTime: r.u64('Start Time'),
    endTime: r.u64('End Time'),
    dataBitrate: r.u32('Data Bitrate'),
    bufferSize: r.u32('Buffer Size'),
    initialBufferFullness: r.u32('Initial Buffer Fullness'),
    alternateDataBitrate: r.u32('Alternate Data Bitrate'),
    alternateBufferSize: r.u32('Alternate Buffer Size'),
    alternateInitialBufferFullness: r.u32('Alternate Initial Buffer Fullness'),
    maximumObjectSize: r.u32('Maximum Object Size'),
    flags: r.u32('Flags'),
    streamNumber: r.u16('Stream Number'),
    languageIndex: r.u16('Stream Language ID Index'),
    averageTimePerFrame: r.u64('Average Time Per Frame'),
    streamNames: [],
    payloadExtensionSystems: [],
  };
  const nameCount = r.u16('Stream Name Count');
  const systemCount = r.u16('Payload Extension System Count');
  // Each name takes at least 4 bytes and each system 22: check the counts before looping.
  if (nameCount * 4 + systemCount * 22 > r.remaining) {
    r.fail(
      'E_ASF_OBJECT',
      `${nameCount} names and ${systemCount} extension systems cannot fit ${r.remaining} bytes`,
    );
  }
  for (let i = 0; i < nameCount; i++) {
    const languageIndex = r.u16('Language ID Index');
    const len = r.u16('Stream Name Length');
    const name = r.bytes(len, 'Stream Name').toString('utf16le');
    v.streamNames.push({ languageIndex, name });
  }
  for (let i = 0; i < systemCount; i++) {
    const id = Buffer.from(r.bytes(16, 'Extension System ID'));
    const dataSize = r.u16('Extension Data Size');
    const infoLength = r.u32('Extension System Info Length');
    const info = Buffer.from(r.bytes(infoLength, 'Extension System Info'));
    v.payloadExtensionSystems.push({ id, dataSize, info });
  }
  if (r.remaining > 0) {
    const at = r.offset;
    const rest = r.bytes(r.remaining, 'embedded Stream Properties');
    const h = readObjectHeader(new Reader(rest, at, 'embedded Stream Properties'));
    if (h.size !== rest.length) {
      r.fail('E_ASF_OBJECT', `embedded Stream Properties size ${h.size} but ${rest.length} bytes remain`, at);
    }
    v.streamProperties = decodeStreamProperties(rest, at);
  }
  expectEnd(r);
  return v;
}

export function encodeExtendedStreamProperties(v: ExtendedStreamPropertiesObject): Buffer {
  const w = new Writer(128);
  w.u64(v.startTime)
    .u64(v.endTime)
    .u32(v.dataBitrate)
    .u32(v.bufferSize)
    .u32(v.initialBufferFullness)
    .u32(v.alternateDataBitrate)
    .u32(v.alternateBufferSize)
    .u32(v.alternateInitialBufferFullness)
    .u32(v.maximumObjectSize)
    .u32(v.flags)
    .u16(v.streamNumber)
    .u16(v.languageIndex)
    .u64(v.averageTimePerFrame)
    .u16(v.streamNames.length)
    .u16(v.payloadExtensionSystems.length);
  for (const n of v.streamNames) {
    const b = Buffer.from(n.name, 'utf16le');
    w.u16(n.languageIndex).u16(b.length).bytes(b);
  }
  for (const s of v.payloadExtensionSystems) w.bytes(s.id).u16(s.dataSize).u32(s.info.length).bytes(s.info);
  if (v.streamProperties) w.bytes(encodeStreamProperties(v.streamProperties));
  return frameObject(GUID.extendedStreamProperties, w.view());
}
