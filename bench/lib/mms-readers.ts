// One MMS (MS-MMSP) reader of the fan-out benchmark, for `mmst://` (Data packets on the TCP connection) and
// `mmsu://` (Data packets as UDP datagrams to a socket of the reader's own). The client's requests are built
// with netshow's encoder (src/mmsp) from the values of the verified FFmpeg session (mmsp.md §5.1, as in
// test/helpers/mmsp-client-messages.ts); everything the server sends is decoded by the bench's own
// lib/mms-stream.ts and lib/asf.ts, so that netshow is not measured with its own decoder.
//
// Sequence (mmsp.md §5.1, §5.2), one step per reply:
//   Connect, FunnelInfo, ConnectFunnel(\\127.0.0.1\TCP\1037 | \\127.0.0.1\UDP\<port>), OpenFile   (pipelined)
//   ReportOpenFile hr 0         -> ReadBlock (playIncarnation 2)
//   last header piece arrived   -> StreamSwitch (ffff, s, 0) for every stream of the file
//   ReportStreamSwitch          -> StartPlaying (position 0, playIncarnation 4)
//   Ping                        -> Pong
// Media Data packets (incarnation 4) go through the same PacketClock as MMSH `$D`s; gaps in LocationId are
// counted as lost (on-demand from LocationId 0; live from the first packet, as a joiner's numbering starts
// wherever the broadcast is). A ReportStreamChange (a live source changing streams) is only counted.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { encodeMessage, type MmspMessage } from '../../src/mmsp/index.js';
import { readHeaderFacts, readPacketTiming } from './asf.js';
import type { ReaderConfig, RunningReader } from './mmsh-readers.js';
import { hrOf, midName, MmsTcpReader, readDataPacket, SERVER_MID, type MmsDataPacket } from './mms-stream.js';
import { newResult, PacketClock, type Histograms } from './packet-clock.js';
import { round } from './stats.js';

const now = (): number => performance.timeOrigin + performance.now();

const HEADER_INCARNATION = 2;
const PLAY_INCARNATION = 4;
const LAST_PIECE = 0x08; // AFFlags 0x08 and 0x0C both end a header (mmsp.md §1.5)

/** The client messages, with the values of test/helpers/mmsp-client-messages.ts (FFmpeg's session). */
const msg = {
  connect: {
    type: 'LinkViewerToMacConnect',
    playIncarnation: 0,
    macToViewerProtocolRevision: 0x0004000b,
    viewerToMacProtocolRevision: 0x0003001c,
    subscriberName: 'NSPlayer/7.0.0.1956; {7E667F5D-A661-495E-A512-F55686DDA178}; Host: 127.0.0.1',
  },
  funnelInfo: { type: 'LinkViewerToMacFunnelInfo', playIncarnation: 0xf0f0f0ef },
  connectFunnel: (funnelName: string): MmspMessage => ({
    type: 'LinkViewerToMacConnectFunnel',
    playIncarnation: 0,
    maxBlockBytes: 0xffffffff,
    maxFunnelBytes: 0,
    maxBitRate: 0x00989680,
    funnelMode: 2,
    funnelName,
  }),
  openFile: (fileName: string): MmspMessage => ({
    type: 'LinkViewerToMacOpenFile',
    playIncarnation: 1,
    spare: 0xffffffff,
    fileName,
    tokenData: null,
  }),
  readBlock: {
    type: 'LinkViewerToMacReadBlock',
    openFileId: 1,
    fileBlockId: 0,
    offset: 0,
    length: 0x8000,
    flags: 0xffffffff,
    padding: 0,
    tEarliest: 0,
    tDeadline: 3600,
    playIncarnation: HEADER_INCARNATION,
    playSequence: 0,
  },
  streamSwitch: (streams: readonly number[]): MmspMessage => ({
    type: 'LinkViewerToMacStreamSwitch',
    entries: streams.map((s) => ({ wSrcStreamNumber: 0xffff, wDstStreamNumber: s, wThinningLevel: 0 })),
  }),
  startPlaying: {
    type: 'LinkViewerToMacStartPlaying',
    openFileId: 1,
    padding: 0x0001ffff,
    position: 0,
    asfOffset: 0xffffffff,
    locationId: 0xffffffff,
    frameOffset: 0x00ffffff,
    playIncarnation: PLAY_INCARNATION,
    accel: null,
    linkBandwidth: null,
  },
  pong: { type: 'LinkViewerToMacPong', dwParam1: 0, dwParam2: 0 },
} satisfies Record<string, MmspMessage | ((...a: never[]) => MmspMessage)>;

const hex = (n: number): string => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;

export function runMmsReader(i: number, cfg: ReaderConfig, h: Histograms): RunningReader {
  const udp = cfg.protocol === 'mmsu';
  const r = newResult(i);
  const started = now();
  const clock = new PacketClock(cfg, cfg.prerollMs, started);
  const tcp = new MmsTcpReader();
  let seq = 0;
  let stopped = false;
  let stage = 'no reply'; // what a reader that never played was waiting for
  let headerSize = 0;
  const pieces: Buffer[] = [];
  let piecesBytes = 0;
  let nextLocation = cfg.live ? -1 : 0; // live: the first media Data packet sets it
  let dgram: UdpSocket | null = null;
  let socket: net.Socket | null = null;

  const inWindow = (t: number): boolean => t >= cfg.windowStart && t < cfg.windowEnd;
  const send = (m: MmspMessage): void => {
    if (socket && !socket.destroyed) socket.write(encodeMessage(m, { seq: seq++ }));
  };
  const fail = (why: string): void => {
    r.error ??= why;
    socket?.destroy();
  };

  const onData = (p: MmsDataPacket, arrival: number): void => {
    const kind =
      p.incarnation === PLAY_INCARNATION ? 'Data' : p.incarnation === HEADER_INCARNATION ? 'Header' : 'Other';
    r.chunks[kind] = (r.chunks[kind] ?? 0) + 1;
    if (kind === 'Header') {
      if (r.playing) return;
      pieces.push(Buffer.from(p.payload));
      piecesBytes += p.payload.length;
      if (p.afFlags & LAST_PIECE && piecesBytes >= headerSize) {
        const facts = readHeaderFacts(Buffer.concat(pieces));
        if (!facts) return fail('header pieces hold no ASF header');
        r.playing = true;
        if (facts.prerollMs > 0) clock.prerollMs = facts.prerollMs;
        stage = 'no ReportStreamSwitch';
        send(msg.streamSwitch(cfg.streams));
      }
    } else if (kind === 'Data') {
      if (nextLocation < 0) nextLocation = p.locationId;
      if (p.locationId > nextLocation) {
        r.lost += p.locationId - nextLocation;
        if (inWindow(arrival)) r.lostInWindow += p.locationId - nextLocation;
      } else if (p.locationId < nextLocation) {
        r.outOfOrder++;
        r.lost = Math.max(0, r.lost - 1); // it was counted lost when the gap showed
      }
      nextLocation = Math.max(nextLocation, p.locationId + 1);
      const t = readPacketTiming(p.payload);
      if (!t) {
        r.badPackets++;
        return;
      }
      clock.packet(arrival, t, r);
    }
  };

  const onUnit = (mid: number, hr: number): void => {
    const name = midName(mid);
    r.chunks[name] = (r.chunks[name] ?? 0) + 1;
    switch (mid) {
      case SERVER_MID.ConnectedEX:
      case SERVER_MID.FunnelInfo:
      case SERVER_MID.ConnectedFunnel:
      case SERVER_MID.ReadBlock:
      case SERVER_MID.StartedPlaying:
        if (hr !== 0) fail(`${name} hr ${hex(hr)}`);
        break;
      case SERVER_MID.DisconnectedFunnel:
        fail(`DisconnectedFunnel hr ${hex(hr)}`);
        break;
      case SERVER_MID.StreamSwitch:
        if (hr !== 0) return fail(`StreamSwitch hr ${hex(hr)}`);
        stage = 'no media Data packet';
        send(msg.startPlaying);
        break;
      case SERVER_MID.Ping:
        r.pings++;
        send(msg.pong);
        break;
      case SERVER_MID.EndOfStream:
        r.endReason ??= hr;
        break;
      case SERVER_MID.SecurityChallenge:
      case SERVER_MID.Redirect:
        fail(name);
        break;
    }
  };

  const connectTcp = (funnel: string): void => {
    const s = net.connect({ host: '127.0.0.1', port: cfg.port });
    socket = s;
    s.setNoDelay(true);
    s.on('connect', () => {
      r.connectMs = round(now() - started, 2);
      stage = 'no ReportOpenFile';
      send(msg.connect);
      send(msg.funnelInfo);
      send(msg.connectFunnel(funnel));
      send(msg.openFile(cfg.path.replace(/^\//, '')));
    });
    s.on('data', (b: Buffer) => {
      const arrival = now();
      r.firstByteMs ??= round(arrival - started, 2);
      if (inWindow(arrival)) r.wireBytes += b.length;
      for (const f of tcp.push(b)) {
        if (f.kind === 'data') {
          onData(f.packet, arrival);
          continue;
        }
        const { mid, message } = f.unit;
        const hr = hrOf(f.unit);
        if (mid === SERVER_MID.OpenFile) {
          r.chunks.OpenFile = (r.chunks.OpenFile ?? 0) + 1;
          r.status = hr;
          if (hr !== 0) return fail(`ReportOpenFile hr ${hex(hr)}`);
          headerSize = message.length >= 80 ? message.readUInt32LE(76) : 0;
          stage = 'no complete header';
          send(msg.readBlock);
        } else {
          onUnit(mid, hr);
        }
      }
      if (tcp.error) fail(tcp.error);
    });
    s.on('error', (e: NodeJS.ErrnoException) => {
      r.error ??= e.code ?? e.message;
    });
    s.on('close', () => {
      if (!stopped && now() < cfg.windowEnd) r.closedEarly = true;
    });
  };

  if (!udp) {
    connectTcp('\\\\127.0.0.1\\TCP\\1037');
  } else {
    const d = createSocket('udp4');
    dgram = d;
    d.on('message', (m: Buffer) => {
      const arrival = now();
      if (inWindow(arrival)) {
        r.datagrams++;
        r.wireBytes += m.length;
      }
      const p = readDataPacket(m);
      if (p) onData(p, arrival);
      else r.badPackets++;
    });
    d.on('error', (e: NodeJS.ErrnoException) => fail(`udp ${e.code ?? e.message}`));
    d.bind(0, '127.0.0.1', () => connectTcp(`\\\\127.0.0.1\\UDP\\${d.address().port}`));
  }

  return {
    result: r,
    stop: () => {
      stopped = true;
      socket?.destroy();
      try {
        dgram?.close();
      } catch {
        // never bound, or closed already
      }
      if (!r.playing) r.error ??= stage;
      clock.finish(r, h);
    },
  };
}
