// LinkViewerToMacOpenFile: the client asks for a file or publishing point [MS-MMSP 2.2.4.21; mmsp.md §2.2].
//
//   M+8  playIncarnation  M+12 spare  M+16 token (byte offset of tokenData from fileName)  M+20 cbtoken
//   M+24 fileName         UTF-16LE, NUL-terminated, not percent-encoded
//   M+24+token            tokenData, cbtoken bytes (Basic: base64 `user:password` + NUL; NTLM: 00 00 + token)
import type { MessageCodec } from './codec.js';
import { MID } from './mid.js';
import { readWString } from './strings.js';

export interface LinkViewerToMacOpenFile {
  readonly type: 'LinkViewerToMacOpenFile';
  readonly playIncarnation: number;
  readonly spare: number;
  readonly fileName: string;
  /** The authentication token, or null when cbtoken is 0. */
  readonly tokenData: Buffer | null;
}

export const linkViewerToMacOpenFile: MessageCodec<LinkViewerToMacOpenFile> = {
  type: 'LinkViewerToMacOpenFile',
  mid: MID.LinkViewerToMacOpenFile,
  encode(w, m) {
    const name = Buffer.from(`${m.fileName}\0`, 'utf16le');
    const token = m.tokenData ?? Buffer.alloc(0);
    w.u32(m.playIncarnation)
      .u32(m.spare)
      .u32(token.length > 0 ? name.length : 0)
      .u32(token.length)
      .bytes(name)
      .bytes(token);
  },
  decode(r) {
    const playIncarnation = r.u32('playIncarnation');
    const spare = r.u32('spare');
    const token = r.u32('token');
    const cbtoken = r.u32('cbtoken');
    const nameAt = r.pos;
    const fileName = readWString(r, 'fileName');
    let tokenData: Buffer | null = null;
    if (cbtoken > 0) {
      // mmsp.md §2.2: bounds-check token and cbtoken against the message.
      if (token > r.buf.length - nameAt || cbtoken > r.buf.length - nameAt - token) {
        r.fail('E_MMSP_MESSAGE', `tokenData at ${token} (${cbtoken} bytes) lies outside the message`);
      }
      tokenData = r.buf.subarray(nameAt + token, nameAt + token + cbtoken);
    }
    return { type: 'LinkViewerToMacOpenFile', playIncarnation, spare, fileName, tokenData };
  },
};
