// Case tables for every header object codec, the Data Object header and the Simple Index.
import {
  GUID,
  decodeAdvancedMutualExclusion,
  decodeBitrateMutualExclusion,
  decodeCodecList,
  decodeContentDescription,
  decodeExtendedContentDescription,
  decodeExtendedStreamProperties,
  decodeFileProperties,
  decodeStreamBitrateProperties,
  decodeStreamProperties,
  encodeCodecList,
  encodeContentDescription,
  encodeExtendedContentDescription,
  encodeExtendedStreamProperties,
  encodeFileProperties,
  encodeMutualExclusion,
  encodeStreamBitrateProperties,
  encodeStreamProperties,
  parseDataObjectHeader,
  parseSimpleIndex,
  writeDataObjectHeader,
  writeSimpleIndex,
  type CodecListObject,
  type ContentDescriptionObject,
  type DataObjectHeader,
  type ExtendedContentDescriptionObject,
  type ExtendedStreamPropertiesObject,
  type FilePropertiesObject,
  type MutualExclusionObject,
  type SimpleIndex,
  type StreamBitratePropertiesObject,
  type StreamPropertiesObject,
} from '../../../src/asf/index.js';
import { guidHex, hex, objHex, runCases, u16, u32, u64, wstr } from './cases.js';

const zeroId = Buffer.alloc(16);

runCases<FilePropertiesObject>(
  'File Properties',
  { decode: decodeFileProperties, encode: encodeFileProperties },
  [
    {
      name: 'ffmpeg file (a)',
      hex: objHex(
        'fileProperties',
        '00'.repeat(16) +
          u64(420193) +
          u64(116444736000000000n) +
          u64(131) +
          u64(131460000) +
          u64(100460000) +
          u64(3100) +
          u32(2) +
          u32(3200) +
          u32(3200) +
          u32(364000),
      ),
      value: {
        fileId: zeroId,
        fileSize: 420193n,
        creationDate: 116444736000000000n,
        dataPacketsCount: 131n,
        playDuration: 131460000n,
        sendDuration: 100460000n,
        preroll: 3100,
        flags: 2,
        broadcast: false,
        seekable: true,
        minPacketSize: 3200,
        maxPacketSize: 3200,
        maxBitrate: 364000,
      },
    },
    {
      name: 'live header',
      hex: objHex(
        'fileProperties',
        '11'.repeat(16) +
          u64(0) +
          u64(0) +
          u64(0) +
          u64(31000000) +
          u64(0) +
          u64(3100) +
          u32(3) +
          u32(1400) +
          u32(1400) +
          u32(1),
      ),
      value: {
        fileId: Buffer.alloc(16, 0x11),
        fileSize: 0n,
        creationDate: 0n,
        dataPacketsCount: 0n,
        playDuration: 31000000n,
        sendDuration: 0n,
        preroll: 3100,
        flags: 3,
        broadcast: true,
        seekable: true,
        minPacketSize: 1400,
        maxPacketSize: 1400,
        maxBitrate: 1,
      },
    },
  ],
);

const wmaTsd =
  '6101' + u16(2) + u32(44100) + u32(8000) + u16(371) + u16(16) + u16(10) + '00000000010000000000';
const spread = '01' + u16(371) + u16(371) + u16(1) + '00';
const wmvTsd =
  u32(320) +
  u32(240) +
  '02' +
  u16(44) +
  u32(44) +
  u32(320) +
  u32(240) +
  u16(1) +
  u16(24) +
  '574d5632' +
  u32(230400) +
  u32(0).repeat(4) +
  'c9e8b480';

runCases<StreamPropertiesObject>(
  'Stream Properties',
  { decode: decodeStreamProperties, encode: encodeStreamProperties },
  [
    {
      name: 'WMA v2 audio with audio spread',
      hex: objHex(
        'streamProperties',
        guidHex('audioMedia') +
          guidHex('audioSpread') +
          u64(0) +
          u32(28) +
          u32(8) +
          u16(2) +
          u32(0) +
          wmaTsd +
          spread,
      ),
      value: {
        streamType: GUID.audioMedia,
        kind: 'audio',
        errorCorrectionType: GUID.audioSpread,
        timeOffset: 0n,
        streamNumber: 2,
        encrypted: false,
        flags: 2,
        reserved: 0,
        typeSpecificData: hex(wmaTsd),
        errorCorrectionData: hex(spread),
        audio: {
          formatTag: 0x161,
          channels: 2,
          sampleRate: 44100,
          avgBytesPerSec: 8000,
          blockAlign: 371,
          bitsPerSample: 16,
          codecData: hex('00000000010000000000'),
        },
      },
    },
    {
      name: 'WMV2 video, encrypted flag',
      hex: objHex(
        'streamProperties',
        guidHex('videoMedia') +
          guidHex('noErrorCorrection') +
          u64(5) +
          u32(55) +
          u32(0) +
          u16(0x8001) +
          u32(0) +
          wmvTsd,
      ),
      value: {
        streamType: GUID.videoMedia,
        kind: 'video',
        errorCorrectionType: GUID.noErrorCorrection,
        timeOffset: 5n,
        streamNumber: 1,
        encrypted: true,
        flags: 0x8001,
        reserved: 0,
        typeSpecificData: hex(wmvTsd),
        errorCorrectionData: Buffer.alloc(0),
        video: {
          width: 320,
          height: 240,
          bitsPerPixel: 24,
          fourcc: 'WMV2',
          compression: 0x32564d57,
          imageSize: 230400,
          codecData: hex('c9e8b480'),
        },
      },
    },
    {
      name: 'binary stream',
      hex: objHex(
        'streamProperties',
        guidHex('binaryMedia') +
          guidHex('noErrorCorrection') +
          u64(0) +
          u32(2) +
          u32(0) +
          u16(127) +
          u32(0) +
          'abcd',
      ),
      value: {
        streamType: GUID.binaryMedia,
        kind: 'binary',
        errorCorrectionType: GUID.noErrorCorrection,
        timeOffset: 0n,
        streamNumber: 127,
        encrypted: false,
        flags: 127,
        reserved: 0,
        typeSpecificData: hex('abcd'),
        errorCorrectionData: Buffer.alloc(0),
      },
    },
  ],
);

const espFixed = (stream: number, names: number, systems: number): string =>
  u64(0) +
  u64(10000) +
  u32(300000) +
  u32(3000) +
  u32(3000) +
  u32(300000) +
  u32(3000) +
  u32(3000) +
  u32(8378) +
  u32(2) +
  u16(stream) +
  u16(0) +
  u64(400000) +
  u16(names) +
  u16(systems);
const espValue = (stream: number): ExtendedStreamPropertiesObject => ({
  startTime: 0n,
  endTime: 10000n,
  dataBitrate: 300000,
  bufferSize: 3000,
  initialBufferFullness: 3000,
  alternateDataBitrate: 300000,
  alternateBufferSize: 3000,
  alternateInitialBufferFullness: 3000,
  maximumObjectSize: 8378,
  flags: 2,
  streamNumber: stream,
  languageIndex: 0,
  averageTimePerFrame: 400000n,
  streamNames: [],
  payloadExtensionSystems: [],
});
const hiddenSpo = objHex(
  'streamProperties',
  guidHex('binaryMedia') + guidHex('noErrorCorrection') + u64(0) + u32(0) + u32(0) + u16(4) + u32(0),
);

runCases<ExtendedStreamPropertiesObject>(
  'Extended Stream Properties',
  { decode: decodeExtendedStreamProperties, encode: encodeExtendedStreamProperties },
  [
    { name: 'plain', hex: objHex('extendedStreamProperties', espFixed(1, 0, 0)), value: espValue(1) },
    {
      name: 'name, extension system and embedded SPO',
      hex: objHex(
        'extendedStreamProperties',
        espFixed(4, 1, 1) +
          u16(0) +
          u16(6) +
          wstr('low') +
          '50 94 bd c6 7f 86 07 49 83 a3 c7 79 21 b7 33 ad' +
          u16(2) +
          u32(0) +
          hiddenSpo,
      ),
      value: {
        ...espValue(4),
        streamNames: [{ languageIndex: 0, name: 'low' }],
        payloadExtensionSystems: [
          { id: hex('5094bdc67f86074983a3c77921b733ad'), dataSize: 2, info: Buffer.alloc(0) },
        ],
        streamProperties: {
          streamType: GUID.binaryMedia,
          kind: 'binary',
          errorCorrectionType: GUID.noErrorCorrection,
          timeOffset: 0n,
          streamNumber: 4,
          encrypted: false,
          flags: 4,
          reserved: 0,
          typeSpecificData: Buffer.alloc(0),
          errorCorrectionData: Buffer.alloc(0),
        },
      },
    },
  ],
);

runCases<StreamBitratePropertiesObject>(
  'Stream Bitrate Properties',
  { decode: decodeStreamBitrateProperties, encode: encodeStreamBitrateProperties },
  [
    {
      name: 'three streams (c-mbr)',
      hex: objHex(
        'streamBitrateProperties',
        u16(3) + u16(1) + u32(256822) + u16(2) + u32(140722) + u16(3) + u32(64108),
      ),
      value: {
        records: [
          { streamNumber: 1, flags: 1, averageBitrate: 256822 },
          { streamNumber: 2, flags: 2, averageBitrate: 140722 },
          { streamNumber: 3, flags: 3, averageBitrate: 64108 },
        ],
      },
    },
    { name: 'empty', hex: objHex('streamBitrateProperties', u16(0)), value: { records: [] } },
  ],
);

runCases<MutualExclusionObject>(
  'Bitrate Mutual Exclusion',
  { decode: (b) => decodeBitrateMutualExclusion(b), encode: encodeMutualExclusion },
  [
    {
      name: 'bitrate {1,2}',
      hex: objHex('bitrateMutualExclusion', guidHex('mutexBitrate') + u16(2) + u16(1) + u16(2)),
      value: {
        object: 'bitrateMutualExclusion',
        exclusionType: GUID.mutexBitrate,
        kind: 'bitrate',
        streams: [1, 2],
      },
    },
  ],
);

runCases<MutualExclusionObject>(
  'Advanced Mutual Exclusion',
  { decode: (b) => decodeAdvancedMutualExclusion(b), encode: encodeMutualExclusion },
  [
    {
      name: 'language {2,3}',
      hex: objHex('advancedMutualExclusion', guidHex('mutexLanguage') + u16(2) + u16(2) + u16(3)),
      value: {
        object: 'advancedMutualExclusion',
        exclusionType: GUID.mutexLanguage,
        kind: 'language',
        streams: [2, 3],
      },
    },
    {
      name: 'unknown type, no streams',
      hex: objHex('advancedMutualExclusion', guidHex('mutexUnknown') + u16(0)),
      value: {
        object: 'advancedMutualExclusion',
        exclusionType: GUID.mutexUnknown,
        kind: 'unknown',
        streams: [],
      },
    },
  ],
);

runCases<ContentDescriptionObject>(
  'Content Description',
  { decode: decodeContentDescription, encode: encodeContentDescription },
  [
    {
      name: 'title and author',
      hex: objHex(
        'contentDescription',
        u16(10) + u16(4) + u16(0) + u16(0) + u16(0) + wstr('Test\0') + wstr('A\0'),
      ),
      value: { title: 'Test', author: 'A', copyright: '', description: '', rating: '' },
    },
    {
      name: 'all empty',
      hex: objHex('contentDescription', u16(0).repeat(5)),
      value: { title: '', author: '', copyright: '', description: '', rating: '' },
    },
  ],
);

runCases<ExtendedContentDescriptionObject>(
  'Extended Content Description',
  { decode: decodeExtendedContentDescription, encode: encodeExtendedContentDescription },
  [
    {
      name: 'every value type',
      hex: objHex(
        'extendedContentDescription',
        u16(6) +
          u16(4) +
          wstr('a\0') +
          u16(0) +
          u16(4) +
          wstr('x\0') +
          u16(4) +
          wstr('b\0') +
          u16(1) +
          u16(3) +
          '010203' +
          u16(4) +
          wstr('c\0') +
          u16(2) +
          u16(4) +
          u32(1) +
          u16(4) +
          wstr('d\0') +
          u16(3) +
          u16(4) +
          u32(7) +
          u16(4) +
          wstr('e\0') +
          u16(4) +
          u16(8) +
          u64(2n ** 40n) +
          u16(4) +
          wstr('f\0') +
          u16(5) +
          u16(2) +
          u16(9),
      ),
      value: {
        descriptors: [
          { name: 'a', type: 0, value: 'x' },
          { name: 'b', type: 1, value: hex('010203') },
          { name: 'c', type: 2, value: true },
          { name: 'd', type: 3, value: 7 },
          { name: 'e', type: 4, value: 2n ** 40n },
          { name: 'f', type: 5, value: 9 },
        ],
      },
    },
  ],
);

runCases<CodecListObject>('Codec List', { decode: decodeCodecList, encode: encodeCodecList }, [
  {
    name: 'video and audio (ffmpeg)',
    hex: objHex(
      'codecList',
      guidHex('reserved2') +
        u32(2) +
        u16(1) +
        u16(5) +
        wstr('wmv2\0') +
        u16(0) +
        u16(4) +
        '574d5632' +
        u16(2) +
        u16(3) +
        wstr('WM\0') +
        u16(2) +
        wstr('d\0') +
        u16(2) +
        '6101',
    ),
    value: {
      reserved: GUID.reserved2,
      entries: [
        { type: 'video', typeCode: 1, name: 'wmv2', description: '', information: hex('574d5632') },
        { type: 'audio', typeCode: 2, name: 'WM', description: 'd', information: hex('6101') },
      ],
    },
  },
]);

runCases<DataObjectHeader>(
  'Data Object header',
  { decode: (b) => parseDataObjectHeader(b), encode: writeDataObjectHeader },
  [
    {
      name: '131 packets',
      hex: guidHex('data') + u64(50 + 131 * 3200) + '00'.repeat(16) + u64(131) + '0101',
      value: { fileId: zeroId, objectSize: BigInt(50 + 131 * 3200), totalDataPackets: 131n, reserved: 0x101 },
    },
    {
      name: 'live (size 50, 0 packets)',
      hex: guidHex('data') + u64(50) + '00'.repeat(16) + u64(0) + '0101',
      value: { fileId: zeroId, objectSize: 50n, totalDataPackets: 0n, reserved: 0x101 },
    },
  ],
);

runCases<SimpleIndex>('Simple Index', { decode: (b) => parseSimpleIndex(b), encode: writeSimpleIndex }, [
  {
    name: 'three entries at 1 s',
    hex: objHex(
      'simpleIndex',
      '00'.repeat(16) +
        u64(10_000_000) +
        u32(3) +
        u32(3) +
        u32(0) +
        u16(2) +
        u32(0) +
        u16(2) +
        u32(12) +
        u16(3),
    ),
    value: {
      fileId: zeroId,
      intervalMs: 1000,
      maxPacketCount: 3,
      entries: [
        { packetNumber: 0, packetCount: 2 },
        { packetNumber: 0, packetCount: 2 },
        { packetNumber: 12, packetCount: 3 },
      ],
    },
  },
  {
    name: 'empty',
    hex: objHex('simpleIndex', '00'.repeat(16) + u64(5_000_000) + u32(0) + u32(0)),
    value: { fileId: zeroId, intervalMs: 500, maxPacketCount: 0, entries: [] },
  },
]);
