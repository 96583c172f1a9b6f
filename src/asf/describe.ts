// A plain, JSON-ready summary of an ASF file for people and tools: streams, timing, packets, metadata and
// index [asf.md 2, 4, 5]. Used by `netshow inspect` and `netshow probe`; no bigints, no Buffers.
import { guidText } from '../core/guid.js';
import type { AsfFileLayout } from './file-layout.js';
import { guidName } from './guids.js';
import type { DataPacket } from './packet.js';
import type { SimpleIndex } from './simple-index.js';
import type { StreamInfo } from './header.js';
import type { StreamKind } from './stream-properties.js';

export interface StreamSummary {
  streamNumber: number;
  kind: StreamKind;
  /** Human name: from the file's Codec List when it names this codec, else from our table. */
  codec: string;
  fourcc?: string;
  formatTag?: number;
  bitrate?: number;
  width?: number;
  height?: number;
  channels?: number;
  sampleRate?: number;
  bitsPerSample?: number;
  /** Frames per second, from the Extended Stream Properties. */
  frameRate?: number;
  hidden: boolean;
  encrypted: boolean;
}

export interface PacketStats {
  parsed: number;
  firstSendTime: number;
  lastSendTime: number;
  payloads: Record<number, { payloads: number; bytes: number; keyFrames: number }>;
}

export interface AsfSummary {
  headerObjectSize: number;
  packetSize: number;
  packetCount: number;
  dataObjectSize: number;
  /** Media length in ms (Play Duration minus preroll); undefined for a live (broadcast) header. */
  durationMs?: number;
  playDurationMs: number;
  sendDurationMs: number;
  prerollMs: number;
  broadcast: boolean;
  seekable: boolean;
  maxBitrate: number;
  fileId: string;
  /** ISO 8601, or undefined when the field is 0 or the header is live. */
  creationDate?: string;
  streams: StreamSummary[];
  mutualExclusions: { kind: string; streams: number[]; where: 'header' | 'header extension' }[];
  metadata: Record<string, string>;
  /** Names of the header objects, Header Extension children as `headerExtension/<name>`. */
  objects: string[];
  index: {
    present: boolean;
    simpleIndexes: { intervalMs: number; entries: number; maxPacketCount: number }[];
  };
  packets?: PacketStats;
}

const AUDIO_CODECS: Record<number, string> = {
  0x0001: 'PCM',
  0x000a: 'WMA Voice',
  0x0055: 'MP3',
  0x0160: 'WMA v1',
  0x0161: 'WMA v2',
  0x0162: 'WMA Pro',
  0x0163: 'WMA Lossless',
};

const VIDEO_CODECS: Record<string, string> = {
  WMV1: 'Windows Media Video 7',
  WMV2: 'Windows Media Video 8',
  WMV3: 'Windows Media Video 9',
  WVC1: 'VC-1',
  MP43: 'MS MPEG-4 v3',
  MP42: 'MS MPEG-4 v2',
  MP4S: 'MPEG-4 Part 2',
  M4S2: 'MPEG-4 Part 2',
};

/** 100 ns units since 1601 to ms since 1970. */
const FILETIME_UNIX_EPOCH = 116444736000000000n;

function codecName(layout: AsfFileLayout, s: StreamInfo): string {
  const entries = layout.header.codecList?.entries ?? [];
  if (s.audio) {
    const tag = s.audio.formatTag;
    const e = entries.find(
      (x) => x.type === 'audio' && x.information.length >= 2 && x.information.readUInt16LE(0) === tag,
    );
    return e?.name || AUDIO_CODECS[tag] || `audio 0x${tag.toString(16).padStart(4, '0')}`;
  }
  if (s.video) {
    const fourcc = s.video.fourcc;
    const known = VIDEO_CODECS[fourcc.toUpperCase()];
    const e = entries.find((x) => x.type === 'video' && x.information.toString('latin1') === fourcc);
    return known ?? (e?.name || fourcc);
  }
  return s.kind;
}

function streamSummary(layout: AsfFileLayout, s: StreamInfo): StreamSummary {
  const out: StreamSummary = {
    streamNumber: s.streamNumber,
    kind: s.kind,
    codec: codecName(layout, s),
    hidden: s.hidden,
    encrypted: s.encrypted,
  };
  if (s.bitrate !== undefined) out.bitrate = s.bitrate;
  if (s.audio) {
    out.formatTag = s.audio.formatTag;
    out.channels = s.audio.channels;
    out.sampleRate = s.audio.sampleRate;
    out.bitsPerSample = s.audio.bitsPerSample;
  }
  if (s.video) {
    out.fourcc = s.video.fourcc;
    out.width = s.video.width;
    out.height = s.video.height;
  }
  const atpf = s.extended?.averageTimePerFrame ?? 0n;
  if (atpf > 0n) out.frameRate = Math.round(1e9 / Number(atpf)) / 100;
  return out;
}

function metadataOf(layout: AsfFileLayout): Record<string, string> {
  const m = layout.header.metadata;
  const out: Record<string, string> = {};
  for (const k of ['title', 'author', 'copyright', 'description', 'rating'] as const) if (m[k]) out[k] = m[k];
  for (const d of m.extended) {
    const v = d.value;
    out[d.name] = Buffer.isBuffer(v) ? `(${v.length} bytes)` : String(v);
  }
  return out;
}

function objectNames(layout: AsfFileLayout): string[] {
  const name = (e: { type: string; guid?: Buffer; raw?: Buffer }): string => {
    if (e.type !== 'raw') return e.type;
    const g = e.raw?.subarray(0, 16) ?? Buffer.alloc(16);
    return guidName(g) ?? guidText(g);
  };
  const out: string[] = [];
  for (const e of layout.header.objects) {
    out.push(name(e));
    if (e.type === 'headerExtension') for (const c of e.value.objects) out.push(`headerExtension/${name(c)}`);
  }
  return out;
}

export function emptyPacketStats(): PacketStats {
  return { parsed: 0, firstSendTime: 0, lastSendTime: 0, payloads: {} };
}

/** Count one packet into `stats` (so a caller streaming a big file keeps no packets around). */
export function addPacketStats(stats: PacketStats, p: DataPacket): void {
  if (stats.parsed === 0) stats.firstSendTime = p.sendTime;
  stats.lastSendTime = p.sendTime;
  stats.parsed++;
  for (const x of p.payloads) {
    const s = (stats.payloads[x.streamNumber] ??= { payloads: 0, bytes: 0, keyFrames: 0 });
    s.payloads++;
    s.bytes += x.data.length;
    if (x.keyFrame && x.offset === 0 && !x.compressed) s.keyFrames++;
  }
}

export function packetStats(packets: Iterable<DataPacket>): PacketStats {
  const stats = emptyPacketStats();
  for (const p of packets) addPacketStats(stats, p);
  return stats;
}

export function describeAsf(
  layout: AsfFileLayout,
  indexes: SimpleIndex[] = [],
  packets?: Iterable<DataPacket> | PacketStats,
): AsfSummary {
  const fp = layout.header.fileProperties;
  const playDurationMs = Number(fp.playDuration / 10_000n);
  const summary: AsfSummary = {
    headerObjectSize: layout.headerObjectSize,
    packetSize: layout.packetSize,
    packetCount: layout.packetCount,
    dataObjectSize: layout.dataObjectSize,
    playDurationMs,
    sendDurationMs: Number(fp.sendDuration / 10_000n),
    prerollMs: fp.preroll,
    broadcast: fp.broadcast,
    seekable: fp.seekable,
    maxBitrate: fp.maxBitrate,
    fileId: guidText(fp.fileId),
    streams: layout.header.streams.map((s) => streamSummary(layout, s)),
    mutualExclusions: layout.header.mutualExclusions.map((m) => ({
      kind: m.kind,
      streams: [...m.streams],
      where: m.object === 'bitrateMutualExclusion' ? 'header' : 'header extension',
    })),
    metadata: metadataOf(layout),
    objects: objectNames(layout),
    index: {
      present: indexes.length > 0,
      simpleIndexes: indexes.map((i) => ({
        intervalMs: i.intervalMs,
        entries: i.entries.length,
        maxPacketCount: i.maxPacketCount,
      })),
    },
  };
  if (!fp.broadcast) summary.durationMs = Math.max(0, playDurationMs - fp.preroll);
  if (!fp.broadcast && fp.creationDate > 0n) {
    const ms = Number((fp.creationDate - FILETIME_UNIX_EPOCH) / 10_000n);
    const d = new Date(ms);
    if (!Number.isNaN(d.getTime())) summary.creationDate = d.toISOString();
  }
  if (packets) summary.packets = 'parsed' in packets ? packets : packetStats(packets);
  return summary;
}
