// LinkViewerToMacSecurityResponse: credentials answering a SecurityChallenge [MS-MMSP 2.2.4.24; mmsp.md §5.9].
//
//   M+8 playIncarnation (copied)  M+12 cookie (copied)  M+16 cbToken  M+20 pToken (cbToken bytes)
import type { MessageCodec } from './codec.js';
import { MID } from './mid.js';
import { readToken, writeToken } from './token.js';

export interface LinkViewerToMacSecurityResponse {
  readonly type: 'LinkViewerToMacSecurityResponse';
  readonly playIncarnation: number;
  readonly cookie: number;
  readonly token: Buffer;
}

export const linkViewerToMacSecurityResponse: MessageCodec<LinkViewerToMacSecurityResponse> = {
  type: 'LinkViewerToMacSecurityResponse',
  mid: MID.LinkViewerToMacSecurityResponse,
  encode(w, m) {
    w.u32(m.playIncarnation).u32(m.cookie);
    writeToken(w, m.token);
  },
  decode(r) {
    return {
      type: 'LinkViewerToMacSecurityResponse',
      playIncarnation: r.u32('playIncarnation'),
      cookie: r.u32('cookie'),
      token: readToken(r),
    };
  },
};
