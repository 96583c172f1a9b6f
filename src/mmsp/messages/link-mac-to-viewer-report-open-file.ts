// LinkMacToViewerReportOpenFile: answers OpenFile with what the file is [MS-MMSP 2.2.4.7; mmsp.md §2.3].
//
//   M+8  hr           M+12 playIncarnation (echo)   M+16 openFileId (1; 0 on error)   M+20 padding
//   M+24 fileName     M+28 fileAttributes           M+32 fileDuration (DOUBLE s)      M+40 fileBlocks
//   M+44 unused1 (16) M+60 filePacketSize           M+64 filePacketCount (u64)        M+72 fileBitRate
//   M+76 fileHeaderSize (exact header bytes ReadBlock delivers)                       M+80 unused2 (36)
import type { MessageCodec } from './codec.js';
import { MID } from './mid.js';
import { readDouble, writeDouble } from './start-fields.js';

/** fileAttributes flags [MS-MMSP 2.2.4.7]; never set LIVE (mmsp.md 9.21). */
export const FILE_ATTRIBUTES = {
  canStride: 0x00800000,
  canSeek: 0x01000000,
  broadcast: 0x02000000,
  live: 0x04000000,
  playlist: 0x40000000,
} as const;

export interface LinkMacToViewerReportOpenFile {
  readonly type: 'LinkMacToViewerReportOpenFile';
  readonly hr: number;
  readonly playIncarnation: number;
  readonly openFileId: number;
  readonly padding: number;
  readonly fileName: number;
  readonly fileAttributes: number;
  readonly fileDuration: number;
  readonly fileBlocks: number;
  readonly filePacketSize: number;
  readonly filePacketCount: number;
  readonly fileBitRate: number;
  readonly fileHeaderSize: number;
}

export const linkMacToViewerReportOpenFile: MessageCodec<LinkMacToViewerReportOpenFile> = {
  type: 'LinkMacToViewerReportOpenFile',
  mid: MID.LinkMacToViewerReportOpenFile,
  encode(w, m) {
    w.u32(m.hr).u32(m.playIncarnation).u32(m.openFileId).u32(m.padding).u32(m.fileName).u32(m.fileAttributes);
    writeDouble(w, m.fileDuration);
    w.u32(m.fileBlocks).zeros(16).u32(m.filePacketSize).u64(m.filePacketCount).u32(m.fileBitRate);
    w.u32(m.fileHeaderSize).zeros(36);
  },
  decode(r) {
    const hr = r.u32('hr');
    const playIncarnation = r.u32('playIncarnation');
    const openFileId = r.u32('openFileId');
    const padding = r.u32('padding');
    const fileName = r.u32('fileName');
    const fileAttributes = r.u32('fileAttributes');
    const fileDuration = readDouble(r, 'fileDuration');
    const fileBlocks = r.u32('fileBlocks');
    r.skip(16, 'unused1');
    const filePacketSize = r.u32('filePacketSize');
    const filePacketCount = r.u64n('filePacketCount');
    const fileBitRate = r.u32('fileBitRate');
    const fileHeaderSize = r.u32('fileHeaderSize');
    r.skip(36, 'unused2');
    return {
      type: 'LinkMacToViewerReportOpenFile',
      hr,
      playIncarnation,
      openFileId,
      padding,
      fileName,
      fileAttributes,
      fileDuration,
      fileBlocks,
      filePacketSize,
      filePacketCount,
      fileBitRate,
      fileHeaderSize,
    };
  },
};
