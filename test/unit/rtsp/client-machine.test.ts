// The RTSP client machine against netshow's own server machine, in memory, on a fake time: the request
// sequence over TCP and UDP, every packet of a file in order (UDP shuffled and duplicated), the start time on
// both npt scales, stream selection, end of stream, keep-alive, TEARDOWN, and each failure with its kind.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseFileStart } from '../../../src/asf/file-layout.js';
import { stripPadding } from '../../../src/rtsp/asf-padding.js';
import {
  DEFAULT_CLIENT_USER_AGENT,
  RtspClientMachine,
  type RtspClientEvent,
  type RtspClientOptions,
  type RtspClientOutput,
} from '../../../src/rtsp/client-machine.js';
import { decodeMessage } from '../../../src/rtsp/message.js';
import { RtspServerMachine } from '../../../src/rtsp/server-machine.js';
import type {
  RtspContent,
  RtspServerEvent,
  RtspServerOptions,
  RtspServerOutput,
} from '../../../src/rtsp/server-events.js';
import { crlf } from './vectors.js';

function fixture(name: string) {
  const bytes = readFileSync(new URL(`../../fixtures/media/${name}`, import.meta.url));
  const layout = parseFileStart(bytes, bytes.length);
  const packet = (n: number) => {
    const data = bytes.subarray(
      layout.firstPacketOffset + n * layout.packetSize,
      layout.firstPacketOffset + (n + 1) * layout.packetSize,
    );
    return { number: n, data, sendTime: data.readUInt32LE(5) };
  };
  const content: RtspContent = { headerBytes: layout.headerBytes, live: false, seekable: true };
  return { layout, packet, content };
}
const A = fixture('a-wmv2-wmav2-10s.wmv');
const URL_A = 'rtsp://127.0.0.1:18554/a.wmv';
const SERVER: RtspServerOptions = {
  sessionId: '8106423151295581017',
  ssrc: 0x2b7f1c3d,
  initialSequence: 65500,
  udpServerPorts: [51122, 51123],
};
const PORTS = { data: [18520, 18521] as const, rtx: [18518, 18519] as const };

/** Client and server machines wired back to back; the test moves time and plays packets. */
class Pair {
  now = 0;
  readonly client: RtspClientMachine;
  readonly server: RtspServerMachine;
  readonly requests: string[] = [];
  readonly replies: string[] = [];
  readonly events: RtspClientEvent[] = [];
  readonly serverEvents: RtspServerEvent[] = [];
  readonly packets: Buffer[] = [];

  constructor(
    client: Partial<RtspClientOptions> & Pick<RtspClientOptions, 'transport'>,
    private readonly o: {
      content?: RtspContent | null;
      server?: Partial<RtspServerOptions>;
      select?: (streams: readonly number[]) => number[];
    } = {},
  ) {
    this.client = new RtspClientMachine({ url: URL_A, ...client }, 0);
    this.server = new RtspServerMachine({ ...SERVER, ...o.server }, 0);
  }

  start(): this {
    this.fromClient(this.client.start(this.now, this.client['opt'].transport === 'udp' ? PORTS : null));
    return this;
  }

  fromClient(o: RtspClientOutput): void {
    for (const b of o.out) {
      this.requests.push(b.toString('latin1'));
      this.fromServer(this.server.receive(b, this.now));
    }
    for (const e of o.events) {
      this.events.push(e);
      if (e.type === 'packet') this.packets.push(e.data);
      if (e.type === 'described')
        this.fromClient(this.client.setup(this.o.select?.(e.streams) ?? [...e.streams], this.now));
    }
  }

  fromServer(o: RtspServerOutput): void {
    for (const b of o.out) {
      this.replies.push(b.toString('latin1'));
      this.fromClient(this.client.receive(b, this.now));
    }
    for (const d of o.rtcp) this.fromClient(this.client.rtcp(d, this.now));
    for (const e of o.events) {
      this.serverEvents.push(e);
      if (e.type === 'describe')
        this.fromServer(
          this.server.described(this.o.content === undefined ? A.content : this.o.content, this.now),
        );
    }
  }

  /** Every packet of the file as the server frames it; UDP datagrams in `order` (indexes, repeats allowed). */
  play(packets: { data: Buffer; sendTime: number; number: number }[], order?: (n: number) => number[]): void {
    const frames = packets.flatMap((p) => this.server.rtpPackets(p)).map((f) => Buffer.concat(f));
    const udp = this.server.dataPath?.kind === 'udp';
    for (const i of order?.(frames.length) ?? frames.map((_, i) => i)) {
      const f = frames[i]!;
      this.fromClient(udp ? this.client.rtp(f, this.now) : this.client.receive(f, this.now));
    }
  }

  advance(ms: number): void {
    const end = this.now + ms;
    for (;;) {
      const c = this.client.nextDeadline();
      const s = this.server.nextDeadline();
      const next = Math.min(c ?? Infinity, s ?? Infinity);
      if (next > end) break;
      this.now = Math.max(this.now, next);
      if (c !== null && c <= this.now) this.fromClient(this.client.tick(this.now));
      if (s !== null && s <= this.now) this.fromServer(this.server.tick(this.now));
    }
    this.now = end;
  }

  methods(): string[] {
    return this.requests.map((r) => r.slice(0, r.indexOf(' ')));
  }
  failure(): { kind: string; message: string } | undefined {
    const f = this.events.find((e) => e.type === 'failed');
    return f?.type === 'failed' ? { kind: f.kind, message: f.message } : undefined;
  }
}

const all = (n: number) => Array.from({ length: n }, (_, i) => i);
const stripped = (f: typeof A, n: number) => stripPadding(f.packet(n).data, f.layout.packetSize).data;
const filePackets = (f: typeof A) => all(f.layout.packetCount).map((n) => f.packet(n));

describe('RTSP client machine against the server machine', () => {
  it('TCP: OPTIONS, DESCRIBE, SETUP per stream on interleaved 0-1, PLAY, every packet, end, TEARDOWN', () => {
    const p = new Pair({ transport: 'tcp' }).start();
    assert.deepEqual(p.methods(), ['OPTIONS', 'DESCRIBE', 'SETUP', 'SETUP', 'PLAY']);
    assert.match(p.requests[0]!, /^OPTIONS rtsp:\/\/127\.0\.0\.1:18554\/a\.wmv RTSP\/1\.0\r\nCSeq: 1\r\n/);
    assert.match(p.requests[2]!, /^SETUP rtsp:\/\/127\.0\.0\.1:18554\/a\.wmv\/video1 RTSP\/1\.0\r\n/);
    assert.match(p.requests[2]!, /\r\nTransport: RTP\/AVP\/TCP;unicast;interleaved=0-1;mode=play\r\n/);
    assert.match(p.requests[3]!, /\r\nSession: 8106423151295581017\r\n/);
    assert.match(p.requests[4]!, /^PLAY rtsp:\/\/127\.0\.0\.1:18554\/a\.wmv\/ RTSP\/1\.0\r\n/);
    assert.equal(p.client.state, 'PLAYING');
    assert.deepEqual(
      p.events.slice(0, 2).map((e) => e.type),
      ['described', 'playing'],
    );
    const described = p.events[0]!;
    assert.ok(described.type === 'described');
    assert.deepEqual(described.header, A.layout.headerBytes);
    assert.equal(described.server, 'WMServer/9.1.1.5000');
    assert.equal(described.live, false);
    assert.deepEqual(described.streams, [1, 2]);
    // The initial sequence 65500 wraps past 65535 within the file.
    p.play(filePackets(A));
    assert.equal(p.packets.length, A.layout.packetCount);
    p.packets.forEach((d, n) => assert.deepEqual(d, stripped(A, n), `packet ${n}`));
    p.fromServer(p.server.endOfStream(p.now));
    assert.equal(p.client.state, 'ENDED');
    assert.equal(p.events.at(-1)?.type, 'end');
    // The EndOfStream SET_PARAMETER was answered 200 with its CSeq.
    assert.match(p.requests.at(-1)!, /^RTSP\/1\.0 200 OK\r\nCSeq: 1\r\nSession: 8106423151295581017\r\n/);
    p.fromClient(p.client.teardown(p.now));
    assert.equal(p.methods().at(-1), 'TEARDOWN');
    assert.deepEqual(p.serverEvents.at(-1), { type: 'teardown', reason: 'teardown' });
    assert.equal(p.client.state, 'CLOSED');
  });

  it('UDP: rtx first on its own ports, the data port pair on a/v, packets shuffled and doubled come out in order', () => {
    const p = new Pair({ transport: 'udp' }).start();
    assert.deepEqual(p.methods(), ['OPTIONS', 'DESCRIBE', 'SETUP', 'SETUP', 'SETUP', 'PLAY']);
    assert.match(p.requests[2]!, /^SETUP rtsp:\/\/127\.0\.0\.1:18554\/a\.wmv\/rtx RTSP\/1\.0\r\n/);
    assert.match(p.requests[2]!, /Transport: RTP\/AVP\/UDP;unicast;client_port=18518-18519;mode=play\r\n/);
    assert.match(p.requests[3]!, /Transport: RTP\/AVP\/UDP;unicast;client_port=18520-18521;mode=play\r\n/);
    assert.deepEqual(p.server.dataPath, { kind: 'udp', rtpPort: 18520, rtcpPort: 18521 });
    // Over UDP the attempt counts as working only once RTP got through (rollover.md §2.3).
    assert.equal(p.client.state, 'PLAYING');
    assert.deepEqual(
      p.events.map((e) => e.type),
      ['described'],
    );
    // Within each run of 8 datagrams: reversed, and every datagram twice.
    p.play(filePackets(A), (n) =>
      all(Math.ceil(n / 8)).flatMap((k) => {
        const run = all(8)
          .map((i) => k * 8 + 7 - i)
          .filter((i) => i < n);
        return [...run, ...run];
      }),
    );
    assert.equal(p.events[1]?.type, 'playing');
    assert.equal(p.packets.length, A.layout.packetCount);
    p.packets.forEach((d, n) => assert.deepEqual(d, stripped(A, n), `packet ${n}`));
    assert.ok(p.client.discarded >= A.layout.packetCount, 'duplicates were discarded');
    assert.equal(p.client.lost, 0);
    // The notice leaves a grace for datagrams still in flight; the end follows at its deadline.
    p.fromServer(p.server.endOfStream(p.now));
    assert.equal(p.client.state, 'PLAYING');
    p.advance(300);
    assert.equal(p.client.state, 'ENDED');
  });

  it('UDP: datagrams that beat the PLAY reply are kept, a lost one is skipped after the reorder wait', () => {
    const p = new Pair({ transport: 'udp' });
    // Hold the PLAY reply back: the server's RTP goes first, as it may on a real network.
    const held: Buffer[] = [];
    const fromServer = p.fromServer.bind(p);
    p.fromServer = (o) => {
      if (o.out.some((b) => b.toString('latin1').includes('RTP-Info'))) held.push(...o.out);
      else fromServer(o);
      for (const e of o.events) if (e.type === 'play') p.serverEvents.push(e);
    };
    p.start();
    assert.equal(p.client.state, 'PLAY');
    const frames = filePackets(A)
      .slice(0, 5)
      .flatMap((x) => p.server.rtpPackets(x))
      .map((f) => Buffer.concat(f));
    // 5 packets of 3 fragments each; fragment 4 (the second packet's middle one) never arrives.
    for (const [i, f] of frames.entries()) if (i !== 4) p.fromClient(p.client.rtp(f, p.now));
    assert.equal(p.packets.length, 0);
    p.fromServer = fromServer;
    for (const b of held) p.fromClient(p.client.receive(b, p.now));
    assert.equal(p.client.state, 'PLAYING');
    assert.equal(p.packets.length, 1);
    p.advance(149);
    assert.equal(p.packets.length, 1);
    p.advance(1);
    assert.equal(p.client.lost, 1);
    assert.deepEqual(
      p.packets,
      [0, 2, 3, 4].map((n) => stripped(A, n)),
    );
  });

  it('a 20 s start on the 30 s file starts the server at 20 s of media time, on both npt scales', () => {
    const D = fixture('d-indexed-30s.wmv');
    for (const [userAgent, npt] of [
      [DEFAULT_CLIENT_USER_AGENT, '23.100'],
      ['Lavf59.27.100', '20.000'],
    ] as const) {
      const p = new Pair({ transport: 'tcp', startMs: 20_000, userAgent }, { content: D.content }).start();
      assert.match(p.requests.at(-1)!, new RegExp(`\\r\\nRange: npt=${npt.replace('.', '\\.')}-\\r\\n`));
      assert.match(
        p.requests[0]!,
        new RegExp(`\\r\\nUser-Agent: ${userAgent.replace(/[./]/g, '\\$&')}\\r\\n`),
      );
      const play = p.serverEvents.find((e) => e.type === 'play');
      assert.ok(play?.type === 'play');
      assert.deepEqual(play.start, { kind: 'time', ms: 20_000 }, userAgent);
    }
  });

  it('fast asks for Speed with fastcache; the server paces at that rate', () => {
    const p = new Pair({ transport: 'tcp', fast: true }).start();
    assert.match(p.requests.at(-1)!, /\r\nSpeed: 5\.000\r\n/);
    assert.match(p.requests[1]!, /com\.microsoft\.wm\.fastcache/);
    const play = p.serverEvents.find((e) => e.type === 'play');
    assert.ok(play?.type === 'play' && play.speed === 5);
  });

  it('only the selected streams are SET UP, and the server thins to them', () => {
    const C = fixture('c-mbr-10s.wmv');
    const p = new Pair({ transport: 'udp' }, { content: C.content, select: () => [2, 3] }).start();
    assert.deepEqual(
      p.requests.filter((r) => r.startsWith('SETUP')).map((r) => r.split(' ')[1]),
      [
        'rtsp://127.0.0.1:18554/a.wmv/rtx',
        'rtsp://127.0.0.1:18554/a.wmv/video2',
        'rtsp://127.0.0.1:18554/a.wmv/audio3',
      ],
    );
    const play = p.serverEvents.find((e) => e.type === 'play');
    assert.ok(play?.type === 'play');
    assert.deepEqual([...(play.selection ?? new Map()).keys()], [2, 3]);
  });

  it('a selection with no SDP block fails as unsupported without a SETUP', () => {
    const p = new Pair({ transport: 'tcp' }, { select: () => [9] }).start();
    assert.equal(p.failure()?.kind, 'unsupported');
    assert.ok(!p.methods().includes('SETUP'));
  });

  it('missing content: 404 → not-found', () => {
    const p = new Pair({ transport: 'tcp' }, { content: null }).start();
    assert.deepEqual(p.failure(), {
      kind: 'not-found',
      message: 'DESCRIBE rtsp://127.0.0.1:18554/a.wmv: 404 Not Found',
    });
    assert.equal(p.client.state, 'FAILED');
    assert.equal(p.client.nextDeadline(), null);
  });

  it('UDP refused by the server: 461 → unsupported (rollover moves to TCP)', () => {
    const p = new Pair({ transport: 'udp' }, { server: { udpServerPorts: null } }).start();
    assert.equal(p.failure()?.kind, 'unsupported');
    assert.match(p.failure()!.message, /461/);
  });

  it('keep-alive: GET_PARAMETER with the Session every timeout/2, and the session outlives the server timeout', () => {
    const p = new Pair({ transport: 'tcp', idleTimeoutMs: 1e9 }).start();
    p.play(filePackets(A).slice(0, 3));
    p.advance(29_999);
    assert.equal(p.methods().filter((m) => m === 'GET_PARAMETER').length, 0);
    p.advance(1);
    assert.match(p.requests.at(-1)!, /^GET_PARAMETER rtsp:\/\/127\.0\.0\.1:18554\/a\.wmv\/ RTSP\/1\.0\r\n/);
    assert.match(p.requests.at(-1)!, /\r\nSession: 8106423151295581017\r\n/);
    p.advance(120_000);
    assert.equal(p.methods().filter((m) => m === 'GET_PARAMETER').length, 5);
    assert.equal(p.server.state, 'PLAYING');
    assert.equal(p.client.state, 'PLAYING');
  });

  it('idle while playing → dropped; UDP with no RTP after PLAY → timeout; no PLAY reply → timeout', () => {
    const tcp = new Pair({ transport: 'tcp', idleTimeoutMs: 15_000 }).start();
    tcp.play(filePackets(A).slice(0, 2));
    tcp.advance(14_999);
    assert.equal(tcp.client.state, 'PLAYING');
    tcp.advance(1);
    assert.equal(tcp.failure()?.kind, 'dropped');

    const udp = new Pair({ transport: 'udp', connectTimeoutMs: 5000 }).start();
    udp.advance(4999);
    assert.equal(udp.client.state, 'PLAYING');
    udp.advance(1);
    assert.equal(udp.failure()?.kind, 'timeout');
    assert.match(udp.failure()!.message, /no RTP over UDP/);

    const silent = new RtspClientMachine({ url: URL_A, transport: 'tcp', connectTimeoutMs: 2000 }, 100);
    assert.equal(silent.start(100).out.length, 1);
    assert.equal(silent.nextDeadline(), 2100);
    assert.deepEqual(silent.tick(2099).events, []);
    assert.deepEqual(silent.tick(2100).events, [
      { type: 'failed', kind: 'timeout', message: 'no PLAY reply within 2000 ms (in OPTIONS)' },
    ]);
  });

  it('an RTCP BYE ends the stream', () => {
    const p = new Pair({ transport: 'tcp' }).start();
    p.play(filePackets(A).slice(0, 4));
    const bye = Buffer.from('81cb00012b7f1c3d', 'hex');
    p.fromClient(p.client.receive(Buffer.concat([Buffer.from('24010008', 'hex'), bye]), p.now));
    assert.equal(p.client.state, 'ENDED');
    assert.equal(p.packets.length, 4);
  });
});

/** A client alone, fed scripted server bytes. */
function scripted(o: Partial<RtspClientOptions> = {}) {
  const m = new RtspClientMachine({ url: URL_A, transport: 'tcp', ...o }, 0);
  const sent: string[] = m.start(0).out.map((b) => b.toString('latin1'));
  const events: RtspClientEvent[] = [];
  const feed = (text: string, withBody = false): void => {
    const r = m.receive(crlf(text, withBody), 0);
    sent.push(...r.out.map((b) => b.toString('latin1')));
    events.push(...r.events);
  };
  return { m, sent, events, feed };
}
const kind = (events: RtspClientEvent[]) => events.find((e) => e.type === 'failed');

describe('RTSP client machine failures', () => {
  it('401: one retry with Basic credentials; refused again → auth', () => {
    const s = scripted({ user: 'ann', password: 'pw' });
    s.feed('RTSP/1.0 200 OK\nCSeq: 1\nServer: WMServer/9.1');
    s.feed('RTSP/1.0 401 Unauthorized\nCSeq: 2\nWWW-Authenticate: Basic realm="x"');
    const retry = s.sent.at(-1)!;
    assert.match(retry, /^DESCRIBE rtsp:\/\/127\.0\.0\.1:18554\/a\.wmv RTSP\/1\.0\r\nCSeq: 3\r\n/);
    assert.match(retry, /\r\nAuthorization: Basic YW5uOnB3\r\n/);
    assert.equal(decodeMessage(Buffer.from(retry, 'latin1')).kind, 'request');
    assert.equal(kind(s.events), undefined);
    s.feed('RTSP/1.0 401 Unauthorized\nCSeq: 3\nWWW-Authenticate: Basic realm="x"');
    assert.deepEqual(kind(s.events), {
      type: 'failed',
      kind: 'auth',
      message: 'DESCRIBE rtsp://127.0.0.1:18554/a.wmv: 401 (credentials refused)',
    });
  });

  it('401 without credentials, or with only Digest offered → auth at once', () => {
    const none = scripted();
    none.feed('RTSP/1.0 401 Unauthorized\nCSeq: 1');
    assert.equal(kind(none.events)?.type === 'failed' && kind(none.events)?.kind, 'auth');
    const digest = scripted({ user: 'a', password: 'b' });
    digest.feed('RTSP/1.0 401 Unauthorized\nCSeq: 1\nWWW-Authenticate: Digest realm="x", nonce="1"');
    assert.match(JSON.stringify(kind(digest.events)), /"auth".*no Basic/);
    assert.equal(digest.sent.length, 1);
  });

  it('not a Windows Media server: no WMServer/ and no pgmpu ASF header → unsupported', () => {
    const s = scripted();
    s.feed('RTSP/1.0 200 OK\nCSeq: 1\nServer: GStreamer RTSP server\nPublic: OPTIONS, DESCRIBE');
    const sdp =
      'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=x\r\nt=0 0\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n';
    s.feed(
      `RTSP/1.0 200 OK\nCSeq: 2\nContent-Type: application/sdp\nContent-Length: ${sdp.length}\n\n${sdp.replace(/\r\n/g, '\n')}`,
      true,
    );
    const f = kind(s.events);
    assert.ok(f?.type === 'failed');
    assert.equal(f.kind, 'unsupported');
    assert.match(f.message, /"GStreamer RTSP server" sent no ASF header/);
  });

  it('other statuses → protocol; garbage first bytes → protocol at once; a cut-off reply at close → protocol', () => {
    const s500 = scripted();
    s500.feed('RTSP/1.0 500 Internal Server Error\nCSeq: 1');
    assert.match(JSON.stringify(kind(s500.events)), /"protocol".*OPTIONS .*500 Internal Server Error/);

    const garbage = new RtspClientMachine({ url: URL_A, transport: 'tcp' }, 0);
    garbage.start(0);
    assert.deepEqual(garbage.receive(Buffer.from('RT'), 0).events, []);
    const g = garbage.receive(Buffer.from('MP/1.0 200 OK'), 0).events;
    assert.equal(g[0]?.type === 'failed' && g[0].kind, 'protocol');

    const cut = new RtspClientMachine({ url: URL_A, transport: 'tcp' }, 0);
    cut.start(0);
    assert.deepEqual(
      cut.receive(Buffer.from('RTSP/1.0 200 OK\r\nCSeq: 1\r\nContent-Length: 40\r\n\r\nabc'), 0).events,
      [],
    );
    const c = cut.closed().events;
    assert.equal(c[0]?.type === 'failed' && c[0].kind, 'protocol');

    const bad = scripted();
    bad.feed('RTSP/1.0 200 OK\nCSeq: 1\nContent-Length: x');
    assert.equal(kind(bad.events)?.type === 'failed' && kind(bad.events)?.kind, 'protocol');
  });

  it('a server request other than SET_PARAMETER/GET_PARAMETER/OPTIONS gets 501; SET_PARAMETER gets 200', () => {
    const s = scripted();
    s.feed('RTSP/1.0 200 OK\nCSeq: 1\nServer: WMServer/9.1');
    s.feed('ANNOUNCE rtsp://127.0.0.1:18554/a.wmv RTSP/1.0\nCSeq: 7');
    assert.match(s.sent.at(-1)!, /^RTSP\/1\.0 501 Not Implemented\r\nCSeq: 7\r\n/);
    s.feed('SET_PARAMETER rtsp://127.0.0.1:18554/a.wmv RTSP/1.0\nCSeq: 8');
    assert.match(s.sent.at(-1)!, /^RTSP\/1\.0 200 OK\r\nCSeq: 8\r\n/);
    assert.deepEqual(s.events, []);
  });
});
