// LinkViewerToMacFunnelInfo: asks for the Client-ID and, optionally, packet pair [MS-MMSP 2.2.4.19; mmsp.md §2].
//
//   M+8 playIncarnation (0xF0F0F0EF none, F0 / F1 / 0xF0F0F901 packet pair; FFmpeg 0x00F0F0F0)
import { u32Codec } from './codec.js';
import { MID } from './mid.js';

export interface LinkViewerToMacFunnelInfo {
  readonly type: 'LinkViewerToMacFunnelInfo';
  readonly playIncarnation: number;
}

export const linkViewerToMacFunnelInfo = u32Codec<LinkViewerToMacFunnelInfo>(
  'LinkViewerToMacFunnelInfo',
  MID.LinkViewerToMacFunnelInfo,
  ['playIncarnation'],
);
