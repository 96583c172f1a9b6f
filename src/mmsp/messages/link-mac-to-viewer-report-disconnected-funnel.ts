// LinkMacToViewerReportDisconnectedFunnel: refuses the funnel [MS-MMSP 2.2.4.4; mmsp.md §2].
//
//   M+8 hr (failure HRESULT)  M+12 playIncarnation (0)
import { u32Codec } from './codec.js';
import { MID } from './mid.js';

export interface LinkMacToViewerReportDisconnectedFunnel {
  readonly type: 'LinkMacToViewerReportDisconnectedFunnel';
  readonly hr: number;
  readonly playIncarnation: number;
}

export const linkMacToViewerReportDisconnectedFunnel = u32Codec<LinkMacToViewerReportDisconnectedFunnel>(
  'LinkMacToViewerReportDisconnectedFunnel',
  MID.LinkMacToViewerReportDisconnectedFunnel,
  ['hr', 'playIncarnation'],
);
