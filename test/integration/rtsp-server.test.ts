// The RTSP server on loopback, asserted on the wire: RTP over UDP goes only to the RTSP connection's own
// address (a Transport `destination` naming another host is ignored), every ASF packet arrives, and
// requests for missing content or in the wrong state get their RTSP statuses.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { AsfDepacketizer, decodeRtpPacket } from '../../src/rtsp/index.js';
import { startNetshow, type TestServer } from '../helpers/server.js';
import { bindUdp } from '../helpers/udp.js';

const MEDIA = 'test/fixtures/media';

/** A scripted RTSP client: sends requests in order and reads each reply head (and body). */
class RtspTestClient {
  private buf = '';
  private cseq = 1;
  private waiting: (() => void) | null = null;
  private constructor(private readonly s: Socket) {
    s.on('data', (b: Buffer) => {
      this.buf += b.toString('latin1');
      this.waiting?.();
    });
  }
  static open(port: number): Promise<RtspTestClient> {
    return new Promise((resolve) => {
      const s = connect({ host: '127.0.0.1', port, localAddress: '127.0.0.1' }, () =>
        resolve(new RtspTestClient(s)),
      );
    });
  }
  async request(
    method: string,
    url: string,
    headers: string[] = [],
  ): Promise<{ status: number; head: string; body: string }> {
    this.s.write(
      `${method} ${url} RTSP/1.0\r\nCSeq: ${this.cseq++}\r\nUser-Agent: netshow-test\r\n${headers.map((h) => h + '\r\n').join('')}\r\n`,
    );
    for (;;) {
      const end = this.buf.indexOf('\r\n\r\n');
      if (end >= 0) {
        const head = this.buf.slice(0, end);
        const len = Number(/content-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
        if (this.buf.length >= end + 4 + len) {
          const body = this.buf.slice(end + 4, end + 4 + len);
          this.buf = this.buf.slice(end + 4 + len);
          return { status: Number(head.split(' ')[1]), head, body };
        }
      }
      await new Promise<void>((r) => (this.waiting = r));
    }
  }
  close(): void {
    this.s.destroy();
  }
}

describe('RTSP server', () => {
  let srv: TestServer;
  before(async () => {
    srv = await startNetshow({ mediaDir: MEDIA });
  });
  after(() => srv.close());

  it('sends RTP only to the RTSP peer, never to a Transport destination, and every ASF packet arrives', async () => {
    const rtp = await bindUdp('127.0.0.1', 0);
    const port = rtp.sock.address().port;
    const rtcp = await bindUdp('127.0.0.1', port + 1).catch(() => null);
    const other = await bindUdp('127.0.0.2', port);
    const c = await RtspTestClient.open(srv.rtspPort);
    try {
      const url = srv.url('rtsp', 'b-wmav2-10s.wma');
      const sentBefore = srv.server.rtspUdpSent();
      const d = await c.request('DESCRIBE', url, ['Accept: application/sdp']);
      assert.equal(d.status, 200);
      const control = /m=audio[\s\S]*?a=control:(\S+)/.exec(d.body)?.[1];
      assert.ok(control);
      const setup = await c.request('SETUP', `${url}/${control}`, [
        `Transport: RTP/AVP;unicast;destination=127.0.0.2;client_port=${port}-${port + 1}`,
      ]);
      assert.equal(setup.status, 200);
      const session = /session:\s*([^;\r\n]+)/i.exec(setup.head)?.[1];
      assert.ok(session);
      const play = await c.request('PLAY', `${url}/`, [`Session: ${session}`, 'Range: npt=0.000-']);
      assert.equal(play.status, 200);
      const dep = new AsfDepacketizer();
      const packets = () => rtp.got.flatMap((g) => dep.push(decodeRtpPacket(g))).length;
      let count = 0;
      for (let i = 0; i < 150 && count < 27; i++) {
        await new Promise((r) => setTimeout(r, 100));
        count += packets();
        rtp.got.length = 0;
      }
      assert.equal(count, 27, 'every ASF packet of b (27) arrived as RTP');
      assert.equal(other.got.length, 0, 'nothing may reach the Transport destination');
      assert.ok(srv.server.rtspUdpSent() - sentBefore >= 27, 'the server counted what the peer received');
      const teardown = await c.request('TEARDOWN', `${url}/`, [`Session: ${session}`]);
      assert.equal(teardown.status, 200);
    } finally {
      c.close();
      rtp.sock.close();
      rtcp?.sock.close();
      other.sock.close();
    }
  });

  it('answers a missing file with 404, PLAY without SETUP with 455 and a bad Transport with 461', async () => {
    const c = await RtspTestClient.open(srv.rtspPort);
    try {
      assert.equal((await c.request('DESCRIBE', srv.url('rtsp', 'missing.wmv'))).status, 404);
      const url = srv.url('rtsp', 'a-wmv2-wmav2-10s.wmv');
      assert.equal((await c.request('DESCRIBE', url)).status, 200);
      assert.equal((await c.request('PLAY', `${url}/`, ['Range: npt=0-'])).status, 455);
      const bad = await c.request('SETUP', `${url}/audio2`, [
        'Transport: RTP/AVP;multicast;client_port=5000-5001',
      ]);
      assert.equal(bad.status, 461);
      assert.equal((await c.request('OPTIONS', '*')).status, 200);
    } finally {
      c.close();
    }
  });
});
