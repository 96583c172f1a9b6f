// The RTSP server machine against the client-side codec, in memory, on a fake time: the golden FFmpeg exchanges
// of rtsp.md §9 byte for byte (TCP and UDP), the whole file through the depacketizer, seek, pause/resume,
// teardown, end of stream with its BYE count, timers, and every method refused in every state with its status.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseFileStart } from '../../../src/asf/file-layout.js';
import { stripPadding } from '../../../src/rtsp/asf-padding.js';
import { RtspStreamDecoder, decodeMessage } from '../../../src/rtsp/message.js';
import { decodeRtcp, decodeRtpPacket } from '../../../src/rtsp/rtp.js';
import { AsfDepacketizer } from '../../../src/rtsp/rtp-asf.js';
import { decodeSdp } from '../../../src/rtsp/sdp.js';
import {
  METHODS,
  RtspServerMachine,
  allowedStates,
  type RtspMethod,
} from '../../../src/rtsp/server-machine.js';
import type {
  RtspServerOptions,
  RtspServerOutput,
  RtspServerState,
} from '../../../src/rtsp/server-events.js';
import { GOLDEN_TCP, GOLDEN_UDP, crlf } from './vectors.js';

const fileA = readFileSync(new URL('../../fixtures/media/a-wmv2-wmav2-10s.wmv', import.meta.url));
const A = parseFileStart(fileA, fileA.length);
const packet = (n: number) => ({
  number: n,
  data: fileA.subarray(A.firstPacketOffset + n * A.packetSize, A.firstPacketOffset + (n + 1) * A.packetSize),
  sendTime: fileA.readUInt32LE(A.firstPacketOffset + n * A.packetSize + 5),
});
const CONTENT = {
  headerBytes: A.headerBytes,
  live: false,
  originId: '20240101120000000',
  etag: '{6B1C0B7A-2F0E-4C55-9A2D-3C1B0E7D5A11}',
};
const SID = '8106423151295581017';
const OPTIONS: RtspServerOptions = {
  sessionId: SID,
  ssrc: 0x2b7f1c3d,
  initialSequence: 19231,
  udpServerPorts: [51122, 51123],
};
const URL_A = 'rtsp://127.0.0.1:18554/a.wmv';

const text = (o: RtspServerOutput): string[] => o.out.map((b) => b.toString('latin1'));
function req(method: string, url: string, cseq: number, headers: string[] = [], session = true): Buffer {
  return crlf(
    [`${method} ${url} RTSP/1.0`, `CSeq: ${cseq}`, ...headers, ...(session ? [`Session: ${SID}`] : [])].join(
      '\n',
    ),
  );
}
/** The golden DESCRIBE reply head with our body's length (the bitrate lines differ, rtsp.md §9 vs sdp.ts). */
function describeHead(o: RtspServerOutput): string {
  const s = text(o)[0]!;
  return s.slice(0, s.indexOf('\r\n\r\n')).replace(/Content-Length: \d+/, 'Content-Length: 1755');
}

function described(m: RtspServerMachine, t = 0): void {
  m.receive(req('DESCRIBE', URL_A, 2, ['Accept: application/sdp'], false), t);
  m.described(CONTENT, t);
}
function setupTcp(m: RtspServerMachine): void {
  described(m);
  m.receive(
    req('SETUP', `${URL_A}/video1`, 3, ['Transport: RTP/AVP/TCP;unicast;interleaved=0-1;mode=play'], false),
    0,
  );
  m.receive(
    req('SETUP', `${URL_A}/audio2`, 4, ['Transport: RTP/AVP/TCP;unicast;interleaved=2-3;mode=play']),
    0,
  );
}
function playingTcp(m: RtspServerMachine): RtspServerOutput {
  setupTcp(m);
  return m.receive(req('PLAY', `${URL_A}/`, 5, ['Range: npt=0.000-']), 0);
}
function status(o: RtspServerOutput): number {
  const f = decodeMessage(o.out[0]!);
  return f.kind === 'response' ? f.response.status : -1;
}

describe('golden FFmpeg exchange over TCP (rtsp.md §9.1)', () => {
  it('every reply byte for byte, the first RTP frame, the end of stream and TEARDOWN', () => {
    const m = new RtspServerMachine(OPTIONS);
    assert.deepEqual(text(m.receive(crlf(GOLDEN_TCP[0]), 0)), [
      `${GOLDEN_TCP[1].replace(/\n/g, '\r\n')}\r\n\r\n`,
    ]);
    const d = m.receive(crlf(GOLDEN_TCP[2]), 0);
    assert.deepEqual(d.events, [{ type: 'describe', url: URL_A, path: '/a.wmv', query: '' }]);
    assert.equal(m.state, 'DESCRIBING');
    const r = m.described(CONTENT, 0);
    assert.equal(describeHead(r), GOLDEN_TCP[3].replace(/\n/g, '\r\n'));
    const f = decodeMessage(r.out[0]!, { maxBodyBytes: 1 << 20 });
    assert.ok(f.kind === 'response');
    assert.equal(decodeSdp(f.response.body.toString()).media.length, 3);
    for (const i of [5, 7, 9]) {
      assert.deepEqual(
        text(m.receive(crlf(GOLDEN_TCP[i]!), 0)),
        [`${GOLDEN_TCP[i + 1]!.replace(/\n/g, '\r\n')}\r\n\r\n`],
        `reply ${i + 1}`,
      );
    }
    assert.equal(m.state, 'PLAYING');
    const frames = m.rtpPackets(packet(0));
    assert.equal(frames.length, 1);
    assert.equal(
      Buffer.concat(frames[0]!).subarray(0, 33).toString('hex'),
      '24000c90' + '80e04b1f000000002b7f1c3d' + 'c0000c84' + '820000015d000000002e008202',
    );
    const eos = m.endOfStream(1000);
    const [setParameter, ...byes] = eos.out;
    assert.match(
      setParameter!.toString('latin1'),
      /^SET_PARAMETER rtsp:\/\/127\.0\.0\.1:18554\/a\.wmv RTSP\/1\.0\r\nCSeq: 1\r\nSession: 8106423151295581017\r\nX-Notice: 2101 "End-of-Stream Reached"\r\nRTP-Info: url=rtsp:\/\/127\.0\.0\.1:18554\/a\.wmv\/video1;seq=19232, url=rtsp:\/\/127\.0\.0\.1:18554\/a\.wmv\/audio2;seq=19232\r\n/,
    );
    assert.match(
      setParameter!.toString('latin1'),
      /Content-Type: application\/x-wms-extension-cmd\r\nContent-Length: 41\r\n\r\nSession: 8106423151295581017\r\nEOF: true\r\n$/,
    );
    // One SR+BYE per m= block, on the odd channel of the first a/v SETUP.
    assert.equal(byes.length, 3);
    for (const b of byes) {
      assert.equal(b.subarray(0, 2).toString('hex'), '2401');
      assert.deepEqual(
        decodeRtcp(b.subarray(4)).map((p) => p.type),
        ['SR', 'BYE'],
      );
    }
    assert.deepEqual(eos.rtcp, []);
    assert.equal(m.state, 'READY');
    // FFmpeg answers EndOfStream with a bare 501: ignored.
    assert.deepEqual(m.receive(crlf('RTSP/1.0 501 Not Implemented'), 1100), {
      out: [],
      rtcp: [],
      events: [],
    });
    const t = m.receive(crlf(GOLDEN_TCP[11]), 1200);
    assert.deepEqual(text(t), [`${GOLDEN_TCP[12].replace(/\n/g, '\r\n')}\r\n\r\n`]);
    assert.deepEqual(t.events, [{ type: 'teardown', reason: 'teardown' }]);
    assert.equal(m.state, 'DESCRIBED');
  });

  it('the whole of file a through the client-side codec: every ASF packet arrives, padding stripped', () => {
    const m = new RtspServerMachine(OPTIONS);
    playingTcp(m);
    const dec = new RtspStreamDecoder();
    const depack = new AsfDepacketizer();
    let seq = 19231;
    for (let n = 0; n < A.packetCount; n++) {
      for (const frame of m.rtpPackets(packet(n))) {
        for (const f of dec.push(Buffer.concat(frame))) {
          assert.ok(f.kind === 'interleaved' && f.channel === 0);
          const rtp = decodeRtpPacket(f.payload);
          assert.equal(rtp.sequence, seq++ & 0xffff);
          const [asf] = depack.push(rtp);
          assert.deepEqual(asf?.data, stripPadding(packet(n).data, A.packetSize).data, `packet ${n}`);
          assert.equal(asf?.timestamp, packet(n).sendTime);
        }
      }
    }
    assert.equal(seq, 19231 + A.packetCount);
  });
});

describe('golden FFmpeg exchange over UDP (rtsp.md §9.2)', () => {
  it('rtx first, one client port for both streams, data to the first a/v port, BYEs 1 s after the end', () => {
    const m = new RtspServerMachine(OPTIONS);
    described(m);
    for (const i of [0, 2, 4, 6]) {
      assert.deepEqual(
        text(m.receive(crlf(GOLDEN_UDP[i]!), 0)),
        [`${GOLDEN_UDP[i + 1]!.replace(/\n/g, '\r\n')}\r\n\r\n`],
        `reply ${i + 1}`,
      );
    }
    assert.deepEqual(m.dataPath, { kind: 'udp', rtpPort: 18520, rtcpPort: 18521 });
    // 3,200-byte packets in 1,472-byte datagrams: three fragments, M on the last.
    const dgrams = m.rtpPackets(packet(0)).map((d) => decodeRtpPacket(Buffer.concat(d)));
    assert.deepEqual(
      dgrams.map((d) => [d.sequence, d.marker]),
      [
        [19231, false],
        [19232, false],
        [19233, true],
      ],
    );
    assert.ok(dgrams.every((d) => d.payload.length + 12 <= 1472));
    const eos = m.endOfStream(5000);
    assert.equal(eos.out.length, 1);
    assert.deepEqual(eos.rtcp, []);
    assert.equal(m.nextDeadline(), 6000);
    assert.deepEqual(m.tick(5999).rtcp, []);
    const later = m.tick(6000);
    assert.equal(later.rtcp.length, 3);
    assert.deepEqual(
      decodeRtcp(later.rtcp[0]!).map((p) => p.type),
      ['SR', 'BYE'],
    );
    const t = m.receive(crlf(GOLDEN_UDP[8]), 6100);
    assert.deepEqual(t.events, [{ type: 'teardown', reason: 'teardown' }]);
  });
});

describe('play control', () => {
  it("FFmpeg's -ss 5: PLAY npt=0, PAUSE, PLAY npt=5.000 (media time, preroll removed)", () => {
    const m = new RtspServerMachine(OPTIONS);
    const p = playingTcp(m);
    assert.deepEqual(p.events, [
      {
        type: 'play',
        start: { kind: 'start' },
        selection: null,
        path: { kind: 'tcp', rtpChannel: 0, rtcpChannel: 1 },
        speed: null,
        live: false,
      },
    ]);
    m.rtpPackets(packet(0));
    assert.deepEqual(m.receive(req('PAUSE', `${URL_A}/`, 6), 10).events, [{ type: 'pause' }]);
    assert.deepEqual(m.rtpPackets(packet(1)), []);
    const s = m.receive(req('PLAY', `${URL_A}/`, 7, ['Range: npt=5.000-']), 20);
    assert.match(
      text(s)[0]!,
      /Range: npt=8\.100-13\.146\r\nRTP-Info: url=[^;]+video1;seq=19232;rtptime=5000, /,
    );
    assert.deepEqual(
      s.events.map((e) => e.type === 'play' && e.start),
      [{ kind: 'time', ms: 5000 }],
    );
    const [frame] = m.rtpPackets(packet(40));
    const rtp = decodeRtpPacket(Buffer.concat(frame!).subarray(4));
    assert.equal(rtp.sequence, 19232);
    assert.equal(rtp.timestamp, 5000);
  });

  it('FFmpeg over TCP gets one null packet before the first packet after a PAUSE; no one else does', () => {
    // An interleaved frame starts with '$' and 4 bytes of framing; a datagram is the RTP packet itself.
    const payloads = (frames: Buffer[][]): Buffer[] =>
      frames.map((f) => {
        const b = Buffer.concat(f);
        return decodeRtpPacket(b[0] === 0x24 ? b.subarray(4) : b).payload.subarray(4);
      });
    const hasFiller = (frames: Buffer[][]): boolean =>
      payloads(frames).some((p) => p.length > 0 && p.every((b) => b === 0));
    const run = (ua: string[], transport: 'tcp' | 'udp'): Buffer[][] => {
      const m = new RtspServerMachine(OPTIONS);
      if (transport === 'tcp') setupTcp(m);
      else {
        described(m);
        m.receive(
          req('SETUP', `${URL_A}/video1`, 3, ['Transport: RTP/AVP/UDP;unicast;client_port=5000-5001'], false),
          0,
        );
      }
      m.receive(req('PLAY', `${URL_A}/`, 5, [...ua, 'Range: npt=0.000-']), 0);
      assert.ok(!hasFiller(m.rtpPackets(packet(0))), 'the first PLAY has nothing to resync');
      m.receive(req('PAUSE', `${URL_A}/`, 6, ua), 10);
      m.receive(req('PLAY', `${URL_A}/`, 7, [...ua, 'Range: npt=5.000-']), 20);
      const first = m.rtpPackets(packet(40));
      assert.ok(!hasFiller(m.rtpPackets(packet(41))), 'only once');
      return first;
    };
    const lavf = run(['User-Agent: Lavf59.27.100'], 'tcp');
    assert.equal(lavf.length, 2);
    const [filler, real] = payloads(lavf);
    assert.deepEqual(filler, Buffer.alloc(A.packetSize));
    assert.deepEqual(real, stripPadding(packet(40).data, A.packetSize).data);
    const seqs = lavf.map((f) => decodeRtpPacket(Buffer.concat(f).subarray(4)).sequence);
    assert.deepEqual(seqs, [19232, 19233]);
    assert.ok(!hasFiller(run([], 'tcp')), 'not for other clients');
    assert.ok(!hasFiller(run(['User-Agent: WMPlayer/11.0.5721.5145'], 'tcp')));
    assert.ok(!hasFiller(run(['User-Agent: Lavf59.27.100'], 'udp')), 'not over UDP');
  });

  it('WMP counts npt with the preroll; x-asf-packet starts at a packet; past the end is 457', () => {
    const m = new RtspServerMachine(OPTIONS);
    setupTcp(m);
    const wmp = m.receive(
      req('PLAY', `${URL_A}/`, 5, ['User-Agent: WMPlayer/11.0.5721.5145', 'Range: npt=8.100-']),
      0,
    );
    assert.deepEqual(
      wmp.events.map((e) => e.type === 'play' && e.start),
      [{ kind: 'time', ms: 5000 }],
    );
    const pk = m.receive(req('PLAY', `${URL_A}/`, 6, ['Range: x-asf-packet=12-']), 0);
    assert.deepEqual(
      pk.events.map((e) => e.type === 'play' && e.start),
      [{ kind: 'packet', number: 12 }],
    );
    const past = m.receive(req('PLAY', `${URL_A}/`, 7, ['Range: npt=99.000-']), 0);
    assert.equal(status(past), 457);
    assert.equal(m.state, 'PLAYING');
  });

  it('pause then PLAY without Range resumes, with Speed echoed', () => {
    const m = new RtspServerMachine(OPTIONS);
    playingTcp(m);
    m.rtpPackets(packet(0));
    m.rtpPackets(packet(1));
    m.receive(req('PAUSE', `${URL_A}/`, 6), 0);
    const r = m.receive(req('PLAY', `${URL_A}/`, 7, ['Speed: 1.5']), 0);
    assert.deepEqual(r.events, [{ type: 'resume', path: { kind: 'tcp', rtpChannel: 0, rtcpChannel: 1 } }]);
    assert.match(text(r)[0]!, /Speed: 1\.500\r\n/);
    assert.equal(m.state, 'PLAYING');
    // PLAY without Range while playing: 200 and nothing else.
    const again = m.receive(req('PLAY', `${URL_A}/`, 8), 0);
    assert.equal(status(again), 200);
    assert.deepEqual(again.events, []);
  });

  it('selection: one stream set up thins the others; a SETUP during PLAY and SelectStream change it', () => {
    const m = new RtspServerMachine(OPTIONS);
    described(m);
    m.receive(
      req('SETUP', `${URL_A}/audio2`, 3, ['Transport: RTP/AVP/TCP;unicast;interleaved=0-1'], false),
      0,
    );
    const p = m.receive(req('PLAY', `${URL_A}/`, 4, ['Range: npt=0-']), 0);
    assert.deepEqual(
      p.events.map((e) => e.type === 'play' && [...(e.selection ?? [])]),
      [[[2, 0]]],
    );
    const s = m.receive(
      req('SETUP', `${URL_A}/stream=1`, 5, ['Transport: RTP/AVP/TCP;unicast;interleaved=2-3']),
      0,
    );
    assert.deepEqual(s.events, [
      { type: 'setup', streamNumber: 1, transport: 'tcp' },
      { type: 'select', selection: null },
    ]);
    const body = 'SSEntry: 1 1 1\r\n';
    const sw = m.receive(
      Buffer.concat([
        req('SET_PARAMETER', `${URL_A}/`, 6, [
          'Content-Type: application/x-wms-streamswitch',
          `Content-Length: ${body.length}`,
        ]),
        Buffer.from(body),
      ]),
      0,
    );
    assert.equal(status(sw), 200);
    assert.deepEqual(
      sw.events.map((e) => e.type === 'select' && [...(e.selection ?? [])]),
      [
        [
          [2, 0],
          [1, 1],
        ],
      ],
    );
  });

  it('GET_PARAMETER keep-alive with the Session header; liveness keeps the session past its timeout', () => {
    const m = new RtspServerMachine(OPTIONS);
    playingTcp(m);
    const k = m.receive(req('GET_PARAMETER', `${URL_A}/`, 6), 30_000);
    assert.deepEqual(text(k), [
      `RTSP/1.0 200 OK\r\nCSeq: 6\r\nServer: WMServer/9.1.1.5000\r\nSession: ${SID}\r\n\r\n`,
    ]);
    assert.equal(m.tick(60_000).events.length, 0);
    const end = m.tick(90_000);
    assert.deepEqual(end.events, [
      { type: 'teardown', reason: 'timeout' },
      { type: 'close', reason: 'session timeout' },
    ]);
    assert.equal(m.state, 'CLOSED');
  });

  it('a sender report every 5 s while playing', () => {
    const m = new RtspServerMachine(OPTIONS);
    playingTcp(m);
    m.rtpPackets(packet(0));
    assert.equal(m.nextDeadline(), 5000);
    const sr = m.tick(5000).out;
    assert.equal(sr.length, 1);
    const [p] = decodeRtcp(sr[0]!.subarray(4));
    assert.ok(p?.type === 'SR' && p.packetCount === 1 && p.octetCount === 3204);
  });

  it('TCP: closes eosCloseMs after EndOfStream without TEARDOWN', () => {
    const m = new RtspServerMachine(OPTIONS);
    playingTcp(m);
    m.endOfStream(100);
    assert.deepEqual(m.tick(5100).events, [{ type: 'close', reason: 'end of stream and no TEARDOWN' }]);
  });

  it('requests sent while the describe is pending are answered after it, in order', () => {
    const m = new RtspServerMachine(OPTIONS);
    m.receive(req('DESCRIBE', URL_A, 2, [], false), 0);
    const q = m.receive(
      req('SETUP', `${URL_A}/video1`, 3, ['Transport: RTP/AVP/TCP;unicast;interleaved=0-1'], false),
      0,
    );
    assert.deepEqual(q.out, []);
    const r = m.described(CONTENT, 0);
    assert.deepEqual(
      r.out.map((b) => b.toString('latin1').match(/CSeq: (\d+)/)?.[1]),
      ['2', '3'],
    );
    assert.equal(m.state, 'READY');
  });

  it('the connection closing tears the session down', () => {
    const m = new RtspServerMachine(OPTIONS);
    playingTcp(m);
    assert.deepEqual(m.closed().events, [{ type: 'teardown', reason: 'closed' }]);
    assert.deepEqual(m.receive(req('OPTIONS', '*', 9), 0).out, []);
  });

  it('interleaved RTCP from the client is taken quietly; garbage closes with 400', () => {
    const m = new RtspServerMachine(OPTIONS);
    playingTcp(m);
    assert.deepEqual(m.receive(Buffer.from('2401000881cb00012b7f1c3d', 'hex'), 0).out, []);
    const g = m.receive(Buffer.from('BAD\r\n\r\n'), 0);
    assert.equal(status(g), 400);
    assert.equal(g.events.at(-1)?.type, 'close');
  });
});

describe('refusals', () => {
  /** A machine brought to `state`. */
  function inState(state: 'INIT' | 'DESCRIBED' | 'READY' | 'PLAYING'): RtspServerMachine {
    const m = new RtspServerMachine(OPTIONS);
    if (state === 'DESCRIBED') described(m);
    if (state === 'READY') setupTcp(m);
    if (state === 'PLAYING') playingTcp(m);
    assert.equal(m.state, state);
    return m;
  }
  const urlFor: Record<RtspMethod, string> = {
    OPTIONS: '*',
    DESCRIBE: URL_A,
    SETUP: `${URL_A}/video1`,
    PLAY: `${URL_A}/`,
    PAUSE: `${URL_A}/`,
    TEARDOWN: `${URL_A}/`,
    GET_PARAMETER: `${URL_A}/`,
    SET_PARAMETER: `${URL_A}/`,
  };
  for (const method of METHODS) {
    for (const state of ['INIT', 'DESCRIBED', 'READY', 'PLAYING'] as const) {
      if (allowedStates(method).includes(state)) continue;
      for (const withSession of [false, true]) {
        const expected = withSession ? 454 : 455;
        it(`${method} in ${state}${withSession ? ' naming a session' : ''}: ${expected}`, () => {
          const m = inState(state);
          const o = m.receive(
            req(method, urlFor[method], 9, ['Transport: RTP/AVP/TCP;unicast;interleaved=0-1'], withSession),
            0,
          );
          assert.equal(status(o), expected);
          assert.equal(o.events[0]?.type, 'protocol-error');
          assert.equal(m.state, state);
        });
      }
    }
  }

  const cases: readonly [string, RtspServerState | 'INIT', () => RtspServerMachine, Buffer, number][] = [
    ['DESCRIBE of nothing', 'INIT', () => new RtspServerMachine(OPTIONS), Buffer.alloc(0), 404],
    [
      'SETUP of an unknown control',
      'DESCRIBED',
      () => inState('DESCRIBED'),
      req('SETUP', `${URL_A}/video9`, 3, ['Transport: RTP/AVP/TCP;interleaved=0-1'], false),
      404,
    ],
    [
      'SETUP of other content',
      'DESCRIBED',
      () => inState('DESCRIBED'),
      req('SETUP', 'rtsp://h/b.wma/audio1', 3, ['Transport: RTP/AVP/TCP;interleaved=0-1'], false),
      404,
    ],
    [
      'SETUP of the aggregate URL',
      'DESCRIBED',
      () => inState('DESCRIBED'),
      req('SETUP', `${URL_A}/`, 3, ['Transport: RTP/AVP/TCP;interleaved=0-1'], false),
      459,
    ],
    [
      'SETUP without Transport',
      'DESCRIBED',
      () => inState('DESCRIBED'),
      req('SETUP', `${URL_A}/video1`, 3, [], false),
      461,
    ],
    [
      'SETUP mode=record',
      'DESCRIBED',
      () => inState('DESCRIBED'),
      req('SETUP', `${URL_A}/video1`, 3, ['Transport: RTP/AVP/TCP;interleaved=0-1;mode=record'], false),
      461,
    ],
    [
      'SETUP UDP without client_port',
      'DESCRIBED',
      () => inState('DESCRIBED'),
      req('SETUP', `${URL_A}/video1`, 3, ['Transport: RTP/AVP/UDP;unicast'], false),
      461,
    ],
    [
      'SETUP UDP on a TCP-only server',
      'DESCRIBED',
      () => {
        const m = new RtspServerMachine({ ...OPTIONS, udpServerPorts: null });
        described(m);
        return m;
      },
      req('SETUP', `${URL_A}/video1`, 3, ['Transport: RTP/AVP/UDP;unicast;client_port=5000-5001'], false),
      461,
    ],
    [
      'SETUP UDP after TCP',
      'READY',
      () => inState('READY'),
      req('SETUP', `${URL_A}/video1`, 5, ['Transport: RTP/AVP/UDP;unicast;client_port=5000-5001']),
      461,
    ],
    [
      'SETUP of a multicast transport',
      'DESCRIBED',
      () => inState('DESCRIBED'),
      req('SETUP', `${URL_A}/video1`, 3, ['Transport: RTP/AVP;multicast'], false),
      461,
    ],
    [
      'SETUP of a non-RTP transport',
      'DESCRIBED',
      () => inState('DESCRIBED'),
      req('SETUP', `${URL_A}/video1`, 3, ['Transport: RAW/RAW/UDP;unicast'], false),
      461,
    ],
    [
      'SETUP naming another session',
      'READY',
      () => inState('READY'),
      crlf(`SETUP ${URL_A}/video1 RTSP/1.0\nCSeq: 5\nSession: 1234\nTransport: RTP/AVP/TCP;interleaved=0-1`),
      454,
    ],
    ['PLAY without Session', 'READY', () => inState('READY'), req('PLAY', `${URL_A}/`, 5, [], false), 454],
    [
      'PLAY with a bad Range',
      'READY',
      () => inState('READY'),
      req('PLAY', `${URL_A}/`, 5, ['Range: clock=x']),
      457,
    ],
    [
      'PLAY after only rtx was set up',
      'READY',
      () => {
        const m = inState('DESCRIBED');
        m.receive(
          req('SETUP', `${URL_A}/rtx`, 3, ['Transport: RTP/AVP/UDP;unicast;client_port=5000-5001'], false),
          0,
        );
        return m;
      },
      req('PLAY', `${URL_A}/`, 5, []),
      455,
    ],
    [
      'GET_PARAMETER packet pair',
      'READY',
      () => inState('READY'),
      req('GET_PARAMETER', `${URL_A}/`, 5, ['Content-Type: application/x-rtsp-packetpair']),
      451,
    ],
    [
      'SET_PARAMETER UDP packet pair',
      'READY',
      () => inState('READY'),
      req('SET_PARAMETER', `${URL_A}/`, 5, ['Content-Type: application/x-rtsp-udp-packetpair']),
      451,
    ],
    [
      'RTSP/2.0',
      'INIT',
      () => new RtspServerMachine(OPTIONS),
      Buffer.from('OPTIONS * RTSP/2.0\r\nCSeq: 1\r\n\r\n'),
      505,
    ],
    ['no CSeq', 'INIT', () => new RtspServerMachine(OPTIONS), Buffer.from('OPTIONS * RTSP/1.0\r\n\r\n'), 400],
    ['RECORD', 'INIT', () => new RtspServerMachine(OPTIONS), req('RECORD', URL_A, 1, [], false), 405],
    ['an unknown method', 'INIT', () => new RtspServerMachine(OPTIONS), req('FLY', URL_A, 1, [], false), 501],
  ];
  for (const [name, , make, bytes, expected] of cases) {
    it(`${name}: ${expected}`, () => {
      const m = make();
      const before = m.state;
      const o =
        bytes.length === 0
          ? (m.receive(req('DESCRIBE', URL_A, 2, [], false), 0), m.described(null, 0))
          : m.receive(bytes, 0);
      assert.equal(status(o), expected);
      assert.ok(o.events.some((e) => e.type === 'protocol-error'));
      assert.equal(m.state, before === 'DESCRIBING' ? 'INIT' : before);
    });
  }

  it('a refused reply on a session still carries CSeq, Server and Session', () => {
    const m = inState('READY');
    const o = m.receive(req('SETUP', `${URL_A}/video9`, 7, ['Transport: RTP/AVP/TCP;interleaved=0-1']), 0);
    assert.equal(
      text(o)[0],
      `RTSP/1.0 404 Not Found\r\nCSeq: 7\r\nServer: WMServer/9.1.1.5000\r\nSession: ${SID}\r\n\r\n`,
    );
  });
});
