// LinkViewerToMacStreamSwitch: the streams to send and their thinning [MS-MMSP 2.2.4.28; mmsp.md §2.2, §5.6].
//
//   M+8  cStreamEntries (bounded by the message: MPlayer with -aid claims more than it sends)
//   M+12 STREAM_SWITCH_ENTRY x n: wSrcStreamNumber u16 | wDstStreamNumber u16 | wThinningLevel u16
import type { MessageCodec } from './codec.js';
import { MID } from './mid.js';

/** "None" in a stream number of an entry. */
export const NO_STREAM = 0xffff;

export interface StreamSwitchEntry {
  readonly wSrcStreamNumber: number;
  readonly wDstStreamNumber: number;
  readonly wThinningLevel: number;
}

export interface LinkViewerToMacStreamSwitch {
  readonly type: 'LinkViewerToMacStreamSwitch';
  readonly entries: readonly StreamSwitchEntry[];
}

export const linkViewerToMacStreamSwitch: MessageCodec<LinkViewerToMacStreamSwitch> = {
  type: 'LinkViewerToMacStreamSwitch',
  mid: MID.LinkViewerToMacStreamSwitch,
  encode(w, m) {
    w.u32(m.entries.length);
    for (const e of m.entries) w.u16(e.wSrcStreamNumber).u16(e.wDstStreamNumber).u16(e.wThinningLevel);
  },
  decode(r) {
    const claimed = r.u32('cStreamEntries');
    const n = Math.min(claimed, Math.floor(r.remaining / 6));
    const entries: StreamSwitchEntry[] = [];
    for (let i = 0; i < n; i++) {
      entries.push({
        wSrcStreamNumber: r.u16('wSrcStreamNumber'),
        wDstStreamNumber: r.u16('wDstStreamNumber'),
        wThinningLevel: r.u16('wThinningLevel'),
      });
    }
    return { type: 'LinkViewerToMacStreamSwitch', entries };
  },
};
