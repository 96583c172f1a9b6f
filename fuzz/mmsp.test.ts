// Property tests for the MS-MMSP layer: the TCP decoder and the server machine take arbitrary bytes in arbitrary
// splits without throwing anything but ProtocolError (the machine: nothing at all), and decode(encode(x)) == x
// for every message (time-boxed, about 3 s per property).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  decodeDataPacket,
  decodeRequestPacketListResend,
  encodeDataPacket,
  encodeRequestPacketListResend,
} from '../src/mmsp/data-packet.js';
import {
  decodeMessage,
  encodeMessage,
  MESSAGES_BY_MID,
  type MmspMessage,
  type ViewerToMacMessage,
} from '../src/mmsp/messages/index.js';
import { MmspServerMachine } from '../src/mmsp/server-machine.js';
import type { OpenedFile } from '../src/mmsp/server-rules.js';
import { TcpMessageDecoder, frameMessage } from '../src/mmsp/tcp-message.js';
import { BUDGET, onlyProtocolErrors, split } from './helpers.js';

const u32 = fc.nat({ max: 0xffffffff });
const u16 = fc.nat({ max: 0xffff });
const f64 = fc.double();
const text = fc.string({ maxLength: 40 }).map((s) => s.replace(/\0/g, ''));
const bytes = (max: number) => fc.uint8Array({ maxLength: max }).map((a) => Buffer.from(a));
const bytes8 = fc
  .nat({ max: 8 })
  .chain((n) => fc.uint8Array({ minLength: n * 8, maxLength: n * 8 }).map((a) => Buffer.from(a)));
const nonEmpty = fc.uint8Array({ minLength: 1, maxLength: 40 }).map((a) => Buffer.from(a));
const start = {
  openFileId: u32,
  padding: u32,
  position: f64,
  asfOffset: u32,
  locationId: u32,
  frameOffset: u32,
  playIncarnation: u32,
};
const rec = <T extends string, R extends Record<string, fc.Arbitrary<unknown>>>(type: T, fields: R) =>
  fc.record({ type: fc.constant(type), ...fields }, { noNullPrototype: true });

const messageArb = fc.oneof(
  rec('LinkViewerToMacConnect', {
    playIncarnation: u32,
    macToViewerProtocolRevision: u32,
    viewerToMacProtocolRevision: u32,
    subscriberName: text,
  }),
  rec('LinkViewerToMacConnectFunnel', {
    playIncarnation: u32,
    maxBlockBytes: u32,
    maxFunnelBytes: u32,
    maxBitRate: u32,
    funnelMode: u32,
    funnelName: text,
  }),
  rec('LinkViewerToMacOpenFile', {
    playIncarnation: u32,
    spare: u32,
    fileName: text,
    tokenData: fc.option(nonEmpty),
  }),
  rec('LinkViewerToMacStartPlaying', {
    ...start,
    accel: fc.constant(null),
    linkBandwidth: fc.constant(null),
  }),
  rec('LinkViewerToMacStartPlaying', {
    ...start,
    accel: fc.record({ bandwidth: u32, duration: u32 }, { noNullPrototype: true }),
    linkBandwidth: fc.option(u32),
  }),
  rec('LinkViewerToMacStartStriding', { ...start, rate: f64 }),
  rec('LinkViewerToMacStopPlaying', { openFileId: u32, playIncarnation: u32 }),
  rec('LinkViewerToMacCloseFile', { playIncarnation: u32, openFileId: u32 }),
  rec('LinkViewerToMacReadBlock', {
    openFileId: u32,
    fileBlockId: u32,
    offset: u32,
    length: u32,
    flags: u32,
    padding: u32,
    tEarliest: f64,
    tDeadline: f64,
    playIncarnation: u32,
    playSequence: u32,
  }),
  rec('LinkViewerToMacFunnelInfo', { playIncarnation: u32 }),
  rec('LinkViewerToMacSecurityResponse', { playIncarnation: u32, cookie: u32, token: bytes(40) }),
  rec('LinkViewerToMacPong', { dwParam1: u32, dwParam2: u32 }),
  rec('LinkViewerToMacCancelReadBlock', { playIncarnation: u32 }),
  rec('LinkViewerToMacLogging', { log: bytes8 }),
  rec('LinkViewerToMacStreamSwitch', {
    entries: fc.array(
      fc.record(
        { wSrcStreamNumber: u16, wDstStreamNumber: u16, wThinningLevel: u16 },
        { noNullPrototype: true },
      ),
      {
        maxLength: 20,
      },
    ),
  }),
  rec('LinkMacToViewerReportConnectedEX', {
    hr: u32,
    playIncarnation: u32,
    macToViewerProtocolRevision: u32,
    viewerToMacProtocolRevision: u32,
    blockGroupPlayTime: f64,
    blockGroupBlocks: u32,
    nMaxOpenFiles: u32,
    nBlockMaxBytes: u32,
    maxBitRate: u32,
    serverVersionInfo: text,
    versionInfo: text,
    versionUrl: text,
    authenPackage: text,
  }),
  rec('LinkMacToViewerReportConnectedFunnel', {
    hr: u32,
    playIncarnation: u32,
    packetPayloadSize: u32,
    funnelName: text,
  }),
  rec('LinkMacToViewerReportDisconnectedFunnel', { hr: u32, playIncarnation: u32 }),
  rec('LinkMacToViewerReportStartedPlaying', {
    hr: u32,
    playIncarnation: u32,
    tigerFileId: u32,
    unused1: u32,
  }),
  rec('LinkMacToViewerReportOpenFile', {
    hr: u32,
    playIncarnation: u32,
    openFileId: u32,
    padding: u32,
    fileName: u32,
    fileAttributes: u32,
    fileDuration: f64,
    fileBlocks: u32,
    filePacketSize: u32,
    filePacketCount: fc.nat(),
    fileBitRate: u32,
    fileHeaderSize: u32,
  }),
  rec('LinkMacToViewerReportStartStriding', { hr: u32, playIncarnation: u32, spare: u32 }),
  rec('LinkMacToViewerReportReadBlock', { hr: u32, playIncarnation: u32, playSequence: u32 }),
  rec('LinkMacToViewerReportFunnelInfo', {
    hr: u32,
    playIncarnation: u32,
    transportMask: u32,
    nBlockFragments: u32,
    fragmentBytes: u32,
    nCubs: u32,
    failedCubs: u32,
    nDisks: u32,
    decluster: u32,
    cubddDatagramSize: u32,
    packetPairBytes: bytes8,
  }),
  rec('LinkMacToViewerSecurityChallenge', { playIncarnation: u32, cookie: u32, token: bytes(40) }),
  rec('LinkMacToViewerPing', { dwParam1: u32, dwParam2: u32 }),
  rec('LinkMacToViewerReportEndOfStream', { hr: u32, playIncarnation: u32 }),
  rec('LinkMacToViewerReportStreamChange', {
    hr: u32,
    dwTcpHdrIncarnation: u32,
    cbPacketSize: u32,
    cbHeaderSize: u32,
    dwBitRate: u32,
    dwStreamId: u32,
  }),
  rec('LinkMacToViewerReportStreamSwitch', { hr: u32 }),
  rec('LinkMacToViewerReportRedirect', { hr: u32, redirectType: u16, location: text }),
) as unknown as fc.Arbitrary<MmspMessage>;

/** Bytes that look like MMS often enough to reach the deeper branches. */
const mmsish = fc
  .array(
    fc.oneof(
      messageArb.map((m) => new Uint8Array(encodeMessage(m))),
      fc.uint8Array({ maxLength: 16 }),
      fc
        .tuple(u32, fc.uint8Array({ maxLength: 40 }))
        .map(([mid, body]) => new Uint8Array(frameMessage(mid, body))),
      fc
        .tuple(fc.constantFrom(...MESSAGES_BY_MID.keys()), fc.uint8Array({ maxLength: 80 }))
        .map(([mid, body]) => new Uint8Array(frameMessage(mid, body))),
    ),
    { maxLength: 10 },
  )
  .map((parts) => Buffer.concat(parts));

describe('TcpMessageDecoder properties', () => {
  it('arbitrary bytes in arbitrary splits: frames or ProtocolError, never another throw', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.uint8Array({ maxLength: 2000 }), mmsish),
        fc.array(fc.nat(), { maxLength: 10 }),
        fc.boolean(),
        (input, cuts, allowData) => {
          onlyProtocolErrors(() => {
            const d = new TcpMessageDecoder({ allowData });
            for (const piece of split(input, cuts)) {
              for (const f of d.push(piece)) if (f.kind === 'message') decodeMessage(f.message);
            }
            d.end();
          });
        },
      ),
      BUDGET,
    );
  });

  it('any body under any known MID decodes or gives a ProtocolError', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...MESSAGES_BY_MID.keys()),
        fc.uint8Array({ maxLength: 200 }),
        (mid, body) => {
          onlyProtocolErrors(() => {
            for (const f of new TcpMessageDecoder().push(frameMessage(mid, body))) {
              if (f.kind === 'message') decodeMessage(f.message);
            }
          });
        },
      ),
      BUDGET,
    );
  });
});

describe('message round trips', () => {
  it('decode(encode(x)) == x for every message, through the TCP decoder in any split', () => {
    fc.assert(
      fc.property(messageArb, fc.array(fc.nat(), { maxLength: 4 }), (m, cuts) => {
        const d = new TcpMessageDecoder();
        const frames = split(encodeMessage(m), cuts).flatMap((p) => d.push(p));
        d.end();
        assert.equal(frames.length, 1);
        const f = frames[0]!;
        assert.ok(f.kind === 'message');
        assert.deepStrictEqual(decodeMessage(f.message), m);
      }),
      BUDGET,
    );
  });

  it('Data packets and resend requests round trip; arbitrary datagrams give ProtocolError only', () => {
    fc.assert(
      fc.property(
        fc.record(
          { locationId: u32, playIncarnation: fc.nat(255), afFlags: fc.nat(255), payload: nonEmpty },
          { noNullPrototype: true },
        ),
        fc.record(
          { clientId: u32, sourceId: u16, packets: fc.array(u32, { minLength: 1, maxLength: 32 }) },
          { noNullPrototype: true },
        ),
        fc.uint8Array({ maxLength: 200 }),
        (p, r, junk) => {
          assert.deepStrictEqual(decodeDataPacket(encodeDataPacket(p)), p);
          assert.deepStrictEqual(decodeRequestPacketListResend(encodeRequestPacketListResend(r)), r);
          onlyProtocolErrors(() => decodeDataPacket(Buffer.from(junk)));
          onlyProtocolErrors(() => decodeRequestPacketListResend(Buffer.from(junk)));
        },
      ),
      BUDGET,
    );
  });
});

const FILE: OpenedFile = {
  headerBytes: Buffer.concat([Buffer.alloc(100, 7), Buffer.from([1, 1])]),
  packetSize: 64,
  packetCount: 50,
  preroll: 1000,
  streams: [1, 2],
  durationMs: 5000,
  seekable: true,
  broadcast: false,
};

const clientMessageArb = messageArb.filter((m): m is ViewerToMacMessage =>
  m.type.startsWith('LinkViewerToMac'),
);
/** A plausible client stream: a Connect first, then arbitrary client messages, sometimes junk. */
const clientStream = fc
  .tuple(
    fc.boolean(),
    fc.array(
      fc.oneof(
        { weight: 8, arbitrary: clientMessageArb.map((m) => new Uint8Array(encodeMessage(m))) },
        { weight: 1, arbitrary: fc.uint8Array({ maxLength: 20 }) },
      ),
      { maxLength: 20 },
    ),
  )
  .map(([connect, parts]) => {
    const first = connect
      ? [
          encodeMessage({
            type: 'LinkViewerToMacConnect',
            playIncarnation: 0,
            macToViewerProtocolRevision: 0x0004000b,
            viewerToMacProtocolRevision: 0x0003001c,
            subscriberName: 'NSPlayer/9.0',
          }),
        ]
      : [];
    return Buffer.concat([...first, ...parts]);
  });

describe('MmspServerMachine properties', () => {
  it('arbitrary client bytes, splits, adapter answers and time: never throws, never hangs', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          clientStream,
          mmsish,
          fc.uint8Array({ maxLength: 500 }).map((a) => Buffer.from(a)),
        ),
        fc.array(fc.nat(), { maxLength: 12 }),
        fc.array(fc.nat({ max: 5 }), { minLength: 1, maxLength: 20 }),
        (input, cuts, choices) => {
          const m = new MmspServerMachine({ clientId: 42 }, 0);
          let now = 0;
          let i = 0;
          const choose = () => choices[i++ % choices.length]!;
          for (const piece of split(input, cuts)) {
            now += choose() * 7000;
            const outputs = [m.receive(piece, now), m.tick(now)];
            for (const o of outputs) {
              if (o.events.some((e) => e.type === 'open-file')) {
                outputs.push(choose() % 2 === 0 ? m.fileOpened(FILE, now) : m.fileFailed(0xc00d001a, now));
              }
            }
            if (m.state === 'STREAMING') {
              m.dataPacket(choose(), FILE.headerBytes);
              if (choose() === 0) m.endOfStream(now);
              else if (choose() === 1) m.nextEntry(FILE, now);
            }
            m.resend(piece, now);
            const deadline = m.nextDeadline();
            assert.ok(deadline === null || Number.isFinite(deadline));
          }
        },
      ),
      BUDGET,
    );
  });
});
