// The server machine's input options and its output: the buffers to write and the events for the adapter
// [MS-MMSP 3.2; mmsp.md §3].
import type { ProtocolError } from '../core/errors.js';
import type { ClientLogSummary, SubscriberInfo } from './messages/index.js';
import type { PlayLimit, StartPoint, ThinLevel } from './server-rules.js';

/**
 * CONNECTED: TCP accepted, waiting for Connect. INIT: connected, no file open. OPENING: waiting for the adapter's
 * answer to open-file (messages queue). OPEN: file open, header not yet requested. READY: header delivered, not
 * playing. STREAMING: sending Data. CLOSED: done [MS-MMSP 3.2; mmsp.md §3.1].
 */
export type MmspServerState = 'CONNECTED' | 'INIT' | 'OPENING' | 'OPEN' | 'READY' | 'STREAMING' | 'CLOSED';
export type MmspServerEvent =
  /** Connect processed; `client` is what the subscriberName says. */
  | { readonly type: 'connected'; readonly subscriberName: string; readonly client: SubscriberInfo }
  /** Data goes by UDP to the TCP peer's address at this port [MS-MMSP 3.2.5.5]. */
  | { readonly type: 'udp-funnel'; readonly port: number }
  /** Resolve the name; answer with fileOpened() or fileFailed(). Try `path`, then `decodedPath`. */
  | {
      readonly type: 'open-file';
      readonly path: string;
      readonly decodedPath: string | null;
      readonly query: string;
      readonly token: Buffer | null;
    }
  /**
   * Start a play (write `out` first: ReportStartedPlaying precedes the data). Streams not in `selection` are not
   * sent; null = every stream. `incarnation` is the StartPlaying's, for logs; dataPacket() stamps it.
   */
  | {
      readonly type: 'start-playing';
      readonly start: StartPoint;
      readonly selection: ReadonlyMap<number, ThinLevel> | null;
      readonly incarnation: number;
      readonly limit: PlayLimit;
      readonly accel: { readonly bandwidth: number; readonly duration: number } | null;
      readonly linkBandwidth: number | null;
    }
  /** Stop the running play now (StopPlaying, or a seek that replaces it). */
  | { readonly type: 'stop'; readonly reason: 'stop-playing' | 'seek' | 'entry-change' }
  /** Mid-play selection change. */
  | { readonly type: 'stream-switch'; readonly selection: ReadonlyMap<number, ThinLevel> }
  /** After a TCP playlist change: send the held Data from now on (the client restarted, or 2 s passed). */
  | { readonly type: 'resume-data'; readonly incarnation: number }
  | { readonly type: 'logging'; readonly log: Buffer; readonly summary: ClientLogSummary | null }
  /** Something the peer got wrong that was answered or ignored; the session goes on. */
  | { readonly type: 'protocol-error'; readonly error: ProtocolError }
  /** Close the TCP connection after writing `out`; `error` when the peer caused it. */
  | { readonly type: 'close'; readonly reason: string; readonly error?: ProtocolError };

export interface MmspServerOutput {
  /** TCP writes, in order; write each buffer with one socket write. */
  readonly out: Buffer[];
  /** UDP datagrams to the TCP peer's address at the funnel port; send them before `out` (packet pairs precede ReportReadBlock). */
  readonly udp: Buffer[];
  readonly events: MmspServerEvent[];
}

export interface MmspServerOptions {
  /** nCubs: the session's Client-ID, random and unique among live sessions [MS-MMSP 3.2.5.4]. */
  readonly clientId: number;
  /** Announced in ReportConnectedEX; major >= 9 (mmsp.md §2.3). Default `9.01.01.3841`. */
  readonly serverVersion?: string;
  /** Whether UDP funnels are accepted. Default true. */
  readonly allowUdp?: boolean;
  /** Ping after this much silence (both ways on TCP units). Default 30 s, minimum 10 s [MS-MMSP 3.2.2]. */
  readonly keepAliveMs?: number;
  /** Close after this long outside STREAMING. Default 3600 s, minimum 10 s [MS-MMSP 3.2.2]. */
  readonly idleTimeoutMs?: number;
  /** Close this long after the end of on-demand content when the client says nothing. Default 5 s. */
  readonly eosLingerMs?: number;
  /** Close this long after an error ReportOpenFile. Default 2 s (mmsp.md §5.11). */
  readonly errorLingerMs?: number;
  /** Release held Data this long after a TCP playlist change. Default 2 s (mmsp.md §5.7). */
  readonly restartWaitMs?: number;
  /** UDP Data packets kept for resends. Default 1024 (mmsp.md §6.5). */
  readonly resendRing?: number;
  /** Resent packets allowed per second (MMSP 5.1: resends can be abused). Default 1000. */
  readonly resendsPerSecond?: number;
  /** Largest messageLength accepted. Default 65,536. */
  readonly maxMessageLength?: number;
  /** Random bytes for packet-pair payloads; default node:crypto. Tests pass a fixed source. */
  readonly randomBytes?: (n: number) => Buffer;
}
