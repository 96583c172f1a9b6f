// LinkViewerToMacCancelReadBlock: drop the unsent header pieces of a ReadBlock [MS-MMSP 2.2.4.15; mmsp.md §2].
//
//   M+8 playIncarnation of the ReadBlock being cancelled
import { u32Codec } from './codec.js';
import { MID } from './mid.js';

export interface LinkViewerToMacCancelReadBlock {
  readonly type: 'LinkViewerToMacCancelReadBlock';
  readonly playIncarnation: number;
}

export const linkViewerToMacCancelReadBlock = u32Codec<LinkViewerToMacCancelReadBlock>(
  'LinkViewerToMacCancelReadBlock',
  MID.LinkViewerToMacCancelReadBlock,
  ['playIncarnation'],
);
