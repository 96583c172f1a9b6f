// VLC over mmsu:// (MMS control over TCP, data over UDP) plays every on-demand fixture frame for frame,
// and the media really travels as UDP datagrams; then VLC's plain mms://, which tries MMS over TCP on the
// URL's port first, plays over TCP with no datagram at all (mmsp.md 5.2, 7.3).
// VLC always binds UDP port 7000 for mmsu:// (and fails if it is taken), so these runs are one after the
// other, and no other test file may start VLC on mmsu://. Proof of the transport: the server's own count of
// UDP datagrams sent, and, when tshark can capture on lo, what went over the wire (datagrams from the
// server's port to 7000, TCP payload from the server's port).
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TestContext } from 'node:test';
import { startNetshow } from '../helpers/server.js';
import type { TestServer } from '../helpers/server.js';
import { assertPass, explain, interopRoot, peerReady, runPeer } from './peers/index.js';
import type { Verdict } from './peers/index.js';
import { asfLayout } from './peers/asf.js';
import { udpPortBound, watchLoopback } from './peers/wire.js';
import type { WireCount } from './peers/wire.js';
import { FIXTURES, MEDIA_DIR, media } from './vod-suite.js';

/** VLC's fixed UDP port for MMS data (modules/access/mms/mmstu.c). */
const VLC_UDP_PORT = 7000;

let tsharkWarned = false;

describe('VLC over mmsu:// and mms:// (one run at a time: VLC binds UDP 7000)', () => {
  let server: TestServer | undefined;
  before(async () => {
    server = await startNetshow({ mediaDir: MEDIA_DIR });
  });
  after(async () => {
    await server?.close();
  });

  /** Plays `file` with VLC over `scheme` and counts the datagrams the server sent meanwhile. */
  async function play(
    t: TestContext,
    scheme: 'mmsu' | 'mms',
    file: string,
  ): Promise<{ v: Verdict; sent: number; wire: WireCount | undefined }> {
    if (!server) throw new Error('no server');
    assert.equal(udpPortBound(VLC_UDP_PORT), false, `UDP port ${VLC_UDP_PORT} is taken: VLC cannot bind it`);
    const watch = await watchLoopback({
      serverPort: server.mmsPort,
      clientUdpPort: VLC_UDP_PORT,
      log: join(interopRoot(), 'tshark.log'),
    });
    if (typeof watch === 'string' && !tsharkWarned) {
      tsharkWarned = true;
      console.warn(`*** NOTE: ${watch}; the UDP proof rests on the server's datagram count alone ***`);
    }
    const before = server.server.mmsUdpSent();
    try {
      const v = await runPeer('vlc', server.url(scheme, file), {
        reference: media(file),
        label: `${file.slice(0, 1)}-${scheme}`,
        timeoutS: file === FIXTURES.indexed ? 75 : 45,
      });
      const sent = server.server.mmsUdpSent() - before;
      const wire = typeof watch === 'string' ? undefined : await watch.stop();
      t.diagnostic(v.summary);
      t.diagnostic(
        `server UDP datagrams: ${sent}; on the wire: ${wire ? JSON.stringify(wire) : 'not watched'}`,
      );
      return { v, sent, wire };
    } finally {
      if (typeof watch !== 'string') await watch.stop().catch(() => undefined);
    }
  }

  for (const file of Object.values(FIXTURES)) {
    it(`mmsu:// ${file}: every frame, the media as UDP datagrams`, async (t) => {
      if (!peerReady(t, 'vlc')) return;
      const { v, sent, wire } = await play(t, 'mmsu', file);
      assertPass(v);
      // VLC's dump holds the header, then each packet it received padded to the packet size.
      const { headerBytes, packetSize } = asfLayout(v.capture);
      const packets = Math.floor((statSync(v.capture).size - headerBytes) / packetSize);
      assert.ok(packets > 0, `no data packets in the capture:\n${explain(v)}`);
      assert.ok(
        sent >= packets,
        `the server sent ${sent} UDP datagrams for ${packets} packets:\n${explain(v)}`,
      );
      if (wire) {
        // the capture may miss a datagram at its edges; the server's count above is the exact one
        assert.ok(
          wire.udpDatagrams >= packets * 0.9 && wire.udpBytes >= packets * packetSize * 0.9,
          `on the wire ${wire.udpDatagrams} datagrams / ${wire.udpBytes} bytes for ${packets} packets of ${packetSize}`,
        );
        // TCP carries only the control messages (each a few dozen bytes)
        assert.ok(
          wire.tcpBytes < 16_384,
          `${wire.tcpBytes} bytes went over TCP: media on the TCP connection?`,
        );
      }
    });
  }

  it(`mms:// ${FIXTURES.a}: VLC's rollover takes MMS over TCP first, so no datagram is sent`, async (t) => {
    if (!peerReady(t, 'vlc')) return;
    const { v, sent, wire } = await play(t, 'mms', FIXTURES.a);
    assertPass(v);
    assert.equal(sent, 0, `the server sent UDP datagrams on mms://:\n${explain(v)}`);
    if (wire) {
      assert.equal(wire.udpDatagrams, 0, 'datagrams to VLC on mms://');
      assert.ok(
        wire.tcpBytes >= statSync(v.capture).size,
        `only ${wire.tcpBytes} bytes over TCP for a ${statSync(v.capture).size}-byte capture`,
      );
    }
  });
});
