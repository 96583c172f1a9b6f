// LinkViewerToMacStartPlaying: play from the start, a time or a packet [MS-MMSP 2.2.4.25; mmsp.md §2.2, §5.3].
//
//   M+8 .. M+39  the start fields (start-fields.ts)
//   M+40 dwAccelBandwidth  M+44 dwAccelDuration   present when the message is at least 48 bytes
//   M+48 dwLinkBandwidth                           present when the message is 56 bytes
import type { MessageCodec } from './codec.js';
import { MID } from './mid.js';
import { readStartFields, writeStartFields, type StartFields } from './start-fields.js';

export interface LinkViewerToMacStartPlaying extends StartFields {
  readonly type: 'LinkViewerToMacStartPlaying';
  /** Fast-start request: bit/s and ms of content, or null when absent. */
  readonly accel: { readonly bandwidth: number; readonly duration: number } | null;
  /** The client's link speed in bit/s, or null when absent. */
  readonly linkBandwidth: number | null;
}

export const linkViewerToMacStartPlaying: MessageCodec<LinkViewerToMacStartPlaying> = {
  type: 'LinkViewerToMacStartPlaying',
  mid: MID.LinkViewerToMacStartPlaying,
  encode(w, m) {
    writeStartFields(w, m);
    if (m.accel !== null || m.linkBandwidth !== null) {
      w.u32(m.accel?.bandwidth ?? 0).u32(m.accel?.duration ?? 0);
    }
    if (m.linkBandwidth !== null) w.u32(m.linkBandwidth);
  },
  decode(r) {
    const start = readStartFields(r);
    const accel =
      r.remaining >= 8 ? { bandwidth: r.u32('dwAccelBandwidth'), duration: r.u32('dwAccelDuration') } : null;
    const linkBandwidth = accel !== null && r.remaining >= 4 ? r.u32('dwLinkBandwidth') : null;
    return { type: 'LinkViewerToMacStartPlaying', ...start, accel, linkBandwidth };
  },
};
