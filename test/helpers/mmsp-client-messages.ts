// The messages an MMS client sends, as netshow's tests build them (values of the verified FFmpeg session,
// mmsp.md §5.1), shared by the machine's unit tests and the server's integration tests.

export const M = {
  connect: {
    type: 'LinkViewerToMacConnect',
    playIncarnation: 0,
    macToViewerProtocolRevision: 0x0004000b,
    viewerToMacProtocolRevision: 0x0003001c,
    subscriberName: 'NSPlayer/7.0.0.1956; {7E667F5D-A661-495E-A512-F55686DDA178}; Host: 127.0.0.1',
  },
  funnelInfo: { type: 'LinkViewerToMacFunnelInfo', playIncarnation: 0xf0f0f0ef },
  connectFunnel: (name = '\\\\192.168.0.129\\TCP\\1037') =>
    ({
      type: 'LinkViewerToMacConnectFunnel',
      playIncarnation: 0,
      maxBlockBytes: 0xffffffff,
      maxFunnelBytes: 0,
      maxBitRate: 0x00989680,
      funnelMode: 2,
      funnelName: name,
    }) as const,
  openFile: (fileName = 't.wmv', playIncarnation = 1) =>
    ({
      type: 'LinkViewerToMacOpenFile',
      playIncarnation,
      spare: 0xffffffff,
      fileName,
      tokenData: null,
    }) as const,
  readBlock: (playIncarnation = 2) =>
    ({
      type: 'LinkViewerToMacReadBlock',
      openFileId: 1,
      fileBlockId: 0,
      offset: 0,
      length: 0x8000,
      flags: 0xffffffff,
      padding: 0,
      tEarliest: 0,
      tDeadline: 3600,
      playIncarnation,
      playSequence: 0,
    }) as const,
  streamSwitch: (...entries: [number, number, number][]) =>
    ({
      type: 'LinkViewerToMacStreamSwitch',
      entries: entries.map(([s, d, t]) => ({ wSrcStreamNumber: s, wDstStreamNumber: d, wThinningLevel: t })),
    }) as const,
  startPlaying: (
    playIncarnation = 4,
    where: { position?: number; locationId?: number; asfOffset?: number } = {},
  ) =>
    ({
      type: 'LinkViewerToMacStartPlaying',
      openFileId: 1,
      padding: 0x0001ffff,
      position: where.position ?? 0,
      asfOffset: where.asfOffset ?? 0xffffffff,
      locationId: where.locationId ?? 0xffffffff,
      frameOffset: 0x00ffffff,
      playIncarnation,
      accel: null,
      linkBandwidth: null,
    }) as const,
  startStriding: {
    type: 'LinkViewerToMacStartStriding',
    openFileId: 1,
    padding: 0,
    position: 0,
    asfOffset: 0xffffffff,
    locationId: 0xffffffff,
    frameOffset: 0,
    playIncarnation: 11,
    rate: 2,
  },
  stopPlaying: (playIncarnation = 4) =>
    ({ type: 'LinkViewerToMacStopPlaying', openFileId: 1, playIncarnation }) as const,
  closeFile: { type: 'LinkViewerToMacCloseFile', playIncarnation: 1, openFileId: 1 },
  pong: { type: 'LinkViewerToMacPong', dwParam1: 0, dwParam2: 0 },
  cancelReadBlock: { type: 'LinkViewerToMacCancelReadBlock', playIncarnation: 2 },
  securityResponse: {
    type: 'LinkViewerToMacSecurityResponse',
    playIncarnation: 1,
    cookie: 1,
    token: Buffer.from('x\0'),
  },
  logging: { type: 'LinkViewerToMacLogging', log: Buffer.alloc(1490) },
} as const;
