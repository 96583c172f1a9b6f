// LinkMacToViewerReportEndOfStream: the entry ended (hr 0, or 1 when a StreamChange follows), or answers StopPlaying [MS-MMSP 2.2.4.5; mmsp.md §2].
//
//   M+8 hr  M+12 playIncarnation (the StopPlaying's, else the play's)
import { u32Codec } from './codec.js';
import { MID } from './mid.js';

export interface LinkMacToViewerReportEndOfStream {
  readonly type: 'LinkMacToViewerReportEndOfStream';
  readonly hr: number;
  readonly playIncarnation: number;
}

export const linkMacToViewerReportEndOfStream = u32Codec<LinkMacToViewerReportEndOfStream>(
  'LinkMacToViewerReportEndOfStream',
  MID.LinkMacToViewerReportEndOfStream,
  ['hr', 'playIncarnation'],
);
