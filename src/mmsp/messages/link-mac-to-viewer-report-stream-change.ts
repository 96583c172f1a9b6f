// LinkMacToViewerReportStreamChange: the next server-side playlist entry starts [MS-MMSP 2.2.4.12; mmsp.md §2].
//
//   M+8 hr  M+12 dwTcpHdrIncarnation (0xFF)  M+16 cbPacketSize  M+20 cbHeaderSize  M+24 dwBitRate  M+28 dwStreamId
import { u32Codec } from './codec.js';
import { MID } from './mid.js';

export interface LinkMacToViewerReportStreamChange {
  readonly type: 'LinkMacToViewerReportStreamChange';
  readonly hr: number;
  readonly dwTcpHdrIncarnation: number;
  readonly cbPacketSize: number;
  readonly cbHeaderSize: number;
  readonly dwBitRate: number;
  readonly dwStreamId: number;
}

export const linkMacToViewerReportStreamChange = u32Codec<LinkMacToViewerReportStreamChange>(
  'LinkMacToViewerReportStreamChange',
  MID.LinkMacToViewerReportStreamChange,
  ['hr', 'dwTcpHdrIncarnation', 'cbPacketSize', 'cbHeaderSize', 'dwBitRate', 'dwStreamId'],
);
