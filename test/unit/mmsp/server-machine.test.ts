// The MMS server machine against the client-side codec, in memory, on a fake time: the verified FFmpeg session of
// mmsp.md §5.1 byte for byte, UDP, seeks, stream switches, stop/restart, end of stream, playlists, timers, and
// every message in every state it is refused in (§3.2).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProtocolError } from '../../../src/core/errors.js';
import {
  decodeDataPacket,
  encodeRequestPacketListResend,
  type DataPacket,
} from '../../../src/mmsp/data-packet.js';
import { HRESULT } from '../../../src/mmsp/hresult.js';
import {
  decodeMessage,
  encodeMessage,
  type MmspMessage,
  type UnknownMessage,
  type ViewerToMacMessage,
} from '../../../src/mmsp/messages/index.js';
import { MmspServerMachine, allowedStates } from '../../../src/mmsp/server-machine.js';
import type { MmspServerEvent, MmspServerOutput, MmspServerState } from '../../../src/mmsp/server-events.js';
import type { OpenedFile } from '../../../src/mmsp/server-rules.js';
import { TcpMessageDecoder, frameMessage } from '../../../src/mmsp/tcp-message.js';
import { V, hex } from './vectors.js';
import { M } from '../../helpers/mmsp-client-messages.js';

const HEADER = Buffer.concat([
  hex('3026b2758e66cf11a6d900aa0062ce6c'),
  Buffer.alloc(809 - 18, 0x42),
  hex('0101'),
]);
const T_WMV: OpenedFile = {
  headerBytes: HEADER,
  packetSize: 3200,
  packetCount: 78,
  preroll: 3100,
  streams: [1, 2],
  durationMs: 6046,
  seekable: true,
  broadcast: false,
  bitRate: 364000,
};
const T2_WMV: OpenedFile = { ...T_WMV, packetCount: 397, durationMs: 30000 };
const LIVE: OpenedFile = { ...T_WMV, packetCount: 0, durationMs: 0, seekable: false, broadcast: true };
const CLIENT_ID = 0x1234abcd;
const PACKET = Buffer.alloc(3200, 0x82);

type Item = MmspMessage | UnknownMessage | { type: 'Data'; packet: DataPacket };

/** What the client sees of an output: TCP items in order, datagrams, events. */
function seen(o: MmspServerOutput): { tcp: Item[]; udp: DataPacket[]; events: MmspServerEvent[] } {
  const d = new TcpMessageDecoder({ allowData: true });
  const tcp = d
    .push(Buffer.concat(o.out))
    .map((f): Item => (f.kind === 'data' ? { type: 'Data', packet: f.packet } : decodeMessage(f.message)));
  d.end();
  return { tcp, udp: o.udp.map((b) => decodeDataPacket(b)), events: o.events };
}

const types = (items: readonly { type: string }[]): string[] => items.map((i) => i.type);

/** A client talking to one machine, with its own unit counter and a fake clock. */
class Session {
  readonly machine: MmspServerMachine;
  now = 0;
  private seq = 0;
  constructor(options: Partial<ConstructorParameters<typeof MmspServerMachine>[0]> = {}) {
    this.machine = new MmspServerMachine({ clientId: CLIENT_ID, ...options }, 0);
  }
  send(...msgs: ViewerToMacMessage[]): ReturnType<typeof seen> {
    const bytes = Buffer.concat(msgs.map((m) => encodeMessage(m, { seq: this.seq++ })));
    return seen(this.machine.receive(bytes, this.now));
  }
  raw(bytes: Buffer): ReturnType<typeof seen> {
    return seen(this.machine.receive(bytes, this.now));
  }
  opened(file: OpenedFile = T_WMV): ReturnType<typeof seen> {
    return seen(this.machine.fileOpened(file, this.now));
  }
  tick(ms: number): ReturnType<typeof seen> {
    this.now += ms;
    return seen(this.machine.tick(this.now));
  }
  /** Drives the session to a state through the usual TCP sequence. */
  static at(state: Exclude<MmspServerState, 'OPENING' | 'CLOSED'>, file: OpenedFile = T_WMV): Session {
    const s = new Session();
    if (state === 'CONNECTED') return s;
    s.send(M.connect);
    if (state === 'INIT') return s;
    s.send(M.connectFunnel(), M.openFile());
    s.opened(file);
    if (state === 'OPEN') return s;
    s.send(M.readBlock());
    if (state === 'READY') return s;
    s.send(M.startPlaying());
    return s;
  }
}

const startEvent = (events: MmspServerEvent[]) =>
  events.find((e): e is Extract<MmspServerEvent, { type: 'start-playing' }> => e.type === 'start-playing');

describe('on-demand over TCP: the verified FFmpeg session (mmsp.md §5.1, §8)', () => {
  it('answers each capture with the captured bytes, in order, and streams with V18 headers', () => {
    const m = new MmspServerMachine({ clientId: CLIENT_ID }, 0);
    const at = (b: Buffer) => m.receive(b, 0);
    const out = (o: MmspServerOutput) => Buffer.concat(o.out).toString('hex');

    let o = at(hex(V.V1));
    assert.equal(out(o), hex(V.V2).toString('hex'));
    assert.equal(o.events[0]?.type, 'connected');
    assert.equal(m.state, 'INIT');
    assert.equal(out(at(hex(V.V3))), hex(V.V4).toString('hex'));
    assert.equal(out(at(hex(V.V5))), hex(V.V7).toString('hex'));
    o = at(hex(V.V8));
    assert.deepEqual(o.out, []);
    assert.deepEqual(o.events, [
      { type: 'open-file', path: 't.wmv', decodedPath: null, query: '', token: null },
    ]);
    assert.equal(m.state, 'OPENING');
    // V9 with 0x01000000: netshow does not advertise CANSTRIDE until striding exists (mmsp.md §5.4).
    const v9 = hex(V.V9);
    v9.writeUInt32LE(0x01000000, 60);
    assert.equal(out(m.fileOpened(T_WMV, 0)), v9.toString('hex'));
    assert.equal(m.state, 'OPEN');
    const rb = seen(at(hex(V.V11)));
    assert.equal(
      encodeMessage(rb.tcp[0] as MmspMessage, { seq: 4 }).toString('hex'),
      hex(V.V12).toString('hex'),
    );
    assert.deepEqual(rb.tcp[1], {
      type: 'Data',
      packet: { locationId: 0, playIncarnation: 2, afFlags: 0x0c, payload: HEADER },
    });
    assert.equal(rb.tcp.length, 2);
    assert.equal(m.state, 'READY');
    assert.equal(out(at(hex(V.V14))), hex(V.V15).toString('hex'));
    o = at(hex(V.V16));
    assert.equal(out(o), hex(V.V17).toString('hex'));
    assert.deepEqual(o.events, [
      {
        type: 'start-playing',
        start: { kind: 'start' },
        selection: new Map([
          [1, 0],
          [2, 0],
        ]),
        incarnation: 4,
        limit: null,
        accel: null,
        linkBandwidth: null,
      },
    ]);
    assert.equal(m.state, 'STREAMING');
    assert.equal(m.dataPacket(0, PACKET)!.toString('hex'), hex(V.V18).toString('hex'));
    for (let i = 1; i < 78; i++) assert.deepEqual([...m.dataPacket(i, PACKET)!.subarray(4, 6)], [4, i]);
    assert.equal(out(m.endOfStream(0)), hex(V.V19).toString('hex'));
    assert.equal(m.state, 'READY');
    assert.equal(m.dataPacket(78, PACKET), null);
    o = at(hex(V.V25));
    assert.deepEqual(o.out, []);
    assert.deepEqual(o.events, [{ type: 'close', reason: 'CloseFile' }]);
    assert.equal(m.state, 'CLOSED');
  });

  it('queues messages that arrive while the file is being opened, and answers them in order', () => {
    const s = Session.at('INIT');
    s.send(M.openFile(), M.readBlock(), M.streamSwitch([0xffff, 1, 0]), M.startPlaying());
    assert.equal(s.machine.state, 'OPENING');
    const r = s.opened();
    assert.deepEqual(types(r.tcp), [
      'LinkMacToViewerReportOpenFile',
      'LinkMacToViewerReportReadBlock',
      'Data',
      'LinkMacToViewerReportStreamSwitch',
      'LinkMacToViewerReportStartedPlaying',
    ]);
    assert.deepEqual(startEvent(r.events)?.selection, new Map([[1, 0]]));
  });

  it('OpenFile: strips one slash and the query; offers the percent-decoded name', () => {
    const s = Session.at('INIT');
    const r = s.send(M.openFile('/a%20b.wmv?x=1'));
    assert.deepEqual(r.events, [
      { type: 'open-file', path: 'a%20b.wmv', decodedPath: 'a b.wmv', query: 'x=1', token: null },
    ]);
  });

  it('a missing file gets V10; the next ReadBlock (MPlayer) closes', () => {
    const s = Session.at('INIT');
    s.send(M.openFile());
    const o = seen(s.machine.fileFailed(HRESULT.NS_E_FILE_NOT_FOUND, 0));
    const [frame] = new TcpMessageDecoder().push(hex(V.V10));
    const v10 = frame?.kind === 'message' ? decodeMessage(frame.message) : null;
    assert.deepEqual(o.tcp, [v10]);
    assert.equal(s.machine.state, 'INIT');
    const r = s.send(M.readBlock());
    assert.equal(r.events[0]?.type, 'close');
    assert.equal(s.machine.state, 'CLOSED');
  });

  it('a failed open lingers 2 s, then closes; another OpenFile is handled normally', () => {
    const s = Session.at('INIT');
    s.send(M.openFile());
    s.machine.fileFailed(HRESULT.NS_E_FILE_NOT_FOUND, 0);
    assert.equal(s.machine.nextDeadline(), 2000);
    s.send(M.openFile('other.wmv'));
    s.opened();
    assert.equal(s.machine.state, 'OPEN');
    assert.deepEqual(s.tick(2500).events, []);

    const t = Session.at('INIT');
    t.send(M.openFile());
    t.machine.fileFailed(HRESULT.NS_E_FILE_NOT_FOUND, 0);
    assert.equal(t.tick(2000).events[0]?.type, 'close');
  });

  it('a name with a .. segment gets NS_E_INVALID_NAME without asking the adapter', () => {
    const s = Session.at('INIT');
    const r = s.send(M.openFile('a/../../etc/passwd'));
    assert.equal(r.tcp[0]?.type, 'LinkMacToViewerReportOpenFile');
    assert.equal((r.tcp[0] as { hr: number }).hr, HRESULT.NS_E_INVALID_NAME);
    assert.equal((r.tcp[0] as { openFileId: number }).openFileId, 0);
    assert.ok(!r.events.some((e) => e.type === 'open-file'));
  });

  it('no StreamSwitch before StartPlaying selects everything (null)', () => {
    const s = Session.at('READY');
    assert.equal(startEvent(s.send(M.startPlaying()).events)?.selection, null);
  });

  it('broadcast: ReportOpenFile 0x02000000 with count and duration 0; StartPlaying joins the live edge', () => {
    const s = Session.at('INIT');
    s.send(M.openFile('live'));
    const r = s.opened(LIVE).tcp[0] as Extract<MmspMessage, { type: 'LinkMacToViewerReportOpenFile' }>;
    assert.deepEqual(
      [r.fileAttributes, r.filePacketCount, r.fileDuration, r.fileBlocks],
      [0x02000000, 0, 0, 0],
    );
    s.send(M.readBlock());
    assert.deepEqual(startEvent(s.send(M.startPlaying(4, { locationId: 50 })).events)?.start, {
      kind: 'start',
    });
  });
});

describe('UDP funnel (mmsp.md §5.2)', () => {
  it('records the port, sends the header and Data as datagrams, resends from the ring', () => {
    const s = new Session();
    s.send(M.connect);
    const f = s.raw(hex(V.V6));
    assert.deepEqual(f.events, [{ type: 'udp-funnel', port: 7000 }]);
    assert.equal(f.tcp[0]?.type, 'LinkMacToViewerReportConnectedFunnel');
    assert.equal(s.machine.transport, 'udp');
    s.send(M.funnelInfo, M.openFile());
    s.opened();
    const rb = s.send(M.readBlock());
    assert.deepEqual(types(rb.tcp), ['LinkMacToViewerReportReadBlock']);
    assert.deepEqual(rb.udp, [{ locationId: 0, playIncarnation: 2, afFlags: 0x0c, payload: HEADER }]);
    s.send(M.startPlaying());
    const datagrams = [0, 1, 2].map((i) => Buffer.concat([s.machine.dataPacket(i, PACKET)!, PACKET]));
    assert.deepEqual(decodeDataPacket(datagrams[2]!), {
      locationId: 2,
      playIncarnation: 4,
      afFlags: 2,
      payload: PACKET,
    });
    const req = encodeRequestPacketListResend({ clientId: CLIENT_ID, sourceId: 1, packets: [1, 2, 9] });
    const resent = s.machine.resend(req, 0);
    assert.deepEqual(
      resent.map((d) => Buffer.concat(d)),
      [datagrams[1], datagrams[2]],
    );
    assert.equal(resent[0]![1], PACKET, 'the ring refers to the shared packet, it does not copy it');
    const wrong = encodeRequestPacketListResend({ clientId: 7, sourceId: 1, packets: [1] });
    assert.deepEqual(s.machine.resend(wrong, 0), []);
    assert.deepEqual(s.machine.resend(Buffer.from('junk'), 0), []);
  });

  it('refuses UDP when the policy says so, with ReportDisconnectedFunnel NS_E_NOFUNNEL', () => {
    const s = new Session({ allowUdp: false });
    s.send(M.connect);
    const r = s.raw(hex(V.V6));
    assert.deepEqual(r.tcp, [
      { type: 'LinkMacToViewerReportDisconnectedFunnel', hr: HRESULT.NS_E_NOFUNNEL, playIncarnation: 0 },
    ]);
    assert.equal(s.machine.transport, 'tcp');
  });

  it('an unparsable funnel name means TCP', () => {
    const s = Session.at('INIT');
    s.send(M.connectFunnel('whatever'));
    assert.equal(s.machine.transport, 'tcp');
  });
});

describe('seeks (mmsp.md §5.3)', () => {
  it('VLC: StopPlaying 0x001FFFFF and StartPlaying(locationId 264) back to back', () => {
    const s = Session.at('STREAMING', T2_WMV);
    const r = s.raw(Buffer.concat([hex(V.V20), hex(V.V22)]));
    assert.deepEqual(
      r.tcp.map((m) => [m.type, (m as { playIncarnation?: number }).playIncarnation]),
      [
        ['LinkMacToViewerReportEndOfStream', 0x001fffff],
        ['LinkMacToViewerReportStartedPlaying', 4],
      ],
    );
    assert.deepEqual(types(r.events), ['stop', 'start-playing']);
    assert.deepEqual(startEvent(r.events)?.start, { kind: 'packet', number: 264 });
  });

  it('libmms: StartPlaying alone while streaming seeks by time without EndOfStream', () => {
    const s = Session.at('STREAMING', T2_WMV);
    const r = s.send(M.startPlaying(5, { position: 13.1 }));
    assert.deepEqual(types(r.tcp), ['LinkMacToViewerReportStartedPlaying']);
    assert.deepEqual(r.events[0], { type: 'stop', reason: 'seek' });
    assert.deepEqual(startEvent(r.events)?.start, { kind: 'time', ms: 13100 });
    assert.equal(s.machine.dataPacket(0, PACKET)![4], 5);
  });

  const precedence = [
    {
      name: 'locationId beats position',
      where: { position: 5, locationId: 10 },
      want: { kind: 'packet', number: 10 },
    },
    {
      name: 'asfOffset to a packet',
      where: { asfOffset: 809 + 3200 * 3 + 5 },
      want: { kind: 'packet', number: 3 },
    },
    { name: 'asfOffset before the data', where: { asfOffset: 100 }, want: { kind: 'packet', number: 0 } },
    { name: 'position as media time', where: { position: 2.5 }, want: { kind: 'time', ms: 2500 } },
    { name: 'DBL_MAX means unused', where: { position: Number.MAX_VALUE }, want: { kind: 'start' } },
    {
      name: 'locationId 0 means unused',
      where: { locationId: 0, position: 1 },
      want: { kind: 'time', ms: 1000 },
    },
  ] as const;
  for (const c of precedence) {
    it(`start point: ${c.name}`, () => {
      const s = Session.at('READY', T2_WMV);
      assert.deepEqual(startEvent(s.send(M.startPlaying(4, c.where)).events)?.start, c.want);
    });
  }

  it('a packet or time past the end: ReportStartedPlaying then EndOfStream at once, READY', () => {
    for (const where of [{ locationId: 78 }, { position: 7 }]) {
      const s = Session.at('READY');
      const r = s.send(M.startPlaying(4, where));
      assert.deepEqual(types(r.tcp), [
        'LinkMacToViewerReportStartedPlaying',
        'LinkMacToViewerReportEndOfStream',
      ]);
      assert.equal(startEvent(r.events), undefined);
      assert.equal(s.machine.state, 'READY');
    }
  });

  it('frameOffset: 0x00FFFFFF is no limit, others are honoured on demand', () => {
    const s = Session.at('READY');
    const r = s.send({ ...M.startPlaying(), frameOffset: 0x80000000 | 2000 });
    assert.deepEqual(startEvent(r.events)?.limit, { ms: 2000, fromStartPosition: true });
  });
});

describe('stream switch (mmsp.md §5.6)', () => {
  it('before play: the complete selection; VLC form with 2 = off; unknown streams ignored', () => {
    const s = Session.at('READY');
    const r = s.send(M.streamSwitch([0xffff, 1, 0], [0xffff, 2, 2], [0xffff, 9, 0]));
    assert.deepEqual(types(r.tcp), ['LinkMacToViewerReportStreamSwitch']);
    assert.deepEqual(
      s.machine.selection,
      new Map([
        [1, 0],
        [2, 2],
      ]),
    );
  });

  it('during play: changes only, a stream-switch event; replacement turns src off', () => {
    const s = Session.at('READY');
    s.send(M.streamSwitch([0xffff, 1, 0], [0xffff, 2, 2]));
    s.send(M.startPlaying());
    const r = s.send(M.streamSwitch([1, 2, 1]));
    assert.deepEqual(r.events, [
      {
        type: 'stream-switch',
        selection: new Map([
          [1, 2],
          [2, 1],
        ]),
      },
    ]);
    const off = s.send(M.streamSwitch([0x82, 0xffff, 0]));
    assert.deepEqual(off.events, [
      {
        type: 'stream-switch',
        selection: new Map([
          [1, 2],
          [2, 2],
        ]),
      },
    ]);
  });
});

describe('stop, restart and incarnations', () => {
  it('StopPlaying echoes its incarnation; restart stamps the new one; the AFFlags sequence keeps counting', () => {
    const s = Session.at('STREAMING');
    s.machine.dataPacket(0, PACKET);
    s.machine.dataPacket(1, PACKET);
    const stop = s.send(M.stopPlaying(4));
    assert.deepEqual(stop.tcp, [{ type: 'LinkMacToViewerReportEndOfStream', hr: 0, playIncarnation: 4 }]);
    assert.deepEqual(stop.events, [{ type: 'stop', reason: 'stop-playing' }]);
    assert.equal(s.machine.state, 'READY');
    // VLC's resume: a second StopPlaying in READY still gets EndOfStream.
    assert.deepEqual(types(s.send(M.stopPlaying(0x001fffff)).tcp), ['LinkMacToViewerReportEndOfStream']);
    s.send(M.startPlaying(9, { locationId: 2 }));
    const h = s.machine.dataPacket(2, PACKET)!;
    assert.deepEqual([h.readUInt32LE(0), h[4], h[5]], [2, 9, 2]);
  });

  it('never emits a TCP Data header reading ce fa 0b b0 at bytes 4..7', () => {
    const s = Session.at('READY');
    s.send(M.startPlaying(0xce));
    const big = Buffer.alloc(0xb00b - 8);
    for (let i = 0; i < 0x100; i++) {
      const h = s.machine.dataPacket(i, big)!;
      assert.notEqual(h.readUInt32LE(4), 0xb00bface);
    }
  });
});

describe('end of stream, playlists and timers (mmsp.md §3.3, §5.7)', () => {
  it('EOS linger closes a silent client 5 s after the end; a message cancels it', () => {
    const s = Session.at('STREAMING');
    s.machine.endOfStream(s.now);
    assert.equal(s.machine.nextDeadline(), 5000);
    assert.equal(s.tick(5000).events[0]?.type, 'close');

    const t = Session.at('STREAMING');
    t.machine.endOfStream(t.now);
    t.send(M.pong);
    assert.deepEqual(t.tick(5000).events, []);
  });

  it('endOfStream outside STREAMING does nothing', () => {
    const s = Session.at('READY');
    assert.deepEqual(seen(s.machine.endOfStream(0)).tcp, []);
  });

  it('a failing source ends with its HRESULT', () => {
    const s = Session.at('STREAMING');
    const r = seen(s.machine.endOfStream(0, HRESULT.NS_E_FILE_READ));
    assert.deepEqual(r.tcp, [
      { type: 'LinkMacToViewerReportEndOfStream', hr: HRESULT.NS_E_FILE_READ, playIncarnation: 4 },
    ]);
  });

  it('Ping after 30 s of silence both ways, during play too; the idle timeout only outside STREAMING', () => {
    const s = Session.at('STREAMING');
    assert.equal(s.machine.nextDeadline(), 30_000);
    assert.deepEqual(types(s.tick(30_000).tcp), ['LinkMacToViewerPing']);
    assert.deepEqual(s.tick(10_000).tcp, []);
    s.send(M.stopPlaying());
    const r = new Session({ idleTimeoutMs: 60_000 });
    r.send(M.connect);
    r.tick(30_000);
    r.tick(29_999);
    assert.equal(r.tick(1).events[0]?.type, 'close');
  });

  it('TCP playlist change: EOS hr 1, StreamChange, header with 0xFF, Data 0xFF until StartPlaying', () => {
    const s = Session.at('STREAMING');
    const next = { ...T_WMV, packetSize: 1600 };
    const r = seen(s.machine.nextEntry(next, s.now));
    assert.deepEqual(types(r.tcp), [
      'LinkMacToViewerReportEndOfStream',
      'LinkMacToViewerReportStreamChange',
      'Data',
    ]);
    assert.equal((r.tcp[0] as { hr: number }).hr, 1);
    assert.equal((r.tcp[2] as { packet: DataPacket }).packet.playIncarnation, 0xff);
    assert.ok(s.machine.holdingData);
    assert.equal(s.machine.dataPacket(0, PACKET)![4], 0xff);
    const sw = s.send(M.streamSwitch([0xffff, 1, 0]), M.startPlaying(5));
    assert.deepEqual(types(sw.tcp), [
      'LinkMacToViewerReportStreamSwitch',
      'LinkMacToViewerReportStartedPlaying',
    ]);
    assert.deepEqual(sw.events.at(-1), { type: 'resume-data', incarnation: 5 });
    assert.ok(!s.machine.holdingData);
    assert.equal(s.machine.dataPacket(1, PACKET)![4], 5);
  });

  it('TCP playlist change without a restart releases Data after 2 s with 0xFF', () => {
    const s = Session.at('STREAMING');
    s.machine.nextEntry(T_WMV, s.now);
    assert.deepEqual(s.tick(2000).events, [{ type: 'resume-data', incarnation: 0xff }]);
  });

  it('UDP playlist change: READY, waiting for a ReadBlock', () => {
    const s = new Session();
    s.send(M.connect, M.connectFunnel('\\\\1.2.3.4\\UDP\\7000'), M.openFile());
    s.opened();
    s.send(M.readBlock(), M.startPlaying());
    const r = seen(s.machine.nextEntry(T_WMV, 0));
    assert.deepEqual(types(r.tcp), ['LinkMacToViewerReportEndOfStream', 'LinkMacToViewerReportStreamChange']);
    assert.equal(s.machine.state, 'READY');
    assert.equal(s.send(M.readBlock(3)).udp[0]?.playIncarnation, 3);
  });
});

describe('every message in the states that refuse it (mmsp.md §3.2)', () => {
  const samples: Record<ViewerToMacMessage['type'], ViewerToMacMessage> = {
    LinkViewerToMacConnect: M.connect,
    LinkViewerToMacFunnelInfo: M.funnelInfo,
    LinkViewerToMacConnectFunnel: M.connectFunnel(),
    LinkViewerToMacOpenFile: M.openFile(),
    LinkViewerToMacSecurityResponse: M.securityResponse,
    LinkViewerToMacReadBlock: M.readBlock(),
    LinkViewerToMacCancelReadBlock: M.cancelReadBlock,
    LinkViewerToMacStreamSwitch: M.streamSwitch([0xffff, 1, 0]),
    LinkViewerToMacStartPlaying: M.startPlaying(),
    LinkViewerToMacStartStriding: M.startStriding,
    LinkViewerToMacStopPlaying: M.stopPlaying(),
    LinkViewerToMacLogging: M.logging,
    LinkViewerToMacPong: M.pong,
    LinkViewerToMacCloseFile: M.closeFile,
  };
  type Want = 'close' | 'ignore' | { reply: string; hr: number };
  const NS_E_INVALID_REQUEST = HRESULT.NS_E_INVALID_REQUEST;
  const refused: [Exclude<MmspServerState, 'OPENING' | 'CLOSED'>, ViewerToMacMessage['type'], Want][] = [
    ...(
      [
        'FunnelInfo',
        'ConnectFunnel',
        'OpenFile',
        'SecurityResponse',
        'ReadBlock',
        'StreamSwitch',
        'StartPlaying',
        'StartStriding',
        'StopPlaying',
        'CloseFile',
      ] as const
    ).map(
      (t) =>
        ['CONNECTED', `LinkViewerToMac${t}`, 'close'] as [
          Exclude<MmspServerState, 'OPENING' | 'CLOSED'>,
          ViewerToMacMessage['type'],
          Want,
        ],
    ),
    ['CONNECTED', 'LinkViewerToMacCancelReadBlock', 'ignore'],
    ['CONNECTED', 'LinkViewerToMacLogging', 'ignore'],
    ['CONNECTED', 'LinkViewerToMacPong', 'ignore'],
    ['INIT', 'LinkViewerToMacConnect', 'close'],
    ['INIT', 'LinkViewerToMacReadBlock', 'close'],
    [
      'INIT',
      'LinkViewerToMacStartPlaying',
      { reply: 'LinkMacToViewerReportStartedPlaying', hr: NS_E_INVALID_REQUEST },
    ],
    [
      'INIT',
      'LinkViewerToMacStartStriding',
      { reply: 'LinkMacToViewerReportStartStriding', hr: NS_E_INVALID_REQUEST },
    ],
    ['INIT', 'LinkViewerToMacSecurityResponse', 'ignore'],
    ['OPEN', 'LinkViewerToMacConnect', 'close'],
    [
      'OPEN',
      'LinkViewerToMacConnectFunnel',
      { reply: 'LinkMacToViewerReportDisconnectedFunnel', hr: NS_E_INVALID_REQUEST },
    ],
    [
      'OPEN',
      'LinkViewerToMacOpenFile',
      { reply: 'LinkMacToViewerReportOpenFile', hr: HRESULT.NS_E_OPEN_FILE_LIMIT },
    ],
    [
      'OPEN',
      'LinkViewerToMacStartPlaying',
      { reply: 'LinkMacToViewerReportStartedPlaying', hr: NS_E_INVALID_REQUEST },
    ],
    [
      'OPEN',
      'LinkViewerToMacStartStriding',
      { reply: 'LinkMacToViewerReportStartStriding', hr: NS_E_INVALID_REQUEST },
    ],
    ['READY', 'LinkViewerToMacConnect', 'close'],
    [
      'READY',
      'LinkViewerToMacConnectFunnel',
      { reply: 'LinkMacToViewerReportDisconnectedFunnel', hr: NS_E_INVALID_REQUEST },
    ],
    [
      'READY',
      'LinkViewerToMacOpenFile',
      { reply: 'LinkMacToViewerReportOpenFile', hr: HRESULT.NS_E_OPEN_FILE_LIMIT },
    ],
    ['READY', 'LinkViewerToMacSecurityResponse', 'ignore'],
    ['READY', 'LinkViewerToMacCancelReadBlock', 'ignore'],
    ['STREAMING', 'LinkViewerToMacConnect', 'close'],
    [
      'STREAMING',
      'LinkViewerToMacConnectFunnel',
      { reply: 'LinkMacToViewerReportDisconnectedFunnel', hr: NS_E_INVALID_REQUEST },
    ],
    [
      'STREAMING',
      'LinkViewerToMacOpenFile',
      { reply: 'LinkMacToViewerReportOpenFile', hr: HRESULT.NS_E_OPEN_FILE_LIMIT },
    ],
    ['STREAMING', 'LinkViewerToMacSecurityResponse', 'ignore'],
    ['STREAMING', 'LinkViewerToMacCancelReadBlock', 'ignore'],
  ];

  for (const [state, type, want] of refused) {
    it(`${type} in ${state}: ${typeof want === 'string' ? want : `${want.reply} 0x${want.hr.toString(16)}`}`, () => {
      const s = Session.at(state);
      const r = s.send(samples[type]);
      if (want === 'close') {
        assert.deepEqual(r.tcp, []);
        const close = r.events.find((e) => e.type === 'close') as Extract<MmspServerEvent, { type: 'close' }>;
        assert.ok(close.error instanceof ProtocolError);
        assert.equal(close.error.code, 'E_MMSP_STATE');
        assert.match(
          close.error.message,
          new RegExp(`allowed in: ${allowedStates(type).join(', ') || 'none'}`),
        );
        assert.equal(s.machine.state, 'CLOSED');
      } else if (want === 'ignore') {
        assert.deepEqual(r.tcp, []);
        assert.ok(!r.events.some((e) => e.type === 'close'));
        assert.equal(s.machine.state, state);
      } else {
        assert.deepEqual(
          r.tcp.map((m) => [m.type, (m as { hr: number }).hr]),
          [[want.reply, want.hr]],
        );
        const err = r.events.find((e) => e.type === 'protocol-error') as Extract<
          MmspServerEvent,
          { type: 'protocol-error' }
        >;
        assert.equal(err.error.code, 'E_MMSP_STATE');
        assert.equal(err.error.reply.hresult, NS_E_INVALID_REQUEST);
        assert.equal(s.machine.state, state);
      }
    });
  }

  it('StartStriding in READY and STREAMING: NS_E_STRIDE_REFUSED, state kept', () => {
    for (const state of ['READY', 'STREAMING'] as const) {
      const s = Session.at(state);
      const r = s.send(M.startStriding);
      assert.deepEqual(r.tcp, [
        {
          type: 'LinkMacToViewerReportStartStriding',
          hr: HRESULT.NS_E_STRIDE_REFUSED,
          playIncarnation: 11,
          spare: 0,
        },
      ]);
      assert.equal(s.machine.state, state);
    }
  });

  it('StopPlaying in INIT and OPEN (lenient) still gets EndOfStream', () => {
    for (const state of ['INIT', 'OPEN'] as const) {
      assert.deepEqual(types(Session.at(state).send(M.stopPlaying(7)).tcp), [
        'LinkMacToViewerReportEndOfStream',
      ]);
    }
  });

  it('unknown MIDs: close before Connect, ignored after, with a protocol-error event', () => {
    const unknown = frameMessage(0x00030030, Buffer.alloc(8));
    assert.equal(new Session().raw(unknown).events[0]?.type, 'close');
    const s = Session.at('READY');
    const r = s.raw(unknown);
    assert.deepEqual(types(r.events), ['protocol-error']);
    assert.equal(s.machine.state, 'READY');
  });

  it('a server-to-client message, garbage, or a truncated message closes with a ProtocolError', () => {
    const s = Session.at('READY');
    assert.equal(s.raw(hex(V.V23)).events[0]?.type, 'close');
    const g = Session.at('READY');
    const r = g.raw(Buffer.from('GET / HTTP/1.0\r\n\r\n'));
    assert.ok((r.events[0] as { error?: unknown }).error instanceof ProtocolError);
    const t = Session.at('OPEN');
    assert.equal(t.raw(frameMessage(0x00030015, Buffer.alloc(4))).events[0]?.type, 'close');
  });

  it('after CLOSED nothing more comes out', () => {
    const s = Session.at('READY');
    s.send(M.closeFile);
    assert.deepEqual(s.send(M.pong), { tcp: [], udp: [], events: [] });
    assert.equal(s.machine.nextDeadline(), null);
  });

  it('fileOpened without a pending open-file is an adapter bug (NetshowError, not ProtocolError)', () => {
    const s = Session.at('READY');
    assert.throws(
      () => s.machine.fileOpened(T_WMV, 0),
      (e: unknown) => !(e instanceof ProtocolError),
    );
  });
});

describe('packet pair when asked (mmsp.md §1.6)', () => {
  const fill = (n: number): Buffer => Buffer.alloc(n, 0xa5);
  const connectPP = { ...M.connect, playIncarnation: 0xf0f0f0f0 } as const;

  it('TCP: echoes 0xF0F0F0F0, then three ReportFunnelInfo units of 512, 512 and 1056 bytes', () => {
    const s = new Session({ randomBytes: fill });
    const c = s.send(connectPP);
    const ex = c.tcp[0];
    assert.ok(ex?.type === 'LinkMacToViewerReportConnectedEX');
    assert.equal(ex.playIncarnation >>> 0, 0xf0f0f0f0);
    const out = s.machine.receive(
      encodeMessage({ type: 'LinkViewerToMacFunnelInfo', playIncarnation: 0xf0f0f0f1 }),
      0,
    );
    assert.deepEqual(
      out.out.map((b) => b.length),
      [512, 512, 1056],
    );
    for (const item of seen(out).tcp) {
      assert.ok(item.type === 'LinkMacToViewerReportFunnelInfo');
      assert.equal(item.playIncarnation >>> 0, 0xf0f0f0f1);
      assert.equal(item.nCubs, CLIENT_ID);
    }
  });

  it('UDP: one echo of 0xF0F0F901, then on ReadBlock two timing packets before the header', () => {
    const s = new Session({ randomBytes: fill });
    s.send(connectPP);
    s.raw(hex(V.V6));
    const fi = s.send({ type: 'LinkViewerToMacFunnelInfo', playIncarnation: 0xf0f0f901 });
    assert.equal(fi.tcp.length, 1);
    assert.ok(fi.tcp[0]?.type === 'LinkMacToViewerReportFunnelInfo');
    assert.equal(fi.tcp[0].playIncarnation >>> 0, 0xf0f0f901);
    s.send(M.openFile());
    s.opened();
    const rb = s.send(M.readBlock());
    assert.deepEqual(
      rb.udp.map((d) => [d.locationId, d.playIncarnation, d.afFlags, d.payload.length]),
      [
        [0xf0f0f000, 0xff, 0x10, 1464],
        [0xf0f0f001, 0xff, 0x10, 1464],
        [0, 2, 0x0c, HEADER.length],
      ],
    );
    assert.deepEqual(types(rb.tcp), ['LinkMacToViewerReportReadBlock']);
  });

  it('without the request, or with a value it does not know, answers "no packet pair"', () => {
    const s = new Session({ randomBytes: fill });
    s.send(M.connect);
    const fi = s.send({ type: 'LinkViewerToMacFunnelInfo', playIncarnation: 0xf0f0f0f1 });
    assert.equal(fi.tcp.length, 1);
    assert.ok(fi.tcp[0]?.type === 'LinkMacToViewerReportFunnelInfo');
    assert.equal(fi.tcp[0].playIncarnation >>> 0, 0xf0f0f0ef);
  });
});
