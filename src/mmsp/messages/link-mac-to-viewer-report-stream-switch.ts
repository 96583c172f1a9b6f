// LinkMacToViewerReportStreamSwitch: answers StreamSwitch, as the very next TCP item [MS-MMSP 2.2.4.13; mmsp.md §2].
//
//   M+8 hr
import { u32Codec } from './codec.js';
import { MID } from './mid.js';

export interface LinkMacToViewerReportStreamSwitch {
  readonly type: 'LinkMacToViewerReportStreamSwitch';
  readonly hr: number;
}

export const linkMacToViewerReportStreamSwitch = u32Codec<LinkMacToViewerReportStreamSwitch>(
  'LinkMacToViewerReportStreamSwitch',
  MID.LinkMacToViewerReportStreamSwitch,
  ['hr'],
);
