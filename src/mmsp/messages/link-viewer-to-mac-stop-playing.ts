// LinkViewerToMacStopPlaying: stop sending Data; answered by ReportEndOfStream echoing playIncarnation [MS-MMSP 2.2.4.27; mmsp.md §2].
//
//   M+8 openFileId  M+12 playIncarnation (VLC sends 0x001FFFFF)
import { u32Codec } from './codec.js';
import { MID } from './mid.js';

export interface LinkViewerToMacStopPlaying {
  readonly type: 'LinkViewerToMacStopPlaying';
  readonly openFileId: number;
  readonly playIncarnation: number;
}

export const linkViewerToMacStopPlaying = u32Codec<LinkViewerToMacStopPlaying>(
  'LinkViewerToMacStopPlaying',
  MID.LinkViewerToMacStopPlaying,
  ['openFileId', 'playIncarnation'],
);
