// LinkMacToViewerReportConnectedFunnel: accepts the funnel [MS-MMSP 2.2.4.3; mmsp.md §2.3].
//
//   M+8 hr (0)  M+12 playIncarnation (0)  M+16 packetPayloadSize (0)  M+20 funnelName (`Funnel Of The Gods` + NUL)
import type { MessageCodec } from './codec.js';
import { MID } from './mid.js';
import { readWString, writeWString } from './strings.js';

export const FUNNEL_OF_THE_GODS = 'Funnel Of The Gods';

export interface LinkMacToViewerReportConnectedFunnel {
  readonly type: 'LinkMacToViewerReportConnectedFunnel';
  readonly hr: number;
  readonly playIncarnation: number;
  readonly packetPayloadSize: number;
  readonly funnelName: string;
}

export const linkMacToViewerReportConnectedFunnel: MessageCodec<LinkMacToViewerReportConnectedFunnel> = {
  type: 'LinkMacToViewerReportConnectedFunnel',
  mid: MID.LinkMacToViewerReportConnectedFunnel,
  encode(w, m) {
    w.u32(m.hr).u32(m.playIncarnation).u32(m.packetPayloadSize);
    writeWString(w, m.funnelName);
  },
  decode(r) {
    return {
      type: 'LinkMacToViewerReportConnectedFunnel',
      hr: r.u32('hr'),
      playIncarnation: r.u32('playIncarnation'),
      packetPayloadSize: r.u32('packetPayloadSize'),
      funnelName: readWString(r, 'funnelName'),
    };
  },
};
