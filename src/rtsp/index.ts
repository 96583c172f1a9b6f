// The public API of the pure MS-RTSP layer: RTSP messages and the interleaved stream decoder, headers, SDP with
// the ASF header, RTP/RTCP, the ASF RTP payload format, and the server machine [MS-RTSP; rtsp.md].
export * from './message.js';
export * from './headers.js';
export * from './sdp.js';
export * from './rtp.js';
export * from './rtp-asf.js';
export * from './asf-padding.js';
export * from './server-rules.js';
export * from './server-replies.js';
export { RtspServerMachine, METHODS, allowedStates, type RtspMethod } from './server-machine.js';
export type * from './server-events.js';
