// Every MS-MMSP message: case table (decode, encode, round trip, every split point through the TCP decoder,
// trailing bytes), with the verified wire captures of mmsp.md §8 as cases.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProtocolError } from '../../../src/core/errors.js';
import {
  decodeMessage,
  encodeMessage,
  encodeMessageFields,
  MESSAGES_BY_MID,
  MID,
  parseFunnelName,
  parseSubscriberName,
  summarizeClientLog,
  CLIENT_LOG_SIZE,
  type MmspMessage,
  type UnknownMessage,
} from '../../../src/mmsp/messages/index.js';
import { TcpMessageDecoder, frameMessage, type TcpFrame } from '../../../src/mmsp/tcp-message.js';
import { V, hex } from './vectors.js';

interface Case {
  readonly name: string;
  /** The whole TCP unit. */
  readonly hex: string;
  readonly value: MmspMessage;
  readonly seq: number;
  /** The encoder writes a different (canonical) form: decode only. */
  readonly decodeOnly?: boolean;
}

const START = {
  openFileId: 1,
  padding: 0x0001ffff,
  position: 0,
  asfOffset: 0xffffffff,
  locationId: 0xffffffff,
  frameOffset: 0x00ffffff,
  playIncarnation: 4,
};

/** A unit built from the fields, for messages with no capture. */
const unit = (mid: number, fields: string, seq = 0): string =>
  frameMessage(mid, hex(fields), { seq }).toString('hex');

const u16le = (s: string): string => Buffer.from(s, 'utf16le').toString('hex');

const cases: readonly Case[] = [
  {
    name: 'V1 Connect as FFmpeg sends it',
    hex: V.V1,
    seq: 0,
    value: {
      type: 'LinkViewerToMacConnect',
      playIncarnation: 0,
      macToViewerProtocolRevision: 0x0004000b,
      viewerToMacProtocolRevision: 0x0003001c,
      subscriberName: 'NSPlayer/7.0.0.1956; {7E667F5D-A661-495E-A512-F55686DDA178}; Host: 127.0.0.1',
    },
  },
  {
    name: 'V2 ReportConnectedEX',
    hex: V.V2,
    seq: 0,
    value: {
      type: 'LinkMacToViewerReportConnectedEX',
      hr: 0,
      playIncarnation: 0xf0f0f0ef,
      macToViewerProtocolRevision: 0x0004000b,
      viewerToMacProtocolRevision: 0x0003001c,
      blockGroupPlayTime: 1,
      blockGroupBlocks: 1,
      nMaxOpenFiles: 1,
      nBlockMaxBytes: 0x8000,
      maxBitRate: 0x00989680,
      serverVersionInfo: '9.01.01.3841',
      versionInfo: '',
      versionUrl: '',
      authenPackage: '',
    },
  },
  {
    name: 'ReportConnectedEX with every string and BASIC',
    hex: unit(
      MID.LinkMacToViewerReportConnectedEX,
      '00000000 f0f0f0f0 0b000400 1c000300 000000000000f03f 01000000 01000000 00800000 80969800' +
        ` 04000000 02000000 03000000 06000000 ${u16le('9.1\0v\0ab\0BASIC\0')}`,
      1,
    ),
    seq: 1,
    value: {
      type: 'LinkMacToViewerReportConnectedEX',
      hr: 0,
      playIncarnation: 0xf0f0f0f0,
      macToViewerProtocolRevision: 0x0004000b,
      viewerToMacProtocolRevision: 0x0003001c,
      blockGroupPlayTime: 1,
      blockGroupBlocks: 1,
      nMaxOpenFiles: 1,
      nBlockMaxBytes: 0x8000,
      maxBitRate: 0x00989680,
      serverVersionInfo: '9.1',
      versionInfo: 'v',
      versionUrl: 'ab',
      authenPackage: 'BASIC',
    },
  },
  {
    name: 'V3 FunnelInfo as FFmpeg sends it (stray bytes in the padding)',
    hex: V.V3,
    seq: 1,
    value: { type: 'LinkViewerToMacFunnelInfo', playIncarnation: 0x00f0f0f0 },
    decodeOnly: true,
  },
  {
    name: 'FunnelInfo asking for UDP packet pair',
    hex: unit(MID.LinkViewerToMacFunnelInfo, '01f9f0f0'),
    seq: 0,
    value: { type: 'LinkViewerToMacFunnelInfo', playIncarnation: 0xf0f0f901 },
  },
  {
    name: 'V4 ReportFunnelInfo',
    hex: V.V4,
    seq: 1,
    value: {
      type: 'LinkMacToViewerReportFunnelInfo',
      hr: 0,
      playIncarnation: 0xf0f0f0ef,
      transportMask: 8,
      nBlockFragments: 1,
      fragmentBytes: 0x10000,
      nCubs: 0x1234abcd,
      failedCubs: 0,
      nDisks: 1,
      decluster: 0,
      cubddDatagramSize: 0,
      packetPairBytes: Buffer.alloc(0),
    },
  },
  {
    name: 'V5 ConnectFunnel as FFmpeg sends it',
    hex: V.V5,
    seq: 2,
    value: {
      type: 'LinkViewerToMacConnectFunnel',
      playIncarnation: 0,
      maxBlockBytes: 0xffffffff,
      maxFunnelBytes: 0,
      maxBitRate: 0x00989680,
      funnelMode: 2,
      funnelName: '\\\\192.168.0.129\\TCP\\1037',
    },
  },
  {
    name: 'V6 ConnectFunnel as VLC sends it for mmsu:// (a "0" after the NUL)',
    hex: V.V6,
    seq: 1,
    value: {
      type: 'LinkViewerToMacConnectFunnel',
      playIncarnation: 0,
      maxBlockBytes: 0xffffffff,
      maxFunnelBytes: 0,
      maxBitRate: 0x000a0000,
      funnelMode: 2,
      funnelName: '\\\\127.0.0.1\\UDP\\7000',
    },
    decodeOnly: true,
  },
  {
    name: 'V7 ReportConnectedFunnel',
    hex: V.V7,
    seq: 2,
    value: {
      type: 'LinkMacToViewerReportConnectedFunnel',
      hr: 0,
      playIncarnation: 0,
      packetPayloadSize: 0,
      funnelName: 'Funnel Of The Gods',
    },
  },
  {
    name: 'ReportDisconnectedFunnel NS_E_NOFUNNEL',
    hex: unit(MID.LinkMacToViewerReportDisconnectedFunnel, '0c000dc0 00000000'),
    seq: 0,
    value: { type: 'LinkMacToViewerReportDisconnectedFunnel', hr: 0xc00d000c, playIncarnation: 0 },
  },
  {
    name: 'V8 OpenFile as FFmpeg sends it',
    hex: V.V8,
    seq: 3,
    value: {
      type: 'LinkViewerToMacOpenFile',
      playIncarnation: 1,
      spare: 0xffffffff,
      fileName: 't.wmv',
      tokenData: null,
    },
  },
  {
    name: 'OpenFile with a Basic token at offset 0x10 (mmsp.md §2.2 example)',
    hex: unit(
      MID.LinkViewerToMacOpenFile,
      `01000000 00000000 10000000 05000000 ${u16le('abc.asf\0')} 6454707700`,
    ),
    seq: 0,
    value: {
      type: 'LinkViewerToMacOpenFile',
      playIncarnation: 1,
      spare: 0,
      fileName: 'abc.asf',
      tokenData: Buffer.from('dTpw\0', 'latin1'),
    },
  },
  {
    name: 'V9 ReportOpenFile for t.wmv',
    hex: V.V9,
    seq: 3,
    value: {
      type: 'LinkMacToViewerReportOpenFile',
      hr: 0,
      playIncarnation: 1,
      openFileId: 1,
      padding: 0,
      fileName: 0,
      fileAttributes: 0x01800000,
      fileDuration: 9146 / 1000 - 3100 / 1000,
      fileBlocks: 7,
      filePacketSize: 3200,
      filePacketCount: 78,
      fileBitRate: 364000,
      fileHeaderSize: 809,
    },
  },
  {
    name: 'V10 ReportOpenFile for a missing file',
    hex: V.V10,
    seq: 3,
    value: {
      type: 'LinkMacToViewerReportOpenFile',
      hr: 0xc00d001a,
      playIncarnation: 1,
      openFileId: 0,
      padding: 0,
      fileName: 0,
      fileAttributes: 0,
      fileDuration: 0,
      fileBlocks: 0,
      filePacketSize: 0,
      filePacketCount: 0,
      fileBitRate: 0,
      fileHeaderSize: 0,
    },
  },
  {
    name: 'V11 ReadBlock as FFmpeg sends it',
    hex: V.V11,
    seq: 4,
    value: {
      type: 'LinkViewerToMacReadBlock',
      openFileId: 1,
      fileBlockId: 0,
      offset: 0,
      length: 0x00800000,
      flags: 0xffffffff,
      padding: 0,
      tEarliest: 0,
      tDeadline: 3600,
      playIncarnation: 2,
      playSequence: 0,
    },
  },
  {
    name: 'V12 ReportReadBlock',
    hex: V.V12,
    seq: 4,
    value: { type: 'LinkMacToViewerReportReadBlock', hr: 0, playIncarnation: 2, playSequence: 0 },
  },
  {
    name: 'V14 StreamSwitch as FFmpeg sends it',
    hex: V.V14,
    seq: 5,
    value: {
      type: 'LinkViewerToMacStreamSwitch',
      entries: [
        { wSrcStreamNumber: 0xffff, wDstStreamNumber: 1, wThinningLevel: 0 },
        { wSrcStreamNumber: 0xffff, wDstStreamNumber: 2, wThinningLevel: 0 },
      ],
    },
  },
  {
    name: 'StreamSwitch with one entry (padding is not an entry)',
    hex: unit(MID.LinkViewerToMacStreamSwitch, '01000000 ffff0300 0200'),
    seq: 0,
    value: {
      type: 'LinkViewerToMacStreamSwitch',
      entries: [{ wSrcStreamNumber: 0xffff, wDstStreamNumber: 3, wThinningLevel: 2 }],
    },
  },
  {
    name: 'StreamSwitch as MPlayer -aid 3 sends it: count 3, two entries',
    hex: unit(MID.LinkViewerToMacStreamSwitch, '03000000 ffff0300 0000 ffff0300 0000'),
    seq: 0,
    value: {
      type: 'LinkViewerToMacStreamSwitch',
      entries: [
        { wSrcStreamNumber: 0xffff, wDstStreamNumber: 3, wThinningLevel: 0 },
        { wSrcStreamNumber: 0xffff, wDstStreamNumber: 3, wThinningLevel: 0 },
      ],
    },
    decodeOnly: true,
  },
  {
    name: 'V15 ReportStreamSwitch',
    hex: V.V15,
    seq: 5,
    value: { type: 'LinkMacToViewerReportStreamSwitch', hr: 0 },
  },
  {
    name: 'V16 StartPlaying as FFmpeg sends it',
    hex: V.V16,
    seq: 6,
    value: { type: 'LinkViewerToMacStartPlaying', ...START, accel: null, linkBandwidth: null },
  },
  {
    name: 'V22 StartPlaying as VLC sends it after a Stop: locationId 264',
    hex: V.V22,
    seq: 7,
    value: {
      type: 'LinkViewerToMacStartPlaying',
      ...START,
      locationId: 264,
      accel: null,
      linkBandwidth: null,
    },
  },
  {
    name: 'StartPlaying with accel fields (48 bytes)',
    hex: unit(
      MID.LinkViewerToMacStartPlaying,
      '01000000 00000000 0000000000002440 ffffffff ffffffff 00000000 09000000 00093d00 b80b0000',
    ),
    seq: 0,
    value: {
      type: 'LinkViewerToMacStartPlaying',
      openFileId: 1,
      padding: 0,
      position: 10,
      asfOffset: 0xffffffff,
      locationId: 0xffffffff,
      frameOffset: 0,
      playIncarnation: 9,
      accel: { bandwidth: 4_000_000, duration: 3000 },
      linkBandwidth: null,
    },
  },
  {
    name: 'StartPlaying with accel and link bandwidth (56 bytes)',
    hex: unit(
      MID.LinkViewerToMacStartPlaying,
      '01000000 00000000 ffffffffffffef7f 00000000 07000000 00000000 0a000000 00093d00 b80b0000 80969800',
    ),
    seq: 0,
    value: {
      type: 'LinkViewerToMacStartPlaying',
      openFileId: 1,
      padding: 0,
      position: Number.MAX_VALUE,
      asfOffset: 0,
      locationId: 7,
      frameOffset: 0,
      playIncarnation: 10,
      accel: { bandwidth: 4_000_000, duration: 3000 },
      linkBandwidth: 10_000_000,
    },
  },
  {
    name: 'StartStriding at -2.0',
    hex: unit(
      MID.LinkViewerToMacStartStriding,
      '01000000 00000000 0000000000003440 ffffffff ffffffff 00000000 0b000000 00000000000000c0',
    ),
    seq: 0,
    value: {
      type: 'LinkViewerToMacStartStriding',
      openFileId: 1,
      padding: 0,
      position: 20,
      asfOffset: 0xffffffff,
      locationId: 0xffffffff,
      frameOffset: 0,
      playIncarnation: 11,
      rate: -2,
    },
  },
  {
    name: 'ReportStartStriding refused',
    hex: unit(MID.LinkMacToViewerReportStartStriding, '45000dc0 0b000000 00000000'),
    seq: 0,
    value: { type: 'LinkMacToViewerReportStartStriding', hr: 0xc00d0045, playIncarnation: 11, spare: 0 },
  },
  {
    name: 'V17 ReportStartedPlaying',
    hex: V.V17,
    seq: 6,
    value: {
      type: 'LinkMacToViewerReportStartedPlaying',
      hr: 0,
      playIncarnation: 4,
      tigerFileId: 1,
      unused1: 0,
    },
  },
  {
    name: 'V19 ReportEndOfStream at the end of the file',
    hex: V.V19,
    seq: 7,
    value: { type: 'LinkMacToViewerReportEndOfStream', hr: 0, playIncarnation: 4 },
  },
  {
    name: 'V20 StopPlaying as VLC sends it',
    hex: V.V20,
    seq: 6,
    value: { type: 'LinkViewerToMacStopPlaying', openFileId: 1, playIncarnation: 0x001fffff },
  },
  {
    name: 'V21 ReportEndOfStream echoing 0x001FFFFF',
    hex: V.V21,
    seq: 6,
    value: { type: 'LinkMacToViewerReportEndOfStream', hr: 0, playIncarnation: 0x001fffff },
  },
  {
    name: 'V23 Ping',
    hex: V.V23,
    seq: 8,
    value: { type: 'LinkMacToViewerPing', dwParam1: 0, dwParam2: 0 },
  },
  {
    name: 'V24 Pong',
    hex: V.V24,
    seq: 9,
    value: { type: 'LinkViewerToMacPong', dwParam1: 0, dwParam2: 0 },
  },
  {
    name: 'Pong as FFmpeg sends it',
    hex: unit(MID.LinkViewerToMacPong, '01000000 ffff0001'),
    seq: 0,
    value: { type: 'LinkViewerToMacPong', dwParam1: 1, dwParam2: 0x0100ffff },
  },
  {
    name: 'V25 CloseFile as VLC sends it',
    hex: V.V25,
    seq: 6,
    value: { type: 'LinkViewerToMacCloseFile', playIncarnation: 1, openFileId: 1 },
  },
  {
    name: 'CancelReadBlock',
    hex: unit(MID.LinkViewerToMacCancelReadBlock, '03000000'),
    seq: 0,
    value: { type: 'LinkViewerToMacCancelReadBlock', playIncarnation: 3 },
  },
  {
    name: 'V27 SecurityChallenge, Basic realm "netshow"',
    hex: V.V27,
    seq: 3,
    value: {
      type: 'LinkMacToViewerSecurityChallenge',
      playIncarnation: 1,
      cookie: 1,
      token: Buffer.from('realm="netshow"\0', 'utf16le'),
    },
  },
  {
    name: 'V28 SecurityResponse, Basic u:p',
    hex: V.V28,
    seq: 4,
    value: {
      type: 'LinkViewerToMacSecurityResponse',
      playIncarnation: 1,
      cookie: 1,
      token: Buffer.from('dTpw\0', 'latin1'),
    },
  },
  {
    name: 'ReportStreamChange',
    hex: unit(MID.LinkMacToViewerReportStreamChange, '00000000 ff000000 800c0000 29030000 e08d0500 00000000'),
    seq: 0,
    value: {
      type: 'LinkMacToViewerReportStreamChange',
      hr: 0,
      dwTcpHdrIncarnation: 0xff,
      cbPacketSize: 3200,
      cbHeaderSize: 809,
      dwBitRate: 364000,
      dwStreamId: 0,
    },
  },
  {
    name: 'ReportRedirect to mms://h/x',
    hex: unit(MID.LinkMacToViewerReportRedirect, `00000000 0100 1400 ${u16le('mms://h/x\0')}`),
    seq: 0,
    value: { type: 'LinkMacToViewerReportRedirect', hr: 0, redirectType: 1, location: 'mms://h/x' },
  },
  {
    name: 'Logging with a full CLIENT_LOG',
    hex: unit(MID.LinkViewerToMacLogging, 'ab'.repeat(CLIENT_LOG_SIZE)),
    seq: 0,
    value: {
      type: 'LinkViewerToMacLogging',
      log: Buffer.alloc(CLIENT_LOG_SIZE + 6, 0xab).fill(0, CLIENT_LOG_SIZE),
    },
    decodeOnly: true,
  },
];

function decodeAll(frames: TcpFrame[]): (MmspMessage | UnknownMessage)[] {
  return frames.map((f) => {
    assert.equal(f.kind, 'message');
    return decodeMessage(f.message);
  });
}

describe('MMS message case table', () => {
  for (const c of cases) {
    const bytes = hex(c.hex);
    it(`${c.name}: decode`, () => {
      assert.deepEqual(decodeAll(new TcpMessageDecoder().push(bytes)), [c.value]);
    });
    if (!c.decodeOnly) {
      it(`${c.name}: encode`, () => {
        assert.equal(encodeMessage(c.value, { seq: c.seq }).toString('hex'), bytes.toString('hex'));
      });
    }
    it(`${c.name}: round trip`, () => {
      assert.deepEqual(decodeAll(new TcpMessageDecoder().push(encodeMessage(c.value))), [c.value]);
    });
    it(`${c.name}: every split point`, () => {
      for (let i = 0; i <= bytes.length; i++) {
        const d = new TcpMessageDecoder();
        const frames = [...d.push(bytes.subarray(0, i)), ...d.push(bytes.subarray(i))];
        d.end();
        assert.deepEqual(decodeAll(frames), [c.value], `split at ${i}`);
      }
    });
    it(`${c.name}: trailing bytes stay pending`, () => {
      const d = new TcpMessageDecoder();
      const frames = d.push(Buffer.concat([bytes, hex('01 00 00 00 ce fa 0b b0 20')]));
      assert.deepEqual(decodeAll(frames), [c.value]);
      assert.equal(d.pending, 9);
      assert.throws(
        () => d.end(),
        (e: unknown) => e instanceof ProtocolError && e.code === 'E_TRUNCATED',
      );
    });
  }

  it('the whole table as one stream, in any step', () => {
    const stream = Buffer.concat(cases.map((c) => hex(c.hex)));
    for (const step of [1, 3, 7, 48, 100, stream.length]) {
      const d = new TcpMessageDecoder();
      const frames: TcpFrame[] = [];
      for (let i = 0; i < stream.length; i += step) frames.push(...d.push(stream.subarray(i, i + step)));
      d.end();
      assert.deepEqual(
        decodeAll(frames),
        cases.map((c) => c.value),
        `step ${step}`,
      );
    }
  });

  it('covers every message of the MID table', () => {
    const covered = new Set<string>(cases.map((c) => c.value.type));
    assert.deepEqual(
      [...MESSAGES_BY_MID.values()].map((c) => c.type).filter((t) => !covered.has(t)),
      [],
    );
    assert.equal(MESSAGES_BY_MID.size, Object.keys(MID).length);
  });
});

describe('message decoding limits and leniency', () => {
  const decodeUnit = (mid: number, fields: string): MmspMessage | UnknownMessage =>
    decodeAll(new TcpMessageDecoder().push(frameMessage(mid, hex(fields))))[0]!;
  const protocolError = (e: unknown): boolean => e instanceof ProtocolError;

  it('an unknown MID decodes as Unknown (Wireshark client 0x30)', () => {
    const m = decodeUnit(0x00030030, '01020304');
    assert.equal(m.type, 'Unknown');
    assert.equal(m.mid, 0x00030030);
  });

  it('a truncated fixed message is a ProtocolError', () => {
    assert.throws(() => decodeUnit(MID.LinkViewerToMacReadBlock, '01000000'), protocolError);
  });

  it('OpenFile token outside the message is a ProtocolError', () => {
    assert.throws(
      () => decodeUnit(MID.LinkViewerToMacOpenFile, `01000000 00000000 10000000 ff000000 ${u16le('a\0')}`),
      protocolError,
    );
  });

  it('SecurityResponse cbToken beyond the message is a ProtocolError', () => {
    assert.throws(
      () => decodeUnit(MID.LinkViewerToMacSecurityResponse, '01000000 01000000 ff000000 00'),
      protocolError,
    );
  });

  it('ConnectedEX counts beyond the message are a ProtocolError', () => {
    const fields =
      '00000000 efF0f0f0 0b000400 1c000300 000000000000f03f 01000000 01000000 00800000 80969800 ff000000 00000000 00000000 00000000';
    assert.throws(() => decodeUnit(MID.LinkMacToViewerReportConnectedEX, fields), protocolError);
  });

  it('a name without its NUL ends at the message end', () => {
    const m = decodeUnit(MID.LinkViewerToMacConnect, `00000000 0b000400 1c000300 ${u16le('NSPlayer/9.0')}`);
    assert.equal((m as { subscriberName: string }).subscriberName, 'NSPlayer/9.0');
  });

  it('encodeMessageFields gives the unpadded fields', () => {
    assert.equal(
      encodeMessageFields({ type: 'LinkMacToViewerReportStreamSwitch', hr: 0 }).toString('hex'),
      '00000000',
    );
  });
});

describe('string grammars (mmsp.md §2.5)', () => {
  const subscriberCases = [
    {
      name: 'FFmpeg',
      text: 'NSPlayer/7.0.0.1956; {7E667F5D-A661-495E-A512-F55686DDA178}; Host: 127.0.0.1',
      want: {
        product: 'NSPlayer',
        major: 7,
        version: '7.0.0.1956',
        guid: '7E667F5D-A661-495E-A512-F55686DDA178',
        host: '127.0.0.1',
      },
    },
    {
      name: 'VLC with its 0x-prefixed GUID',
      text: 'NSPlayer/7.0.0.1956; {0xbabac001-0x1234-0x5678-0x9abcdef012345678}; Host: h:1755',
      want: {
        product: 'NSPlayer',
        major: 7,
        version: '7.0.0.1956',
        guid: '0xbabac001-0x1234-0x5678-0x9abcdef012345678',
        host: 'h:1755',
      },
    },
    {
      name: 'WMP 6.4, no host',
      text: 'NSPlayer/4.1.0.3928; {68c0a090-8797-11d2-a2b3-00a0c9b60551}',
      want: {
        product: 'NSPlayer',
        major: 4,
        version: '4.1.0.3928',
        guid: '68c0a090-8797-11d2-a2b3-00a0c9b60551',
        host: null,
      },
    },
    {
      name: 'MPlayer: two junk characters first',
      text: '\u001c\u0003NSPlayer/7.0.0.1956; {33715801-BAB3-9D85-24E9-03B90328270A}; Host: x',
      want: {
        product: 'NSPlayer',
        major: 7,
        version: '7.0.0.1956',
        guid: '33715801-BAB3-9D85-24E9-03B90328270A',
        host: 'x',
      },
    },
    {
      name: 'WMS 4.x relay, four o',
      text: 'Spoooon!',
      want: { product: 'Spooooon!', major: 4, version: null, guid: null, host: null },
    },
    {
      name: 'junk',
      text: 'hello',
      want: { product: null, major: null, version: null, guid: null, host: null },
    },
  ];
  for (const c of subscriberCases) {
    it(`subscriberName: ${c.name}`, () => assert.deepEqual(parseSubscriberName(c.text), c.want));
  }

  const funnels = [
    {
      text: '\\\\192.168.0.129\\TCP\\1037',
      want: { address: '192.168.0.129', transport: 'TCP', port: 1037 },
    },
    { text: '\\\\127.0.0.1\\UDP\\7000', want: { address: '127.0.0.1', transport: 'UDP', port: 7000 } },
    { text: '\\\\::1\\udp\\65535', want: { address: '::1', transport: 'UDP', port: 65535 } },
    { text: '\\\\1.2.3.4\\UDP\\0', want: null },
    { text: '\\\\1.2.3.4\\UDP\\65536', want: null },
    { text: '\\\\1.2.3.4\\SCTP\\5', want: null },
    { text: '1.2.3.4\\UDP\\5', want: null },
    { text: '', want: null },
  ];
  for (const f of funnels) {
    it(`funnelName ${JSON.stringify(f.text)}`, () => assert.deepEqual(parseFunnelName(f.text), f.want));
  }

  it('CLIENT_LOG summary reads the packed fields, and short logs give null', () => {
    const log = Buffer.alloc(CLIENT_LOG_SIZE);
    log.write('mms://h/t.wmv\0', 8, 'latin1');
    log.write('NSPlayer/9.0\0', 4 + 524, 'latin1');
    log.writeUInt32LE(6046, 4 + 1100);
    log.write('TCP\0', 1462, 'latin1');
    assert.deepEqual(summarizeClientLog(log), {
      url: 'mms://h/t.wmv',
      userAgent: 'NSPlayer/9.0',
      msPlayed: 6046,
      transport: 'TCP',
    });
    assert.equal(summarizeClientLog(Buffer.alloc(10)), null);
  });
});
