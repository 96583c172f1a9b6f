// A client that sends its request and half-closes at once (HTTP/1.0 and RTSP tools do) still gets the
// answer, even when that answer waits on a file lookup.
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { startNetshow, type TestServer } from '../helpers/server.js';

let srv: TestServer;
before(async () => {
  srv = await startNetshow({ mediaDir: 'test/fixtures/media' });
});
after(() => srv.close());

function sendAndHalfClose(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let got = '';
    const s = connect({ host: '127.0.0.1', port, allowHalfOpen: true }, () => s.end(text, 'latin1'));
    s.on('data', (b: Buffer) => (got += b.toString('latin1')));
    s.on('error', reject);
    s.on('close', () => resolve(got));
  });
}

it('MMSH and RTSP answer a request whose client half-closed right after sending it', async () => {
  const [describe, missing, rtsp, rtspMissing] = await Promise.all([
    sendAndHalfClose(srv.httpPort, 'GET /a-wmv2-wmav2-10s.wmv HTTP/1.0\r\nUser-Agent: NSPlayer/7.1\r\n\r\n'),
    sendAndHalfClose(srv.httpPort, 'GET /nope.wmv HTTP/1.0\r\nUser-Agent: NSPlayer/7.1\r\n\r\n'),
    sendAndHalfClose(
      srv.rtspPort,
      `DESCRIBE ${srv.url('rtsp', 'a-wmv2-wmav2-10s.wmv')} RTSP/1.0\r\nCSeq: 1\r\n\r\n`,
    ),
    sendAndHalfClose(srv.rtspPort, `DESCRIBE ${srv.url('rtsp', 'nope.wmv')} RTSP/1.0\r\nCSeq: 1\r\n\r\n`),
  ]);
  assert.match(describe, /^HTTP\/1\.0 200 OK\r\n/);
  assert.ok(describe.includes('$H'));
  assert.match(missing, /^HTTP\/1\.0 404 /);
  assert.match(rtsp, /^RTSP\/1\.0 200 OK\r\n[\s\S]*a=pgmpu:/);
  assert.match(rtspMissing, /^RTSP\/1\.0 404 /);
});
