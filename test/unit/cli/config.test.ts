// The config file and the --broadcast/--archive flags (docs/config.md): a full file, every source kind, and
// every kind of mistake as one exact FILE:LINE:COLUMN line.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  ConfigError,
  applyArchiveFlags,
  loadConfig,
  parseArchiveFlag,
  parseBroadcastFlag,
  parseConfig,
} from '../../../src/cli/config.js';
import { NetshowError } from '../../../src/core/errors.js';

const FILE = '/etc/netshow/netshow.yaml';
const MB = 1024 * 1024;

/** The one-line message a ConfigError carries, or a failure when `run` does not throw one. */
function configError(run: () => unknown): string {
  try {
    run();
  } catch (e) {
    assert.ok(e instanceof ConfigError, `not a ConfigError: ${String(e)}`);
    assert.ok(e instanceof NetshowError);
    assert.equal(e.code, 'E_CONFIG');
    assert.doesNotMatch(e.message, /\n/);
    return e.message;
  }
  assert.fail('no error');
}

describe('parseConfig', () => {
  it('reads a full file, resolving paths against its folder', () => {
    const text = [
      'media: ./media',
      'host: 0.0.0.0',
      'ports: { mms: 1755, http: 8080, rtsp: false }',
      'stallSeconds: 30',
      'broadcast:',
      '  - path: /live',
      '    source:',
      '      push: { password: secret }',
      '    archive:',
      '      path: "archive/{name}-{date}-{time}.asf"',
      '      rotate: { megabytes: 500, minutes: 60 }',
      '  - path: /relay',
      '    source: { pull: "mmsh://origin:8080/live" }',
      '  - path: /channel',
      '    source: { playlist: ./channel.wsx }',
      '    loop: false',
      '  - path: /encoder',
      '    source:',
      '      command: "ffmpeg -re -i in.mp3 -c:a wmav2 -f asf -"',
      '',
    ].join('\n');
    assert.deepEqual(parseConfig(text, FILE), {
      media: '/etc/netshow/media',
      host: '0.0.0.0',
      ports: { mms: 1755, http: 8080, rtsp: null },
      stallMs: 30_000,
      broadcast: [
        {
          path: '/live',
          source: { kind: 'push', password: 'secret' },
          archive: {
            template: '/etc/netshow/archive/{name}-{date}-{time}.asf',
            rotateBytes: 500 * MB,
            rotateMs: 3_600_000,
          },
        },
        { path: '/relay', source: { kind: 'pull', url: 'mmsh://origin:8080/live' } },
        { path: '/channel', source: { kind: 'playlist', path: '/etc/netshow/channel.wsx', loop: false } },
        {
          path: '/encoder',
          source: { kind: 'command', command: 'ffmpeg -re -i in.mp3 -c:a wmav2 -f asf -' },
        },
      ],
    });
  });

  it('gives an empty or comment-only file the defaults', () => {
    for (const text of ['', '# nothing yet\n', 'broadcast:\n'])
      assert.deepEqual(parseConfig(text, FILE), { ports: {}, broadcast: [] });
  });

  it('keeps null as "not served" and leaves absent ports to the default', () => {
    assert.deepEqual(parseConfig('ports: { mms: null, http: 0 }\n', FILE).ports, { mms: null, http: 0 });
  });

  const source = (yaml: string): unknown =>
    parseConfig(`broadcast:\n  - path: /p\n    source: ${yaml}\n`, FILE).broadcast[0]?.source;
  const sources: { name: string; yaml: string; value: unknown }[] = [
    { name: 'push: true', yaml: '{ push: true }', value: { kind: 'push' } },
    { name: 'push: {}', yaml: '{ push: {} }', value: { kind: 'push' } },
    { name: 'push: (empty)', yaml: '{ push: }', value: { kind: 'push' } },
    {
      name: 'push with a password',
      yaml: '{ push: { password: "0123" } }',
      value: { kind: 'push', password: '0123' },
    },
    ...['http', 'mmsh', 'mms', 'mmst', 'mmsu', 'rtsp', 'rtspt', 'rtspu'].map((scheme) => ({
      name: `pull ${scheme}://`,
      yaml: `{ pull: "${scheme}://origin:1/live" }`,
      value: { kind: 'pull', url: `${scheme}://origin:1/live` },
    })),
    {
      name: 'playlist (a folder, looping by default)',
      yaml: '{ playlist: channel }',
      value: { kind: 'playlist', path: '/etc/netshow/channel', loop: true },
    },
    {
      name: 'playlist (absolute)',
      yaml: '{ playlist: /srv/ch.asx }',
      value: { kind: 'playlist', path: '/srv/ch.asx', loop: true },
    },
    { name: 'command', yaml: '{ command: "cat x.asf" }', value: { kind: 'command', command: 'cat x.asf' } },
  ];
  for (const c of sources) it(`reads the source ${c.name}`, () => assert.deepEqual(source(c.yaml), c.value));

  it('resolves against the working folder when the file name has no folder', () => {
    assert.equal(parseConfig('media: m\n', 'netshow.yaml').media, join(process.cwd(), 'm'));
  });

  const errors: { name: string; yaml: string; message: string }[] = [
    {
      name: 'unknown key, with a suggestion',
      yaml: 'ports:\n  mms: 1755\n  htp: 8080\n',
      message: `${FILE}:3:3: ports: unknown key "htp" (did you mean "http"?)`,
    },
    {
      name: 'unknown top-level key in another spelling',
      yaml: 'stall_seconds: 3\n',
      message: `${FILE}:1:1: unknown key "stall_seconds" (did you mean "stallSeconds"?)`,
    },
    {
      name: 'unknown key without a near miss',
      yaml: 'colour: blue\n',
      message: `${FILE}:1:1: unknown key "colour"`,
    },
    {
      name: 'unknown key inside push',
      yaml: 'broadcast:\n  - path: /live\n    source: { push: { pasword: x } }\n',
      message: `${FILE}:3:23: broadcast[0].source.push: unknown key "pasword" (did you mean "password"?)`,
    },
    {
      name: 'wrong type',
      yaml: 'stallSeconds: "30"\n',
      message: `${FILE}:1:15: stallSeconds: expected a number, got "30"`,
    },
    {
      name: 'a number where a string belongs',
      yaml: 'broadcast:\n  - path: /live\n    source: { push: { password: 1234 } }\n',
      message: `${FILE}:3:33: broadcast[0].source.push.password: expected a string, got 1234 (quote it: "1234")`,
    },
    {
      name: 'an empty value',
      yaml: 'media:\n',
      message: `${FILE}:1:7: media: expected a string, got an empty value`,
    },
    {
      name: 'not a mapping',
      yaml: '- /live\n',
      message: `${FILE}:1:1: expected a mapping (key: value), got a list`,
    },
    {
      name: 'missing source',
      yaml: 'broadcast:\n  - path: /live\n',
      message: `${FILE}:2:5: broadcast[0]: missing "source": give one of push, pull, playlist or command`,
    },
    {
      name: 'missing path',
      yaml: 'broadcast:\n  - source: { push: true }\n',
      message: `${FILE}:2:5: broadcast[0]: missing "path"`,
    },
    {
      name: 'empty source',
      yaml: 'broadcast:\n  - path: /live\n    source: {}\n',
      message: `${FILE}:3:13: broadcast[0].source: is empty: give one of push, pull, playlist or command`,
    },
    {
      name: 'a source that is not a mapping',
      yaml: 'broadcast:\n  - path: /live\n    source: push\n',
      message:
        `${FILE}:3:13: broadcast[0].source: expected a mapping with one of push, pull, playlist or command, ` +
        'e.g. { push: true } (got "push")',
    },
    {
      name: 'two sources',
      yaml: 'broadcast:\n  - path: /live\n    source:\n      push: true\n      pull: mmsh://a/b\n',
      message: `${FILE}:5:7: broadcast[0].source.pull: a second source (push is already given); a publishing point takes exactly one`,
    },
    {
      name: 'push given a string',
      yaml: 'broadcast:\n  - path: /live\n    source: { push: secret }\n',
      message: `${FILE}:3:21: broadcast[0].source.push: expected true, {} or { password: ... } (got "secret")`,
    },
    {
      name: 'duplicate path (without case)',
      yaml: 'broadcast:\n  - path: /live\n    source: { push: true }\n  - path: /Live\n    source: { push: true }\n',
      message: `${FILE}:4:11: broadcast[1].path: duplicate path "/Live" (first at line 2)`,
    },
    {
      name: 'path without a slash',
      yaml: 'broadcast:\n  - path: live\n    source: { push: true }\n',
      message: `${FILE}:2:11: broadcast[0].path: must start with "/" (e.g. "/live")`,
    },
    {
      name: 'path with ..',
      yaml: 'broadcast:\n  - path: /a/../b\n    source: { push: true }\n',
      message: `${FILE}:2:11: broadcast[0].path: must not contain "." or ".." segments`,
    },
    {
      name: 'path with ?',
      yaml: 'broadcast:\n  - path: /a?b\n    source: { push: true }\n',
      message: `${FILE}:2:11: broadcast[0].path: must not contain "?" or "#"`,
    },
    {
      name: 'loop on a source that is not a playlist',
      yaml: 'broadcast:\n  - path: /live\n    source: { push: true }\n    loop: false\n',
      message: `${FILE}:4:5: broadcast[0].loop: applies only to a playlist source`,
    },
    {
      name: 'port out of range',
      yaml: 'ports: { mms: 70000 }\n',
      message: `${FILE}:1:15: ports.mms: expected a port number 0..65535, or null/false for "not served" (got 70000)`,
    },
    {
      name: 'port that is not a number',
      yaml: 'ports:\n  rtsp: 55.4\n',
      message: `${FILE}:2:9: ports.rtsp: expected a port number 0..65535, or null/false for "not served" (got 55.4)`,
    },
    {
      name: 'bad URL scheme',
      yaml: 'broadcast:\n  - path: /live\n    source:\n      pull: ftp://origin/live\n',
      message: `${FILE}:4:13: broadcast[0].source.pull: cannot pull from "ftp:" (schemes: http, mmsh, mms, mmst, mmsu, rtsp, rtspt, rtspu)`,
    },
    {
      name: 'not a URL',
      yaml: 'broadcast:\n  - path: /live\n    source:\n      pull: origin/live\n',
      message: `${FILE}:4:13: broadcast[0].source.pull: is not a URL (e.g. mmsh://origin:8080/live)`,
    },
    {
      name: 'YAML syntax error',
      yaml: 'ports:\n  mms: 1755\n http: 80\n',
      message: `${FILE}:3:1: invalid YAML: All mapping items must start at the same column`,
    },
    {
      name: 'YAML tab indentation',
      yaml: 'broadcast:\n\t- path: /live\n',
      message: `${FILE}:2:1: invalid YAML: Tabs are not allowed as indentation`,
    },
    {
      name: 'YAML duplicate key',
      yaml: 'host: a\nstallSeconds: 1\nhost: b\n',
      message: `${FILE}:3:1: duplicate key "host"`,
    },
    {
      name: 'YAML unknown tag',
      yaml: 'host: !ip 10.0.0.1\n',
      message: `${FILE}:1:7: invalid YAML: Unresolved tag: !ip`,
    },
    {
      name: 'YAML alias without an anchor',
      yaml: 'host: a\nmedia: *dir\n',
      message: `${FILE}:2:8: invalid YAML: Unresolved alias (the anchor must be set before the alias): dir`,
    },
    {
      name: 'unknown template token',
      yaml: 'broadcast:\n  - path: /live\n    source: { push: true }\n    archive:\n      path: "a/{nmae}.asf"\n',
      message: `${FILE}:5:13: broadcast[0].archive.path: has an unknown token {nmae} (did you mean {name}?); tokens are {name}, {date}, {time}, {n}`,
    },
    {
      name: 'a lone brace in the template',
      yaml: 'broadcast:\n  - path: /live\n    source: { push: true }\n    archive: { path: "a{n.asf" }\n',
      message: `${FILE}:4:22: broadcast[0].archive.path: has a "{" or "}" that is not part of a token; tokens are {name}, {date}, {time}, {n}`,
    },
    {
      name: 'rotation that would overwrite its own files',
      yaml: 'broadcast:\n  - path: /live\n    source: { push: true }\n    archive: { path: a.asf, rotate: { minutes: 5 } }\n',
      message: `${FILE}:4:22: broadcast[0].archive.path: rotating needs {n} or {time} in the archive path, or each new file overwrites the last`,
    },
    {
      name: 'rotation limit of zero',
      yaml: 'broadcast:\n  - path: /live\n    source: { push: true }\n    archive: { path: "a{n}.asf", rotate: { minutes: 0 } }\n',
      message: `${FILE}:4:53: broadcast[0].archive.rotate.minutes: must be greater than 0`,
    },
    {
      name: 'empty rotation',
      yaml: 'broadcast:\n  - path: /live\n    source: { push: true }\n    archive: { path: "a{n}.asf", rotate: {} }\n',
      message: `${FILE}:4:42: broadcast[0].archive.rotate: give megabytes, minutes or both`,
    },
    {
      name: 'the earliest of several mistakes',
      yaml: 'brodcast: []\nports: { mms: x }\n',
      message: `${FILE}:1:1: unknown key "brodcast" (did you mean "broadcast"?)`,
    },
  ];
  for (const c of errors)
    it(`reports ${c.name} as one exact line`, () => {
      assert.equal(
        configError(() => parseConfig(c.yaml, FILE)),
        c.message,
      );
    });

  it('carries the position as fields too', () => {
    try {
      parseConfig('ports:\n  mms: -1\n', FILE);
      assert.fail('no error');
    } catch (e) {
      assert.ok(e instanceof ConfigError);
      assert.deepEqual([e.file, e.line, e.column], [FILE, 2, 8]);
    }
  });
});

describe('loadConfig', () => {
  it('reads a file and resolves paths against its folder; a missing file is one line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'netshow-config-'));
    try {
      const file = join(dir, 'netshow.yaml');
      await writeFile(file, 'media: media\nbroadcast:\n  - path: /c\n    source: { playlist: ch.wsx }\n');
      const config = await loadConfig(file);
      assert.equal(config.media, join(dir, 'media'));
      assert.deepEqual(config.broadcast[0]?.source, {
        kind: 'playlist',
        path: join(dir, 'ch.wsx'),
        loop: true,
      });
      const missing = join(dir, 'nope.yaml');
      await assert.rejects(loadConfig(missing), (e: unknown) => {
        assert.ok(e instanceof ConfigError);
        assert.equal(e.message, `${missing}: cannot read the config file: no such file`);
        return true;
      });
      await assert.rejects(loadConfig(dir), /is a folder, not a file$/);
    } finally {
      await rm(dir, { recursive: true });
    }
  });
});

describe('--broadcast', () => {
  const ok: { value: string; source: unknown }[] = [
    { value: '/live=push', source: { kind: 'push' } },
    { value: '/live=push:s3cret:x', source: { kind: 'push', password: 's3cret:x' } },
    { value: '/live=mmsh://origin:8080/live', source: { kind: 'pull', url: 'mmsh://origin:8080/live' } },
    { value: '/live=http://origin/live?x=1', source: { kind: 'pull', url: 'http://origin/live?x=1' } },
    { value: '/live=mms://origin/live', source: { kind: 'pull', url: 'mms://origin/live' } },
    { value: '/live=mmst://origin/live', source: { kind: 'pull', url: 'mmst://origin/live' } },
    { value: '/live=mmsu://origin/live', source: { kind: 'pull', url: 'mmsu://origin/live' } },
    { value: '/live=rtsp://origin/live', source: { kind: 'pull', url: 'rtsp://origin/live' } },
    { value: '/live=rtspt://origin/live', source: { kind: 'pull', url: 'rtspt://origin/live' } },
    { value: '/live=rtspu://origin/live', source: { kind: 'pull', url: 'rtspu://origin/live' } },
    { value: '/live=pull:mmsh://origin/live', source: { kind: 'pull', url: 'mmsh://origin/live' } },
    {
      value: '/tv/one=playlist:ch/one.wsx',
      source: { kind: 'playlist', path: '/home/op/ch/one.wsx', loop: true },
    },
    {
      value: '/live=command:ffmpeg -re -i a=b.mp3 -f asf -',
      source: { kind: 'command', command: 'ffmpeg -re -i a=b.mp3 -f asf -' },
    },
  ];
  for (const c of ok)
    it(`reads ${c.value}`, () => {
      const point = parseBroadcastFlag(c.value, '/home/op');
      assert.deepEqual(point, { path: c.value.slice(0, c.value.indexOf('=')), source: c.source });
    });

  const bad: { value: string; message: string }[] = [
    { value: '/live', message: '--broadcast "/live": expected PATH=SOURCE, e.g. /live=push' },
    { value: 'live=push', message: '--broadcast "live=push": the path must start with "/" (e.g. "/live")' },
    {
      value: '/a/../b=push',
      message: '--broadcast "/a/../b=push": the path must not contain "." or ".." segments',
    },
    {
      value: '/live=push:',
      message: '--broadcast "/live=push:": nothing after "push:" (plain "push" takes no password)',
    },
    {
      value: '/live=ftp://origin/live',
      message:
        '--broadcast "/live=ftp://origin/live": the URL cannot pull from "ftp:" (schemes: http, mmsh, mms, mmst, mmsu, rtsp, rtspt, rtspu)',
    },
    {
      value: '/live=pull:origin',
      message: '--broadcast "/live=pull:origin": the URL is not a URL (e.g. mmsh://origin:8080/live)',
    },
    {
      value: '/live=channel.wsx',
      message:
        '--broadcast "/live=channel.wsx": unknown source (a playlist? write playlist:channel.wsx); use push, push:PASSWORD, a URL, pull:URL, playlist:FILE_OR_DIR or command:COMMAND',
    },
    {
      value: '/live=comand:cat x',
      message:
        '--broadcast "/live=comand:cat x": unknown source (did you mean "command"?); use push, push:PASSWORD, a URL, pull:URL, playlist:FILE_OR_DIR or command:COMMAND',
    },
    { value: '/live=command:\n', message: '--broadcast "/live=command:\\n": nothing after "command:"' },
  ];
  for (const c of bad)
    it(`refuses ${JSON.stringify(c.value)}`, () => {
      assert.equal(
        configError(() => parseBroadcastFlag(c.value, '/home/op')),
        c.message,
      );
    });
});

describe('--archive', () => {
  const ok: { value: string; archive: unknown }[] = [
    { value: '/live=rec/{name}.asf', archive: { template: '/home/op/rec/{name}.asf' } },
    {
      value: '/live=/srv/{name}-{n}.asf,rotate=500MB',
      archive: { template: '/srv/{name}-{n}.asf', rotateBytes: 500 * MB },
    },
    {
      value: '/live=a-{time}.asf,rotate=1.5gb',
      archive: { template: '/home/op/a-{time}.asf', rotateBytes: 1536 * MB },
    },
    { value: '/live=a{n}.asf,rotate=90s', archive: { template: '/home/op/a{n}.asf', rotateMs: 90_000 } },
    {
      value: '/live=a{n}.asf,rotate=60m,rotate=2GB',
      archive: { template: '/home/op/a{n}.asf', rotateMs: 3_600_000, rotateBytes: 2048 * MB },
    },
    {
      value: '/live=a{n}.asf,rotate=6h',
      archive: { template: '/home/op/a{n}.asf', rotateMs: 6 * 3_600_000 },
    },
  ];
  for (const c of ok)
    it(`reads ${c.value}`, () => {
      assert.deepEqual(parseArchiveFlag(c.value, '/home/op'), { path: '/live', archive: c.archive });
    });

  const bad: { value: string; message: string }[] = [
    { value: 'rec.asf', message: '--archive "rec.asf": expected PATH=TEMPLATE[,rotate=500MB|60m]' },
    {
      value: '/live=a{day}.asf',
      message:
        '--archive "/live=a{day}.asf": the template has an unknown token {day}; tokens are {name}, {date}, {time}, {n}',
    },
    {
      value: '/live=rec/',
      message: '--archive "/live=rec/": the template names a folder; it must name a file',
    },
    {
      value: '/live=a{n}.asf,rotate=500M',
      message:
        '--archive "/live=a{n}.asf,rotate=500M": rotate= takes a size (500MB, 2GB) or a duration (90s, 60m, 6h)',
    },
    {
      value: '/live=a{n}.asf,rotate=0MB',
      message: '--archive "/live=a{n}.asf,rotate=0MB": rotate= must be greater than 0',
    },
    {
      value: '/live=a{n}.asf,rotate=1m,rotate=2m',
      message: '--archive "/live=a{n}.asf,rotate=1m,rotate=2m": two rotate= durations',
    },
    {
      value: '/live=a{n}.asf,rotat=5m',
      message:
        '--archive "/live=a{n}.asf,rotat=5m": unknown option "rotat" (did you mean "rotate"?); the only one is rotate=',
    },
    {
      value: '/live=a.asf,rotate=1GB',
      message:
        '--archive "/live=a.asf,rotate=1GB": rotating needs {n} or {time} in the archive path, or each new file overwrites the last',
    },
  ];
  for (const c of bad)
    it(`refuses ${c.value}`, () => {
      assert.equal(
        configError(() => parseArchiveFlag(c.value, '/home/op')),
        c.message,
      );
    });

  it('attaches archives to the points they name, and refuses one for no point', () => {
    const points = [parseBroadcastFlag('/live=push', '/'), parseBroadcastFlag('/other=push', '/')];
    const archive = parseArchiveFlag('/Live=/r/{n}.asf', '/');
    assert.deepEqual(applyArchiveFlags(points, [archive]), [
      { ...points[0], archive: archive.archive },
      points[1],
    ]);
    assert.equal(
      configError(() => applyArchiveFlags(points, [parseArchiveFlag('/nope=/r/{n}.asf', '/')])),
      '--archive /nope: no publishing point has that path',
    );
    assert.equal(
      configError(() => applyArchiveFlags(points, [archive, archive])),
      '--archive /Live: given twice',
    );
  });
});
