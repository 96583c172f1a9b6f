// Transport, Range, Session and RTP-Info (rtsp.md §4.1, §4.2): the forms each client sends, and the replies.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProtocolError } from '../../../src/core/errors.js';
import {
  formatNptRange,
  formatRtpInfo,
  formatTransport,
  parseRange,
  parseRtpInfo,
  parseSession,
  parseTransport,
} from '../../../src/rtsp/headers.js';

const transports: readonly [string, string, Partial<ReturnType<typeof parseTransport>>][] = [
  [
    'FFmpeg TCP',
    'RTP/AVP/TCP;unicast;interleaved=0-1;mode=play',
    { lower: 'tcp', unicast: true, interleaved: [0, 1], clientPort: null, mode: 'play' },
  ],
  [
    'FFmpeg UDP rtx',
    'RTP/AVP/UDP;unicast;client_port=18518-18519;mode=play',
    { lower: 'udp', clientPort: [18518, 18519], mode: 'play' },
  ],
  ['FFmpeg UDP a/v, one port', 'RTP/AVP/UDP;unicast;client_port=18520;mode=play', { clientPort: [18520] }],
  [
    'WMP TCP with ssrc',
    'RTP/AVP/TCP;unicast;interleaved=0-1;ssrc=75afe1e1;mode=PLAY',
    { ssrc: 0x75afe1e1, mode: 'play' },
  ],
  ['GStreamer UDP, no mode', 'RTP/AVP;unicast;client_port=5000-5001', { lower: 'udp', mode: null }],
  [
    'first of a list',
    'RTP/AVP/TCP;interleaved=4-5, RTP/AVP;unicast;client_port=1-2',
    { interleaved: [4, 5] },
  ],
];

describe('Transport', () => {
  for (const [name, header, want] of transports) {
    it(name, () => {
      const t = parseTransport(header);
      for (const [k, v] of Object.entries(want)) assert.deepEqual(t[k as keyof typeof t], v, k);
    });
  }
  it('the golden replies', () => {
    const tcp = parseTransport('RTP/AVP/TCP;unicast;interleaved=2-3;mode=play');
    assert.equal(
      formatTransport({ ...tcp, ssrc: 0x2b7f1c3d }),
      'RTP/AVP/TCP;unicast;interleaved=2-3;ssrc=2B7F1C3D;mode=PLAY',
    );
    const udp = parseTransport('RTP/AVP/UDP;unicast;client_port=18520;mode=play');
    assert.equal(
      formatTransport({ ...udp, serverPort: [51122, 51123], ssrc: 0x2b7f1c3d }),
      'RTP/AVP/UDP;unicast;client_port=18520;server_port=51122-51123;ssrc=2B7F1C3D;mode=PLAY',
    );
  });
  for (const bad of [
    'RAW/RAW/UDP',
    'RTP/AVP;client_port=70000',
    'RTP/AVP;interleaved=300-301',
    'RTP/AVP;ssrc=xyz',
  ]) {
    it(`${bad}: 461`, () => {
      assert.throws(
        () => parseTransport(bad),
        (e) => e instanceof ProtocolError && e.reply.rtsp === 461,
      );
    });
  }
});

describe('Range, Session, RTP-Info', () => {
  const ranges: readonly [string, ReturnType<typeof parseRange>][] = [
    ['npt=0.000-', { unit: 'npt', startMs: 0, endMs: null }],
    ['npt=5.000-', { unit: 'npt', startMs: 5000, endMs: null }],
    ['npt=3.1-13.146', { unit: 'npt', startMs: 3100, endMs: 13146 }],
    ['npt=now-', { unit: 'npt', startMs: null, endMs: null }],
    ['npt=0:01:02.5-', { unit: 'npt', startMs: 62500, endMs: null }],
    ['x-asf-packet=12-', { unit: 'x-asf-packet', start: 12 }],
    ['x-asf-byte=4096-;time=20240101T000000Z', { unit: 'x-asf-byte', start: 4096 }],
  ];
  for (const [text, value] of ranges) it(`Range ${text}`, () => assert.deepEqual(parseRange(text), value));
  for (const bad of ['npt=5', 'clock=1-', 'npt=x-', 'npt=9-3', 'x-asf-packet=-']) {
    it(`Range ${bad}: 457`, () =>
      assert.throws(
        () => parseRange(bad),
        (e) => e instanceof ProtocolError && e.reply.rtsp === 457,
      ));
  }
  it('npt ranges as replies write them', () => {
    assert.equal(formatNptRange(3100, 13146), 'npt=3.100-13.146');
    assert.equal(formatNptRange(0, null), 'npt=0.000-');
  });
  it('Session with and without timeout; junk is 454', () => {
    assert.deepEqual(parseSession('8106423151295581017;timeout=60'), {
      id: '8106423151295581017',
      timeoutS: 60,
    });
    assert.deepEqual(parseSession('abc'), { id: 'abc', timeoutS: null });
    assert.throws(
      () => parseSession(';timeout=5'),
      (e) => e instanceof ProtocolError && e.reply.rtsp === 454,
    );
  });
  it('RTP-Info of the golden PLAY reply round-trips', () => {
    const v =
      'url=rtsp://127.0.0.1:18554/a.wmv/video1;seq=19231;rtptime=0, url=rtsp://127.0.0.1:18554/a.wmv/audio2;seq=19231;rtptime=0';
    const e = parseRtpInfo(v);
    assert.deepEqual(e[1], { url: 'rtsp://127.0.0.1:18554/a.wmv/audio2', seq: 19231, rtptime: 0 });
    assert.equal(formatRtpInfo(e), v);
  });
});
