// LinkMacToViewerReportRedirect: answers OpenFile with "go elsewhere", then the server closes [MS-MMSP 2.2.4.9;
// mmsp.md §2.3, §5.10].
//
//   M+8 hr  M+12 RedirectType u16 (1 URL, 2 proxy)  M+14 cbLocation u16 (bytes, NUL included)
//   M+16 wszLocation  UTF-16LE `mms://host[:port]/path`, NUL-terminated
import type { MessageCodec } from './codec.js';
import { MID } from './mid.js';

export const REDIRECT_TYPE = { url: 1, proxy: 2 } as const;

export interface LinkMacToViewerReportRedirect {
  readonly type: 'LinkMacToViewerReportRedirect';
  readonly hr: number;
  readonly redirectType: number;
  readonly location: string;
}

export const linkMacToViewerReportRedirect: MessageCodec<LinkMacToViewerReportRedirect> = {
  type: 'LinkMacToViewerReportRedirect',
  mid: MID.LinkMacToViewerReportRedirect,
  encode(w, m) {
    const loc = Buffer.from(`${m.location}\0`, 'utf16le');
    w.u32(m.hr).u16(m.redirectType).u16(loc.length).bytes(loc);
  },
  decode(r) {
    const hr = r.u32('hr');
    const redirectType = r.u16('RedirectType');
    const at = r.offset;
    const cb = r.u16('cbLocation');
    if (cb > r.remaining) r.fail('E_MMSP_MESSAGE', `cbLocation ${cb} exceeds the message`, at);
    const text = r.bytes(cb - (cb % 2), 'wszLocation').toString('utf16le');
    const nul = text.indexOf('\0');
    return {
      type: 'LinkMacToViewerReportRedirect',
      hr,
      redirectType,
      location: nul < 0 ? text : text.slice(0, nul),
    };
  },
};
