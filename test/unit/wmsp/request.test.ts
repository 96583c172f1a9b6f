// User-Agent recognition and the request classification table of wmsp.md §2.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePragmas } from '../../../src/wmsp/pragma.js';
import { classifyRequest, type RequestKind } from '../../../src/wmsp/request.js';
import { parseUserAgent, versionAtLeast } from '../../../src/wmsp/user-agent.js';
import { ffmpeg, libmms, mplayer, pragmasOf, vlc, wmp12 } from './client-requests.js';
import type { HttpRequestHead } from '../../../src/wmsp/server-machine.js';

describe('parseUserAgent', () => {
  const cases: readonly [string | undefined, [string, number, number, boolean] | null][] = [
    ['NSPlayer/4.1.0.3856', ['NSPlayer', 4, 1, false]],
    ['NSPlayer/7.10.0.3059', ['NSPlayer', 7, 10, false]],
    ['NSPlayer/12.0.7601.17514', ['NSPlayer', 12, 0, false]],
    ['NSServer/9.5', ['NSServer', 9, 5, false]],
    ['WMCacheProxy/9.0', ['WMCacheProxy', 9, 0, false]],
    ['NSPlayer/9.0.0.2980; via WMCacheProxy/9.0', ['NSPlayer', 9, 0, true]],
    ['NSPlayer/4.1.0.3856 libmms/0.6', ['NSPlayer', 4, 1, false]],
    ['nsplayer/7.1', ['NSPlayer', 7, 1, false]],
    ['NSPlayer', ['NSPlayer', 0, 0, false]],
    ['Lavf/59.27.100', null],
    ['VLC/3.0.24 LibVLC/3.0.24', null],
    ['MPlayer UNKNOWN-12', null],
    ['curl/7.88.1', null],
    ['Mozilla/5.0 (X11; Linux x86_64)', null],
    ['NotNSPlayer/9.0', null],
    ['', null],
    [undefined, null],
  ];
  for (const [text, want] of cases) {
    it(String(text), () => {
      const ua = parseUserAgent(text);
      assert.deepEqual(ua && [ua.product, ua.major, ua.minor, ua.viaCacheProxy], want);
    });
  }

  it('versionAtLeast compares major then minor', () => {
    const ua = parseUserAgent('NSPlayer/7.10.0.3059');
    assert.equal(versionAtLeast(ua, 7, 1), true);
    assert.equal(versionAtLeast(ua, 8), false);
    assert.equal(versionAtLeast(parseUserAgent('NSPlayer/9.0'), 9), true);
    assert.equal(versionAtLeast(null, 0), false);
  });
});

function kindOf(req: HttpRequestHead): RequestKind {
  const h = (n: string): string | undefined => req.headers.find(([k]) => k.toLowerCase() === n)?.[1];
  const length = h('content-length');
  return classifyRequest({
    method: req.method,
    pragmas: parsePragmas(pragmasOf(req)),
    userAgent: parseUserAgent(h('user-agent')),
    contentType: h('content-type'),
    contentLength: length === undefined ? undefined : Number(length),
  });
}

const NS = ['User-Agent', 'NSPlayer/12.0.7601.17514'] as const;
const req = (method: string, headers: readonly (readonly [string, string])[]): HttpRequestHead => ({
  method,
  path: '/d.wmv',
  httpVersion: '1.1',
  headers,
});

describe('classifyRequest (wmsp.md §2, first match wins)', () => {
  const cases: readonly [string, HttpRequestHead, RequestKind][] = [
    ['FFmpeg Describe', ffmpeg.describe, 'describe'],
    ['FFmpeg Play', ffmpeg.play(), 'play'],
    ['VLC Describe', vlc.describe, 'describe'],
    ['VLC Play (seek)', vlc.play(489600, 3), 'play'],
    ['MPlayer Describe', mplayer.describe, 'describe'],
    ['MPlayer Play', mplayer.play, 'play'],
    ['libmms Play', libmms.play(15100, '0:0'), 'play'],
    ['WMP 12 Describe', wmp12.describe, 'describe'],
    ['WMP 12 Play', wmp12.play(1), 'play'],
    [
      '1 Log: LogStats body',
      req('POST', [
        NS,
        ['Content-Type', 'application/x-wms-LogStats;charset=UTF-8'],
        ['Pragma', 'client-id=1'],
      ]),
      'log',
    ],
    [
      '1 Log: Logconnectstats',
      req('POST', [NS, ['Content-Type', 'application/x-wms-Logconnectstats']]),
      'log',
    ],
    [
      '1 Log: log-line Pragma, empty body',
      req('POST', [NS, ['Pragma', 'log-line=abc'], ['Content-Length', '0']]),
      'log',
    ],
    [
      '2 KeepAlive: POST xKeepAliveInPause',
      req('POST', [NS, ['Pragma', 'xKeepAliveInPause=1, client-id=5'], ['Content-Length', '0']]),
      'keep-alive',
    ],
    ['2 KeepAlive: OPTIONS', req('OPTIONS', [NS, ['Pragma', 'client-id=5']]), 'keep-alive'],
    [
      '2a GetContentInfo',
      req('POST', [
        ['User-Agent', 'WMCacheProxy/9.0'],
        ['Content-Type', 'application/x-wms-getcontentinfo'],
      ]),
      'get-content-info',
    ],
    ['2b SendEvent', req('POST', [NS, ['Content-Type', 'application/x-wms-sendevent']]), 'send-event'],
    [
      '3 Pipeline',
      req('GET', [NS, ['Pragma', 'no-cache'], ['Pragma', 'pipeline-request=1'], ['Pragma', 'client-id=5']]),
      'pipeline',
    ],
    ['4 PlayNextEntry', req('GET', [NS, ['Pragma', 'xPlayNextEntry=1, client-id=5']]), 'play-next-entry'],
    [
      '5 Stop: POST',
      req('POST', [NS, ['Pragma', 'xStopStrm=1, client-id=5'], ['Content-Length', '0']]),
      'stop',
    ],
    ['5 Stop: GET (pipelined form)', req('GET', [NS, ['Pragma', 'xStopStrm=1, client-id=5']]), 'stop'],
    [
      '6 Play wins over stream-switch-entry',
      req('GET', [NS, ['Pragma', 'xPlayStrm=1'], ['Pragma', 'stream-switch-entry=ffff:1:0']]),
      'play',
    ],
    [
      '7 SelectStream: POST',
      req('POST', [
        NS,
        ['Pragma', 'client-id=5'],
        ['Pragma', 'stream-switch-entry=ffff:1:0'],
        ['Content-Length', '0'],
      ]),
      'select-stream',
    ],
    [
      '7 SelectStream: GET (pipelined form)',
      req('GET', [NS, ['Pragma', 'stream-switch-entry=1:2:0']]),
      'select-stream',
    ],
    ['8 Describe: xPlayStrm=0', req('GET', [NS, ['Pragma', 'xPlayStrm=0']]), 'describe'],
    ['8 Describe: no Pragma at all', req('GET', [NS]), 'describe'],
    [
      '9 FFmpeg http:// (Lavf)',
      req('GET', [
        ['User-Agent', 'Lavf/59.27.100'],
        ['Icy-MetaData', '1'],
      ]),
      'not-wmsp',
    ],
    ['9 VLC http://', req('GET', [['User-Agent', 'VLC/3.0.24 LibVLC/3.0.24']]), 'not-wmsp'],
    ['9 MPlayer http:// first request', mplayer.plainHttp, 'not-wmsp'],
    [
      '9 curl',
      req('GET', [
        ['User-Agent', 'curl/7.88.1'],
        ['Pragma', 'no-cache'],
      ]),
      'not-wmsp',
    ],
    ['9 no User-Agent', req('GET', []), 'not-wmsp'],
    [
      'curl with xPlayStrm=1 is served as Play',
      req('GET', [
        ['User-Agent', 'curl/7.88.1'],
        ['Pragma', 'xPlayStrm=1'],
      ]),
      'play',
    ],
    ['HEAD', req('HEAD', [NS]), 'head'],
    ['POST without any WMSP marker', req('POST', [NS, ['Content-Type', 'text/plain']]), 'unknown-post'],
    ['PUT', req('PUT', [NS]), 'unsupported-method'],
    ['DELETE', req('DELETE', []), 'unsupported-method'],
  ];
  for (const [name, r, want] of cases) {
    it(name, () => assert.equal(kindOf(r), want));
  }
});
