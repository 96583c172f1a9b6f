// The facts about an on-demand file that every protocol's machine asks for, read once from its layout.
import type { FileSource } from '../streaming/file-source.js';

export interface ContentFacts {
  readonly headerBytes: Buffer;
  readonly packetSize: number;
  readonly packetCount: number;
  readonly preroll: number;
  readonly streams: number[];
  /** Media duration, ms: play duration minus preroll. */
  readonly durationMs: number;
  readonly maxBitrate: number;
  readonly fileSize: number;
}

export function contentFacts(src: FileSource): ContentFacts {
  const fp = src.layout.header.fileProperties;
  return {
    headerBytes: src.layout.headerBytes,
    packetSize: src.packetSize,
    packetCount: src.packetCount,
    preroll: fp.preroll,
    streams: src.layout.header.streams.map((s) => s.streamNumber),
    durationMs: Math.max(0, Number(fp.playDuration / 10_000n) - fp.preroll),
    maxBitrate: fp.maxBitrate,
    fileSize: src.fileSize,
  };
}
