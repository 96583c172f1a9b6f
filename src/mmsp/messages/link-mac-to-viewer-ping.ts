// LinkMacToViewerPing: keep-alive after 30 s of client silence; the client answers Pong [MS-MMSP 2.2.4.1; mmsp.md §2].
//
//   M+8 dwParam1 (0)  M+12 dwParam2 (0)
import { u32Codec } from './codec.js';
import { MID } from './mid.js';

export interface LinkMacToViewerPing {
  readonly type: 'LinkMacToViewerPing';
  readonly dwParam1: number;
  readonly dwParam2: number;
}

export const linkMacToViewerPing = u32Codec<LinkMacToViewerPing>(
  'LinkMacToViewerPing',
  MID.LinkMacToViewerPing,
  ['dwParam1', 'dwParam2'],
);
