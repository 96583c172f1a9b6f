// Encoder push requests: the heads FFmpeg really sends (captured, test/fixtures/push) and the exchange of
// [MS-WMHTTP 4.8], body length rules, credentials, the decision, and the reply heads.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseRequestHead } from '../../../src/core/http-head.js';
import { ProtocolError } from '../../../src/core/errors.js';
import {
  bodyLength,
  classifyPush,
  continueReply,
  decidePush,
  parseBasicCredentials,
  parsePushSetupBody,
  pushErrorReply,
  pushSetupReply,
  pushStartReply,
  type PushRequest,
  type PushRequestHead,
} from '../../../src/wmsp/push.js';

/** A head from its text, as core/http-head parses it off the socket. */
function head(text: string): PushRequestHead {
  const parsed = parseRequestHead(Buffer.from(text.replace(/\n/g, '\r\n') + '\r\n', 'latin1'));
  assert.ok(parsed);
  return { method: parsed.head.method, path: parsed.head.target, headers: parsed.head.headers };
}

function pushRequest(h: PushRequestHead): PushRequest {
  const c = classifyPush(h);
  assert.notEqual(c.kind, 'not-push');
  return c as PushRequest;
}

function isCode(code: string, http: number): (e: unknown) => boolean {
  return (e: unknown) => e instanceof ProtocolError && e.code === code && e.reply.http === http;
}

const capture = readFileSync('test/fixtures/push/ffmpeg-asf-chunked.http');
const ffmpegHead = capture
  .subarray(0, capture.indexOf('\r\n\r\n') + 2)
  .toString('latin1')
  .replace(/\r\n/g, '\n');

/** [MS-WMHTTP 4.8], headers as printed there. */
const wmeSetup = `POST /pubPoint HTTP/1.1
Content-Type: application/x-wms-pushsetup
X-Accept-Authentication: Negotiate, NTLM, Digest
User-Agent: WMEncoder/11.0.5721.5145
Host: MediaServer
Content-Length: 16
Cache-Control: no-cache
Cookie: push-id=0
`;
const wmeStart = `POST /pubPoint HTTP/1.1
Content-Type: application/x-wms-pushstart
X-Accept-Authentication: Negotiate, NTLM, Digest
User-Agent: WMEncoder/11.0.5721.5145
Host: MediaServer
Content-Length: 2147483647
Cache-Control: no-cache
Cookie: push-id=4124758405
`;

describe('classifyPush: what FFmpeg sends (captured with FFmpeg 5.1)', () => {
  it('`-f asf -method POST`: a chunked plain post without Content-Type', () => {
    assert.match(
      ffmpegHead,
      /^POST \/live HTTP\/1\.1\nTransfer-Encoding: chunked\nUser-Agent: Lavf\/59\.27\.100\n/,
    );
    assert.deepEqual(classifyPush(head(ffmpegHead)), {
      kind: 'plain-post',
      path: '/live',
      body: { type: 'chunked' },
      pushId: null,
      credentials: null,
      authScheme: null,
      expectContinue: false,
      encoder: null,
      userAgent: 'Lavf/59.27.100',
    });
  });

  it('`-chunked_post 0`: no length at all, so the body runs to the close', () => {
    const h = head(ffmpegHead.replace('Transfer-Encoding: chunked\n', ''));
    assert.deepEqual(pushRequest(h).body, { type: 'close' });
  });

  it('credentials in the URL: first `Expect: 100-continue` without Authorization, then Basic after a 401', () => {
    const first = pushRequest(
      head(ffmpegHead.replace('Connection: close', 'Expect: 100-continue\nConnection: close')),
    );
    assert.equal(first.expectContinue, true);
    assert.equal(first.credentials, null);
    const second = pushRequest(head(`${ffmpegHead}Authorization: Basic ZW5jOnMzY3JldA==\n`));
    assert.deepEqual(second.credentials, { user: 'enc', password: 's3cret' });
    assert.equal(second.authScheme, 'Basic');
    assert.equal(second.expectContinue, false);
  });
});

describe('classifyPush: Windows Media Encoder [MS-WMHTTP 4.8]', () => {
  it('PushSetup with push-id=0 and a 16-byte body', () => {
    assert.deepEqual(classifyPush(head(wmeSetup)), {
      kind: 'push-setup',
      path: '/pubPoint',
      body: { type: 'length', length: 16 },
      pushId: '0',
      credentials: null,
      authScheme: null,
      expectContinue: false,
      encoder: { major: 11, minor: 0 },
      userAgent: 'WMEncoder/11.0.5721.5145',
    });
  });

  it('PushSetup answering an NTLM challenge: the scheme is reported, no Basic credentials', () => {
    const r = pushRequest(
      head(`${wmeSetup}Authorization: Negotiate TlRMTVNTUAABAAAAB4IIogAAAAAAAAAAAAAAAAAAAAAFASgKAAAADw==\n`),
    );
    assert.equal(r.authScheme, 'Negotiate');
    assert.equal(r.credentials, null);
  });

  it('PushStart with the server cookie and Content-Length 2147483647', () => {
    const r = pushRequest(head(wmeStart));
    assert.equal(r.kind, 'push-start');
    assert.deepEqual(r.body, { type: 'length', length: 2147483647 });
    assert.equal(r.pushId, '4124758405');
  });

  it('Content-Type with `;charset=UTF-8` [2.2.1.1], cookies among others, quoted values', () => {
    const h = head(
      wmeSetup
        .replace('pushsetup', 'pushsetup;charset=UTF-8')
        .replace('Cookie: push-id=0', 'Cookie: funny-cookie=2 ; push-id="123" ; hilarious-cookie=3'),
    );
    const r = pushRequest(h);
    assert.equal(r.kind, 'push-setup');
    assert.equal(r.pushId, '123');
  });

  it('a PushSetup without any length has an empty body', () => {
    assert.deepEqual(pushRequest(head(wmeSetup.replace('Content-Length: 16\n', ''))).body, {
      type: 'length',
      length: 0,
    });
  });
});

describe('classifyPush: what is not a push', () => {
  const notPush: readonly [string, string][] = [
    ['a GET', 'GET /live HTTP/1.0\nUser-Agent: NSPlayer/9.0\n'],
    ['a Log POST', 'POST /live HTTP/1.0\nContent-Type: application/x-wms-LogStats\nContent-Length: 40\n'],
    [
      'a non-pipelined KeepAlive',
      'POST /live HTTP/1.0\nPragma: xKeepAliveInPause=1, client-id=5\nContent-Length: 0\n',
    ],
    ['a Stop', 'POST /live HTTP/1.0\nPragma: xStopStrm=1\nContent-Length: 0\n'],
    ['a SendEvent', 'POST /live HTTP/1.1\nContent-Type: application/x-wms-sendevent\nContent-Length: 9\n'],
    ['a POST that declares an empty body', 'POST /live HTTP/1.1\nContent-Length: 0\n'],
  ];
  for (const [name, text] of notPush) {
    it(name, () => assert.deepEqual(classifyPush(head(text)), { kind: 'not-push' }));
  }

  it('a curl upload with any Content-Type is a plain post', () => {
    const r = pushRequest(
      head('POST /live HTTP/1.1\nContent-Type: application/x-www-form-urlencoded\nContent-Length: 99\n'),
    );
    assert.equal(r.kind, 'plain-post');
  });
});

describe('bodyLength and malformed requests', () => {
  const bad: readonly [string, string, number][] = [
    ['Transfer-Encoding with Content-Length', 'Transfer-Encoding: chunked\nContent-Length: 5', 400],
    ['a Transfer-Encoding that does not end in chunked', 'Transfer-Encoding: gzip', 400],
    ['a coding before chunked', 'Transfer-Encoding: gzip, chunked', 501],
    ['a Content-Length that is not a number', 'Content-Length: abc', 400],
    ['a negative Content-Length', 'Content-Length: -1', 400],
    ['two different Content-Lengths', 'Content-Length: 5\nContent-Length: 6', 400],
    ['a Content-Length list that disagrees', 'Content-Length: 5, 6', 400],
  ];
  for (const [name, headers, status] of bad) {
    it(`${name}: ${status}`, () => {
      assert.throws(
        () => classifyPush(head(`POST /live HTTP/1.1\n${headers}\n`)),
        isCode('E_WMSP_PUSH_REQUEST', status),
      );
    });
  }

  it('repeated equal Content-Lengths and `Transfer-Encoding: Chunked` are fine', () => {
    assert.deepEqual(bodyLength(head('POST / HTTP/1.1\nContent-Length: 7\nContent-Length: 7\n')), {
      type: 'length',
      length: 7,
    });
    assert.deepEqual(bodyLength(head('POST / HTTP/1.1\nTransfer-Encoding: Chunked\n')), { type: 'chunked' });
  });

  it('a PushSetup body over 4 KiB: 413', () => {
    assert.throws(
      () => classifyPush(head(wmeSetup.replace('16', '5000'))),
      isCode('E_WMSP_PUSH_REQUEST', 413),
    );
  });

  it('a malformed push-id cookie: 400', () => {
    for (const cookie of ['push-id=', `push-id=${'x'.repeat(256)}`, 'push-id=a b']) {
      assert.throws(
        () => classifyPush(head(wmeStart.replace('Cookie: push-id=4124758405', `Cookie: ${cookie}`))),
        isCode('E_WMSP_PUSH_REQUEST', 400),
        cookie,
      );
    }
  });
});

describe('parseBasicCredentials [RFC 7617]', () => {
  const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
  const cases: readonly [string | undefined, { user: string; password: string } | null][] = [
    [`Basic ${b64('enc:s3cret')}`, { user: 'enc', password: 's3cret' }],
    [`basic   ${b64('enc:s3cret')} `, { user: 'enc', password: 's3cret' }],
    [`Basic ${b64('enc:a:b')}`, { user: 'enc', password: 'a:b' }],
    [`Basic ${b64(':only-password')}`, { user: '', password: 'only-password' }],
    [`Basic ${b64('ünï:çødé')}`, { user: 'ünï', password: 'çødé' }],
    [`Basic ${b64('no-colon')}`, null],
    ['Basic !!!!', null],
    ['Basic', null],
    ['Digest username="enc"', null],
    [undefined, null],
  ];
  for (const [value, want] of cases) {
    it(String(value), () => assert.deepEqual(parseBasicCredentials(value), want));
  }
});

describe('parsePushSetupBody [MS-WMHTTP 2.2.2.1.1, 2.2.2.1.2]', () => {
  it('AutoDestroy and Template-URL', () => {
    assert.deepEqual(parsePushSetupBody(Buffer.from('AutoDestroy: 1\r\n')), {
      autoDestroy: true,
      templateUrl: null,
    });
    assert.deepEqual(parsePushSetupBody(Buffer.from('Template-URL: "/pub"\r\nAutoDestroy: 0\r\n')), {
      autoDestroy: false,
      templateUrl: '/pub',
    });
    assert.deepEqual(parsePushSetupBody(Buffer.alloc(0)), { autoDestroy: false, templateUrl: null });
    assert.deepEqual(parsePushSetupBody(Buffer.from('\0\xff junk\nautodestroy:1')), {
      autoDestroy: true,
      templateUrl: null,
    });
  });
});

describe('decidePush', () => {
  const basic = (password: string): string => `Basic ${Buffer.from(`any:${password}`).toString('base64')}`;
  const withAuth = (value?: string): PushRequest =>
    pushRequest(head(value === undefined ? ffmpegHead : `${ffmpegHead}Authorization: ${value}\n`));

  it('no such point: 404', () => {
    assert.deepEqual(decidePush(withAuth(), { point: null }), {
      type: 'reject',
      status: 404,
      message: 'no broadcast point takes pushes at /live',
    });
  });
  it('a password: 401 without credentials, with a wrong one, or with another scheme; any user name is accepted', () => {
    const point = { password: 'pw', busy: false };
    for (const auth of [undefined, basic('nope'), basic(''), 'Digest x']) {
      assert.equal(decidePush(withAuth(auth), { point }).type, 'reject', String(auth));
      assert.deepEqual((decidePush(withAuth(auth), { point }) as { status: number }).status, 401);
    }
    assert.deepEqual(decidePush(withAuth(basic('pw')), { point }), { type: 'accept' });
  });
  it('another encoder pushing: 409, after the password check', () => {
    assert.equal(
      (decidePush(withAuth(), { point: { password: 'pw', busy: true } }) as { status: number }).status,
      401,
    );
    assert.deepEqual(decidePush(withAuth(basic('pw')), { point: { password: 'pw', busy: true } }), {
      type: 'reject',
      status: 409,
      message: 'another encoder is pushing to /live',
    });
  });
  it('an open point: accepted', () => {
    assert.deepEqual(decidePush(withAuth(), { point: { busy: false } }), { type: 'accept' });
  });
});

describe('push reply heads', () => {
  const r = { httpVersion: '1.1', serverVersion: '0.1.0', pushId: 'k3YqA9' };

  it('PushSetup accepted: 204, Cougar Server, Set-Cookie push-id, kept open [MS-WMHTTP 3.2.5.1]', () => {
    assert.equal(
      pushSetupReply(r),
      'HTTP/1.1 204 No Content\r\n' +
        'Server: Cougar/9.01.01.3814 netshow/0.1.0\r\n' +
        'Cache-Control: no-cache\r\n' +
        'Pragma: no-cache, timeout=60000\r\n' +
        'Set-Cookie: push-id=k3YqA9\r\n' +
        'Supported: com.microsoft.wm.srvppair, com.microsoft.wm.sswitch, com.microsoft.wm.predstrm, ' +
        'com.microsoft.wm.fastcache, com.microsoft.wm.startupprofile\r\n' +
        'Content-Length: 0\r\n' +
        'Connection: Keep-Alive\r\n\r\n',
    );
  });

  it('PushStart done: 204 with the same headers; without a push id, no cookie', () => {
    assert.equal(pushStartReply(r), pushSetupReply(r));
    const head10 = pushStartReply({ httpVersion: '1.0', serverVersion: '0.1.0' });
    assert.match(head10, /^HTTP\/1\.0 204 No Content\r\n/);
    assert.doesNotMatch(head10, /Set-Cookie/);
  });

  it('100 Continue', () => {
    assert.equal(continueReply(), 'HTTP/1.1 100 Continue\r\n\r\n');
  });

  it('401 carries the Basic challenge and the cookie, and a body of its Content-Length', () => {
    const { head: text, body } = pushErrorReply(401, 'the push password is missing or wrong', r);
    assert.match(text, /^HTTP\/1\.1 401 Unauthorized\r\n/);
    assert.match(text, /\r\nServer: Cougar\/9\.01\.01\.3814 netshow\/0\.1\.0\r\n/);
    assert.match(text, /\r\nWWW-Authenticate: Basic realm="netshow"\r\n/);
    assert.match(text, /\r\nSet-Cookie: push-id=k3YqA9\r\n/);
    assert.match(text, /\r\nConnection: close\r\n\r\n$/);
    assert.match(text, new RegExp(`\\r\\nContent-Length: ${body.length}\\r\\n`));
    assert.equal(text.match(/^Server:/gm)?.length, 1);
  });

  it('404 and 409 have no challenge', () => {
    for (const status of [404, 409]) {
      const { head: text } = pushErrorReply(status, 'x', { httpVersion: '1.1', serverVersion: '0.1.0' });
      assert.match(text, new RegExp(`^HTTP/1\\.1 ${status} `));
      assert.doesNotMatch(text, /WWW-Authenticate|Set-Cookie/);
    }
  });
});

describe('classifyPush properties', () => {
  it('arbitrary headers: a classification or a ProtocolError, never another throw', () => {
    const name = fc.constantFrom(
      'Content-Type',
      'Content-Length',
      'Transfer-Encoding',
      'Cookie',
      'Authorization',
      'Expect',
      'User-Agent',
      'Pragma',
      'X-Other',
    );
    const value = fc.oneof(
      fc.string({ maxLength: 60 }),
      fc.constantFrom(
        'chunked',
        'application/x-wms-pushstart',
        'push-id=1',
        '100-continue',
        'WMEncoder/9.0',
        '12',
      ),
    );
    fc.assert(
      fc.property(
        fc.constantFrom('POST', 'GET', 'post'),
        fc.array(fc.tuple(name, value), { maxLength: 8 }),
        (method, headers) => {
          try {
            const c = classifyPush({ method, path: '/live', headers });
            if (c.kind !== 'not-push') decidePush(c, { point: { password: 'x', busy: false } });
          } catch (e) {
            if (!(e instanceof ProtocolError)) throw e;
          }
        },
      ),
      { interruptAfterTimeLimit: 2000, numRuns: 1_000_000 },
    );
  });
});
