// Response heads (wmsp.md §3.2) and the per-request plan of the server machine (§6) for every request kind.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeChunks } from '../../../src/wmsp/framing.js';
import { describeReply, errorReply, playReply, reasonPhrase } from '../../../src/wmsp/reply.js';
import {
  planRequest,
  type ContentDescription,
  type MachineContext,
  type WmspPlan,
} from '../../../src/wmsp/server-machine.js';
import { parseUserAgent } from '../../../src/wmsp/user-agent.js';
import { ffmpeg, get, libmms, mplayer, vlc, wmp12 } from './client-requests.js';

const ASF_GUID = Buffer.from('3026b2758e66cf11a6d900aa0062ce6c', 'hex');
const HEADER = Buffer.concat([ASF_GUID, Buffer.alloc(879 - 16, 0x42)]);
const FILE_D: ContentDescription = {
  headerBytes: HEADER,
  packetSize: 3200,
  packetCount: 385,
  preroll: 3100,
  streams: [1, 2],
  live: false,
  seekable: true,
};
const FILE_C: ContentDescription = { ...FILE_D, streams: [1, 2, 3] };
const LIVE: ContentDescription = { ...FILE_D, live: true, seekable: false, packetCount: 0 };
const CTX: MachineContext = { serverVersion: '0.1.0', newClientId: 2716352801 };

function headLines(head: string): string[] {
  assert.ok(head.endsWith('\r\n\r\n'), 'a head ends with an empty line');
  return head.slice(0, -4).split('\r\n');
}

function header(head: string, name: string): string | undefined {
  const line = headLines(head).find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(name.length + 1).trim();
}

function expectKind<K extends WmspPlan['kind']>(plan: WmspPlan, kind: K): Extract<WmspPlan, { kind: K }> {
  assert.equal(plan.kind, kind, plan.head);
  return plan as Extract<WmspPlan, { kind: K }>;
}

describe('reply heads (wmsp.md §3.2)', () => {
  const base = { httpVersion: '1.0', serverVersion: '0.1.0', clientId: 93311, live: false, userAgent: null };

  it('Describe head, exactly', () => {
    assert.equal(
      describeReply(base, 891),
      [
        'HTTP/1.0 200 OK',
        'Server: Cougar/9.01.01.3814 netshow/0.1.0',
        'Content-Type: application/vnd.ms.wms-hdr.asfv1',
        'Cache-Control: no-cache',
        'Pragma: no-cache, client-id=93311, features="seekable,stridable", timeout=60000',
        'Content-Length: 891',
        'Connection: close',
        '',
        '',
      ].join('\r\n'),
    );
  });

  it('Play head: framed type, live features, no Content-Length, answers HTTP/1.1 to HTTP/1.1', () => {
    const head = playReply({ ...base, httpVersion: '1.1', live: true });
    assert.equal(headLines(head)[0], 'HTTP/1.1 200 OK');
    assert.equal(header(head, 'Content-Type'), 'application/x-mms-framed');
    assert.match(header(head, 'Pragma')!, /features="broadcast,playlist"/);
    assert.equal(header(head, 'Content-Length'), undefined);
    assert.equal(header(head, 'Transfer-Encoding'), undefined);
  });

  it('Supported only for NSPlayer/NSServer >= 9.0', () => {
    const sup = (ua: string): string | undefined =>
      header(describeReply({ ...base, userAgent: parseUserAgent(ua) }), 'Supported');
    assert.equal(sup('NSPlayer/12.0.7601.17514'), 'com.microsoft.wm.sswitch');
    assert.equal(sup('NSServer/9.1'), 'com.microsoft.wm.sswitch');
    assert.equal(sup('NSPlayer/7.10.0.3059'), undefined);
    assert.equal(sup('NSPlayer/4.1.0.3856'), undefined);
    assert.equal(sup('WMCacheProxy/9.0'), undefined);
  });

  it('error replies: short text/plain, reason phrase always present', () => {
    for (const status of [400, 404, 405, 503, 505, 418, 599]) {
      const { head, body } = errorReply(status, 'why\r\nInjected: 1', {
        httpVersion: '1.0',
        serverVersion: 'x',
      });
      assert.match(headLines(head)[0]!, new RegExp(`^HTTP/1.0 ${status} \\S`));
      assert.equal(header(head, 'Content-Type'), 'text/plain; charset=utf-8');
      assert.equal(Number(header(head, 'Content-Length')), body.length);
      assert.equal(header(head, 'Injected'), undefined);
      assert.ok(reasonPhrase(status).length > 0);
    }
  });
});

describe('planRequest: Describe', () => {
  it('FFmpeg: $H alone, byte-identical header, Content-Length of the body', () => {
    const plan = expectKind(planRequest(ffmpeg.describe, FILE_D, CTX), 'describe');
    assert.equal(headLines(plan.head)[0], 'HTTP/1.1 200 OK');
    assert.equal(plan.clientId, CTX.newClientId);
    assert.match(header(plan.head, 'Pragma')!, /client-id=2716352801/);
    const body = Buffer.concat(plan.body);
    assert.equal(Number(header(plan.head, 'Content-Length')), body.length);
    const chunks = decodeChunks(body);
    assert.deepEqual(
      chunks.map((c) => c.type),
      ['H'],
    );
    const first = chunks[0]!;
    assert.deepEqual(first.type === 'H' && first.payload, HEADER);
  });

  it('WMP 12 (>= 9.0): $M then $H, Supported, no pipeline-experiment echoed', () => {
    const plan = expectKind(planRequest(wmp12.describe, FILE_D, CTX), 'describe');
    const chunks = decodeChunks(Buffer.concat(plan.body));
    assert.deepEqual(
      chunks.map((c) => c.type),
      ['M', 'H'],
    );
    const meta = chunks[0]!;
    assert.match(
      meta.type === 'M' ? meta.payload.toString('latin1') : '',
      /^playlist-gen-id=0, broadcast-id=0, features="seekable,stridable"\0$/,
    );
    assert.equal(header(plan.head, 'Supported'), 'com.microsoft.wm.sswitch');
    assert.doesNotMatch(plan.head, /pipeline-experiment|packet-pair-experiment/);
  });

  it('unknown path: 404 with a text body', () => {
    const plan = expectKind(planRequest(vlc.describe, null, CTX), 'reply');
    assert.equal(plan.status, 404);
    assert.match(headLines(plan.head)[0]!, /^HTTP\/1.0 404 Not Found$/);
  });

  it('a client-id the server does not know: a new one and xResetStrm=1', () => {
    const req = get('/d.wmv', [
      ['User-Agent', 'NSPlayer/9.0'],
      ['Pragma', 'client-id=5'],
    ]);
    const plan = expectKind(planRequest(req, FILE_D, { ...CTX, isKnownClientId: () => false }), 'describe');
    assert.equal(plan.clientId, CTX.newClientId);
    assert.match(header(plan.head, 'Pragma')!, /xResetStrm=1/);
    const known = expectKind(
      planRequest(req, FILE_D, { ...CTX, isKnownClientId: (id) => id === 5 }),
      'describe',
    );
    assert.equal(known.clientId, 5);
    assert.doesNotMatch(known.head, /xResetStrm/);
  });
});

describe('planRequest: Play', () => {
  it('FFmpeg on the MBR file: all streams, from the start, $H identical to Describe', () => {
    const plan = expectKind(planRequest(ffmpeg.play(), FILE_C, CTX), 'play');
    assert.equal(header(plan.head, 'Content-Type'), 'application/x-mms-framed');
    assert.equal(header(plan.head, 'Content-Length'), undefined);
    assert.deepEqual(plan.start.start, { kind: 'start' });
    assert.deepEqual(Object.fromEntries(plan.selection!), { 1: 0, 2: 0, 3: 0 });
    const describe = expectKind(planRequest(ffmpeg.describe, FILE_C, CTX), 'describe');
    assert.deepEqual(Buffer.concat(plan.headerChunks), Buffer.concat(describe.body));
  });

  it('VLC seek: packet 153', () => {
    const plan = expectKind(planRequest(vlc.play(489600, 3), FILE_C, CTX), 'play');
    assert.deepEqual(plan.start.start, { kind: 'packet', number: 153 });
    assert.deepEqual(Object.fromEntries(plan.selection!), { 1: 0, 2: 2, 3: 0 });
  });

  it('libmms byte seek: packet 200', () => {
    const plan = expectKind(planRequest(libmms.play(0, '0:640879'), FILE_D, CTX), 'play');
    assert.deepEqual(plan.start.start, { kind: 'packet', number: 200 });
  });

  it('MPlayer: only the listed streams', () => {
    const plan = expectKind(planRequest(mplayer.play, FILE_C, CTX), 'play');
    assert.deepEqual([...plan.selection!.keys()].sort(), [1, 3]);
  });

  it('WMP 12: echoes Speed and the Fast Start used, keeps its client-id, $M before $H', () => {
    const plan = expectKind(planRequest(wmp12.play(77), FILE_D, CTX), 'play');
    assert.equal(plan.clientId, 77);
    assert.match(
      header(plan.head, 'Pragma')!,
      /client-id=77.*Speed=1\.070, AccelBW=2147483647, AccelDuration=18000/,
    );
    assert.deepEqual(
      decodeChunks(Buffer.concat(plan.headerChunks)).map((c) => c.type),
      ['M', 'H'],
    );
  });

  it('live: joins live whatever the position, broadcast features', () => {
    const plan = expectKind(planRequest(libmms.play(15100, '0:0'), LIVE, CTX), 'play');
    assert.deepEqual(plan.start.start, { kind: 'start' });
    assert.equal(plan.live, true);
    assert.match(plan.head, /features="broadcast,playlist"/);
  });

  it('a selection naming no existing stream: 400', () => {
    const req = get('/d.wmv', [
      ['User-Agent', 'NSPlayer/4.1.0.3856'],
      ['Pragma', 'xPlayStrm=1'],
      ['Pragma', 'stream-switch-entry=ffff:7:0'],
    ]);
    const plan = expectKind(planRequest(req, FILE_D, CTX), 'reply');
    assert.equal(plan.status, 400);
    assert.match(plan.body.toString(), /no stream/);
  });

  it('Play as a POST: 400', () => {
    const req = get(
      '/d.wmv',
      [
        ['User-Agent', 'NSPlayer/9.0'],
        ['Pragma', 'xPlayStrm=1'],
      ],
      '1.0',
      'POST',
    );
    assert.equal(expectKind(planRequest(req, FILE_D, CTX), 'reply').status, 400);
  });
});

describe('planRequest: everything else', () => {
  const ns = ['User-Agent', 'NSPlayer/12.0.7601.17514'] as const;

  it('not a WMSP client: plain ASF download with Content-Length', () => {
    const plan = expectKind(
      planRequest(get('/d.wmv', [['User-Agent', 'Lavf/59.27.100']], '1.1'), FILE_D, CTX),
      'download',
    );
    assert.equal(plan.contentLength, 879 + 385 * 3200);
    assert.equal(header(plan.head, 'Content-Type'), 'video/x-ms-asf');
    assert.equal(Number(header(plan.head, 'Content-Length')), plan.contentLength);
    const live = expectKind(planRequest(mplayer.plainHttp, LIVE, CTX), 'download');
    assert.equal(live.contentLength, undefined);
    assert.equal(header(live.head, 'Content-Length'), undefined);
  });

  it('HEAD: the GET head without a body', () => {
    const plan = expectKind(planRequest(get('/d.wmv', [ns], '1.1', 'HEAD'), FILE_D, CTX), 'reply');
    assert.equal(header(plan.head, 'Content-Type'), 'application/vnd.ms.wms-hdr.asfv1');
    assert.equal(plan.body.length, 0);
    const plain = expectKind(planRequest(get('/d.wmv', [], '1.1', 'HEAD'), FILE_D, CTX), 'reply');
    assert.equal(header(plain.head, 'Content-Type'), 'video/x-ms-asf');
  });

  it('Log POST: 200, empty, whatever the body or client-id', () => {
    const req = get(
      '/d.wmv',
      [ns, ['Content-Type', 'application/x-wms-LogStats;charset=UTF-8'], ['Pragma', 'client-id=9']],
      '1.1',
      'POST',
    );
    const plan = expectKind(planRequest(req, null, { ...CTX, isKnownClientId: () => false }), 'reply');
    assert.equal(plan.status, 200);
    assert.equal(header(plan.head, 'Content-Length'), '0');
  });

  it('KeepAlive: OPTIONS gets a new session when the id is unknown; POST must name a known one', () => {
    const ctx = { ...CTX, isKnownClientId: (id: number) => id === 9 };
    const options = expectKind(
      planRequest(get('*', [ns, ['Pragma', 'client-id=3']], '1.1', 'OPTIONS'), null, ctx),
      'reply',
    );
    assert.match(header(options.head, 'Pragma')!, /client-id=2716352801, timeout=60000, xResetStrm=1/);
    const post = (id: number): WmspPlan =>
      planRequest(
        get(
          '/d.wmv',
          [ns, ['Pragma', `xKeepAliveInPause=1, client-id=${id}`], ['Content-Length', '0']],
          '1.0',
          'POST',
        ),
        null,
        ctx,
      );
    assert.equal(expectKind(post(9), 'reply').status, 200);
    assert.equal(expectKind(post(3), 'reply').status, 400);
  });

  it('Stop: 200 and a stop action for the session', () => {
    const req = get(
      '/d.wmv',
      [ns, ['Pragma', 'xStopStrm=1, client-id=9'], ['Content-Length', '0']],
      '1.1',
      'POST',
    );
    const plan = expectKind(planRequest(req, FILE_D, CTX), 'reply');
    assert.equal(plan.status, 200);
    assert.deepEqual(plan.action, { type: 'stop', clientId: 9 });
  });

  it('SelectStream: POST gives a select action; the pipelined GET form is refused', () => {
    const headers = [
      ns,
      ['Pragma', 'client-id=9'],
      ['Pragma', 'stream-switch-entry=ffff:2:0 ffff:1:2'],
      ['Content-Length', '0'],
    ] as const;
    const plan = expectKind(planRequest(get('/c.wmv', headers, '1.0', 'POST'), FILE_C, CTX), 'reply');
    assert.equal(plan.action?.type, 'select-stream');
    assert.deepEqual(
      plan.action?.type === 'select-stream' && plan.action.pragmas.switchEntries?.map((e) => e.dst),
      [2, 1],
    );
    assert.equal(
      expectKind(planRequest(get('/c.wmv', headers, '1.1', 'GET'), FILE_C, CTX), 'reply').status,
      400,
    );
  });

  it('Pipeline test: the decline form, HTTP/1.0 204 with pipeline-result=0', () => {
    const req = get(
      '/d.wmv',
      [
        ns,
        ['Pragma', 'no-cache'],
        ['Pragma', 'pipeline-request=1'],
        ['Pragma', 'client-id=9'],
        ['Connection', 'keep-alive'],
      ],
      '1.1',
    );
    const plan = expectKind(planRequest(req, FILE_D, CTX), 'reply');
    assert.equal(headLines(plan.head)[0], 'HTTP/1.0 204 No Content');
    assert.equal(header(plan.head, 'Pragma'), 'no-cache, client-id=9, pipeline-result=0');
    assert.equal(header(plan.head, 'Content-Length'), '0');
  });

  it('GetContentInfo and SendEvent: 200 empty', () => {
    for (const type of ['application/x-wms-getcontentinfo', 'application/x-wms-sendevent']) {
      const plan = expectKind(
        planRequest(get('/d.wmv', [ns, ['Content-Type', type]], '1.1', 'POST'), FILE_D, CTX),
        'reply',
      );
      assert.equal(plan.status, 200);
    }
  });

  it('PlayNextEntry: 400 (pipelining declined); unknown POST: 400; PUT: 405 with Allow', () => {
    assert.equal(
      expectKind(
        planRequest(get('/d.wmv', [ns, ['Pragma', 'xPlayNextEntry=1']], '1.1'), FILE_D, CTX),
        'reply',
      ).status,
      400,
    );
    assert.equal(
      expectKind(planRequest(get('/d.wmv', [ns], '1.1', 'POST'), FILE_D, CTX), 'reply').status,
      400,
    );
    const put = expectKind(planRequest(get('/d.wmv', [ns], '1.1', 'PUT'), FILE_D, CTX), 'reply');
    assert.equal(put.status, 405);
    assert.equal(header(put.head, 'Allow'), 'GET, HEAD, POST, OPTIONS');
  });

  it('HTTP/2.0 request line: 505 answered as HTTP/1.0; Pragma over the caps: 400', () => {
    const v2 = expectKind(planRequest(get('/d.wmv', [ns], '2.0'), FILE_D, CTX), 'reply');
    assert.equal(headLines(v2.head)[0], 'HTTP/1.0 505 HTTP Version Not Supported');
    assert.equal(v2.request, 'invalid');
    const big = expectKind(
      planRequest(get('/d.wmv', [ns, ['Pragma', 'x'.repeat(20000)]]), FILE_D, CTX),
      'reply',
    );
    assert.equal(big.status, 400);
  });

  it('no head is ever chunked or missing Server', () => {
    for (const req of [ffmpeg.describe, ffmpeg.play(), vlc.play(), mplayer.plainHttp, wmp12.describe]) {
      for (const content of [FILE_C, LIVE, null]) {
        const plan = planRequest(req, content, CTX);
        assert.equal(header(plan.head, 'Transfer-Encoding'), undefined);
        assert.match(header(plan.head, 'Server')!, /^Cougar\/9\.01\.01\.3814 netshow\/0\.1\.0$/);
        assert.match(headLines(plan.head)[0]!, /^HTTP\/1\.[01] \d{3} \S/);
      }
    }
  });
});
