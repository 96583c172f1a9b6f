// LinkMacToViewerSecurityChallenge: the server asks for credentials; no hr field [MS-MMSP 2.2.4.14; mmsp.md §5.9].
//
//   M+8 playIncarnation (echo)  M+12 cookie  M+16 cbToken  M+20 pToken (Basic: UTF-16LE `realm="x"` + NUL)
import type { MessageCodec } from './codec.js';
import { MID } from './mid.js';
import { readToken, writeToken } from './token.js';

export interface LinkMacToViewerSecurityChallenge {
  readonly type: 'LinkMacToViewerSecurityChallenge';
  readonly playIncarnation: number;
  readonly cookie: number;
  readonly token: Buffer;
}

export const linkMacToViewerSecurityChallenge: MessageCodec<LinkMacToViewerSecurityChallenge> = {
  type: 'LinkMacToViewerSecurityChallenge',
  mid: MID.LinkMacToViewerSecurityChallenge,
  encode(w, m) {
    w.u32(m.playIncarnation).u32(m.cookie);
    writeToken(w, m.token);
  },
  decode(r) {
    return {
      type: 'LinkMacToViewerSecurityChallenge',
      playIncarnation: r.u32('playIncarnation'),
      cookie: r.u32('cookie'),
      token: readToken(r),
    };
  },
};
