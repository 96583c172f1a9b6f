// LinkViewerToMacReadBlock: asks for the ASF header [MS-MMSP 2.2.4.23; mmsp.md §2.2, §4].
//
//   M+8  openFileId  M+12 fileBlockId  M+16 offset  M+20 length  M+24 flags  M+28 padding
//   M+32 tEarliest (DOUBLE)  M+40 tDeadline (DOUBLE)  M+48 playIncarnation (goes on the header pieces)
//   M+52 playSequence
import type { MessageCodec } from './codec.js';
import { MID } from './mid.js';
import { readDouble, writeDouble } from './start-fields.js';

export interface LinkViewerToMacReadBlock {
  readonly type: 'LinkViewerToMacReadBlock';
  readonly openFileId: number;
  readonly fileBlockId: number;
  readonly offset: number;
  readonly length: number;
  readonly flags: number;
  readonly padding: number;
  readonly tEarliest: number;
  readonly tDeadline: number;
  readonly playIncarnation: number;
  readonly playSequence: number;
}

export const linkViewerToMacReadBlock: MessageCodec<LinkViewerToMacReadBlock> = {
  type: 'LinkViewerToMacReadBlock',
  mid: MID.LinkViewerToMacReadBlock,
  encode(w, m) {
    w.u32(m.openFileId).u32(m.fileBlockId).u32(m.offset).u32(m.length).u32(m.flags).u32(m.padding);
    writeDouble(w, m.tEarliest);
    writeDouble(w, m.tDeadline);
    w.u32(m.playIncarnation).u32(m.playSequence);
  },
  decode(r) {
    return {
      type: 'LinkViewerToMacReadBlock',
      openFileId: r.u32('openFileId'),
      fileBlockId: r.u32('fileBlockId'),
      offset: r.u32('offset'),
      length: r.u32('length'),
      flags: r.u32('flags'),
      padding: r.u32('padding'),
      tEarliest: readDouble(r, 'tEarliest'),
      tDeadline: readDouble(r, 'tDeadline'),
      playIncarnation: r.u32('playIncarnation'),
      playSequence: r.u32('playSequence'),
    };
  },
};
