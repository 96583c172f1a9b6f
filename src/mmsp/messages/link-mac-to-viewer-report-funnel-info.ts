// LinkMacToViewerReportFunnelInfo: answers FunnelInfo with the Client-ID (nCubs) [MS-MMSP 2.2.4.6; mmsp.md §2.3].
//
//   M+8  hr  M+12 playIncarnation  M+16 transportMask (8)  M+20 nBlockFragments (1)  M+24 fragmentBytes (0x10000)
//   M+28 nCubs  M+32 failedCubs  M+36 nDisks (1)  M+40 decluster  M+44 cubddDatagramSize
//   M+48 packet-pair bytes (TCP packet pair only, random; padding included on decode)
import type { MessageCodec } from './codec.js';
import { MID } from './mid.js';

export interface LinkMacToViewerReportFunnelInfo {
  readonly type: 'LinkMacToViewerReportFunnelInfo';
  readonly hr: number;
  readonly playIncarnation: number;
  readonly transportMask: number;
  readonly nBlockFragments: number;
  readonly fragmentBytes: number;
  readonly nCubs: number;
  readonly failedCubs: number;
  readonly nDisks: number;
  readonly decluster: number;
  readonly cubddDatagramSize: number;
  readonly packetPairBytes: Buffer;
}

const FIELDS = [
  'hr',
  'playIncarnation',
  'transportMask',
  'nBlockFragments',
  'fragmentBytes',
  'nCubs',
  'failedCubs',
  'nDisks',
  'decluster',
  'cubddDatagramSize',
] as const;

export const linkMacToViewerReportFunnelInfo: MessageCodec<LinkMacToViewerReportFunnelInfo> = {
  type: 'LinkMacToViewerReportFunnelInfo',
  mid: MID.LinkMacToViewerReportFunnelInfo,
  encode(w, m) {
    for (const f of FIELDS) w.u32(m[f]);
    w.bytes(m.packetPairBytes);
  },
  decode(r) {
    const v = Object.fromEntries(FIELDS.map((f) => [f, r.u32(f)])) as Record<(typeof FIELDS)[number], number>;
    return { type: 'LinkMacToViewerReportFunnelInfo', ...v, packetPairBytes: r.bytes(r.remaining) };
  },
};
