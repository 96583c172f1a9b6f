// SDP (rtsp.md §3, §9): the golden DESCRIBE body line for line, the one netshow builds from file a, the §3.5
// layout (audio, rtx, two MBR videos), and what a client reads back out of them.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseFileStart } from '../../../src/asf/file-layout.js';
import { ProtocolError } from '../../../src/core/errors.js';
import {
  asfSdp,
  decodeSdp,
  encodeSdp,
  resolveControl,
  wmsSdpInfo,
  type SessionDescription,
} from '../../../src/rtsp/sdp.js';
import { GOLDEN_TCP } from './vectors.js';

const media = (f: string): Buffer => readFileSync(new URL(`../../fixtures/media/${f}`, import.meta.url));
const layout = (f: string) => {
  const b = media(f);
  return parseFileStart(b, b.length);
};
const GOLDEN_SDP = `${GOLDEN_TCP[4].replace(/\n/g, '\r\n')}\r\n`;
const BASE = 'rtsp://127.0.0.1:18554/a.wmv/';

/** The lines netshow writes differently from the golden mock: its bitrate rule and the a=type line. */
const comparable = (sd: SessionDescription): string[] =>
  [...sd.session, ...sd.media.flat()]
    .filter((l) => !(l.type === 'b' && l.value.startsWith('AS:')) && !l.value.startsWith('type:'))
    .map((l) => `${l.type}=${l.value}`);

describe('SDP codec', () => {
  it('golden DESCRIBE body: decode / encode byte for byte, 1755 bytes', () => {
    const sd = decodeSdp(GOLDEN_SDP);
    assert.equal(Buffer.byteLength(GOLDEN_SDP), 1755);
    assert.equal(sd.session.length, 12);
    assert.equal(sd.media.length, 3);
    assert.equal(encodeSdp(sd), GOLDEN_SDP);
  });

  it('golden DESCRIBE body: what FFmpeg reads from it', () => {
    const info = wmsSdpInfo(decodeSdp(GOLDEN_SDP));
    assert.equal(info.control, BASE);
    assert.equal(info.title, 'netshow test A');
    assert.deepEqual(info.range, { startMs: 3100, endMs: 13146 });
    assert.equal(info.maxPacketSize, 3200);
    assert.equal(info.broadcast, false);
    assert.deepEqual(info.asfHeader, layout('a-wmv2-wmav2-10s.wmv').headerBytes);
    assert.deepEqual(info.media, [
      { media: 'video', control: 'video1', streamNumber: 1, rtx: false, kbps: 330 },
      { media: 'application', control: 'rtx', streamNumber: 65536, rtx: true, kbps: null },
      { media: 'audio', control: 'audio2', streamNumber: 2, rtx: false, kbps: 65 },
    ]);
  });

  it('accepts LF line ends and skips empty lines; refuses lines that are not x=value', () => {
    assert.deepEqual(decodeSdp('v=0\n\ns=x\n'), {
      session: [
        { type: 'v', value: '0' },
        { type: 's', value: 'x' },
      ],
      media: [],
    });
    for (const bad of ['', 's=x\r\n', 'v=0\r\nnonsense\r\n', 'v=0\r\n=x\r\n']) {
      assert.throws(
        () => decodeSdp(bad),
        (e) => e instanceof ProtocolError,
        JSON.stringify(bad),
      );
    }
  });

  it('resolves relative controls against the session control', () => {
    assert.equal(resolveControl(BASE, 'video1'), `${BASE}video1`);
    assert.equal(resolveControl('rtsp://h/a.wmv', 'rtx'), 'rtsp://h/a.wmv/rtx');
    assert.equal(resolveControl(BASE, 'rtsp://other/x'), 'rtsp://other/x');
    assert.equal(resolveControl(BASE, '*'), BASE);
  });
});

describe('SDP from an ASF header', () => {
  it('file a: the golden body, but for the bitrate rule and a=type', () => {
    const l = layout('a-wmv2-wmav2-10s.wmv');
    const sd = asfSdp({
      headerBytes: l.headerBytes,
      baseUrl: BASE,
      live: false,
      originId: '20240101120000000',
      etag: '{6B1C0B7A-2F0E-4C55-9A2D-3C1B0E7D5A11}',
    });
    assert.deepEqual(comparable(sd), comparable(decodeSdp(GOLDEN_SDP)));
    const text = encodeSdp(sd);
    assert.match(text, /\r\nb=AS:364\r\n/);
    assert.match(text, /\r\na=type:notstridable\r\n/);
    // video of unknown rate gets what the file's maximum leaves; audio its 64 kbit/s.
    assert.deepEqual(
      wmsSdpInfo(sd).media.map((m) => m.kbps),
      [300, null, 64],
    );
    assert.equal(wmsSdpInfo(decodeSdp(text)).asfHeader?.length, 847);
  });

  it('file c (MBR): one block per video bitrate, rtx after the first, stream numbers and controls', () => {
    const l = layout('c-mbr-10s.wmv');
    const info = wmsSdpInfo(asfSdp({ headerBytes: l.headerBytes, baseUrl: 'rtsp://h/c.wmv/', live: false }));
    assert.deepEqual(
      info.media.map((m) => [m.media, m.control, m.streamNumber, m.kbps]),
      [
        ['video', 'video1', 1, 257],
        ['application', 'rtx', 65536, null],
        ['video', 'video2', 2, 141],
        ['audio', 'audio3', 3, 65],
      ],
    );
  });

  it('live content: open range, broadcast type', () => {
    const l = layout('e-live-10s.asf');
    const sd = asfSdp({ headerBytes: l.headerBytes, baseUrl: 'rtsp://h/live/', live: true });
    const info = wmsSdpInfo(sd);
    assert.deepEqual(info.range, { startMs: 0, endMs: null });
    assert.equal(info.broadcast, true);
    assert.match(encodeSdp(sd), /a=type:broadcast,notseekable,notstridable/);
  });

  it('the §3.5 layout (audio, rtx, video, video) reads back as WMP would set it up', () => {
    const text = [
      'v=0',
      'o=- 20240101120000000 20240101120000000 IN IP4 127.0.0.1',
      's=Sample clip',
      'c=IN IP4 0.0.0.0',
      'b=AS:1428',
      'a=maxps:1450',
      't=0 0',
      'a=control:rtsp://media.example:5540/vod/clip.wmv/',
      'a=etag:{6B1C0B7A-2F0E-4C55-9A2D-3C1B0E7D5A11}',
      'a=range:npt=3.000-63.000',
      'a=recvonly',
      'a=pgmpu:data:application/vnd.ms.wms-hdr.asfv1;base64,MCaydY5mzxGm2QCqAGLObJgUAAAAAAAA',
      'm=audio 0 RTP/AVP 96',
      'b=AS:65',
      'b=RS:0',
      'b=RR:0',
      'a=rtpmap:96 x-asf-pf/1000',
      'a=control:audio',
      'a=stream:1',
      'm=application 0 RTP/AVP 96',
      'b=RS:0',
      'b=RR:0',
      'a=rtpmap:96 x-wms-rtx/1000',
      'a=control:rtx',
      'a=stream:65536',
      'm=video 0 RTP/AVP 96',
      'b=AS:302',
      'b=RS:0',
      'b=RR:0',
      'a=rtpmap:96 x-asf-pf/1000',
      'a=control:video',
      'a=stream:2',
      'm=video 0 RTP/AVP 96',
      'b=AS:1061',
      'b=RS:0',
      'b=RR:0',
      'a=rtpmap:96 x-asf-pf/1000',
      'a=control:stream=3',
      'a=stream:3',
      '',
    ].join('\r\n');
    const sd = decodeSdp(text);
    assert.equal(encodeSdp(sd), text);
    const info = wmsSdpInfo(sd);
    assert.deepEqual(info.range, { startMs: 3000, endMs: 63000 });
    assert.equal(info.maxPacketSize, 1450);
    // The header's first 24 bytes: the Header Object GUID and a size of 5,272.
    assert.equal(info.asfHeader?.readBigUInt64LE(16), 5272n);
    assert.deepEqual(
      info.media.map((m) => [m.control, m.streamNumber, m.rtx]),
      [
        ['audio', 1, false],
        ['rtx', 65536, true],
        ['video', 2, false],
        ['stream=3', 3, false],
      ],
    );
  });

  it('a pgmpu value that is not base64 is a ProtocolError', () => {
    const sd = decodeSdp('v=0\r\na=pgmpu:data:application/vnd.ms.wms-hdr.asfv1;base64,@@\r\n');
    assert.throws(
      () => wmsSdpInfo(sd),
      (e) => e instanceof ProtocolError,
    );
  });
});
