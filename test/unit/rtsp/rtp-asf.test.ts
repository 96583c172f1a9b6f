// RTP, RTCP and the ASF payload format (rtsp.md §4.7, §5.2, §5.3, §9.3): case tables for the headers, the golden
// first packet, fragmentation and reassembly with the marker bit, and padding stripped with an explicit length.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseFileStart } from '../../../src/asf/file-layout.js';
import { parsePacket } from '../../../src/asf/packet.js';
import { ProtocolError } from '../../../src/core/errors.js';
import { stripPadding, strippedOnce } from '../../../src/rtsp/asf-padding.js';
import {
  AsfDepacketizer,
  decodePayloadHeader,
  encodePayloadHeader,
  packetizeAsf,
  type AsfPayloadHeader,
} from '../../../src/rtsp/rtp-asf.js';
import {
  decodeRtcp,
  decodeRtpPacket,
  encodeBye,
  encodeRtpPacket,
  encodeSenderReport,
  ntpTimestamp,
  type RtpPacket,
} from '../../../src/rtsp/rtp.js';
import { hex } from './vectors.js';

const protocolError = (e: unknown): boolean => e instanceof ProtocolError;
const fileA = readFileSync(new URL('../../fixtures/media/a-wmv2-wmav2-10s.wmv', import.meta.url));
const A = parseFileStart(fileA, fileA.length);
const packetOf = (l: typeof A, buf: Buffer, n: number): Buffer =>
  buf.subarray(l.firstPacketOffset + n * l.packetSize, l.firstPacketOffset + (n + 1) * l.packetSize);

const rtpCases: readonly { name: string; hex: string; value: RtpPacket }[] = [
  {
    name: 'golden first packet head (§9.3): M=1, PT 96, seq 19231, ts 0',
    hex: '80e04b1f 00000000 2b7f1c3d c0000c84',
    value: {
      marker: true,
      payloadType: 96,
      sequence: 19231,
      timestamp: 0,
      ssrc: 0x2b7f1c3d,
      csrcs: [],
      extension: null,
      payload: hex('c0000c84'),
    },
  },
  {
    name: '§5.3 example: seq 0x4B1F, ts 3000',
    hex: '80e04b1f 00000bb8 2b7f1c3d c00005ae 82',
    value: {
      marker: true,
      payloadType: 96,
      sequence: 0x4b1f,
      timestamp: 3000,
      ssrc: 0x2b7f1c3d,
      csrcs: [],
      extension: null,
      payload: hex('c00005ae 82'),
    },
  },
  {
    name: 'a fragment: M=0, two CSRCs and an extension',
    hex: '92 60 ffff ffffffff 00000001 0000000a 0000000b beef0001 01020304 00',
    value: {
      marker: false,
      payloadType: 96,
      sequence: 0xffff,
      timestamp: 0xffffffff,
      ssrc: 1,
      csrcs: [10, 11],
      extension: { profile: 0xbeef, data: hex('01020304') },
      payload: hex('00'),
    },
  },
];

describe('RTP header case table', () => {
  for (const c of rtpCases) {
    it(`${c.name}: decode / encode / round trip`, () => {
      const bytes = hex(c.hex);
      assert.deepEqual(decodeRtpPacket(bytes), c.value);
      assert.equal(encodeRtpPacket(c.value).toString('hex'), bytes.toString('hex'));
      assert.deepEqual(decodeRtpPacket(encodeRtpPacket(c.value)), c.value);
    });
  }
  it('padding is stripped; bad version, bad padding count and truncation are ProtocolErrors', () => {
    assert.deepEqual(decodeRtpPacket(hex('a0e00001 00000000 00000001 aabb 0000 03')).payload, hex('aabb'));
    for (const bad of [
      '40e00001 00000000 00000001',
      'a0e00001 00000000 00000001 00',
      '80e000',
      '81e00001 00000000 00000001',
    ]) {
      assert.throws(() => decodeRtpPacket(hex(bad)), protocolError, bad);
    }
  });
});

describe('RTCP', () => {
  it('the end marker of §9.3: SR then BYE in one datagram', () => {
    const ntp = ntpTimestamp(Date.UTC(2024, 0, 1, 12, 0, 0, 500));
    const sr = encodeSenderReport({
      ssrc: 0x2b7f1c3d,
      ntpSeconds: ntp.seconds,
      ntpFraction: ntp.fraction,
      rtpTimestamp: 10046,
      packetCount: 131,
      octetCount: 131 * 3204,
    });
    const compound = Buffer.concat([sr, encodeBye(0x2b7f1c3d)]);
    assert.equal(compound.subarray(0, 8).toString('hex'), '80c800062b7f1c3d');
    assert.equal(compound.subarray(28).toString('hex'), '81cb00012b7f1c3d');
    assert.equal(ntp.seconds, 3913099200);
    assert.equal(ntp.fraction, 0x80000000);
    assert.deepEqual(decodeRtcp(compound), [
      {
        type: 'SR',
        ssrc: 0x2b7f1c3d,
        ntpSeconds: ntp.seconds,
        ntpFraction: ntp.fraction,
        rtpTimestamp: 10046,
        packetCount: 131,
        octetCount: 131 * 3204,
        reports: [],
      },
      { type: 'BYE', ssrcs: [0x2b7f1c3d] },
    ]);
  });

  it('a receiver report with one block and SDES, as FFmpeg sends; trailing junk tolerated', () => {
    const rr = hex(
      '81c90007 11111111 2b7f1c3d 02fffffe 00004b30 00000010 00000000 00000000 81ca0002 11111111 01000000 ffff',
    );
    const [first, second] = decodeRtcp(rr);
    assert.deepEqual(first, {
      type: 'RR',
      ssrc: 0x11111111,
      reports: [
        {
          ssrc: 0x2b7f1c3d,
          fractionLost: 2,
          cumulativeLost: -2,
          highestSequence: 0x4b30,
          jitter: 16,
          lastSr: 0,
          delaySinceLastSr: 0,
        },
      ],
    });
    assert.equal(second?.type, 'other');
    assert.throws(() => decodeRtcp(hex('00c90001 00000000')), protocolError);
    assert.throws(() => decodeRtcp(hex('80')), protocolError);
  });
});

const headerCases: readonly { name: string; hex: string; value: AsfPayloadHeader }[] = [
  {
    name: 'golden: S=1 L=1, Length 3204',
    hex: 'c0000c84',
    value: {
      keyFrame: true,
      isLength: true,
      lengthOrOffset: 3204,
      relativeTimestamp: null,
      duration: null,
      locationId: null,
    },
  },
  {
    name: 'fragment at offset 1384, no key frame',
    hex: '00000568',
    value: {
      keyFrame: false,
      isLength: false,
      lengthOrOffset: 1384,
      relativeTimestamp: null,
      duration: null,
      locationId: null,
    },
  },
  {
    name: 'R: relative timestamp -5 (8 bytes)',
    hex: '60000010 fffffffb',
    value: {
      keyFrame: false,
      isLength: true,
      lengthOrOffset: 16,
      relativeTimestamp: -5,
      duration: null,
      locationId: null,
    },
  },
  {
    name: 'D and I (12 bytes)',
    hex: 'd8000010 0000002e 00000007',
    value: {
      keyFrame: true,
      isLength: true,
      lengthOrOffset: 16,
      relativeTimestamp: null,
      duration: 46,
      locationId: 7,
    },
  },
  {
    name: 'R, D and I (16 bytes, as FFmpeg skips them)',
    hex: '78ffffff 00000001 00000002 ffffffff',
    value: {
      keyFrame: false,
      isLength: true,
      lengthOrOffset: 0xffffff,
      relativeTimestamp: 1,
      duration: 2,
      locationId: 0xffffffff,
    },
  },
];

describe('ASF payload format header case table', () => {
  for (const c of headerCases) {
    it(`${c.name}: decode / encode / round trip, trailing bytes ignored`, () => {
      const bytes = hex(c.hex);
      assert.deepEqual(decodePayloadHeader(bytes), { header: c.value, size: bytes.length });
      assert.equal(encodePayloadHeader(c.value).toString('hex'), bytes.toString('hex'));
      assert.deepEqual(decodePayloadHeader(Buffer.concat([bytes, hex('82')])).header, c.value);
      for (let i = 0; i < bytes.length; i++)
        assert.throws(() => decodePayloadHeader(bytes.subarray(0, i)), protocolError);
    });
  }
  it('reserved bits are ignored', () => {
    assert.deepEqual(decodePayloadHeader(hex('c7000c84')).header, headerCases[0]!.value);
  });
});

const rtpOf = (payload: Buffer, marker: boolean, sequence: number): RtpPacket => ({
  marker,
  payloadType: 96,
  sequence,
  timestamp: 3000,
  ssrc: 1,
  csrcs: [],
  extension: null,
  payload,
});

describe('packetizing and depacketizing ASF packets', () => {
  const pkt = stripPadding(packetOf(A, fileA, 0), A.packetSize);

  it('a packet that fits: one RTP packet, L=1, Length = 4 + packet, M=1 (§9.3)', () => {
    const out = packetizeAsf(pkt.data, { keyFrame: pkt.keyFrame, maxPayload: 65535 - 12 });
    assert.equal(out.length, 1);
    assert.equal(out[0]!.header.toString('hex'), 'c0000c84');
    assert.equal(out[0]!.marker, true);
    assert.equal(out[0]!.data, pkt.data);
  });

  for (const budget of [1000, 1400 - 12, 1460, 17]) {
    it(`fragments under a ${budget}-byte budget: offsets, M on the last only, reassembled exactly`, () => {
      const out = packetizeAsf(pkt.data, { keyFrame: true, maxPayload: budget });
      assert.ok(out.length > 1);
      let offset = 0;
      for (const [i, p] of out.entries()) {
        const { header } = decodePayloadHeader(p.header);
        assert.equal(header.isLength, false);
        assert.equal(header.keyFrame, true);
        assert.equal(header.lengthOrOffset, offset);
        assert.equal(p.marker, i === out.length - 1);
        assert.ok(p.header.length + p.data.length <= budget);
        offset += p.data.length;
      }
      const d = new AsfDepacketizer();
      const got = out.flatMap((p, i) =>
        d.push(rtpOf(Buffer.concat([p.header, p.data]), p.marker, (65530 + i) & 0xffff)),
      );
      assert.deepEqual(
        got.map((g) => g.data),
        [pkt.data],
      );
      assert.equal(got[0]!.keyFrame, true);
      assert.equal(d.dropped, 0);
    });
  }

  it('LocationId goes on the packet with M=1 only', () => {
    const out = packetizeAsf(pkt.data, { keyFrame: false, maxPayload: 1000, locationId: 42 });
    assert.deepEqual(
      out.map((p) => decodePayloadHeader(p.header).header.locationId),
      [...out.slice(1).map(() => null), 42],
    );
    const d = new AsfDepacketizer();
    const got = out.flatMap((p, i) => d.push(rtpOf(Buffer.concat([p.header, p.data]), p.marker, i)));
    assert.equal(got[0]?.locationId, 42);
    assert.deepEqual(got[0]?.data, pkt.data);
  });

  it('a lost fragment drops that ASF packet and the next one still arrives', () => {
    const out = packetizeAsf(pkt.data, { keyFrame: false, maxPayload: 1000 });
    const d = new AsfDepacketizer();
    const got = out
      .filter((_, i) => i !== 1)
      .flatMap((p, i) => d.push(rtpOf(Buffer.concat([p.header, p.data]), p.marker, i)));
    assert.deepEqual(got, []);
    assert.equal(d.dropped, 1);
    const whole = packetizeAsf(pkt.data, { keyFrame: false, maxPayload: 65000 })[0]!;
    assert.equal(d.push(rtpOf(Buffer.concat([whole.header, whole.data]), true, 99)).length, 1);
  });

  it('two aggregated packets (FFmpeg decodes them), and the spec reading of Length alone', () => {
    const a = hex('82000001'),
      b = hex('8200000203');
    const agg = Buffer.concat([hex('40000008'), a, hex('40000009'), b]);
    assert.deepEqual(
      new AsfDepacketizer().push(rtpOf(agg, true, 1)).map((x) => x.data),
      [a, b],
    );
    const spec = Buffer.concat([hex('40000004'), a]);
    assert.deepEqual(
      new AsfDepacketizer().push(rtpOf(spec, true, 1)).map((x) => x.data),
      [a],
    );
    assert.throws(() => new AsfDepacketizer().push(rtpOf(hex('40000099 00'), true, 1)), protocolError);
  });
});

describe('stripping ASF padding for RTP', () => {
  for (const f of ['a-wmv2-wmav2-10s.wmv', 'b-wmav2-10s.wma', 'c-mbr-10s.wmv', 'd-indexed-30s.wmv']) {
    it(`${f}: every packet keeps its payloads, loses its padding, and has an explicit Packet Length`, () => {
      const buf = readFileSync(new URL(`../../fixtures/media/${f}`, import.meta.url));
      const l = parseFileStart(buf, buf.length);
      let stripped = 0;
      for (let n = 0; n < l.packetCount; n++) {
        const raw = packetOf(l, buf, n);
        const before = parsePacket(raw, l.packetSize);
        const s = stripPadding(raw, l.packetSize);
        const after = parsePacket(s.data, l.packetSize);
        assert.deepEqual(after.payloads, before.payloads, `packet ${n}`);
        assert.equal(after.sendTime, before.sendTime);
        assert.equal(after.duration, before.duration);
        assert.equal(
          s.keyFrame,
          before.payloads.some((p) => p.keyFrame),
        );
        if (s.data !== raw || before.usedLength < l.packetSize) {
          stripped++;
          assert.equal(after.paddingLength, 0);
          assert.equal(after.packetLength, s.data.length);
          assert.equal(after.usedLength, s.data.length);
          assert.ok(s.data.length <= raw.length);
        } else {
          assert.equal(before.usedLength, l.packetSize);
        }
      }
      assert.ok(stripped > 0 || f.startsWith('b'), `${f}: some packet carried padding`);
    });
  }

  it('strippedOnce does the work once per shared buffer', () => {
    const raw = packetOf(A, fileA, 3);
    assert.equal(strippedOnce(raw, A.packetSize), strippedOnce(raw, A.packetSize));
  });

  it('an unparseable packet is a ProtocolError', () => {
    assert.throws(() => stripPadding(hex('82000001'), 3200), protocolError);
  });
});
