// LinkViewerToMacLogging: the client's play statistics, a packed 1,490-byte CLIENT_LOG
// [MS-MMSP 2.2.4.20, 2.2.1; mmsp.md §2.4].
//
//   M+8 log: CLIENT_LOG, kept as bytes (padding included): a malformed log must not end the session
import type { MessageCodec } from './codec.js';
import { MID } from './mid.js';

/** Size of CLIENT_LOG [MS-MMSP 2.2.1]. */
export const CLIENT_LOG_SIZE = 1490;

export interface LinkViewerToMacLogging {
  readonly type: 'LinkViewerToMacLogging';
  readonly log: Buffer;
}

export const linkViewerToMacLogging: MessageCodec<LinkViewerToMacLogging> = {
  type: 'LinkViewerToMacLogging',
  mid: MID.LinkViewerToMacLogging,
  encode(w, m) {
    w.bytes(m.log);
  },
  decode(r) {
    return { type: 'LinkViewerToMacLogging', log: r.bytes(r.remaining, 'log') };
  },
};

/** A few CLIENT_LOG fields for the access log; 8-bit NUL-terminated strings, `-` for empty (mmsp.md §2.4). */
export interface ClientLogSummary {
  readonly url: string;
  readonly userAgent: string;
  readonly msPlayed: number;
  readonly transport: string;
}

/** Reads the summary when the log is long enough, else null; never throws. */
export function summarizeClientLog(log: Buffer): ClientLogSummary | null {
  if (log.length < CLIENT_LOG_SIZE) return null;
  const str = (at: number, size: number): string => {
    const raw = log.subarray(at, at + size);
    const end = raw.indexOf(0);
    return raw.subarray(0, end < 0 ? size : end).toString('latin1');
  };
  return {
    url: str(4 + 4, 260),
    userAgent: str(4 + 524, 64),
    msPlayed: log.readUInt32LE(4 + 1100),
    transport: str(1462, 8),
  };
}
