// RTSP messages and interleaved frames (rtsp.md §0, §5.1, §9): a case table run as decode, encode, round trip,
// every split point through the stream decoder and with trailing bytes; then the caps and malformed input.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProtocolError } from '../../../src/core/errors.js';
import {
  RtspStreamDecoder,
  decodeMessage,
  encodeInterleaved,
  encodeRequest,
  encodeResponse,
  type RtspFrame,
} from '../../../src/rtsp/message.js';
import { GOLDEN_TCP, GOLDEN_UDP, crlf, hex } from './vectors.js';

const protocolError = (e: unknown): boolean => e instanceof ProtocolError;
const EMPTY = Buffer.alloc(0);
const sdpBody = crlf(`${GOLDEN_TCP[4]}\n`, true);

interface Case {
  readonly name: string;
  readonly bytes: Buffer;
  readonly value: RtspFrame;
}

const cases: readonly Case[] = [
  {
    name: 'FFmpeg OPTIONS (golden 9.1)',
    bytes: crlf(GOLDEN_TCP[0]),
    value: {
      kind: 'request',
      request: {
        method: 'OPTIONS',
        url: 'rtsp://127.0.0.1:18554/a.wmv',
        version: 'RTSP/1.0',
        headers: [
          ['CSeq', '1'],
          ['User-Agent', 'Lavf59.27.100'],
        ],
        body: EMPTY,
      },
    },
  },
  {
    name: 'OPTIONS reply (golden 9.1)',
    bytes: crlf(GOLDEN_TCP[1]),
    value: {
      kind: 'response',
      response: {
        version: 'RTSP/1.0',
        status: 200,
        reason: 'OK',
        headers: [
          ['CSeq', '1'],
          ['Server', 'WMServer/9.1.1.5000'],
          ['Public', 'OPTIONS, DESCRIBE, SETUP, PLAY, PAUSE, TEARDOWN, GET_PARAMETER, SET_PARAMETER'],
          ['Supported', 'com.microsoft.wm.srvppair, com.microsoft.wm.sswitch, com.microsoft.wm.eosmsg'],
        ],
        body: EMPTY,
      },
    },
  },
  {
    name: 'DESCRIBE reply with the 1755-byte SDP body (golden 9.1)',
    bytes: Buffer.concat([crlf(GOLDEN_TCP[3]), sdpBody]),
    value: {
      kind: 'response',
      response: {
        version: 'RTSP/1.0',
        status: 200,
        reason: 'OK',
        headers: GOLDEN_TCP[3]
          .split('\n')
          .slice(1)
          .map((l): [string, string] => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]),
        body: sdpBody,
      },
    },
  },
  {
    name: 'UDP SETUP of rtx (golden 9.2)',
    bytes: crlf(GOLDEN_UDP[0]),
    value: {
      kind: 'request',
      request: {
        method: 'SETUP',
        url: 'rtsp://127.0.0.1:18554/a.wmv/rtx',
        version: 'RTSP/1.0',
        headers: [
          ['Transport', 'RTP/AVP/UDP;unicast;client_port=18518-18519;mode=play'],
          ['CSeq', '3'],
          ['User-Agent', 'Lavf59.27.100'],
        ],
        body: EMPTY,
      },
    },
  },
  {
    name: "FFmpeg's bare 501 to EndOfStream (no CSeq, rtsp.md §4.5)",
    bytes: crlf('RTSP/1.0 501 Not Implemented'),
    value: {
      kind: 'response',
      response: { version: 'RTSP/1.0', status: 501, reason: 'Not Implemented', headers: [], body: EMPTY },
    },
  },
  {
    name: 'SET_PARAMETER with a body',
    bytes: crlf('SET_PARAMETER rtsp://h/a RTSP/1.0\nCSeq: 9\nContent-Length: 5\n\nhello', true),
    value: {
      kind: 'request',
      request: {
        method: 'SET_PARAMETER',
        url: 'rtsp://h/a',
        version: 'RTSP/1.0',
        headers: [
          ['CSeq', '9'],
          ['Content-Length', '5'],
        ],
        body: Buffer.from('hello'),
      },
    },
  },
  {
    name: 'interleaved RTCP BYE on channel 1',
    bytes: hex('24 01 0008 81cb0001 2b7f1c3d'),
    value: { kind: 'interleaved', channel: 1, payload: hex('81cb0001 2b7f1c3d') },
  },
  {
    name: 'empty interleaved frame on channel 255',
    bytes: hex('24 ff 0000'),
    value: { kind: 'interleaved', channel: 255, payload: EMPTY },
  },
];

function encode(f: RtspFrame): Buffer {
  if (f.kind === 'request') return encodeRequest(f.request);
  if (f.kind === 'response') return encodeResponse(f.response);
  return encodeInterleaved(f.channel, f.payload);
}

describe('RTSP message case table', () => {
  for (const c of cases) {
    it(`${c.name}: decode / encode / round trip`, () => {
      assert.deepEqual(decodeMessage(c.bytes, { maxBodyBytes: 1 << 20 }), c.value);
      assert.equal(encode(c.value).toString('latin1'), c.bytes.toString('latin1'));
      assert.deepEqual(decodeMessage(encode(c.value), { maxBodyBytes: 1 << 20 }), c.value);
    });
    it(`${c.name}: every split point, trailing bytes pending`, () => {
      const trailing = Buffer.from('OPTIONS rtsp://h/ RTSP/1.0\r\nCSeq: 1\r\n');
      for (let i = 0; i <= c.bytes.length; i++) {
        const d = new RtspStreamDecoder({ maxBodyBytes: 1 << 20 });
        const frames = [
          ...d.push(c.bytes.subarray(0, i)),
          ...d.push(Buffer.concat([c.bytes.subarray(i), trailing])),
        ];
        assert.deepEqual(frames, [c.value], `split at ${i}`);
        assert.equal(d.pending, trailing.length);
      }
    });
  }

  it('decodes a whole golden exchange with interleaved data in one stream, one byte at a time', () => {
    const stream = Buffer.concat([
      crlf(GOLDEN_TCP[9]),
      hex('24 00 0004 80e04b1f'),
      hex('0d0a'),
      crlf(GOLDEN_TCP[11]),
      hex('24 01 0000'),
    ]);
    const d = new RtspStreamDecoder();
    const frames: RtspFrame[] = [];
    for (const b of stream) frames.push(...d.push(Buffer.from([b])));
    d.end();
    assert.deepEqual(
      frames.map((f) =>
        f.kind === 'request' ? f.request.method : f.kind === 'interleaved' ? f.channel : f.kind,
      ),
      ['PLAY', 0, 'TEARDOWN', 1],
    );
  });

  it('accepts bare LF line ends', () => {
    const f = decodeMessage(Buffer.from('GET_PARAMETER rtsp://h/a/ RTSP/1.0\nCSeq: 7\n\n'));
    assert.equal(f.kind === 'request' && f.request.method, 'GET_PARAMETER');
  });
});

describe('RTSP decoder caps and malformed input', () => {
  const bad: readonly [string, Buffer][] = [
    ['status line without a code', Buffer.from('RTSP/1.0 OK\r\n\r\n')],
    ['request line without version', Buffer.from('OPTIONS rtsp://h/\r\n\r\n')],
    ['header line without a colon', Buffer.from('OPTIONS * RTSP/1.0\r\nCSeq 1\r\n\r\n')],
    ['Content-Length not a number', Buffer.from('OPTIONS * RTSP/1.0\r\nContent-Length: x\r\n\r\n')],
    [
      'Content-Length repeated, one not a number',
      Buffer.from('OPTIONS * RTSP/1.0\r\nContent-Length: 1\r\nContent-Length: x\r\n\r\n'),
    ],
    ['body over the cap', Buffer.from('SET_PARAMETER * RTSP/1.0\r\nContent-Length: 65537\r\n\r\n')],
    ['head over 16 KiB', Buffer.alloc(17 * 1024, 0x41)],
    ['more than 1 KiB of blank lines', Buffer.alloc(2048, 0x0a)],
  ];
  for (const [name, bytes] of bad) {
    it(`${name}: ProtocolError, and the decoder stays failed`, () => {
      const d = new RtspStreamDecoder();
      assert.throws(() => d.push(bytes), protocolError);
      assert.throws(() => d.push(Buffer.from('OPTIONS * RTSP/1.0\r\n\r\n')), protocolError);
    });
  }

  it("takes the last of repeated Content-Lengths (GStreamer's echo of our end-of-stream SET_PARAMETER)", () => {
    const body = 'Session: 1\r\nEOF: true\r\n\0';
    const echo = Buffer.from(
      `SET_PARAMETER rtsp://h/a.wmv RTSP/1.0\r\nCSeq: 5\r\nCSeq: 1\r\nContent-Length: ${body.length - 1}\r\n` +
        `Content-Length: ${body.length}\r\n\r\n${body}OPTIONS * RTSP/1.0\r\nCSeq: 6\r\n\r\n`,
    );
    const items = new RtspStreamDecoder().push(echo);
    assert.equal(items.length, 2);
  });

  it('end() inside a head, a body or a frame is a truncation', () => {
    for (const s of ['OPTIONS * RTSP/1.0\r\n', 'SET_PARAMETER * RTSP/1.0\r\nContent-Length: 4\r\n\r\nab']) {
      const d = new RtspStreamDecoder();
      d.push(Buffer.from(s));
      assert.throws(() => d.end(), protocolError);
    }
    const d = new RtspStreamDecoder();
    d.push(hex('24 00 0010 00'));
    assert.throws(() => d.end(), protocolError);
  });

  it('a too-large body answer carries RTSP 413', () => {
    try {
      new RtspStreamDecoder({ maxBodyBytes: 10 }).push(
        Buffer.from('SET_PARAMETER * RTSP/1.0\r\nContent-Length: 11\r\n\r\n'),
      );
      assert.fail('no error');
    } catch (e) {
      assert.ok(e instanceof ProtocolError);
      assert.equal(e.reply.rtsp, 413);
    }
  });
});
