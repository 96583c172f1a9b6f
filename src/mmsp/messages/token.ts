// The counted token of SecurityChallenge and SecurityResponse: cbToken, then that many bytes
// [MS-MMSP 2.2.4.14, 2.2.4.24].
import type { Reader, Writer } from '../../core/bytes.js';

export function writeToken(w: Writer, token: Buffer): void {
  w.u32(token.length).bytes(token);
}

/** Reads cbToken and the token, bounds-checked against the message. */
export function readToken(r: Reader): Buffer {
  const at = r.offset;
  const cb = r.u32('cbToken');
  if (cb > r.remaining) r.fail('E_MMSP_MESSAGE', `cbToken ${cb} exceeds the ${r.remaining} bytes left`, at);
  return r.bytes(cb, 'pToken');
}
