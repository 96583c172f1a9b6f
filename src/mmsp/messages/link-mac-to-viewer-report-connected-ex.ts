// LinkMacToViewerReportConnectedEX: answers Connect with the server's limits and version [MS-MMSP 2.2.4.2;
// mmsp.md §2.3].
//
//   M+8  hr                M+12 playIncarnation          M+16 MacToViewerProtocolRevision
//   M+20 ViewerToMacProtocolRevision   M+24 blockGroupPlayTime (DOUBLE)   M+32 blockGroupBlocks
//   M+36 nMaxOpenFiles     M+40 nBlockMaxBytes           M+44 maxBitRate
//   M+48 cbServerVersionInfo  M+52 cbVersionInfo  M+56 cbVersionUrl  M+60 cbAuthenPackage  (characters, NUL incl.)
//   M+64 ServerVersionInfo, VersionInfo, VersionUrl, AuthenPackage: UTF-16LE, back to back, no alignment
import type { MessageCodec } from './codec.js';
import { MID } from './mid.js';
import { readDouble, writeDouble } from './start-fields.js';
import { readWStringChars, wcharCount } from './strings.js';

export interface LinkMacToViewerReportConnectedEX {
  readonly type: 'LinkMacToViewerReportConnectedEX';
  readonly hr: number;
  readonly playIncarnation: number;
  readonly macToViewerProtocolRevision: number;
  readonly viewerToMacProtocolRevision: number;
  readonly blockGroupPlayTime: number;
  readonly blockGroupBlocks: number;
  readonly nMaxOpenFiles: number;
  readonly nBlockMaxBytes: number;
  readonly maxBitRate: number;
  readonly serverVersionInfo: string;
  readonly versionInfo: string;
  readonly versionUrl: string;
  /** `BASIC`, `NTLM`, or empty when the session will not be challenged. */
  readonly authenPackage: string;
}

const STRINGS = ['serverVersionInfo', 'versionInfo', 'versionUrl', 'authenPackage'] as const;

export const linkMacToViewerReportConnectedEX: MessageCodec<LinkMacToViewerReportConnectedEX> = {
  type: 'LinkMacToViewerReportConnectedEX',
  mid: MID.LinkMacToViewerReportConnectedEX,
  encode(w, m) {
    w.u32(m.hr).u32(m.playIncarnation).u32(m.macToViewerProtocolRevision).u32(m.viewerToMacProtocolRevision);
    writeDouble(w, m.blockGroupPlayTime);
    w.u32(m.blockGroupBlocks).u32(m.nMaxOpenFiles).u32(m.nBlockMaxBytes).u32(m.maxBitRate);
    for (const s of STRINGS) w.u32(wcharCount(m[s]));
    for (const s of STRINGS) if (m[s].length > 0) w.bytes(Buffer.from(`${m[s]}\0`, 'utf16le'));
  },
  decode(r) {
    const fixed = {
      hr: r.u32('hr'),
      playIncarnation: r.u32('playIncarnation'),
      macToViewerProtocolRevision: r.u32('MacToViewerProtocolRevision'),
      viewerToMacProtocolRevision: r.u32('ViewerToMacProtocolRevision'),
      blockGroupPlayTime: readDouble(r, 'blockGroupPlayTime'),
      blockGroupBlocks: r.u32('blockGroupBlocks'),
      nMaxOpenFiles: r.u32('nMaxOpenFiles'),
      nBlockMaxBytes: r.u32('nBlockMaxBytes'),
      maxBitRate: r.u32('maxBitRate'),
    };
    const counts = STRINGS.map((s) => r.u32(`cb${s}`));
    const [serverVersionInfo, versionInfo, versionUrl, authenPackage] = STRINGS.map((s, i) => {
      const chars = counts[i]!;
      if (chars * 2 > r.remaining) r.fail('E_MMSP_MESSAGE', `${s}: ${chars} characters exceed the message`);
      return readWStringChars(r, chars, s);
    }) as [string, string, string, string];
    return {
      type: 'LinkMacToViewerReportConnectedEX',
      ...fixed,
      serverVersionInfo,
      versionInfo,
      versionUrl,
      authenPackage,
    };
  },
};
