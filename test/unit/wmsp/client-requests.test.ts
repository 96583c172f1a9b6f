// The client's Describe and Play requests (wmsp.md §7, §8): exact text for a case table, and each request read
// back by netshow's own server machine in memory, which must classify it and find the asked start and streams.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRequestHead } from '../../../src/core/http-head.js';
import { ProtocolError } from '../../../src/core/errors.js';
import {
  basicAuthorization,
  describeRequest,
  downloadRequest,
  formatClientGuid,
  playRequest,
  switchEntries,
  type PlayRequest,
} from '../../../src/wmsp/client-requests.js';
import { planRequest, type ContentDescription, type WmspPlan } from '../../../src/wmsp/server-machine.js';

const GUID = '{3E1A55B0-51C1-4B8E-9C4E-6D0F0C1A2B3C}';
const BASE = { target: '/vod/clip.wmv', host: 'media.example:8080', clientGuid: GUID };
const ASF_GUID = Buffer.from('3026b2758e66cf11a6d900aa0062ce6c', 'hex');
const CONTENT: ContentDescription = {
  headerBytes: Buffer.concat([ASF_GUID, Buffer.alloc(863)]),
  packetSize: 3200,
  packetCount: 385,
  preroll: 3100,
  streams: [1, 2, 3],
  live: false,
  seekable: true,
  durationMs: 30_000,
};

const lines = (text: string): string[] => {
  assert.ok(text.endsWith('\r\n\r\n'));
  return text.slice(0, -4).split('\r\n');
};

const cases: readonly { name: string; text: string; expected: readonly string[] }[] = [
  {
    name: 'Describe (wmsp.md §8.1)',
    text: describeRequest(BASE),
    expected: [
      'GET /vod/clip.wmv HTTP/1.0',
      'Accept: */*',
      'User-Agent: NSPlayer/7.1.0.3055',
      'Host: media.example:8080',
      'Pragma: no-cache,rate=1.000000,stream-time=0,stream-offset=0:0,request-context=1,max-duration=0',
      `Pragma: xClientGUID=${GUID}`,
      'Connection: Close',
    ],
  },
  {
    name: 'Play from the start, one of three streams off, with client-id (wmsp.md §7, §8.4)',
    text: playRequest({ ...BASE, clientId: 2716352801, live: false, streams: [1, 2, 3], selected: [1, 2] }),
    expected: [
      'GET /vod/clip.wmv HTTP/1.0',
      'Accept: */*',
      'User-Agent: NSPlayer/7.1.0.3055',
      'Host: media.example:8080',
      'Pragma: no-cache,rate=1.000000,stream-time=0,stream-offset=4294967295:4294967295,packet-num=4294967295,request-context=2,max-duration=0',
      'Pragma: xPlayStrm=1',
      'Pragma: client-id=2716352801',
      `Pragma: xClientGUID=${GUID}`,
      'Pragma: stream-switch-count=3',
      'Pragma: stream-switch-entry=ffff:1:0 ffff:2:0 ffff:3:2',
      'Connection: Close',
    ],
  },
  {
    name: 'Play at 90 s, 5x speed, hex stream ids, credentials',
    text: playRequest({
      ...BASE,
      live: false,
      startMs: 90_000,
      streams: [1, 10, 17],
      selected: [10, 17],
      speed: 5,
      authorization: 'Basic YTpi',
    }),
    expected: [
      'GET /vod/clip.wmv HTTP/1.0',
      'Accept: */*',
      'User-Agent: NSPlayer/7.1.0.3055',
      'Host: media.example:8080',
      'Pragma: no-cache,rate=1.000000,stream-time=90000,stream-offset=4294967295:4294967295,packet-num=4294967295,request-context=2,max-duration=0',
      'Pragma: xPlayStrm=1',
      `Pragma: xClientGUID=${GUID}`,
      'Pragma: stream-switch-count=3',
      'Pragma: stream-switch-entry=ffff:1:2 ffff:a:0 ffff:11:0',
      'Pragma: Speed=5.000',
      'Authorization: Basic YTpi',
      'Connection: Close',
    ],
  },
  {
    name: 'Play of a broadcast: no position, no Speed (wmsp.md §8.5)',
    text: playRequest({ ...BASE, live: true, startMs: 5000, streams: [1], selected: [1], speed: 5 }),
    expected: [
      'GET /vod/clip.wmv HTTP/1.0',
      'Accept: */*',
      'User-Agent: NSPlayer/7.1.0.3055',
      'Host: media.example:8080',
      'Pragma: no-cache,rate=1.000000,request-context=2',
      'Pragma: xPlayStrm=1',
      `Pragma: xClientGUID=${GUID}`,
      'Pragma: stream-switch-count=1',
      'Pragma: stream-switch-entry=ffff:1:0',
      'Connection: Close',
    ],
  },
  {
    name: 'plain download: no Pragma, not an NSPlayer agent',
    text: downloadRequest({ target: '/a.wmv?x=%41&y', host: '[::1]:80' }),
    expected: [
      'GET /a.wmv?x=%41&y HTTP/1.0',
      'Accept: */*',
      'User-Agent: netshow',
      'Host: [::1]:80',
      'Connection: Close',
    ],
  },
];

describe('MMSH client requests', () => {
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(lines(c.text), c.expected);
      // Every request is a well-formed HTTP head to the same parser the server uses.
      const parsed = parseRequestHead(Buffer.from(c.text, 'latin1'));
      assert.equal(parsed?.length, Buffer.byteLength(c.text, 'latin1'));
    });
  }

  it('formats a client GUID in registry form and Basic credentials per RFC 2617', () => {
    assert.equal(formatClientGuid(Buffer.alloc(16, 0xab)), '{ABABABAB-ABAB-ABAB-ABAB-ABABABABABAB}');
    assert.equal(basicAuthorization('Aladdin', 'open sesame'), 'Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==');
    assert.equal(switchEntries([1, 2], []), 'ffff:1:2 ffff:2:2');
  });

  it('refuses values that would break a header line, and a Speed below 1', () => {
    const bad: (() => string)[] = [
      () => describeRequest({ ...BASE, userAgent: 'x\r\nEvil: 1' }),
      () => describeRequest({ ...BASE, host: 'h\n' }),
      () => describeRequest({ ...BASE, target: '/a b' }),
      () => describeRequest({ ...BASE, target: 'a.wmv' }),
      () => playRequest({ ...BASE, live: false, streams: [1], selected: [1], speed: 0.5 }),
      () => basicAuthorization('a:b', 'c'),
    ];
    for (const f of bad) assert.throws(f, ProtocolError);
  });
});

/** The request as netshow's server machine sees it. */
function plan(text: string, content: ContentDescription | null = CONTENT): WmspPlan {
  const parsed = parseRequestHead(Buffer.from(text, 'latin1'));
  assert.ok(parsed);
  const { head } = parsed;
  return planRequest(
    { method: head.method, path: head.target, httpVersion: head.version.slice(5), headers: head.headers },
    content,
    { serverVersion: '0.1.0', newClientId: 7 },
  );
}

describe('MMSH client requests read by the server machine', () => {
  it('the Describe is a Describe: $H only, no $M for an NSPlayer 7.1', () => {
    const p = plan(describeRequest(BASE));
    assert.equal(p.kind, 'describe');
    assert.equal(p.kind === 'describe' && p.body.length, 1);
  });

  const plays: readonly {
    name: string;
    req: Partial<PlayRequest>;
    start: unknown;
    selection: unknown;
    speed: number | null;
  }[] = [
    {
      name: 'from the start, every stream',
      req: {},
      start: { kind: 'start' },
      selection: [
        [1, 0],
        [2, 0],
        [3, 0],
      ],
      speed: null,
    },
    {
      name: 'at 20 s, stream 1 off, fast',
      req: { startMs: 20_000, selected: [2, 3], speed: 5 },
      start: { kind: 'time', ms: 20_000 },
      selection: [
        [1, 2],
        [2, 0],
        [3, 0],
      ],
      speed: 5,
    },
  ];
  for (const c of plays) {
    it(`the Play ${c.name}`, () => {
      const req: PlayRequest = {
        ...BASE,
        clientId: 7,
        live: false,
        streams: [1, 2, 3],
        selected: [1, 2, 3],
        ...c.req,
      };
      const p = plan(playRequest(req));
      assert.equal(p.kind, 'play');
      if (p.kind !== 'play') return;
      assert.deepEqual(p.start.start, c.start);
      assert.equal(p.start.from, c.req.startMs ? 'stream-time' : 'default');
      assert.deepEqual([...(p.selection ?? [])], c.selection);
      assert.equal(p.rate.speed, c.speed);
    });
  }

  it('the plain download is not WMSP: the server answers with the file', () => {
    assert.equal(plan(downloadRequest(BASE)).kind, 'download');
  });
});
