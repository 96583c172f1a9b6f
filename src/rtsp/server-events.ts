// The RTSP server machine's options, inputs and outputs: what the adapter gives it, the buffers it returns and
// the events the adapter acts on [MS-RTSP 3.2; rtsp.md §1, §4, §5.1].
import type { ProtocolError } from '../core/errors.js';

/** Where playback starts, as src/streaming's StartPoint (this layer may not import it): `ms` is media time. */
export type StartPoint =
  | { readonly kind: 'start' }
  | { readonly kind: 'time'; readonly ms: number }
  | { readonly kind: 'packet'; readonly number: number };

/** 0 everything, 1 key frames only, 2 nothing (src/streaming's ThinLevel) [MS-RTSP 2.2.7.10.3]. */
export type ThinLevel = 0 | 1 | 2;

/**
 * INIT: no content described. DESCRIBING: waiting for the adapter's answer to 'describe' (requests queue).
 * DESCRIBED: content known, no session. READY: session set up (or paused, or after EndOfStream). PLAYING:
 * data flowing. CLOSED: done.
 */
export type RtspServerState = 'INIT' | 'DESCRIBING' | 'DESCRIBED' | 'READY' | 'PLAYING' | 'CLOSED';

/** Where the session's single data flow goes (rtsp.md §5.1): the first audio/video SETUP's port or channel. */
export type DataPath =
  /** RTP and RTCP to the RTSP connection's peer address at these ports. */
  | { readonly kind: 'udp'; readonly rtpPort: number; readonly rtcpPort: number }
  /** Interleaved on the RTSP connection: RTP on the even channel, RTCP on the odd one. */
  | { readonly kind: 'tcp'; readonly rtpChannel: number; readonly rtcpChannel: number };

/** What the adapter found at a DESCRIBE's path. */
export interface RtspContent {
  /** Header Object + the 50 Data Object bytes. */
  readonly headerBytes: Buffer;
  readonly live: boolean;
  /** Default: not live. */
  readonly seekable?: boolean;
  /** SDP o= id; default from the header's creation date. */
  readonly originId?: string;
  /** SDP a=etag; default the File ID. */
  readonly etag?: string;
  /** X-Broadcast-Id: 0 on demand [rtsp.md §2.1]. */
  readonly broadcastId?: number;
}

export type RtspServerEvent =
  /** Look up the content; answer with described(content) or described(null). `path` is as sent (not decoded). */
  | { readonly type: 'describe'; readonly url: string; readonly path: string; readonly query: string }
  /** A stream (null = rtx) was set up; for logs. */
  | { readonly type: 'setup'; readonly streamNumber: number | null; readonly transport: 'udp' | 'tcp' }
  /**
   * Start delivery (write `out` first: the PLAY reply precedes the data), replacing any running play. Frame
   * each ASF packet with rtpPackets(). `selection`: thin level per SET-UP stream, null = every stream.
   */
  | {
      readonly type: 'play';
      readonly start: StartPoint;
      readonly selection: ReadonlyMap<number, ThinLevel> | null;
      readonly path: DataPath;
      /** The Speed header asked for (echoed), null when absent. */
      readonly speed: number | null;
      readonly live: boolean;
    }
  /** PLAY without Range after PAUSE: go on from where the play stopped. */
  | { readonly type: 'resume'; readonly path: DataPath }
  | { readonly type: 'pause' }
  /** The stream selection changed during a play (SETUP of another stream, SelectStream). */
  | { readonly type: 'select'; readonly selection: ReadonlyMap<number, ThinLevel> | null }
  /** The session ended (TEARDOWN, timeout, connection gone): stop delivery. */
  | { readonly type: 'teardown'; readonly reason: 'teardown' | 'timeout' | 'closed' }
  /** Something the peer got wrong that was answered with an error status; the connection goes on. */
  | { readonly type: 'protocol-error'; readonly error: ProtocolError }
  /** Close the TCP connection after writing `out`. */
  | { readonly type: 'close'; readonly reason: string; readonly error?: ProtocolError };

export interface RtspServerOutput {
  /** Writes on the RTSP TCP connection, in order (replies, server requests, interleaved RTCP). */
  readonly out: Buffer[];
  /** UDP RTCP datagrams for the data path's rtcpPort (UDP sessions only), after `out`. */
  readonly rtcp: Buffer[];
  readonly events: RtspServerEvent[];
}

export interface RtspServerOptions {
  /** The session id: digits, random, unique among live sessions (WMS used ~20 digits) [rtsp.md §2.1]. */
  readonly sessionId: string;
  /** The data flow's SSRC, random. */
  readonly ssrc: number;
  /** The first RTP sequence number, random u16. */
  readonly initialSequence: number;
  /** The server's UDP RTP/RTCP ports; null or absent: UDP SETUPs get 461 (FFmpeg then retries over TCP). */
  readonly udpServerPorts?: readonly [number, number] | null;
  /** Default true. */
  readonly allowTcp?: boolean;
  /** Must start with `WMServer/` (FFmpeg and GStreamer key on it). Default `WMServer/9.1.1.5000`. */
  readonly serverHeader?: string;
  /** Default 60 s; announced in `Session: id;timeout=60`. */
  readonly sessionTimeoutMs?: number;
  /** Largest RTP packet over UDP (RTP header included); larger ASF packets are fragmented. Default 1472. */
  readonly udpMaxPacket?: number;
  /** Default 5 s (rtsp.md §4.7). */
  readonly senderReportIntervalMs?: number;
  /** UDP: the BYEs go this long after EndOfStream (FFmpeg polls RTCP separately). Default 1 s. */
  readonly byeDelayMs?: number;
  /** TCP: close this long after EndOfStream when no TEARDOWN came. Default 5 s. */
  readonly eosCloseMs?: number;
  /** Added to the machine's time to get Unix ms for RTCP NTP timestamps. Default 0. */
  readonly epochOffsetMs?: number;
  /** Largest request body. Default 64 KiB. */
  readonly maxBodyBytes?: number;
}
