// What every protocol adapter of the client returns, and the options they all take: one shape so that the
// rollover table (rollover.md §2) can try adapters in order and the recorder does not care which one won.

import type { AttemptFailureKind } from '../core/attempt-failure.js';

/** The protocol and transport of one attempt, as rollover.md §1 names them. */
export type ClientProtocol = 'rtspu' | 'rtspt' | 'mmsu' | 'mmst' | 'mmsh' | 'http';

/** Which streams to receive: every stream, the listed stream numbers, or for MBR the best fit under a bit rate. */
export type StreamSelection =
  | { readonly kind: 'all' }
  | { readonly kind: 'numbers'; readonly numbers: readonly number[] }
  | { readonly kind: 'bandwidth'; readonly bitsPerSecond: number };

export interface OpenOptions {
  /** Start position in milliseconds of presentation time (on-demand only). */
  readonly startMs?: number;
  readonly streams?: StreamSelection;
  /** Ask for faster-than-real-time delivery where the protocol allows it (MMSH/RTSP Speed, Fast Cache). */
  readonly fast?: boolean;
  readonly user?: string;
  readonly password?: string;
  readonly userAgent?: string;
  /** Per-attempt limit for connecting and getting the ASF header; default 5000 ms (rollover.md §2.3). */
  readonly connectTimeoutMs?: number;
  /** Idle limit once streaming: no packet for this long ends the stream with an error; default 15000 ms. */
  readonly idleTimeoutMs?: number;
  /** Ports for the attempts of an `mms://` URL; an explicit URL port wins for its own scheme. */
  readonly ports?: { readonly rtsp?: number; readonly mms?: number; readonly http?: number };
  readonly signal?: AbortSignal;
}

/** One opened stream: the ASF header as the server sent it and the data packets that follow. */
export interface AsfStream {
  readonly protocol: ClientProtocol;
  /** The URL this attempt used (e.g. `rtsp://host:8554/a.wmv` for an `mms://` URL's RTSPU attempt). */
  readonly url: string;
  /** The server's identity (RTSP/HTTP `Server`, MMS server version), when it said one. */
  readonly server?: string;
  /** The complete ASF Header Object, byte for byte as received. */
  readonly header: Buffer;
  /** True for a broadcast (live) stream: no duration, no seeking. */
  readonly live: boolean;
  /**
   * ASF data packets in order. A packet may arrive shorter than the header's fixed packet size (RTSP strips
   * padding, some servers cut it); the recorder pads it back. A stream-change carries the new header.
   * The iterator ends when the server signals end of stream; it throws a ClientError when the transport drops.
   */
  readonly packets: AsyncIterable<StreamItem>;
  /** Stops receiving and closes every socket; safe to call more than once. */
  close(): Promise<void>;
}

export type StreamItem =
  { readonly kind: 'packet'; readonly data: Buffer } | { readonly kind: 'header'; readonly header: Buffer };

/** Why an attempt failed; `final` means another protocol to the same server will not help (404, 401). */
export type FailureKind = 'refused' | AttemptFailureKind;

export class ClientError extends Error {
  constructor(
    readonly kind: FailureKind,
    message: string,
    readonly protocol?: ClientProtocol,
  ) {
    super(message);
    this.name = 'ClientError';
  }
  get final(): boolean {
    return this.kind === 'not-found' || this.kind === 'auth';
  }
}

/** An adapter: opens one protocol for a URL already mapped to it (rollover.md §2.2). */
export type Adapter = (url: URL, options: OpenOptions) => Promise<AsfStream>;
