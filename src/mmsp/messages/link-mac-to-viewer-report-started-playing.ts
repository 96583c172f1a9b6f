// LinkMacToViewerReportStartedPlaying: answers StartPlaying, before the first Data packet [MS-MMSP 2.2.4.10;
// mmsp.md §2.3].
//
//   M+8 hr  M+12 playIncarnation (echo)  M+16 tigerFileId (openFileId, 1)  M+20 unused1  M+24 unused2 (12 zeros)
import type { MessageCodec } from './codec.js';
import { MID } from './mid.js';

export interface LinkMacToViewerReportStartedPlaying {
  readonly type: 'LinkMacToViewerReportStartedPlaying';
  readonly hr: number;
  readonly playIncarnation: number;
  readonly tigerFileId: number;
  readonly unused1: number;
}

export const linkMacToViewerReportStartedPlaying: MessageCodec<LinkMacToViewerReportStartedPlaying> = {
  type: 'LinkMacToViewerReportStartedPlaying',
  mid: MID.LinkMacToViewerReportStartedPlaying,
  encode(w, m) {
    w.u32(m.hr).u32(m.playIncarnation).u32(m.tigerFileId).u32(m.unused1).zeros(12);
  },
  decode(r) {
    const m: LinkMacToViewerReportStartedPlaying = {
      type: 'LinkMacToViewerReportStartedPlaying',
      hr: r.u32('hr'),
      playIncarnation: r.u32('playIncarnation'),
      tigerFileId: r.u32('tigerFileId'),
      unused1: r.u32('unused1'),
    };
    r.skip(12, 'unused2');
    return m;
  },
};
