// The message IDs of MS-MMSP: high 16 bits the direction (3 client to server, 4 server to client), low 16 bits
// the message number [MS-MMSP 2.2.4; mmsp.md §2.1].
export const MID = {
  LinkViewerToMacConnect: 0x00030001,
  LinkViewerToMacConnectFunnel: 0x00030002,
  LinkViewerToMacOpenFile: 0x00030005,
  LinkViewerToMacStartPlaying: 0x00030007,
  LinkViewerToMacStopPlaying: 0x00030009,
  LinkViewerToMacCloseFile: 0x0003000d,
  LinkViewerToMacReadBlock: 0x00030015,
  LinkViewerToMacFunnelInfo: 0x00030018,
  LinkViewerToMacSecurityResponse: 0x0003001a,
  LinkViewerToMacPong: 0x0003001b,
  LinkViewerToMacCancelReadBlock: 0x00030025,
  LinkViewerToMacStartStriding: 0x00030028,
  LinkViewerToMacLogging: 0x00030032,
  LinkViewerToMacStreamSwitch: 0x00030033,
  LinkMacToViewerReportConnectedEX: 0x00040001,
  LinkMacToViewerReportConnectedFunnel: 0x00040002,
  LinkMacToViewerReportDisconnectedFunnel: 0x00040003,
  LinkMacToViewerReportStartedPlaying: 0x00040005,
  LinkMacToViewerReportOpenFile: 0x00040006,
  LinkMacToViewerReportStartStriding: 0x0004000a,
  LinkMacToViewerReportReadBlock: 0x00040011,
  LinkMacToViewerReportFunnelInfo: 0x00040015,
  LinkMacToViewerSecurityChallenge: 0x0004001a,
  LinkMacToViewerPing: 0x0004001b,
  LinkMacToViewerReportEndOfStream: 0x0004001e,
  LinkMacToViewerReportStreamChange: 0x00040020,
  LinkMacToViewerReportStreamSwitch: 0x00040021,
  LinkMacToViewerReportRedirect: 0x00040022,
} as const;

export type MessageName = keyof typeof MID;

/** Whether a MID is client-to-server (0x0003xxxx). */
export function isViewerToMac(mid: number): boolean {
  return mid >>> 16 === 0x0003;
}
