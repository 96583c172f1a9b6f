// LinkViewerToMacCloseFile: the client is done; the server closes, no reply [MS-MMSP 2.2.4.16; mmsp.md §2].
//
//   M+8 playIncarnation  M+12 openFileId
import { u32Codec } from './codec.js';
import { MID } from './mid.js';

export interface LinkViewerToMacCloseFile {
  readonly type: 'LinkViewerToMacCloseFile';
  readonly playIncarnation: number;
  readonly openFileId: number;
}

export const linkViewerToMacCloseFile = u32Codec<LinkViewerToMacCloseFile>(
  'LinkViewerToMacCloseFile',
  MID.LinkViewerToMacCloseFile,
  ['playIncarnation', 'openFileId'],
);
