// The server's replies built from session facts: ConnectedEX, FunnelInfo, OpenFile, StartedPlaying, and the
// answers to requests refused in the current state [MS-MMSP 2.2.4; mmsp.md §2.3, §3.2, §5.11].
import { FILE_ATTRIBUTES, type MacToViewerMessage, type ViewerToMacMessage } from './messages/index.js';
import { HRESULT, PACKET_PAIR_INCARNATION, PROTOCOL_REVISION } from './hresult.js';
import type { OpenedFile } from './server-rules.js';

/** [MS-MMSP 3.2.5.7] nMaxOpenFiles is 1 and the open-source clients hardcode openFileId 1 (mmsp.md 9.16). */
export const OPEN_FILE_ID = 1;

/** [MS-MMSP 2.2.4.2] mmsp.md §2.3, V2. */
export function reportConnectedEX(serverVersion: string, packetPair: boolean): MacToViewerMessage {
  return {
    type: 'LinkMacToViewerReportConnectedEX',
    hr: HRESULT.S_OK,
    // mmsp.md §1.6: echo 0xF0F0F0F0 when the client asked for packet pair, else "none".
    playIncarnation: packetPair ? PACKET_PAIR_INCARNATION.requested : PACKET_PAIR_INCARNATION.none,
    macToViewerProtocolRevision: PROTOCOL_REVISION.macToViewer,
    viewerToMacProtocolRevision: PROTOCOL_REVISION.viewerToMac,
    blockGroupPlayTime: 1.0,
    blockGroupBlocks: 1,
    nMaxOpenFiles: 1,
    nBlockMaxBytes: 0x8000,
    maxBitRate: 0x00989680,
    serverVersionInfo: serverVersion,
    versionInfo: '',
    versionUrl: '',
    authenPackage: '',
  };
}

/** [MS-MMSP 2.2.4.6] mmsp.md §2.3, V4. */
export function reportFunnelInfo(
  clientId: number,
  playIncarnation: number = PACKET_PAIR_INCARNATION.none,
  packetPairBytes: Buffer = Buffer.alloc(0),
): MacToViewerMessage {
  return {
    type: 'LinkMacToViewerReportFunnelInfo',
    hr: HRESULT.S_OK,
    playIncarnation,
    transportMask: 8,
    nBlockFragments: 1,
    fragmentBytes: 0x10000,
    nCubs: clientId >>> 0,
    failedCubs: 0,
    nDisks: 1,
    decluster: 0,
    cubddDatagramSize: 0,
    packetPairBytes,
  };
}

/** The spec's answer to a request that is impossible in this state, or null (mmsp.md §3.2, §5.11). */
export function refusal(m: ViewerToMacMessage): MacToViewerMessage | null {
  switch (m.type) {
    case 'LinkViewerToMacConnectFunnel':
      return {
        type: 'LinkMacToViewerReportDisconnectedFunnel',
        hr: HRESULT.NS_E_INVALID_REQUEST,
        playIncarnation: 0,
      };
    case 'LinkViewerToMacOpenFile':
      return reportOpenFile(m.playIncarnation, HRESULT.NS_E_OPEN_FILE_LIMIT, null);
    case 'LinkViewerToMacStartPlaying':
      return startedPlaying(m.playIncarnation, HRESULT.NS_E_INVALID_REQUEST);
    case 'LinkViewerToMacStartStriding':
      return {
        type: 'LinkMacToViewerReportStartStriding',
        hr: HRESULT.NS_E_INVALID_REQUEST,
        playIncarnation: m.playIncarnation,
        spare: 0,
      };
    default:
      return null;
  }
}

export function startedPlaying(playIncarnation: number, hr: number): MacToViewerMessage {
  return {
    type: 'LinkMacToViewerReportStartedPlaying',
    hr,
    playIncarnation,
    tigerFileId: OPEN_FILE_ID,
    unused1: 0,
  };
}

/** ReportOpenFile for a file, or an error one (openFileId 0, all zeros) [MS-MMSP 2.2.4.7; mmsp.md §2.3]. */
export function reportOpenFile(
  playIncarnation: number,
  hr: number,
  file: OpenedFile | null,
): MacToViewerMessage {
  const live = file?.broadcast ?? false;
  let attributes = 0;
  if (file !== null) {
    if (live) attributes = FILE_ATTRIBUTES.broadcast;
    else if (file.seekable && !file.playlist) attributes = FILE_ATTRIBUTES.canSeek;
    if (file.playlist) attributes |= FILE_ATTRIBUTES.playlist;
  }
  // mmsp.md §2.3: PlayDuration/1e7 - Preroll/1000, computed that way so the bytes match the verified capture.
  const seconds = file === null || live ? 0 : (file.durationMs + file.preroll) / 1000 - file.preroll / 1000;
  return {
    type: 'LinkMacToViewerReportOpenFile',
    hr,
    playIncarnation,
    openFileId: file === null ? 0 : OPEN_FILE_ID,
    padding: 0,
    fileName: 0,
    fileAttributes: attributes,
    fileDuration: seconds,
    fileBlocks: Math.ceil(seconds),
    filePacketSize: file?.packetSize ?? 0,
    filePacketCount: file === null || live ? 0 : file.packetCount,
    fileBitRate: file?.bitRate ?? 0,
    fileHeaderSize: file?.headerBytes.length ?? 0,
  };
}
