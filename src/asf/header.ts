// The Header Object: parse its children into typed objects and convenient views, and write it back byte for
// byte [asf.md 1.2, 2.1, ASF spec 3.1].
//
//   0 Header GUID | 16 Object Size u64 | 24 Number of Header Objects u32 | 28 Reserved1 u8 (1)
//   29 Reserved2 u8 (2) | 30 child objects (File Properties, Stream Properties, Header Extension, ...)
//
// Every child becomes a HeaderObjectEntry. A known object whose encoder reproduces its bytes exactly is kept
// as a value only (so editing the value edits the file); any other object keeps its raw bytes, which
// `writeHeader` emits unchanged. That is how write(parse(x)) == x holds for any header we accept.
import { Reader, Writer } from '../core/bytes.js';
import { ProtocolError } from '../core/errors.js';
import { decodeCodecList, encodeCodecList, type CodecListObject } from './codec-list.js';
import {
  decodeContentDescription,
  encodeContentDescription,
  type ContentDescriptionObject,
} from './content-description.js';
import {
  decodeExtendedContentDescription,
  encodeExtendedContentDescription,
  type ContentDescriptor,
  type ExtendedContentDescriptionObject,
} from './extended-content-description.js';
import {
  decodeExtendedStreamProperties,
  encodeExtendedStreamProperties,
  type ExtendedStreamPropertiesObject,
} from './extended-stream-properties.js';
import { decodeFileProperties, encodeFileProperties, type FilePropertiesObject } from './file-properties.js';
import { GUID, guidName } from './guids.js';
import {
  decodeHeaderExtension,
  encodeHeaderExtension,
  type HeaderExtensionObject,
} from './header-extension.js';
import {
  decodeAdvancedMutualExclusion,
  decodeBitrateMutualExclusion,
  encodeMutualExclusion,
  type MutualExclusionKind,
  type MutualExclusionObject,
} from './mutual-exclusion.js';
import { MAX_OBJECT_SIZE, readObjectHeader } from './object.js';
import {
  decodeStreamBitrateProperties,
  encodeStreamBitrateProperties,
  type StreamBitratePropertiesObject,
} from './stream-bitrate-properties.js';
import {
  decodeStreamProperties,
  encodeStreamProperties,
  type AudioFormat,
  type StreamKind,
  type StreamPropertiesObject,
  type VideoFormat,
} from './stream-properties.js';

export const HEADER_FIXED_SIZE = 30;
/** Same cap as any object: a header is read whole into memory before anything is served. */
export const MAX_HEADER_SIZE = MAX_OBJECT_SIZE;
/** More children than this in one container is not a header anybody wrote. */
const MAX_CHILDREN = 4096;

export type KnownHeaderObject =
  | { type: 'fileProperties'; value: FilePropertiesObject }
  | { type: 'streamProperties'; value: StreamPropertiesObject }
  | { type: 'headerExtension'; value: HeaderExtensionObject<HeaderObjectEntry> }
  | { type: 'extendedStreamProperties'; value: ExtendedStreamPropertiesObject }
  | { type: 'streamBitrateProperties'; value: StreamBitratePropertiesObject }
  | { type: 'bitrateMutualExclusion'; value: MutualExclusionObject }
  | { type: 'advancedMutualExclusion'; value: MutualExclusionObject }
  | { type: 'contentDescription'; value: ContentDescriptionObject }
  | { type: 'extendedContentDescription'; value: ExtendedContentDescriptionObject }
  | { type: 'codecList'; value: CodecListObject };

/**
 * One child object. `raw` is set when the bytes must be written back as read: for objects netshow does not
 * decode (`type: 'raw'`), and for known objects whose encoding is not canonical (then edits to `value` are
 * not written).
 */
export type HeaderObjectEntry =
  (KnownHeaderObject & { raw?: Buffer }) | { type: 'raw'; guid: Buffer; raw: Buffer };

/** One stream as the rest of netshow sees it, gathered from its SPO, ESP and bitrate record. */
export interface StreamInfo {
  streamNumber: number;
  kind: StreamKind;
  /** Bits per second: Stream Bitrate Properties, else ESP Data Bitrate, else the audio byte rate. */
  bitrate: number | undefined;
  /** Its Stream Properties Object is embedded in an Extended Stream Properties Object. */
  hidden: boolean;
  encrypted: boolean;
  /** 100 ns. */
  timeOffset: bigint;
  audio?: AudioFormat;
  video?: VideoFormat;
  properties: StreamPropertiesObject;
  extended?: ExtendedStreamPropertiesObject;
}

export interface AsfMetadata {
  title: string;
  author: string;
  copyright: string;
  description: string;
  rating: string;
  extended: ContentDescriptor[];
}

export interface AsfHeader {
  reserved1: number;
  reserved2: number;
  objects: HeaderObjectEntry[];
  fileProperties: FilePropertiesObject;
  streams: StreamInfo[];
  mutualExclusions: {
    kind: MutualExclusionKind;
    streams: number[];
    object: MutualExclusionObject['object'];
  }[];
  metadata: AsfMetadata;
  codecList?: CodecListObject;
  streamBitrates?: StreamBitratePropertiesObject;
  headerExtension?: HeaderExtensionObject<HeaderObjectEntry>;
}

/** Size of the Header Object from its first 24 bytes (GUID and size), checked against the cap. */
export function headerObjectSize(first24: Buffer): number {
  const r = new Reader(first24, 0, 'ASF header');
  const guid = r.bytes(16, 'Header Object ID');
  if (!guid.equals(GUID.header)) r.fail('E_ASF_NOT_ASF', 'not an ASF file (no Header Object GUID)', 0);
  const size = r.u64n('Header Object Size');
  if (size < HEADER_FIXED_SIZE) r.fail('E_ASF_HEADER', `Header Object size ${size} is less than 30`, 16);
  if (size > MAX_HEADER_SIZE) {
    r.fail('E_ASF_HEADER', `Header Object size ${size} exceeds the cap of ${MAX_HEADER_SIZE}`, 16);
  }
  return size;
}

type Decoder = (obj: Buffer, base: number) => KnownHeaderObject;
type Encoder = (e: KnownHeaderObject) => Buffer;

const CODECS: Partial<Record<string, { decode: Decoder; encode: Encoder }>> = {
  fileProperties: {
    decode: (b, o) => ({ type: 'fileProperties', value: decodeFileProperties(b, o) }),
    encode: (e) => encodeFileProperties(e.value as FilePropertiesObject),
  },
  streamProperties: {
    decode: (b, o) => ({ type: 'streamProperties', value: decodeStreamProperties(b, o) }),
    encode: (e) => encodeStreamProperties(e.value as StreamPropertiesObject),
  },
  headerExtension: {
    decode: (b, o) => ({ type: 'headerExtension', value: decodeHeaderExtension(b, o, decodeChildren) }),
    encode: (e) => encodeHeaderExtension(e.value as HeaderExtensionObject<HeaderObjectEntry>, encodeEntry),
  },
  extendedStreamProperties: {
    decode: (b, o) => ({ type: 'extendedStreamProperties', value: decodeExtendedStreamProperties(b, o) }),
    encode: (e) => encodeExtendedStreamProperties(e.value as ExtendedStreamPropertiesObject),
  },
  streamBitrateProperties: {
    decode: (b, o) => ({ type: 'streamBitrateProperties', value: decodeStreamBitrateProperties(b, o) }),
    encode: (e) => encodeStreamBitrateProperties(e.value as StreamBitratePropertiesObject),
  },
  bitrateMutualExclusion: {
    decode: (b, o) => ({ type: 'bitrateMutualExclusion', value: decodeBitrateMutualExclusion(b, o) }),
    encode: (e) => encodeMutualExclusion(e.value as MutualExclusionObject),
  },
  advancedMutualExclusion: {
    decode: (b, o) => ({ type: 'advancedMutualExclusion', value: decodeAdvancedMutualExclusion(b, o) }),
    encode: (e) => encodeMutualExclusion(e.value as MutualExclusionObject),
  },
  contentDescription: {
    decode: (b, o) => ({ type: 'contentDescription', value: decodeContentDescription(b, o) }),
    encode: (e) => encodeContentDescription(e.value as ContentDescriptionObject),
  },
  extendedContentDescription: {
    decode: (b, o) => ({ type: 'extendedContentDescription', value: decodeExtendedContentDescription(b, o) }),
    encode: (e) => encodeExtendedContentDescription(e.value as ExtendedContentDescriptionObject),
  },
  codecList: {
    decode: (b, o) => ({ type: 'codecList', value: decodeCodecList(b, o) }),
    encode: (e) => encodeCodecList(e.value as CodecListObject),
  },
};

/** Decode one child object (`obj` is exactly its bytes). */
export function decodeEntry(obj: Buffer, base: number): HeaderObjectEntry {
  const guid = obj.subarray(0, 16);
  const codec = CODECS[guidName(guid) ?? ''];
  if (!codec) return { type: 'raw', guid: Buffer.from(guid), raw: Buffer.from(obj) };
  const entry = codec.decode(obj, base);
  return codec.encode(entry).equals(obj) ? entry : { ...entry, raw: Buffer.from(obj) };
}

export function encodeEntry(e: HeaderObjectEntry): Buffer {
  if (e.raw) return e.raw;
  const codec = CODECS[e.type];
  if (!codec || e.type === 'raw') throw new ProtocolError('E_ASF_OBJECT', `no encoder for ${e.type}`);
  return codec.encode(e);
}

/** Walk a run of objects that must exactly fill `data`. */
export function decodeChildren(data: Buffer, base: number): HeaderObjectEntry[] {
  const r = new Reader(data, base, 'header object list');
  const out: HeaderObjectEntry[] = [];
  while (r.remaining > 0) {
    if (out.length >= MAX_CHILDREN)
      r.fail('E_ASF_HEADER', `more than ${MAX_CHILDREN} objects in one container`);
    const at = r.pos;
    const h = readObjectHeader(r);
    out.push(decodeEntry(data.subarray(at, at + h.size), h.offset));
    r.pos = at + h.size;
  }
  return out;
}

/** Parse the Header Object at the start of `buf` (which may hold more bytes after it). */
export function parseHeader(buf: Buffer, base = 0): AsfHeader {
  const size = headerObjectSize(buf.subarray(0, 24));
  const r = new Reader(buf, base, 'ASF header');
  r.need(size, 'Header Object');
  r.skip(24);
  const count = r.u32('Number of Header Objects');
  const reserved1 = r.u8('Reserved1');
  const reserved2 = r.u8('Reserved2');
  const objects = decodeChildren(buf.subarray(HEADER_FIXED_SIZE, size), base + HEADER_FIXED_SIZE);
  if (objects.length !== count) {
    r.fail(
      'E_ASF_HEADER',
      `Number of Header Objects is ${count} but ${objects.length} objects fill the header`,
      base + 24,
    );
  }
  return buildViews(objects, reserved1, reserved2, base);
}

function* walk(entries: HeaderObjectEntry[]): Generator<HeaderObjectEntry> {
  for (const e of entries) {
    yield e;
    if (e.type === 'headerExtension') yield* walk(e.value.objects);
  }
}

function buildViews(
  objects: HeaderObjectEntry[],
  reserved1: number,
  reserved2: number,
  base: number,
): AsfHeader {
  let fileProperties: FilePropertiesObject | undefined;
  const spos: { spo: StreamPropertiesObject; hidden: boolean }[] = [];
  const esps = new Map<number, ExtendedStreamPropertiesObject>();
  const mutualExclusions: AsfHeader['mutualExclusions'] = [];
  const metadata: AsfMetadata = {
    title: '',
    author: '',
    copyright: '',
    description: '',
    rating: '',
    extended: [],
  };
  const out: Partial<AsfHeader> = {};
  for (const e of walk(objects)) {
    switch (e.type) {
      case 'fileProperties':
        if (fileProperties) throw headerError('more than one File Properties Object', base);
        fileProperties = e.value;
        break;
      case 'streamProperties':
        spos.push({ spo: e.value, hidden: false });
        break;
      case 'extendedStreamProperties':
        esps.set(e.value.streamNumber, e.value);
        if (e.value.streamProperties) spos.push({ spo: e.value.streamProperties, hidden: true });
        break;
      case 'bitrateMutualExclusion':
      case 'advancedMutualExclusion':
        mutualExclusions.push({ kind: e.value.kind, streams: e.value.streams, object: e.value.object });
        break;
      case 'contentDescription':
        Object.assign(metadata, e.value);
        break;
      case 'extendedContentDescription':
        metadata.extended.push(...e.value.descriptors);
        break;
      case 'streamBitrateProperties':
        out.streamBitrates = e.value;
        break;
      case 'codecList':
        out.codecList = e.value;
        break;
      case 'headerExtension':
        out.headerExtension = e.value;
        break;
      default:
        break;
    }
  }
  if (!fileProperties) throw headerError('no File Properties Object', base);
  if (spos.length === 0) throw headerError('no Stream Properties Object', base);
  const seen = new Set<number>();
  const streams = spos.map(({ spo, hidden }) => {
    if (seen.has(spo.streamNumber)) throw headerError(`stream ${spo.streamNumber} is declared twice`, base);
    seen.add(spo.streamNumber);
    const extended = esps.get(spo.streamNumber);
    const record = out.streamBitrates?.records.find((x) => x.streamNumber === spo.streamNumber);
    const bitrate =
      record?.averageBitrate ??
      (extended?.dataBitrate || undefined) ??
      (spo.audio ? spo.audio.avgBytesPerSec * 8 || undefined : undefined);
    const info: StreamInfo = {
      streamNumber: spo.streamNumber,
      kind: spo.kind,
      bitrate,
      hidden,
      encrypted: spo.encrypted,
      timeOffset: spo.timeOffset,
      properties: spo,
    };
    if (spo.audio) info.audio = spo.audio;
    if (spo.video) info.video = spo.video;
    if (extended) info.extended = extended;
    return info;
  });
  streams.sort((a, b) => a.streamNumber - b.streamNumber);
  return { ...out, reserved1, reserved2, objects, fileProperties, streams, mutualExclusions, metadata };
}

function headerError(message: string, base: number): ProtocolError {
  return new ProtocolError('E_ASF_HEADER', `ASF header: ${message}`, { offset: base });
}

/** Serialise a header: the fixed part, then every entry (edited values re-encoded, raw ones as read). */
export function writeHeader(header: Pick<AsfHeader, 'objects' | 'reserved1' | 'reserved2'>): Buffer {
  const children = header.objects.map(encodeEntry);
  const size = HEADER_FIXED_SIZE + children.reduce((n, c) => n + c.length, 0);
  const w = new Writer(size);
  w.bytes(GUID.header).u64(size).u32(children.length).u8(header.reserved1).u8(header.reserved2);
  for (const c of children) w.bytes(c);
  return w.toBuffer();
}
