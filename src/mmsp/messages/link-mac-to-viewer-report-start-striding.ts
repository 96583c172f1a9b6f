// LinkMacToViewerReportStartStriding: answers StartStriding [MS-MMSP 2.2.4.11; mmsp.md §2].
//
//   M+8 hr (0, or 0xC00D0045 NS_E_STRIDE_REFUSED)  M+12 playIncarnation (echo)  M+16 spare
import { u32Codec } from './codec.js';
import { MID } from './mid.js';

export interface LinkMacToViewerReportStartStriding {
  readonly type: 'LinkMacToViewerReportStartStriding';
  readonly hr: number;
  readonly playIncarnation: number;
  readonly spare: number;
}

export const linkMacToViewerReportStartStriding = u32Codec<LinkMacToViewerReportStartStriding>(
  'LinkMacToViewerReportStartStriding',
  MID.LinkMacToViewerReportStartStriding,
  ['hr', 'playIncarnation', 'spare'],
);
