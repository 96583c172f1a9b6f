// Property tests for the MS-RTSP layer: the stream decoder and the server machine take arbitrary bytes in
// arbitrary splits without throwing anything but ProtocolError (the machine: nothing at all), and
// decode(encode(x)) == x for RTP headers, ASF payload format headers and SDP (time-boxed, ~3 s per property).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseFileStart } from '../src/asf/file-layout.js';
import { RtspStreamDecoder } from '../src/rtsp/message.js';
import { decodeRtcp, decodeRtpPacket, encodeRtpPacket, type RtpPacket } from '../src/rtsp/rtp.js';
import {
  AsfDepacketizer,
  decodePayloadHeader,
  encodePayloadHeader,
  type AsfPayloadHeader,
} from '../src/rtsp/rtp-asf.js';
import { decodeSdp, encodeSdp, type SessionDescription } from '../src/rtsp/sdp.js';
import { RtspServerMachine } from '../src/rtsp/server-machine.js';
import { parseRange, parseTransport } from '../src/rtsp/headers.js';
import { BUDGET, onlyProtocolErrors, split } from './helpers.js';

const fileA = readFileSync(new URL('../test/fixtures/media/a-wmv2-wmav2-10s.wmv', import.meta.url));
const A = parseFileStart(fileA, fileA.length);
const URL_A = 'rtsp://h:554/a.wmv';

/** Request-shaped input: real methods, URLs and headers mixed with noise, so the machine gets past parsing. */
const line = fc.oneof(
  fc.constantFrom(
    `OPTIONS ${URL_A} RTSP/1.0`,
    `DESCRIBE ${URL_A} RTSP/1.0`,
    `SETUP ${URL_A}/video1 RTSP/1.0`,
    `SETUP ${URL_A}/audio2 RTSP/1.0`,
    `SETUP ${URL_A}/rtx RTSP/1.0`,
    `PLAY ${URL_A}/ RTSP/1.0`,
    `PAUSE ${URL_A}/ RTSP/1.0`,
    `TEARDOWN ${URL_A}/ RTSP/1.0`,
    `GET_PARAMETER ${URL_A}/ RTSP/1.0`,
    `SET_PARAMETER ${URL_A}/ RTSP/1.0`,
    'CSeq: 1',
    'Session: 42',
    'Transport: RTP/AVP/TCP;unicast;interleaved=0-1;mode=play',
    'Transport: RTP/AVP/UDP;unicast;client_port=5000-5001',
    'Range: npt=0.000-',
    'Range: npt=5-',
    'Range: x-asf-packet=3-',
    'Content-Type: application/x-wms-streamswitch',
    'Content-Length: 16',
    'SSEntry: 1 2 1',
    'RTSP/1.0 501 Not Implemented',
    '',
  ),
  fc.string({ maxLength: 40 }),
);
const requestish = fc.array(line, { maxLength: 30 }).map((ls) => Buffer.from(ls.join('\r\n'), 'latin1'));
const bytes = fc.oneof(
  requestish,
  fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
);

describe('RTSP fuzz', () => {
  it('stream decoder: arbitrary bytes in arbitrary splits give frames or a ProtocolError', () => {
    fc.assert(
      fc.property(bytes, fc.array(fc.nat(), { maxLength: 6 }), (b, cuts) => {
        const d = new RtspStreamDecoder();
        onlyProtocolErrors(() => {
          for (const piece of split(b, cuts)) d.push(piece);
          d.end();
        });
      }),
      BUDGET,
    );
  });

  it('server machine: arbitrary input, describes answered, packets framed, timers run: no throw, replies decode', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(bytes, fc.array(fc.nat(), { maxLength: 3 })), { maxLength: 6 }),
        fc.boolean(),
        (inputs, found) => {
          const m = new RtspServerMachine({
            sessionId: '42',
            ssrc: 1,
            initialSequence: 65530,
            udpServerPorts: [6970, 6971],
          });
          let t = 0;
          const out: Buffer[] = [];
          for (const [b, cuts] of inputs) {
            for (const piece of split(b, cuts)) {
              t += 100;
              out.push(...m.receive(piece, t).out);
              if (m.state === 'DESCRIBING')
                out.push(...m.described(found ? { headerBytes: A.headerBytes, live: false } : null, t).out);
              for (const f of m.rtpPackets({
                data: fileA.subarray(A.firstPacketOffset, A.firstPacketOffset + A.packetSize),
                sendTime: 0,
              }))
                out.push(Buffer.concat(f));
              out.push(...m.tick(t).out);
            }
          }
          m.endOfStream(t);
          m.tick(t + 70_000);
          // Whatever the machine wrote is well-formed RTSP (responses, requests, interleaved frames).
          new RtspStreamDecoder({ maxBodyBytes: 1 << 20 }).push(Buffer.concat(out));
        },
      ),
      BUDGET,
    );
  });

  it('RTP, RTCP, payload format, depacketizer, Transport and Range decoders: values or ProtocolError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.string({ maxLength: 80 }), (a, s) => {
        const b = Buffer.from(a);
        onlyProtocolErrors(() => decodeRtpPacket(b));
        onlyProtocolErrors(() => decodeRtcp(b));
        onlyProtocolErrors(() => decodePayloadHeader(b));
        onlyProtocolErrors(() =>
          new AsfDepacketizer().push({
            marker: true,
            payloadType: 96,
            sequence: 1,
            timestamp: 0,
            ssrc: 1,
            csrcs: [],
            extension: null,
            payload: b,
          }),
        );
        onlyProtocolErrors(() => parseTransport(s));
        onlyProtocolErrors(() => parseRange(s));
        onlyProtocolErrors(() => decodeSdp(s));
      }),
      BUDGET,
    );
  });

  const u32 = fc.nat({ max: 0xffffffff });
  const rtpArb: fc.Arbitrary<RtpPacket> = fc.record(
    {
      marker: fc.boolean(),
      payloadType: fc.nat({ max: 127 }),
      sequence: fc.nat({ max: 0xffff }),
      timestamp: u32,
      ssrc: u32,
      csrcs: fc.array(u32, { maxLength: 15 }),
      extension: fc.option(
        fc.record(
          {
            profile: fc.nat({ max: 0xffff }),
            data: fc
              .uint8Array({ maxLength: 12 })
              .map((a) => Buffer.from(a.subarray(0, a.length - (a.length % 4)))),
          },
          { noNullPrototype: true },
        ),
        { nil: null },
      ),
      payload: fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)),
    },
    { noNullPrototype: true },
  );
  it('decode(encode(x)) == x for RTP packets', () => {
    fc.assert(
      fc.property(rtpArb, (p) => assert.deepEqual(decodeRtpPacket(encodeRtpPacket(p)), p)),
      BUDGET,
    );
  });

  const headerArb: fc.Arbitrary<AsfPayloadHeader> = fc.record(
    {
      keyFrame: fc.boolean(),
      isLength: fc.boolean(),
      lengthOrOffset: fc.nat({ max: 0xffffff }),
      relativeTimestamp: fc.option(fc.integer({ min: -0x80000000, max: 0x7fffffff }), { nil: null }),
      duration: fc.option(u32, { nil: null }),
      locationId: fc.option(u32, { nil: null }),
    },
    { noNullPrototype: true },
  );
  it('decode(encode(x)) == x for ASF payload format headers', () => {
    fc.assert(
      fc.property(headerArb, (h) => {
        const b = encodePayloadHeader(h);
        assert.deepEqual(decodePayloadHeader(b), { header: h, size: b.length });
      }),
      BUDGET,
    );
  });

  const value = fc.string({ maxLength: 30 }).map((s) => s.replace(/[\r\n]/g, ''));
  const lineArb = (types: string) =>
    fc.record({ type: fc.constantFrom(...types.split('')), value }, { noNullPrototype: true });
  const sdpArb: fc.Arbitrary<SessionDescription> = fc.record(
    {
      session: fc
        .array(lineArb('osctbae'), { maxLength: 10 })
        .map((ls) => [{ type: 'v', value: '0' }, ...ls]),
      media: fc.array(
        fc
          .tuple(value, fc.array(lineArb('baic'), { maxLength: 6 }))
          .map(([m, ls]) => [{ type: 'm', value: m }, ...ls]),
        { maxLength: 4 },
      ),
    },
    { noNullPrototype: true },
  );
  it('decode(encode(x)) == x for SDP', () => {
    fc.assert(
      fc.property(sdpArb, (sd) => {
        // Empty lines are not SDP; a value may be empty, but the line keeps its `x=`.
        assert.deepEqual(decodeSdp(encodeSdp(sd)), sd);
      }),
      BUDGET,
    );
  });
});
