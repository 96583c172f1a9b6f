// LinkViewerToMacPong: answers a Ping, or arrives unsolicited (VLC while paused) [MS-MMSP 2.2.4.22; mmsp.md §2].
//
//   M+8 dwParam1  M+12 dwParam2 (FFmpeg sends 1 and 0x0100FFFF)
import { u32Codec } from './codec.js';
import { MID } from './mid.js';

export interface LinkViewerToMacPong {
  readonly type: 'LinkViewerToMacPong';
  readonly dwParam1: number;
  readonly dwParam2: number;
}

export const linkViewerToMacPong = u32Codec<LinkViewerToMacPong>(
  'LinkViewerToMacPong',
  MID.LinkViewerToMacPong,
  ['dwParam1', 'dwParam2'],
);
