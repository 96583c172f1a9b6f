// LinkMacToViewerReportReadBlock: answers ReadBlock, before the header pieces [MS-MMSP 2.2.4.8; mmsp.md §2].
//
//   M+8 hr  M+12 playIncarnation (echo)  M+16 playSequence (0)
import { u32Codec } from './codec.js';
import { MID } from './mid.js';

export interface LinkMacToViewerReportReadBlock {
  readonly type: 'LinkMacToViewerReportReadBlock';
  readonly hr: number;
  readonly playIncarnation: number;
  readonly playSequence: number;
}

export const linkMacToViewerReportReadBlock = u32Codec<LinkMacToViewerReportReadBlock>(
  'LinkMacToViewerReportReadBlock',
  MID.LinkMacToViewerReportReadBlock,
  ['hr', 'playIncarnation', 'playSequence'],
);
