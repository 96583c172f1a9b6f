// The MMS client machine against netshow's MMS server machine, in memory, on a fake clock: the whole TCP and UDP
// sessions, the header in pieces and split at every byte, start position and stream selection as the server
// reads them, playlist changes, keep-alive, timers, server errors and malformed input.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseFileStart } from '../../../src/asf/file-layout.js';
import { FakeClock } from '../../../src/core/clock.js';
import {
  MmspClientMachine,
  failureOfHresult,
  type MmspClientEvent,
  type MmspClientOptions,
  type MmspClientOutput,
} from '../../../src/mmsp/client-machine.js';
import { HRESULT } from '../../../src/mmsp/hresult.js';
import {
  decodeMessage,
  encodeMessage,
  type MacToViewerMessage,
  type ViewerToMacMessage,
} from '../../../src/mmsp/messages/index.js';
import { MmspServerMachine } from '../../../src/mmsp/server-machine.js';
import type { MmspServerEvent, MmspServerOutput } from '../../../src/mmsp/server-events.js';
import { reportConnectedEX, reportFunnelInfo, reportOpenFile } from '../../../src/mmsp/server-replies.js';
import type { OpenedFile } from '../../../src/mmsp/server-rules.js';
import { TcpMessageDecoder, frameMessage } from '../../../src/mmsp/tcp-message.js';

function media(name: string) {
  const bytes = readFileSync(`test/fixtures/media/${name}`);
  const layout = parseFileStart(bytes, bytes.length);
  const packets = Array.from({ length: layout.packetCount }, (_, n) =>
    bytes.subarray(
      layout.firstPacketOffset + n * layout.packetSize,
      layout.firstPacketOffset + (n + 1) * layout.packetSize,
    ),
  );
  const file: OpenedFile = {
    headerBytes: layout.headerBytes,
    packetSize: layout.packetSize,
    packetCount: layout.packetCount,
    preroll: layout.header.fileProperties.preroll,
    streams: layout.header.streams.map((s) => s.streamNumber),
    durationMs: 10_000,
    seekable: true,
    broadcast: false,
    bitRate: layout.header.fileProperties.maxBitrate,
  };
  return { layout, packets, file };
}
const A = media('a-wmv2-wmav2-10s.wmv');
const C = media('c-mbr-10s.wmv');

interface LinkOptions {
  readonly transport?: 'tcp' | 'udp';
  readonly client?: Partial<MmspClientOptions>;
  readonly server?: Partial<ConstructorParameters<typeof MmspServerMachine>[0]>;
  /** What the server's adapter answers to open-file: the file, or an HRESULT. */
  readonly open?: OpenedFile | number;
  /** Streams the client asks for at each 'header'; null leaves the client READY. */
  readonly select?: ((e: Extract<MmspClientEvent, { type: 'header' }>) => number[]) | null;
  /** TCP bytes from the server are handed over this many at a time. */
  readonly split?: number;
  /** Datagrams as the network delivers them (drop, duplicate, reorder). */
  readonly network?: (datagrams: Buffer[]) => Buffer[];
}

/** A client machine and a server machine joined in memory, with their time from one FakeClock. */
class Link {
  readonly clock = new FakeClock(1000);
  readonly server: MmspServerMachine;
  readonly client: MmspClientMachine;
  readonly events: MmspClientEvent[] = [];
  readonly serverEvents: MmspServerEvent[] = [];
  /** Every message the client sent, decoded. */
  readonly sent: ViewerToMacMessage[] = [];
  private readonly sentDecoder = new TcpMessageDecoder();
  /** Runs before the server's TCP output of a StartPlaying reaches the client (UDP may beat it). */
  beforeStartedPlaying: (() => void) | null = null;

  constructor(readonly o: LinkOptions = {}) {
    const transport = o.transport ?? 'tcp';
    this.server = new MmspServerMachine({ clientId: 0x1234abcd, ...o.server }, this.clock.now());
    this.client = new MmspClientMachine(
      {
        fileName: 'a-wmv2-wmav2-10s.wmv',
        host: 'media.example:1755',
        transport,
        subscriberGuid: '3300AD50-2C39-46C0-AE0A-7E0C2B8C3D61',
        ...o.client,
      },
      this.clock.now(),
    );
  }

  get now(): number {
    return this.clock.now();
  }

  start(port = transport(this) === 'udp' ? 7000 : 5555): this {
    this.fromClient(this.client.start(this.now, { address: '127.0.0.1', port }));
    return this;
  }

  fromClient(o: MmspClientOutput): void {
    for (const b of o.out) this.sent.push(...this.sentDecoder.push(b).map((f) => decodeSent(f)));
    if (o.out.length > 0) this.fromServer(this.server.receive(Buffer.concat(o.out), this.now));
    for (const e of o.events) {
      this.events.push(e);
      const select = this.o.select === undefined ? allStreams : this.o.select;
      if (e.type === 'header' && select !== null) this.fromClient(this.client.play(select(e), this.now));
    }
  }

  fromServer(o: MmspServerOutput): void {
    const network = this.o.network ?? ((d) => d);
    for (const d of network(o.udp)) this.fromClient(this.client.datagram(d, this.now));
    if (o.events.some((e) => e.type === 'start-playing')) this.beforeStartedPlaying?.();
    const tcp = Buffer.concat(o.out);
    const step = this.o.split ?? Math.max(1, tcp.length);
    for (let at = 0; at < tcp.length; at += step)
      this.fromClient(this.client.receive(tcp.subarray(at, at + step), this.now));
    for (const e of o.events) {
      this.serverEvents.push(e);
      if (e.type === 'open-file') {
        const open = this.o.open ?? A.file;
        this.fromServer(
          typeof open === 'number'
            ? this.server.fileFailed(open, this.now)
            : this.server.fileOpened(open, this.now),
        );
      }
    }
  }

  /** The server's delivery core sends these ASF packets (numbered from `first`). */
  send(packets: readonly Buffer[], first = 0): void {
    const datagrams: Buffer[] = [];
    packets.forEach((p, i) => {
      const h = this.server.dataPacket(first + i, p);
      assert.ok(h !== null, 'the server is not streaming');
      if (this.server.transport === 'udp') datagrams.push(Buffer.concat([h, p]));
      else this.fromClient(this.client.receive(Buffer.concat([h, p]), this.now));
    });
    const network = this.o.network ?? ((d) => d);
    for (const d of network(datagrams)) this.fromClient(this.client.datagram(d, this.now));
  }

  /** Moves time on, running each machine's timers when they fall due. */
  advance(ms: number): void {
    const end = this.now + ms;
    for (let guard = 0; guard < 10_000; guard++) {
      const c = this.client.nextDeadline();
      const s = this.server.nextDeadline();
      const next = Math.min(c ?? Infinity, s ?? Infinity);
      if (next > end) break;
      this.clock.advance(Math.max(0, next - this.now));
      if (c !== null && c <= this.now) this.fromClient(this.client.tick(this.now));
      if (s !== null && s <= this.now) this.fromServer(this.server.tick(this.now));
    }
    this.clock.advance(Math.max(0, end - this.now));
  }

  types(): string[] {
    return this.events.map((e) => e.type);
  }

  packets(): Buffer[] {
    return this.events.flatMap((e) => (e.type === 'packet' ? [e.data] : []));
  }

  failure(): Extract<MmspClientEvent, { type: 'failed' }> | undefined {
    return this.events.find((e): e is Extract<MmspClientEvent, { type: 'failed' }> => e.type === 'failed');
  }

  sentOf<T extends ViewerToMacMessage['type']>(type: T): Extract<ViewerToMacMessage, { type: T }>[] {
    return this.sent.filter((m): m is Extract<ViewerToMacMessage, { type: T }> => m.type === type);
  }
}

/** A copy of a Data packet with another LocationId. */
const relocate = (d: Buffer, locationId: number): Buffer => {
  const b = Buffer.from(d);
  b.writeUInt32LE(locationId, 0);
  return b;
};
const allStreams = (e: Extract<MmspClientEvent, { type: 'header' }>): number[] =>
  e.asf.streams.map((s) => s.streamNumber);
const transport = (l: Link): 'tcp' | 'udp' => l.o.transport ?? 'tcp';

function decodeSent(f: ReturnType<TcpMessageDecoder['push']>[number]): ViewerToMacMessage {
  assert.ok(f.kind === 'message', 'the client sent a Data packet');
  return decodeMessage(f.message) as ViewerToMacMessage;
}

/** A client on its own, fed server messages and raw bytes by the test. */
function lone(options: Partial<MmspClientOptions> = {}) {
  const clock = new FakeClock(0);
  const c = new MmspClientMachine(
    { fileName: 'x.wmv', host: 'h', transport: 'tcp', subscriberGuid: 'G', ...options },
    clock.now(),
  );
  const events: MmspClientEvent[] = [];
  const sent: ViewerToMacMessage[] = [];
  const take = (o: MmspClientOutput) => {
    for (const b of o.out) sent.push(...new TcpMessageDecoder().push(b).map(decodeSent));
    events.push(...o.events);
  };
  take(c.start(0, { address: '10.0.0.2', port: 4000 }));
  let seq = 0;
  return {
    c,
    clock,
    events,
    sent,
    raw: (b: Buffer) => take(c.receive(b, clock.now())),
    msg: (...ms: MacToViewerMessage[]) =>
      take(c.receive(Buffer.concat(ms.map((m) => encodeMessage(m, { seq: seq++ }))), clock.now())),
    tick: (ms: number) => {
      clock.advance(ms);
      take(c.tick(clock.now()));
    },
    failed: () => events.find((e): e is Extract<MmspClientEvent, { type: 'failed' }> => e.type === 'failed'),
  };
}

/** The server's replies up to ReportOpenFile, for a lone client. */
const UP_TO_OPENING: MacToViewerMessage[] = [
  reportConnectedEX('9.01.01.3841', false),
  reportFunnelInfo(7),
  {
    type: 'LinkMacToViewerReportConnectedFunnel',
    hr: 0,
    playIncarnation: 0,
    packetPayloadSize: 0,
    funnelName: 'Funnel Of The Gods',
  },
];

describe('MMS client machine against the server machine over TCP (mmsp.md §3.4, §5.1)', () => {
  it('connects, opens, reassembles the header, plays every packet, ends, and closes with CloseFile', () => {
    const l = new Link({ client: { fileName: 'dir/a b%20.wmv?x=1' } }).start();
    assert.deepEqual(
      l.sent.map((m) => m.type),
      [
        'LinkViewerToMacConnect',
        'LinkViewerToMacFunnelInfo',
        'LinkViewerToMacConnectFunnel',
        'LinkViewerToMacOpenFile',
        'LinkViewerToMacReadBlock',
        'LinkViewerToMacStreamSwitch',
        'LinkViewerToMacStartPlaying',
      ],
    );
    const connect = l.sentOf('LinkViewerToMacConnect')[0]!;
    assert.equal(
      connect.subscriberName,
      'NSPlayer/9.0.0.2980; {3300AD50-2C39-46C0-AE0A-7E0C2B8C3D61}; Host: media.example:1755',
    );
    const connected = l.serverEvents.find((e) => e.type === 'connected');
    assert.equal(connected?.type === 'connected' && connected.client.major, 9);
    assert.equal(l.sentOf('LinkViewerToMacConnectFunnel')[0]!.funnelName, '\\\\127.0.0.1\\TCP\\5555');
    // The name reaches the server byte for byte: no decoding, the query kept.
    const open = l.serverEvents.find((e) => e.type === 'open-file');
    assert.deepEqual(open, {
      type: 'open-file',
      path: 'dir/a b%20.wmv',
      decodedPath: 'dir/a b .wmv',
      query: 'x=1',
      token: null,
    });
    assert.equal(l.sentOf('LinkViewerToMacReadBlock')[0]!.playIncarnation, 2);
    const start = l.sentOf('LinkViewerToMacStartPlaying')[0]!;
    assert.equal(start.position, 0);
    assert.equal(start.locationId, 0xffffffff);
    assert.deepEqual(start.accel, { bandwidth: A.file.bitRate, duration: 0 });
    const header = l.events[0];
    assert.ok(header?.type === 'header');
    assert.deepEqual(header.header, A.layout.headerBytes);
    assert.equal(header.server, '9.01.01.3841');
    assert.equal(header.live, false);
    assert.equal(header.change, false);
    assert.equal(l.client.state, 'PLAYING');
    assert.deepEqual(l.types(), ['header', 'playing']);

    l.send(A.packets);
    assert.deepEqual(l.packets(), A.packets);
    l.fromServer(l.server.endOfStream(l.now));
    assert.equal(l.types().at(-1), 'end');
    assert.equal(l.client.state, 'ENDED');

    l.fromClient(l.client.close(l.now));
    assert.deepEqual(l.sent.at(-1), { type: 'LinkViewerToMacCloseFile', playIncarnation: 0, openFileId: 1 });
    assert.deepEqual(l.serverEvents.at(-1), { type: 'close', reason: 'CloseFile' });
  });

  it('a header in several pieces, with every TCP read one byte long, comes out whole', () => {
    const l = new Link({ open: { ...A.file, packetSize: 100 }, split: 1 }).start();
    const h = l.events.find((e) => e.type === 'header');
    assert.ok(h?.type === 'header');
    assert.deepEqual(h.header, A.layout.headerBytes);
    l.send(A.packets.slice(0, 3));
    assert.deepEqual(l.packets(), A.packets.slice(0, 3));
  });

  it('the start position goes out as StartPlaying seconds of media time, the selection as StreamSwitch', () => {
    const l = new Link({
      client: { startMs: 20_000, fileName: 'c-mbr-10s.wmv' },
      open: { ...C.file, durationMs: 30_000 },
      select: () => [2, 3],
    }).start();
    assert.deepEqual(
      l
        .sentOf('LinkViewerToMacStreamSwitch')[0]!
        .entries.map((e) => [e.wSrcStreamNumber, e.wDstStreamNumber, e.wThinningLevel]),
      [
        [0xffff, 1, 2],
        [0xffff, 2, 0],
        [0xffff, 3, 0],
      ],
    );
    const play = l.serverEvents.find((e) => e.type === 'start-playing');
    assert.ok(play?.type === 'start-playing');
    assert.deepEqual(play.start, { kind: 'time', ms: 20_000 });
    assert.deepEqual([...play.selection!].sort(), [
      [1, 2],
      [2, 0],
      [3, 0],
    ]);
  });

  it('fast asks a version 9 server for the whole content at five times its rate', () => {
    const l = new Link({ client: { fast: true } }).start();
    assert.deepEqual(l.sentOf('LinkViewerToMacStartPlaying')[0]!.accel, {
      bandwidth: A.file.bitRate! * 5,
      duration: 10_000,
    });
  });

  it('a selection naming no stream of the content fails as unsupported', () => {
    const l = new Link({ select: () => [9] }).start();
    assert.equal(l.failure()?.kind, 'unsupported');
  });

  it('answers every Ping with a Pong, and the server keeps the session', () => {
    // While streaming the server sends Data, not units, so it pings every 30 s (mmsp.md §3.3).
    const l = new Link({ client: { idleTimeoutMs: 200_000 } }).start();
    l.advance(95_000);
    assert.equal(l.sentOf('LinkViewerToMacPong').length, 3);
    assert.equal(l.client.state, 'PLAYING');
    assert.ok(!l.serverEvents.some((e) => e.type === 'close'));
  });

  it('close() while playing sends StopPlaying with the play incarnation, then CloseFile', () => {
    const l = new Link().start();
    l.send(A.packets.slice(0, 2));
    l.fromClient(l.client.close(l.now));
    const stop = l.sent.at(-2);
    assert.deepEqual(stop, {
      type: 'LinkViewerToMacStopPlaying',
      openFileId: 1,
      playIncarnation: l.sentOf('LinkViewerToMacStartPlaying')[0]!.playIncarnation,
    });
    assert.equal(l.sent.at(-1)!.type, 'LinkViewerToMacCloseFile');
    assert.deepEqual(
      l.serverEvents.slice(-2).map((e) => e.type),
      ['stop', 'close'],
    );
    assert.equal(l.client.state, 'CLOSED');
  });

  it('the server closing the connection while playing is dropped; after the end it is nothing', () => {
    const l = new Link().start();
    l.send(A.packets.slice(0, 2));
    l.fromClient(l.client.closed(l.now));
    assert.equal(l.failure()?.kind, 'dropped');

    const m = new Link().start();
    m.fromServer(m.server.endOfStream(m.now));
    m.fromClient(m.client.closed(m.now));
    assert.equal(m.failure(), undefined);
    assert.equal(m.types().at(-1), 'end');
  });

  it('no data for the idle timeout while playing → dropped', () => {
    const l = new Link({ client: { idleTimeoutMs: 2000 } }).start();
    l.send(A.packets.slice(0, 1));
    l.advance(1999);
    assert.equal(l.failure(), undefined);
    l.advance(1);
    assert.equal(l.failure()?.kind, 'dropped');
  });
});

describe('MMS client machine over UDP (mmsp.md §5.2)', () => {
  it('names a UDP funnel, takes the header and data as datagrams, drops duplicates, ends after a grace', () => {
    const l = new Link({
      transport: 'udp',
      open: { ...A.file, packetSize: 200 },
      // Header pieces arrive backwards, data twice each.
      network: (d) => (d[0]?.readUInt8(4) === 2 ? [...d].reverse() : d.flatMap((x) => [x, x])),
    });
    l.beforeStartedPlaying = () => l.send(A.packets.slice(0, 2));
    l.start();
    assert.equal(l.sentOf('LinkViewerToMacConnectFunnel')[0]!.funnelName, '\\\\127.0.0.1\\UDP\\7000');
    assert.ok(l.serverEvents.some((e) => e.type === 'udp-funnel' && e.port === 7000));
    const h = l.events.find((e) => e.type === 'header');
    assert.ok(h?.type === 'header');
    assert.deepEqual(h.header, A.layout.headerBytes);
    // The two datagrams that beat ReportStartedPlaying are kept and come out first.
    assert.deepEqual(l.types(), ['header', 'playing', 'packet', 'packet']);
    l.send(A.packets.slice(2));
    assert.deepEqual(l.packets(), A.packets);
    assert.equal(l.client.discarded, A.packets.length);
    l.fromServer(l.server.endOfStream(l.now));
    assert.notEqual(l.types().at(-1), 'end');
    l.advance(250);
    assert.equal(l.types().at(-1), 'end');
  });

  it('counts a datagram that never came as lost and carries on', () => {
    let n = 0;
    const l = new Link({ transport: 'udp', network: (d) => d.filter(() => n++ !== 3) }).start();
    l.send(A.packets.slice(0, 6));
    assert.equal(l.packets().length, 5);
    assert.equal(l.client.lost, 1);
  });

  it('a header that never arrives is asked for again (CancelReadBlock, ReadBlock), four times in all, then timeout', () => {
    const l = new Link({ transport: 'udp', client: { connectTimeoutMs: 60_000 }, network: () => [] }).start();
    l.advance(59_000);
    assert.deepEqual(
      l.sent
        .slice(4)
        .map((m) => [
          m.type.replace('LinkViewerToMac', ''),
          'playIncarnation' in m ? m.playIncarnation : null,
        ]),
      [
        ['ReadBlock', 2],
        ['CancelReadBlock', 2],
        ['ReadBlock', 3],
        ['CancelReadBlock', 3],
        ['ReadBlock', 4],
        ['CancelReadBlock', 4],
        ['ReadBlock', 5],
      ],
    );
    assert.equal(l.failure()?.kind, 'timeout');
    assert.match(l.failure()!.message, /no ASF header over UDP after 4 ReadBlocks/);
  });

  it('no datagram within the connect timeout after StartPlaying → timeout (rollover moves to MMST)', () => {
    let open = true;
    const l = new Link({
      transport: 'udp',
      client: { connectTimeoutMs: 3000 },
      network: (d) => (open ? d : []),
    });
    l.start();
    open = false;
    l.send(A.packets.slice(0, 5));
    assert.equal(l.client.state, 'PLAYING');
    l.advance(2999);
    assert.equal(l.failure(), undefined);
    l.advance(1);
    assert.equal(l.failure()?.kind, 'timeout');
    assert.match(l.failure()!.message, /data after StartPlaying/);
    assert.ok(!l.types().includes('playing'));
  });

  it('a server that refuses UDP funnels → unsupported', () => {
    const l = new Link({ transport: 'udp', server: { allowUdp: false } }).start();
    assert.equal(l.failure()?.kind, 'unsupported');
  });
});

describe('MMS client machine through a server-side playlist change (mmsp.md §5.7)', () => {
  for (const t of ['tcp', 'udp'] as const) {
    it(`${t}: EndOfStream hr 1, StreamChange, the new header, a new play with a new incarnation`, () => {
      const l = new Link({ transport: t }).start();
      l.send(A.packets.slice(0, 2));
      l.fromServer(l.server.nextEntry(C.file, l.now));
      const change = l.events.find((e) => e.type === 'header' && e.change);
      assert.ok(change?.type === 'header');
      assert.deepEqual(change.header, C.layout.headerBytes);
      const plays = l.sentOf('LinkViewerToMacStartPlaying');
      assert.equal(plays.length, 2);
      assert.notEqual(plays[0]!.playIncarnation, plays[1]!.playIncarnation);
      if (t === 'tcp') assert.ok(l.serverEvents.some((e) => e.type === 'resume-data'));
      else assert.equal(l.sentOf('LinkViewerToMacReadBlock').length, 2);
      l.send(C.packets.slice(0, 3));
      assert.deepEqual(l.packets(), [...A.packets.slice(0, 2), ...C.packets.slice(0, 3)]);
    });
  }
});

describe('MMS client machine: server errors (mmsp.md §5.11)', () => {
  for (const [hr, kind] of [
    [HRESULT.NS_E_FILE_NOT_FOUND, 'not-found'],
    [0x80070003, 'not-found'],
    [HRESULT.E_ACCESSDENIED, 'auth'],
    [HRESULT.NS_E_FILE_OPEN_FAILED, 'protocol'],
    [HRESULT.NS_E_INVALID_NAME, 'protocol'],
  ] as const) {
    it(`ReportOpenFile hr 0x${hr.toString(16)} → ${kind}, then CloseFile on close`, () => {
      const l = new Link({ open: hr }).start();
      assert.equal(l.failure()?.kind, kind);
      assert.equal(failureOfHresult(hr), kind);
      l.fromClient(l.client.close(l.now));
      assert.equal(l.sent.at(-1)!.type, 'LinkViewerToMacCloseFile');
    });
  }

  it('ReportConnectedEX with an error hr ends the attempt', () => {
    const x = lone();
    x.msg({
      ...(reportConnectedEX('9.01.01.3841', false) as object),
      hr: HRESULT.NS_E_TOO_MANY_SESS,
    } as MacToViewerMessage);
    assert.equal(x.failed()?.kind, 'protocol');
    assert.match(x.failed()!.message, /0xc00d000f/);
  });

  it('ReportEndOfStream with a failure while playing → dropped', () => {
    const l = new Link().start();
    l.fromServer(l.server.endOfStream(l.now, HRESULT.NS_E_FILE_READ));
    assert.equal(l.failure()?.kind, 'dropped');
  });

  it('ReportRedirect of type 1 → redirect to its location', () => {
    const x = lone();
    x.msg(...UP_TO_OPENING, {
      type: 'LinkMacToViewerReportRedirect',
      hr: 0,
      redirectType: 1,
      location: 'mms://other:1756/x.wmv',
    });
    assert.deepEqual(x.events.at(-1), { type: 'redirect', location: 'mms://other:1756/x.wmv' });
    assert.equal(x.c.state, 'CLOSED');
  });
});

describe('MMS client machine: Basic authentication (mmsp.md §5.9)', () => {
  const challenge = (
    cookie: number,
    token = Buffer.from('realm="netshow"\0', 'utf16le'),
  ): MacToViewerMessage => ({
    type: 'LinkMacToViewerSecurityChallenge',
    playIncarnation: 9,
    cookie,
    token,
  });

  it('answers one challenge with base64 user:password, echoing incarnation and cookie; a second one → auth', () => {
    const x = lone({ user: 'u', password: 'p' });
    x.msg(...UP_TO_OPENING, challenge(77));
    assert.deepEqual(x.sent.at(-1), {
      type: 'LinkViewerToMacSecurityResponse',
      playIncarnation: 9,
      cookie: 77,
      token: Buffer.from('dTpw\0', 'latin1'),
    });
    x.msg(reportOpenFile(9, 0, A.file));
    assert.equal(x.c.state, 'HEADER');
    const y = lone({ user: 'u', password: 'p' });
    y.msg(...UP_TO_OPENING, challenge(1), challenge(2));
    assert.equal(y.failed()?.kind, 'auth');
    assert.match(y.failed()!.message, /credentials refused/);
  });

  it('without credentials, or for NTLM → auth', () => {
    const x = lone();
    x.msg(...UP_TO_OPENING, challenge(1));
    assert.equal(x.failed()?.kind, 'auth');
    const y = lone({ user: 'u' });
    y.msg(...UP_TO_OPENING, challenge(1, Buffer.from([0, 0, 1, 2])));
    assert.equal(y.failed()?.kind, 'auth');
    assert.match(y.failed()!.message, /NTLM/);
  });
});

describe('MMS client machine: timeouts and malformed servers', () => {
  it('a silent server → timeout at the connect timeout', () => {
    const x = lone({ connectTimeoutMs: 800 });
    assert.equal(x.c.nextDeadline(), 800);
    x.tick(799);
    assert.equal(x.failed(), undefined);
    x.tick(1);
    assert.equal(x.failed()?.kind, 'timeout');
  });

  it('a TCP connection that never completes → timeout', () => {
    const c = new MmspClientMachine({ fileName: 'x', host: 'h', transport: 'tcp', subscriberGuid: 'G' }, 0);
    assert.equal(c.nextDeadline(), 5000);
    assert.deepEqual(
      c.tick(5000).events.map((e) => e.type === 'failed' && e.kind),
      ['timeout'],
    );
  });

  const unit = (messageLength: number) => {
    const b = frameMessage(0x00040001, Buffer.alloc(8));
    b.writeUInt32LE(messageLength, 8);
    return b;
  };
  for (const [name, bytes, close] of [
    ['garbage (an HTTP reply)', Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n'), false],
    ['an absurd messageLength', unit(0x7fffffff).subarray(0, 40), false],
    ['a messageLength below the minimum', unit(8), false],
    [
      'a bad seal',
      Buffer.concat([unit(24).subarray(0, 12), Buffer.from('XXXX'), unit(24).subarray(16)]),
      false,
    ],
    ['a unit cut off, then the connection closed', unit(24).subarray(0, 30), true],
  ] as const) {
    it(`${name} → protocol at once`, () => {
      const x = lone();
      x.raw(bytes);
      if (close) x.events.push(...x.c.closed(0).events);
      assert.equal(x.failed()?.kind, 'protocol', x.failed()?.message);
    });
  }

  it('a unit cut off on a connection left open → protocol at the connect timeout, not timeout', () => {
    const x = lone({ connectTimeoutMs: 500 });
    x.raw(unit(24).subarray(0, 30));
    assert.equal(x.failed(), undefined);
    x.tick(500);
    assert.equal(x.failed()?.kind, 'protocol');
    assert.match(x.failed()!.message, /stopped inside a message/);
  });

  it('a Data packet before the header was asked for → protocol', () => {
    const x = lone();
    x.msg(reportConnectedEX('9.01.01.3841', false));
    x.raw(Buffer.from([0, 0, 0, 0, 4, 0, 12, 0, 1, 2, 3, 4]));
    assert.equal(x.failed()?.kind, 'protocol');
    assert.match(x.failed()!.message, /before the header was asked for/);
  });

  it('a reply in the wrong state, or a client message from the server → protocol naming the states', () => {
    const x = lone();
    x.msg(reportOpenFile(9, 0, A.file));
    assert.equal(x.failed()?.kind, 'protocol');
    assert.match(x.failed()!.message, /ReportOpenFile in state CONNECTING; expected in: OPENING/);
    const y = lone();
    y.msg({ type: 'LinkViewerToMacPong', dwParam1: 0, dwParam2: 0 } as unknown as MacToViewerMessage);
    assert.match(y.failed()!.message, /client message/);
  });

  it('a header longer than fileHeaderSize says → protocol', () => {
    const l = new Link({ open: A.file });
    const realOpened = l.server.fileOpened.bind(l.server);
    l.server.fileOpened = (f, now) => {
      const o = realOpened(f, now);
      // ReportOpenFile claims one byte fewer than the header the server then sends.
      const b = o.out[0]!;
      b.writeUInt32LE(b.readUInt32LE(108) - 1, 108);
      return o;
    };
    l.start();
    assert.equal(l.failure()?.kind, 'protocol');
    assert.match(l.failure()!.message, /exceed the 846 bytes announced/);
  });

  it('header pieces numbered past the last piece → protocol, whichever arrives first', () => {
    for (const order of [(d: Buffer[]) => d, (d: Buffer[]) => [...d].reverse()]) {
      const l = new Link({
        transport: 'udp',
        open: { ...A.file, packetSize: 300 },
        // Pieces 0, 1, 2 (the last) become 0, 7, 2.
        network: (d) => order(d.map((x, i) => (i === 1 ? relocate(x, 7) : x))),
      }).start();
      assert.equal(l.failure()?.kind, 'protocol');
      assert.match(l.failure()!.message, /beyond the last one|after the last one/);
    }
  });

  it('a Data packet larger than the ASF packet size on TCP → protocol', () => {
    const l = new Link().start();
    l.send([Buffer.alloc(A.layout.packetSize + 1)]);
    assert.equal(l.failure()?.kind, 'protocol');
  });
});
