// The requests the real clients send, as captured in wmsp.md §9 (headers in arrival order, Pragma values raw).
import type { HttpRequestHead } from '../../../src/wmsp/server-machine.js';

export type Headers = readonly (readonly [string, string])[];

const FIXED_GUID = 'xClientGUID={c77e7400-738a-11d2-9add-0020af0a3278}';
const DESCRIBE_PRAGMA =
  'no-cache,rate=1.000000,stream-time=0,stream-offset=0:0,request-context=1,max-duration=0';

export function get(path: string, headers: Headers, httpVersion = '1.0', method = 'GET'): HttpRequestHead {
  return { method, path, httpVersion, headers };
}

/** FFmpeg 5.1 (libavformat/mmsh.c through its http layer). */
export const ffmpeg = {
  describe: get(
    '/d.wmv',
    [
      ['Range', 'bytes=0-'],
      ['Icy-MetaData', '1'],
      ['Accept', '*/*'],
      ['User-Agent', 'NSPlayer/4.1.0.3856'],
      ['Host', '127.0.0.1:8080'],
      ['Pragma', DESCRIBE_PRAGMA],
      ['Pragma', FIXED_GUID],
      ['Connection', 'Close'],
      ['Connection', 'close'],
    ],
    '1.1',
  ),
  /** Play of file c (3 streams, decimal ids, trailing space) with the glued last Pragma line. */
  play: (streamTime = 0): HttpRequestHead =>
    get(
      '/c.wmv',
      [
        ['Range', 'bytes=0-'],
        ['Icy-MetaData', '1'],
        ['Accept', '*/*'],
        ['User-Agent', 'NSPlayer/4.1.0.3856'],
        ['Host', '127.0.0.1:8080'],
        ['Pragma', 'no-cache,rate=1.000000,request-context=2'],
        ['Pragma', 'xPlayStrm=1'],
        ['Pragma', FIXED_GUID],
        ['Pragma', 'stream-switch-count=3'],
        ['Pragma', 'stream-switch-entry=ffff:1:0 ffff:2:0 ffff:3:0 '],
        ['Pragma', `no-cache,rate=1.000000,stream-time=${streamTime}Connection: Close`],
        ['Connection', 'close'],
      ],
      '1.1',
    ),
};

/** VLC 3.0 (modules/access/mms/mmsh.c). */
export const vlc = {
  describe: get('/d.wmv', [
    ['Host', '127.0.0.1:8080'],
    ['Accept', '*/*'],
    ['User-Agent', 'NSPlayer/7.10.0.3059'],
    ['Pragma', DESCRIBE_PRAGMA],
    ['Pragma', 'xClientGUID={0xbabac001-0x37db-0xcf71-0xc36b2e2e41270eea}'],
    ['Connection', 'Close'],
  ]),
  /** Play of file c choosing stream 1 (hex ids), with a byte-offset seek as VLC counts it. */
  play: (offset = 0, context = 2): HttpRequestHead =>
    get('/c.wmv', [
      ['Host', '127.0.0.1:8080'],
      ['Accept', '*/*'],
      ['User-Agent', 'NSPlayer/7.10.0.3059'],
      [
        'Pragma',
        `no-cache,rate=1.000000,stream-time=0,stream-offset=0:${offset},request-context=${context},max-duration=0`,
      ],
      ['Pragma', 'xPlayStrm=1'],
      ['Pragma', 'xClientGUID={0xbabac001-0x37db-0xcf71-0xc36b2e2e41270eea}'],
      ['Pragma', 'stream-switch-count=3'],
      ['Pragma', 'stream-switch-entry=ffff:1:0 ffff:2:2 ffff:3:0 '],
      ['Connection', 'Close'],
    ]),
};

/** MPlayer 1.5 (stream/asf_streaming.c): entry line before the count, only the chosen streams. */
export const mplayer = {
  describe: get('/c.wmv', [
    ['Accept', '*/*'],
    ['User-Agent', 'NSPlayer/4.1.0.3856'],
    ['Host', '127.0.0.1:8080'],
    ['Pragma', FIXED_GUID],
    ['Pragma', DESCRIBE_PRAGMA],
    ['Connection', 'Close'],
  ]),
  play: get('/c.wmv', [
    ['Accept', '*/*'],
    ['User-Agent', 'NSPlayer/4.1.0.3856'],
    ['Host', '127.0.0.1:8080'],
    ['Pragma', FIXED_GUID],
    ['Pragma', 'no-cache,rate=1.000000,stream-time=0,stream-offset=0:0,request-context=2,max-duration=0'],
    ['Pragma', 'xPlayStrm=1'],
    ['Pragma', 'stream-switch-entry=ffff:3:0 ffff:1:0 '],
    ['Pragma', 'stream-switch-count=2'],
    ['Connection', 'Close'],
  ]),
  /** What MPlayer sends first for an http:// URL. */
  plainHttp: get('/c.wmv', [
    ['Host', '127.0.0.1:8080'],
    ['User-Agent', 'MPlayer UNKNOWN-12'],
    ['Icy-MetaData', '1'],
  ]),
};

/** libmms 0.6.4 (src/mmsh.c): decimal ids, time seek with preroll, byte seek header + n x size. */
export const libmms = {
  play: (streamTime: number, offset: string): HttpRequestHead =>
    get('/d.wmv', [
      ['Accept', '*/*'],
      ['User-Agent', 'NSPlayer/4.1.0.3856'],
      ['Host', '127.0.0.1:8080'],
      [
        'Pragma',
        `no-cache,rate=1.000000,stream-time=${streamTime},stream-offset=${offset},request-context=2,max-duration=0`,
      ],
      ['Pragma', 'xPlayStrm=1'],
      ['Pragma', FIXED_GUID],
      ['Pragma', 'stream-switch-count=2'],
      ['Pragma', 'stream-switch-entry=ffff:1:0 ffff:2:0 '],
      ['Connection', 'Close'],
    ]),
};

/** Windows Media Player 12, from the WMP-model client (wmsp.md §9.5). */
export const wmp12 = {
  describe: get(
    '/d.wmv',
    [
      ['Accept', '*/*'],
      ['User-Agent', 'NSPlayer/12.0.7601.17514'],
      ['X-Accept-Authentication', 'Negotiate, NTLM, Digest, Basic'],
      ['Pragma', 'version11-enabled=1'],
      ['Pragma', 'no-cache,rate=1.000,stream-time=0,stream-offset=0:0,packet-num=4294967295,max-duration=0'],
      ['Pragma', 'packet-pair-experiment=1'],
      ['Pragma', 'pipeline-experiment=1'],
      [
        'Supported',
        'com.microsoft.wm.srvppair, com.microsoft.wm.sswitch, com.microsoft.wm.predstrm, com.microsoft.wm.startupprofile',
      ],
      ['Pragma', 'xClientGUID={3300AD50-2C39-46c0-AE0A-132CB9D3A4DE}'],
      ['Accept-Language', 'en-US, *;q=0.1'],
      ['Host', 'media.example'],
      ['Connection', 'Keep-Alive'],
    ],
    '1.1',
  ),
  play: (clientId: number): HttpRequestHead =>
    get(
      '/d.wmv',
      [
        ['Accept', '*/*'],
        ['User-Agent', 'NSPlayer/12.0.7601.17514'],
        [
          'Pragma',
          'no-cache,rate=1.000,stream-time=0,stream-offset=4294967295:4294967295,packet-num=4294967295,max-duration=0',
        ],
        ['Pragma', 'xPlayStrm=1'],
        ['Pragma', `client-id=${clientId}`],
        ['Pragma', 'LinkBW=2147483647, AccelBW=2147483647, AccelDuration=18000, Speed=1.070'],
        ['Pragma', 'playlist-gen-id=0'],
        ['Pragma', 'stream-switch-count=2'],
        ['Pragma', 'stream-switch-entry=ffff:1:0 ffff:2:0'],
        ['Host', 'media.example'],
      ],
      '1.1',
    ),
};

/** Pragma values of a request, as the adapter passes them (from rawHeaders). */
export function pragmasOf(req: HttpRequestHead): string[] {
  return req.headers.filter(([n]) => n.toLowerCase() === 'pragma').map(([, v]) => v);
}
