// What the MMSH client reads: reply heads (case table, every split point, the server's own heads) and bodies
// ($X chunks of wmsp.md §5 and plain ASF files), with every failure a ProtocolError.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ProtocolError } from '../../../src/core/errors.js';
import { headerObjectSize, parseFileStart } from '../../../src/asf/index.js';
import { isFailureHresult as isFailure } from '../../../src/core/errors.js';
import { ClientBodyReader, type BodyEvent } from '../../../src/wmsp/client-body.js';
import { parseReplyHead, replyOutcome, type ClientReply } from '../../../src/wmsp/client-reply.js';
import { changeChunk, endChunk, headerChunks, mmsPacketHeader, REASON } from '../../../src/wmsp/framing.js';
import { describeReply, errorReply, playReply } from '../../../src/wmsp/reply.js';

const FILE = readFileSync('test/fixtures/media/a-wmv2-wmav2-10s.wmv');
const LAYOUT = parseFileStart(FILE.subarray(0, headerObjectSize(FILE) + 50), FILE.length);
const HEADER = LAYOUT.headerBytes;
const S = LAYOUT.packetSize;
const packet = (n: number): Buffer =>
  FILE.subarray(LAYOUT.firstPacketOffset + n * S, LAYOUT.firstPacketOffset + (n + 1) * S);
const dChunk = (n: number, data = packet(n)): Buffer =>
  Buffer.concat([mmsPacketHeader('D', n, 0, n, data.length), data]);

type Facts = Partial<
  Pick<
    ClientReply,
    | 'status'
    | 'reason'
    | 'httpVersion'
    | 'contentType'
    | 'contentLength'
    | 'server'
    | 'wmsMajor'
    | 'clientId'
    | 'features'
    | 'broadcast'
    | 'location'
  >
>;

const heads: readonly { name: string; text: string; facts: Facts; outcome: string }[] = [
  {
    name: "netshow's Describe reply",
    text: describeReply(
      { httpVersion: '1.0', serverVersion: '0.1.0', clientId: 42, live: false, userAgent: null },
      900,
    ),
    facts: {
      status: 200,
      reason: 'OK',
      contentType: 'application/vnd.ms.wms-hdr.asfv1',
      contentLength: 900,
      wmsMajor: 9,
      clientId: 42,
      features: ['seekable', 'stridable'],
      broadcast: false,
    },
    outcome: 'ok',
  },
  {
    name: "netshow's live Play reply",
    text: playReply({
      httpVersion: '1.1',
      serverVersion: '0.1.0',
      clientId: 93311,
      live: true,
      userAgent: null,
    }),
    facts: {
      httpVersion: '1.1',
      contentType: 'application/x-mms-framed',
      clientId: 93311,
      broadcast: true,
      contentLength: undefined,
    },
    outcome: 'ok',
  },
  {
    name: "VLC's server: no reason phrase, bare LF, another Server token, features split over Pragma lines",
    text: 'HTTP/1.0 200\nServer: VLC 3.0\nPragma: no-cache\nPragma: features="broadcast"\nContent-Type: application/octet-stream\n\n',
    facts: {
      status: 200,
      reason: '',
      server: 'VLC 3.0',
      wmsMajor: undefined,
      features: ['broadcast'],
      broadcast: true,
      clientId: undefined,
    },
    outcome: 'ok',
  },
  {
    name: 'a redirect',
    text: 'HTTP/1.1 302 Found\r\nLocation: http://other/x.wmv\r\n\r\n',
    facts: { status: 302, location: 'http://other/x.wmv' },
    outcome: 'redirect',
  },
  {
    name: 'a 302 without Location',
    text: 'HTTP/1.1 302 Found\r\n\r\n',
    facts: { status: 302 },
    outcome: 'refused',
  },
  {
    name: "netshow's 404",
    text: errorReply(404, 'no content', { httpVersion: '1.0', serverVersion: '0.1.0' }).head,
    facts: { status: 404, contentType: 'text/plain' },
    outcome: 'not-found',
  },
  {
    name: 'a 401',
    text: 'HTTP/1.0 401 Unauthorized\r\nWWW-Authenticate: Basic realm="x"\r\n\r\n',
    facts: { status: 401 },
    outcome: 'auth',
  },
  {
    name: 'a 403 from a Rex encoder',
    text: 'HTTP/1.0 403 Forbidden\r\nServer: Rex/9.0.0.2980\r\n\r\n',
    facts: { wmsMajor: 9 },
    outcome: 'auth',
  },
  {
    name: 'a 503',
    text: 'HTTP/1.0 503 Service Unavailable\r\n\r\n',
    facts: { status: 503 },
    outcome: 'refused',
  },
];

describe('MMSH client: reply heads', () => {
  for (const c of heads) {
    it(c.name, () => {
      const bytes = Buffer.concat([Buffer.from(c.text, 'latin1'), Buffer.from('$H trailing body')]);
      const headLength = Buffer.byteLength(c.text, 'latin1');
      const got = parseReplyHead(bytes);
      assert.ok(got);
      assert.equal(got.length, headLength);
      for (const [k, v] of Object.entries(c.facts)) assert.deepEqual(got.reply[k as keyof ClientReply], v, k);
      assert.equal(replyOutcome(got.reply), c.outcome);
      // Every split point: nothing before the blank line completes the head.
      for (let i = 0; i < headLength; i++)
        assert.equal(parseReplyHead(bytes.subarray(0, i)), null, `split at ${i}`);
    });
  }

  const bad: readonly [string, string][] = [
    ['garbage at once, without waiting for a line end', '\x00\x01'],
    ['another protocol', 'RTSP/1.0 200 OK\r\n\r\n'],
    ['no status code', 'HTTP/1.0 OK\r\n\r\n'],
    ['a header line without a colon', 'HTTP/1.0 200 OK\r\nbroken line\r\n\r\n'],
    ['a head without end past the cap', 'HTTP/1.0 200 OK\r\n' + 'X: y\r\n'.repeat(4000)],
    ['too many headers', 'HTTP/1.0 200 OK\r\n' + 'X: y\r\n'.repeat(101) + '\r\n'],
  ];
  for (const [name, text] of bad) {
    it(`refuses ${name}`, () =>
      assert.throws(() => parseReplyHead(Buffer.from(text, 'latin1')), ProtocolError));
  }
});

function read(body: Buffer, splitAt?: number, fileLength?: number): BodyEvent[] {
  const r = new ClientBodyReader(fileLength);
  const parts = splitAt === undefined ? [body] : [body.subarray(0, splitAt), body.subarray(splitAt)];
  return [...parts.flatMap((p) => r.push(p)), ...r.end()];
}

const summary = (events: BodyEvent[]): string[] =>
  events.map((e) =>
    e.type === 'header'
      ? `H${e.header.bytes.length}`
      : e.type === 'packet'
        ? `D${e.locationId}`
        : `E${e.reason}`,
  );

const H = `H${HEADER.length}`;
const bodies: readonly { name: string; body: Buffer; events: string[] }[] = [
  { name: 'Describe: one $H', body: Buffer.concat(headerChunks(HEADER)), events: [H] },
  {
    name: 'a header split in three $H pieces, $M and $P skipped',
    body: Buffer.concat([
      ...headerChunks(Buffer.from('playlist-gen-id=1\0'), 0, 'M'),
      Buffer.from([0x24, 0x50, 8, 0, 4, 0, 0, 0, 1, 2, 3, 4]),
      mmsPacketHeader('H', 0, 0, 0x04, 300),
      HEADER.subarray(0, 300),
      mmsPacketHeader('H', 1, 0, 0x00, 300),
      HEADER.subarray(300, 600),
      mmsPacketHeader('H', 2, 0, 0x08, HEADER.length - 600),
      HEADER.subarray(600),
    ]),
    events: [H],
  },
  {
    name: 'Play: $H, $D, a shortened $D, $E 0 (bytes after it ignored)',
    body: Buffer.concat([
      ...headerChunks(HEADER),
      dChunk(0),
      dChunk(1, packet(1).subarray(0, 100)),
      endChunk(),
      dChunk(2),
    ]),
    events: [H, 'D0', 'D1', 'E0'],
  },
  {
    name: '$E S_FALSE, $C and a new $H continue the stream',
    body: Buffer.concat([
      ...headerChunks(HEADER),
      dChunk(0),
      endChunk(REASON.entryFinished),
      changeChunk(),
      ...headerChunks(HEADER),
      dChunk(1),
    ]),
    events: [H, 'D0', H, 'D1'],
  },
  {
    name: 'an error $E ends it with its reason',
    body: Buffer.concat([...headerChunks(HEADER), endChunk(0x80004005)]),
    events: [H, `E${0x80004005}`],
  },
  {
    name: 'an on-demand close without $E after the last packet is a clean end',
    body: Buffer.concat([...headerChunks(HEADER), dChunk(LAYOUT.packetCount - 1)]),
    events: [H, `D${LAYOUT.packetCount - 1}`, 'E0'],
  },
  {
    name: 'a close without $E earlier is no end',
    body: Buffer.concat([...headerChunks(HEADER), dChunk(3)]),
    events: [H, 'D3'],
  },
  {
    name: 'a plain ASF file: header, every packet, then the end before the index',
    body: FILE,
    events: [H, ...Array.from({ length: LAYOUT.packetCount }, (_, n) => `D${n}`), 'E0'],
  },
];

describe('MMSH client: bodies', () => {
  for (const c of bodies) {
    it(c.name, () => {
      assert.deepEqual(summary(read(c.body)), c.events);
      // Every split point gives the same events (sampled in the 420 kB file).
      const step = c.body.length > 20_000 ? 997 : 1;
      for (let i = 1; i < c.body.length; i += step)
        assert.deepEqual(summary(read(c.body, i)), c.events, `split at ${i}`);
    });
  }

  it('hands back the header and packets byte for byte, and knows the packet size, count and broadcast flag', () => {
    const events = read(Buffer.concat([...headerChunks(HEADER), dChunk(5)]));
    const [h, d] = events;
    assert.equal(h?.type, 'header');
    assert.equal(d?.type, 'packet');
    if (h?.type !== 'header' || d?.type !== 'packet') return;
    assert.deepEqual(h.header.bytes, HEADER);
    assert.equal(h.header.packetSize, S);
    assert.equal(h.header.packetCount, LAYOUT.packetCount);
    assert.equal(h.header.broadcast, false);
    assert.deepEqual(d.data, packet(5));
    const live = read(readFileSync('test/fixtures/media/e-live-10s.asf'))[0];
    assert.equal(live?.type === 'header' && live.header.broadcast, true);
  });

  it("reads a header whose object count is one too many (VLC 3's asfh muxer), handing on the corrected bytes", () => {
    const vlcStyle = Buffer.from(HEADER);
    vlcStyle.writeUInt32LE(vlcStyle.readUInt32LE(24) + 1, 24);
    const [h] = read(Buffer.concat(headerChunks(vlcStyle)));
    assert.equal(h?.type, 'header');
    assert.deepEqual(h?.type === 'header' && h.header.bytes, HEADER, 'the count is put right, nothing else');
    assert.equal(h?.type === 'header' && h.header.asf.streams.length, 2);
    const inconsistent = Buffer.from(HEADER);
    inconsistent.writeUInt32LE(1000, 24);
    inconsistent.writeBigUInt64LE(1n << 40n, 40);
    assert.throws(() => read(Buffer.concat(headerChunks(inconsistent))), ProtocolError);
  });

  it('reads a live-written file (no packet count) up to its index', () => {
    const events = read(readFileSync('test/fixtures/media/e-live-10s.asf'));
    assert.equal(events.filter((e) => e.type === 'packet').length, 131);
    assert.deepEqual(events.at(-1), { type: 'end', reason: 0 });
  });

  const broken: readonly [string, Buffer][] = [
    ['an empty body', Buffer.alloc(0)],
    ['HTML', Buffer.from('<html>')],
    ['a $D before any $H', dChunk(0)],
    [
      'a $D longer than the packet size',
      Buffer.concat([...headerChunks(HEADER), dChunk(0, Buffer.alloc(S + 1))]),
    ],
    ['a header cut inside its $H', Buffer.concat(headerChunks(HEADER)).subarray(0, 500)],
    [
      'a $H that stops short of its Header Object',
      Buffer.concat([...headerChunks(HEADER.subarray(0, 400)), dChunk(0)]),
    ],
    ['an unknown chunk type', Buffer.concat([...headerChunks(HEADER), Buffer.from([0x24, 0x5a, 0, 0])])],
    ['a file cut inside a packet', FILE.subarray(0, LAYOUT.firstPacketOffset + 10 * S + 7)],
    ['a file cut inside its header', FILE.subarray(0, 300)],
    [
      'a header with an absurd Header Object size',
      Buffer.concat(
        headerChunks(
          Buffer.concat([HEADER.subarray(0, 16), Buffer.from([0, 0, 0, 0, 0, 1, 0, 0]), HEADER.subarray(24)]),
        ),
      ),
    ],
  ];
  for (const [name, body] of broken) {
    it(`refuses ${name}`, () => assert.throws(() => read(body), ProtocolError));
  }

  it('tells failure HRESULTs from success codes', () => {
    assert.equal(isFailure(0x80004005), true);
    assert.equal(isFailure(REASON.ok), false);
    assert.equal(isFailure(REASON.eosReceding), false);
  });
});
