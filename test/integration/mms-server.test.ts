// The MMS server on loopback, asserted on the wire: a whole TCP session against the file's bytes, UDP data
// that goes only to the control connection's own address whatever the funnel name says, errors, and HTTP
// arriving on the MMS port.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { readFile } from 'node:fs/promises';
import { headerObjectSize, parseFileStart } from '../../src/asf/index.js';
import { HRESULT, decodeDataPacket, encodeRequestPacketListResend } from '../../src/mmsp/index.js';
import { startNetshow, type TestServer } from '../helpers/server.js';
import { bindUdp } from '../helpers/udp.js';
import { M } from '../helpers/mmsp-client-messages.js';
import { MmsTestClient, type Received } from '../helpers/mms-client.js';
import { describeLines, rawRequest } from '../helpers/mmsh-client.js';

const MEDIA = 'test/fixtures/media';

async function fileOf(name: string) {
  const file = await readFile(`${MEDIA}/${name}`);
  const layout = parseFileStart(file.subarray(0, headerObjectSize(file) + 50), file.length);
  const packet = (n: number) =>
    file.subarray(
      layout.firstPacketOffset + n * layout.packetSize,
      layout.firstPacketOffset + (n + 1) * layout.packetSize,
    );
  return { layout, packet };
}

const data = (r: Received[]) => r.flatMap((x) => (x.type === 'Data' ? [x.packet] : []));

async function opened(port: number, file: string, funnel: string, local = '127.0.0.1') {
  const c = await MmsTestClient.open(port, local);
  c.send(M.connect);
  c.send(M.funnelInfo);
  c.send(M.connectFunnel(funnel));
  c.send(M.openFile(file));
  await c.until(() => c.has('LinkMacToViewerReportOpenFile'));
  return c;
}

describe('MMS server', () => {
  let srv: TestServer;
  before(async () => {
    srv = await startNetshow({ mediaDir: MEDIA });
  });
  after(() => srv.close());

  it('plays a whole file over TCP: header piece, every packet intact and numbered, then EndOfStream', async () => {
    const { layout, packet } = await fileOf('a-wmv2-wmav2-10s.wmv');
    const c = await opened(srv.mmsPort, 'a-wmv2-wmav2-10s.wmv', '\\\\127.0.0.1\\TCP\\1037');
    const rof = c.received.find((r) => r.type === 'LinkMacToViewerReportOpenFile');
    assert.ok(rof && rof.type === 'LinkMacToViewerReportOpenFile');
    assert.equal(rof.hr, 0);
    assert.equal(rof.openFileId, 1);
    assert.equal(rof.fileHeaderSize, layout.headerBytes.length);
    assert.equal(rof.filePacketCount, layout.packetCount);
    c.send(M.readBlock(2));
    await c.until((r) => data(r).length > 0);
    const header = data(c.received)[0]!;
    assert.equal(header.playIncarnation, 2);
    assert.deepEqual(header.payload, layout.headerBytes);
    c.send(M.streamSwitch([0xffff, 1, 0], [0xffff, 2, 0]));
    c.send(M.startPlaying(4));
    await c.until(() => c.has('LinkMacToViewerReportEndOfStream'));
    const types = c.received.map((r) => r.type);
    assert.ok(types.indexOf('LinkMacToViewerReportStartedPlaying') < types.lastIndexOf('Data'));
    const media = data(c.received).filter((d) => d.playIncarnation === 4);
    assert.equal(media.length, layout.packetCount);
    media.forEach((d, n) => {
      assert.equal(d.locationId, n);
      assert.deepEqual(d.payload, packet(n));
    });
    assert.equal(types[types.length - 1], 'LinkMacToViewerReportEndOfStream');
    c.close();
  });

  it('sends UDP data only to the TCP peer address, never to the address in the funnel name', async () => {
    const peer = await bindUdp('127.0.0.1', 0);
    const port = peer.sock.address().port;
    const other = await bindUdp('127.0.0.2', port);
    try {
      const { layout, packet } = await fileOf('b-wmav2-10s.wma');
      const sentBefore = srv.server.mmsUdpSent();
      const c = await opened(srv.mmsPort, 'b-wmav2-10s.wma', `\\\\127.0.0.2\\UDP\\${port}`);
      c.send(M.readBlock(2));
      c.send(M.streamSwitch([0xffff, 1, 0]));
      c.send(M.startPlaying(4));
      await c.until(() => c.has('LinkMacToViewerReportEndOfStream'));
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(data(c.received).length, 0, 'no Data on TCP when the funnel is UDP');
      const media = peer.got.map((d) => decodeDataPacket(d)).filter((d) => d.playIncarnation === 4);
      assert.equal(media.length, layout.packetCount);
      media.forEach((d, n) => assert.deepEqual(d.payload, packet(n)));
      assert.equal(other.got.length, 0, 'nothing may reach the address named in the funnel');
      assert.equal(
        srv.server.mmsUdpSent() - sentBefore,
        peer.got.length,
        'every datagram sent reached the peer',
      );

      // Resends [MS-MMSP 3.2.5.11.1]: from the peer to the server's UDP port (the MMS port number), by the
      // AFFlags sequence numbers; the answer is the very same datagrams, again only to the peer.
      const rfi = c.received.find((r) => r.type === 'LinkMacToViewerReportFunnelInfo');
      assert.ok(rfi && rfi.type === 'LinkMacToViewerReportFunnelInfo');
      const bySeq = new Map(peer.got.filter((d) => d[4] === 4).map((d) => [d[5]!, d]));
      const ask = (clientId: number) =>
        new Promise<void>((r) =>
          peer.sock.send(
            encodeRequestPacketListResend({ clientId, sourceId: 1, packets: [2, 5, 9] }),
            srv.mmsPort,
            '127.0.0.1',
            () => r(),
          ),
        );
      const before = peer.got.length;
      await ask((rfi.nCubs ^ 0x5a5a5a5a) >>> 0);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(peer.got.length, before, 'a request naming another client is ignored');
      await ask(rfi.nCubs);
      await new Promise((r) => setTimeout(r, 300));
      const resent = peer.got.slice(before);
      assert.deepEqual(resent, [bySeq.get(2), bySeq.get(5), bySeq.get(9)]);
      assert.equal(other.got.length, 0);
      c.close();
    } finally {
      peer.sock.close();
      other.sock.close();
    }
  });

  it('answers a missing file with NS_E_FILE_NOT_FOUND and a hostile path with NS_E_INVALID_NAME', async () => {
    for (const [name, hr] of [
      ['missing.wmv', HRESULT.NS_E_FILE_NOT_FOUND],
      ['../package.json', HRESULT.NS_E_INVALID_NAME],
    ] as const) {
      const c = await opened(srv.mmsPort, name, '\\\\127.0.0.1\\TCP\\1037');
      const rof = c.received.find((r) => r.type === 'LinkMacToViewerReportOpenFile');
      assert.ok(rof && rof.type === 'LinkMacToViewerReportOpenFile');
      assert.equal(rof.hr >>> 0, hr >>> 0, name);
      await c.until(() => c.closed, 5000);
      assert.ok(c.closed, 'the server closes after the error linger');
    }
  });

  it('hands HTTP on the MMS port to MMSH, closes on garbage, and keeps serving', async () => {
    const r = await rawRequest(srv.mmsPort, describeLines('/a-wmv2-wmav2-10s.wmv', srv.mmsPort));
    assert.equal(r.status, 200);
    const closed = await new Promise<boolean>((resolve) => {
      const s = connect({ host: '127.0.0.1', port: srv.mmsPort }, () => s.write(Buffer.alloc(64, 0xab)));
      s.on('error', () => undefined);
      s.on('close', () => resolve(true));
      setTimeout(() => resolve(false), 5000);
    });
    assert.ok(closed);
    const c = await opened(srv.mmsPort, 'a-wmv2-wmav2-10s.wmv', '\\\\127.0.0.1\\TCP\\1037');
    assert.ok(c.has('LinkMacToViewerReportOpenFile'));
    c.close();
  });
});
