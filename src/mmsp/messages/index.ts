// Every MS-MMSP message by MID: the table, `decodeMessage` and `encodeMessage` [MS-MMSP 2.2.4; mmsp.md §2.1].
import { Reader, Writer } from '../../core/bytes.js';
import { frameMessage, type TcpMessage, type UnitStamp } from '../tcp-message.js';
import type { MessageCodec } from './codec.js';
import { linkMacToViewerPing, type LinkMacToViewerPing } from './link-mac-to-viewer-ping.js';
import {
  linkMacToViewerReportConnectedEX,
  type LinkMacToViewerReportConnectedEX,
} from './link-mac-to-viewer-report-connected-ex.js';
import {
  linkMacToViewerReportConnectedFunnel,
  type LinkMacToViewerReportConnectedFunnel,
} from './link-mac-to-viewer-report-connected-funnel.js';
import {
  linkMacToViewerReportDisconnectedFunnel,
  type LinkMacToViewerReportDisconnectedFunnel,
} from './link-mac-to-viewer-report-disconnected-funnel.js';
import {
  linkMacToViewerReportEndOfStream,
  type LinkMacToViewerReportEndOfStream,
} from './link-mac-to-viewer-report-end-of-stream.js';
import {
  linkMacToViewerReportFunnelInfo,
  type LinkMacToViewerReportFunnelInfo,
} from './link-mac-to-viewer-report-funnel-info.js';
import {
  linkMacToViewerReportOpenFile,
  type LinkMacToViewerReportOpenFile,
} from './link-mac-to-viewer-report-open-file.js';
import {
  linkMacToViewerReportReadBlock,
  type LinkMacToViewerReportReadBlock,
} from './link-mac-to-viewer-report-read-block.js';
import {
  linkMacToViewerReportRedirect,
  type LinkMacToViewerReportRedirect,
} from './link-mac-to-viewer-report-redirect.js';
import {
  linkMacToViewerReportStartStriding,
  type LinkMacToViewerReportStartStriding,
} from './link-mac-to-viewer-report-start-striding.js';
import {
  linkMacToViewerReportStartedPlaying,
  type LinkMacToViewerReportStartedPlaying,
} from './link-mac-to-viewer-report-started-playing.js';
import {
  linkMacToViewerReportStreamChange,
  type LinkMacToViewerReportStreamChange,
} from './link-mac-to-viewer-report-stream-change.js';
import {
  linkMacToViewerReportStreamSwitch,
  type LinkMacToViewerReportStreamSwitch,
} from './link-mac-to-viewer-report-stream-switch.js';
import {
  linkMacToViewerSecurityChallenge,
  type LinkMacToViewerSecurityChallenge,
} from './link-mac-to-viewer-security-challenge.js';
import {
  linkViewerToMacCancelReadBlock,
  type LinkViewerToMacCancelReadBlock,
} from './link-viewer-to-mac-cancel-read-block.js';
import { linkViewerToMacCloseFile, type LinkViewerToMacCloseFile } from './link-viewer-to-mac-close-file.js';
import {
  linkViewerToMacConnectFunnel,
  type LinkViewerToMacConnectFunnel,
} from './link-viewer-to-mac-connect-funnel.js';
import { linkViewerToMacConnect, type LinkViewerToMacConnect } from './link-viewer-to-mac-connect.js';
import {
  linkViewerToMacFunnelInfo,
  type LinkViewerToMacFunnelInfo,
} from './link-viewer-to-mac-funnel-info.js';
import { linkViewerToMacLogging, type LinkViewerToMacLogging } from './link-viewer-to-mac-logging.js';
import { linkViewerToMacOpenFile, type LinkViewerToMacOpenFile } from './link-viewer-to-mac-open-file.js';
import { linkViewerToMacPong, type LinkViewerToMacPong } from './link-viewer-to-mac-pong.js';
import { linkViewerToMacReadBlock, type LinkViewerToMacReadBlock } from './link-viewer-to-mac-read-block.js';
import {
  linkViewerToMacSecurityResponse,
  type LinkViewerToMacSecurityResponse,
} from './link-viewer-to-mac-security-response.js';
import {
  linkViewerToMacStartPlaying,
  type LinkViewerToMacStartPlaying,
} from './link-viewer-to-mac-start-playing.js';
import {
  linkViewerToMacStartStriding,
  type LinkViewerToMacStartStriding,
} from './link-viewer-to-mac-start-striding.js';
import {
  linkViewerToMacStopPlaying,
  type LinkViewerToMacStopPlaying,
} from './link-viewer-to-mac-stop-playing.js';
import {
  linkViewerToMacStreamSwitch,
  type LinkViewerToMacStreamSwitch,
} from './link-viewer-to-mac-stream-switch.js';

/** A message whose MID MS-MMSP does not define (Wireshark knows a client 0x30): logged and ignored. */
export interface UnknownMessage {
  readonly type: 'Unknown';
  readonly mid: number;
  readonly body: Buffer;
}

export type ViewerToMacMessage =
  | LinkViewerToMacCancelReadBlock
  | LinkViewerToMacCloseFile
  | LinkViewerToMacConnectFunnel
  | LinkViewerToMacConnect
  | LinkViewerToMacFunnelInfo
  | LinkViewerToMacLogging
  | LinkViewerToMacOpenFile
  | LinkViewerToMacPong
  | LinkViewerToMacReadBlock
  | LinkViewerToMacSecurityResponse
  | LinkViewerToMacStartPlaying
  | LinkViewerToMacStartStriding
  | LinkViewerToMacStopPlaying
  | LinkViewerToMacStreamSwitch;

export type MacToViewerMessage =
  | LinkMacToViewerPing
  | LinkMacToViewerReportConnectedEX
  | LinkMacToViewerReportConnectedFunnel
  | LinkMacToViewerReportDisconnectedFunnel
  | LinkMacToViewerReportEndOfStream
  | LinkMacToViewerReportFunnelInfo
  | LinkMacToViewerReportOpenFile
  | LinkMacToViewerReportReadBlock
  | LinkMacToViewerReportRedirect
  | LinkMacToViewerReportStartStriding
  | LinkMacToViewerReportStartedPlaying
  | LinkMacToViewerReportStreamChange
  | LinkMacToViewerReportStreamSwitch
  | LinkMacToViewerSecurityChallenge;

export type MmspMessage = ViewerToMacMessage | MacToViewerMessage;

/** Codecs declare `encode` as a method, so each message's codec fits this (bivariant) slot. */
type AnyCodec = MessageCodec<{ readonly type: string }>;

const CODECS: readonly AnyCodec[] = [
  linkMacToViewerPing,
  linkMacToViewerReportConnectedEX,
  linkMacToViewerReportConnectedFunnel,
  linkMacToViewerReportDisconnectedFunnel,
  linkMacToViewerReportEndOfStream,
  linkMacToViewerReportFunnelInfo,
  linkMacToViewerReportOpenFile,
  linkMacToViewerReportReadBlock,
  linkMacToViewerReportRedirect,
  linkMacToViewerReportStartStriding,
  linkMacToViewerReportStartedPlaying,
  linkMacToViewerReportStreamChange,
  linkMacToViewerReportStreamSwitch,
  linkMacToViewerSecurityChallenge,
  linkViewerToMacCancelReadBlock,
  linkViewerToMacCloseFile,
  linkViewerToMacConnectFunnel,
  linkViewerToMacConnect,
  linkViewerToMacFunnelInfo,
  linkViewerToMacLogging,
  linkViewerToMacOpenFile,
  linkViewerToMacPong,
  linkViewerToMacReadBlock,
  linkViewerToMacSecurityResponse,
  linkViewerToMacStartPlaying,
  linkViewerToMacStartStriding,
  linkViewerToMacStopPlaying,
  linkViewerToMacStreamSwitch,
];

/** The MID table: codec by MID. */
export const MESSAGES_BY_MID: ReadonlyMap<number, AnyCodec> = new Map(CODECS.map((c) => [c.mid, c]));
const BY_TYPE: ReadonlyMap<string, AnyCodec> = new Map(CODECS.map((c) => [c.type, c]));

/** The message in a decoded TCP unit; unknown MIDs become UnknownMessage. Throws only ProtocolError. */
export function decodeMessage(m: TcpMessage): MmspMessage | UnknownMessage {
  const codec = MESSAGES_BY_MID.get(m.mid);
  if (codec === undefined) return { type: 'Unknown', mid: m.mid, body: m.body };
  const r = new Reader(m.body, m.body.byteOffset, codec.type);
  return codec.decode(r) as MmspMessage;
}

/** The fields of a message after its MID, unpadded. */
export function encodeMessageFields(m: MmspMessage): Buffer {
  const codec = BY_TYPE.get(m.type)!;
  const w = new Writer(64);
  codec.encode(w, m);
  return w.toBuffer();
}

/** One TCP unit carrying the message [MS-MMSP 2.2.3]. */
export function encodeMessage(m: MmspMessage, stamp: UnitStamp = {}): Buffer {
  return frameMessage(BY_TYPE.get(m.type)!.mid, encodeMessageFields(m), stamp);
}

export { linkMacToViewerPing, type LinkMacToViewerPing } from './link-mac-to-viewer-ping.js';
export {
  linkMacToViewerReportConnectedEX,
  type LinkMacToViewerReportConnectedEX,
} from './link-mac-to-viewer-report-connected-ex.js';
export {
  linkMacToViewerReportConnectedFunnel,
  type LinkMacToViewerReportConnectedFunnel,
} from './link-mac-to-viewer-report-connected-funnel.js';
export {
  linkMacToViewerReportDisconnectedFunnel,
  type LinkMacToViewerReportDisconnectedFunnel,
} from './link-mac-to-viewer-report-disconnected-funnel.js';
export {
  linkMacToViewerReportEndOfStream,
  type LinkMacToViewerReportEndOfStream,
} from './link-mac-to-viewer-report-end-of-stream.js';
export {
  linkMacToViewerReportFunnelInfo,
  type LinkMacToViewerReportFunnelInfo,
} from './link-mac-to-viewer-report-funnel-info.js';
export {
  linkMacToViewerReportOpenFile,
  type LinkMacToViewerReportOpenFile,
} from './link-mac-to-viewer-report-open-file.js';
export {
  linkMacToViewerReportReadBlock,
  type LinkMacToViewerReportReadBlock,
} from './link-mac-to-viewer-report-read-block.js';
export {
  linkMacToViewerReportRedirect,
  type LinkMacToViewerReportRedirect,
} from './link-mac-to-viewer-report-redirect.js';
export {
  linkMacToViewerReportStartStriding,
  type LinkMacToViewerReportStartStriding,
} from './link-mac-to-viewer-report-start-striding.js';
export {
  linkMacToViewerReportStartedPlaying,
  type LinkMacToViewerReportStartedPlaying,
} from './link-mac-to-viewer-report-started-playing.js';
export {
  linkMacToViewerReportStreamChange,
  type LinkMacToViewerReportStreamChange,
} from './link-mac-to-viewer-report-stream-change.js';
export {
  linkMacToViewerReportStreamSwitch,
  type LinkMacToViewerReportStreamSwitch,
} from './link-mac-to-viewer-report-stream-switch.js';
export {
  linkMacToViewerSecurityChallenge,
  type LinkMacToViewerSecurityChallenge,
} from './link-mac-to-viewer-security-challenge.js';
export {
  linkViewerToMacCancelReadBlock,
  type LinkViewerToMacCancelReadBlock,
} from './link-viewer-to-mac-cancel-read-block.js';
export { linkViewerToMacCloseFile, type LinkViewerToMacCloseFile } from './link-viewer-to-mac-close-file.js';
export {
  linkViewerToMacConnectFunnel,
  type LinkViewerToMacConnectFunnel,
} from './link-viewer-to-mac-connect-funnel.js';
export { linkViewerToMacConnect, type LinkViewerToMacConnect } from './link-viewer-to-mac-connect.js';
export {
  linkViewerToMacFunnelInfo,
  type LinkViewerToMacFunnelInfo,
} from './link-viewer-to-mac-funnel-info.js';
export { linkViewerToMacLogging, type LinkViewerToMacLogging } from './link-viewer-to-mac-logging.js';
export { linkViewerToMacOpenFile, type LinkViewerToMacOpenFile } from './link-viewer-to-mac-open-file.js';
export { linkViewerToMacPong, type LinkViewerToMacPong } from './link-viewer-to-mac-pong.js';
export { linkViewerToMacReadBlock, type LinkViewerToMacReadBlock } from './link-viewer-to-mac-read-block.js';
export {
  linkViewerToMacSecurityResponse,
  type LinkViewerToMacSecurityResponse,
} from './link-viewer-to-mac-security-response.js';
export {
  linkViewerToMacStartPlaying,
  type LinkViewerToMacStartPlaying,
} from './link-viewer-to-mac-start-playing.js';
export {
  linkViewerToMacStartStriding,
  type LinkViewerToMacStartStriding,
} from './link-viewer-to-mac-start-striding.js';
export {
  linkViewerToMacStopPlaying,
  type LinkViewerToMacStopPlaying,
} from './link-viewer-to-mac-stop-playing.js';
export {
  linkViewerToMacStreamSwitch,
  type LinkViewerToMacStreamSwitch,
} from './link-viewer-to-mac-stream-switch.js';
export { MID, isViewerToMac, type MessageName } from './mid.js';
export { parseSubscriberName, type SubscriberInfo } from './link-viewer-to-mac-connect.js';
export { parseFunnelName, formatFunnelName, type FunnelName } from './link-viewer-to-mac-connect-funnel.js';
export { NO_STREAM, type StreamSwitchEntry } from './link-viewer-to-mac-stream-switch.js';
export { CLIENT_LOG_SIZE, summarizeClientLog, type ClientLogSummary } from './link-viewer-to-mac-logging.js';
export { FILE_ATTRIBUTES } from './link-mac-to-viewer-report-open-file.js';
export { FUNNEL_OF_THE_GODS } from './link-mac-to-viewer-report-connected-funnel.js';
export { REDIRECT_TYPE } from './link-mac-to-viewer-report-redirect.js';
export { DBL_MAX, FRAME_OFFSET_NO_LIMIT, UNUSED, type StartFields } from './start-fields.js';
export type { MessageCodec } from './codec.js';
