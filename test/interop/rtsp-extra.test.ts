// MS-RTSP interop beyond plain playback, with real clients against one netshow: FFmpeg's seek in the
// indexed file (PLAY with Range: npt=20-), and a wrong path that FFmpeg must give up on by itself while
// mpv plays file a from the same server. The cases run side by side (the server paces in real time).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { startNetshow } from '../helpers/server.js';
import type { TestServer } from '../helpers/server.js';
import { assertPass, explain, peerPresent, peerReady, runPeer } from './peers/index.js';
import type { Verdict } from './peers/index.js';
import { FIXTURES, MEDIA_DIR, media } from './vod-suite.js';

/** A client given a wrong path must have given up by itself within this long. */
const GIVE_UP_S = 10;

function logOf(v: Verdict): string {
  try {
    return readFileSync(v.log, 'utf8');
  } catch {
    return '';
  }
}

describe('rtsp:// beyond plain playback', { concurrency: true }, () => {
  let server: TestServer | undefined;
  before(async () => {
    server = await startNetshow({ mediaDir: MEDIA_DIR });
  });
  after(async () => {
    await server?.close();
  });
  const url = (file: string): string => {
    if (!server) throw new Error('no server');
    return server.url('rtsp', file);
  };

  // Over TCP this needs the server's resync filler after PLAY (server-machine.ts rtpPackets): without it
  // FFmpeg read the first packet after the seek as the rest of the one it paused in and began at 23 s.
  for (const transport of ['tcp', 'udp'] as const) {
    it(`FFmpeg seeks to 20 s in the indexed file over rtsp:// (RTP over ${transport}) and decodes to the end`, async (t) => {
      if (!peerReady(t, 'ffmpeg')) return;
      // FFmpeg's -ss on rtsp:// is PLAY with Range: npt=20.000-; the server starts at the index entry's
      // key frame at or just before 20 s, as on mmsh:// (mmsh.test.ts).
      const v = await runPeer('ffmpeg', url(FIXTURES.indexed), {
        reference: media(FIXTURES.indexed),
        seekS: 20,
        transport,
        label: `seek-rtsp-${transport}`,
        timeoutS: 40,
        compare: { seekWindowS: [1.5, 0.2] },
      });
      t.diagnostic(v.summary);
      assertPass(v);
    });
  }

  it('a wrong path gives FFmpeg a clean failure while mpv still plays file a', async (t) => {
    if (!peerReady(t, 'ffmpeg')) return;
    const healthy = peerPresent('mpv')
      ? runPeer('mpv', url(FIXTURES.a), { reference: media(FIXTURES.a), label: 'beside-wrong-path' })
      : runPeer('ffmpeg', url(FIXTURES.a), { reference: media(FIXTURES.a), label: 'beside-wrong-path' });
    const wrong = await Promise.all(
      (['tcp', 'udp'] as const).map((transport) =>
        runPeer('ffmpeg', url('no-such-file.wmv'), {
          transport,
          label: `wrong-path-${transport}`,
          timeoutS: 30,
        }),
      ),
    );
    for (const v of wrong) {
      t.diagnostic(`expected to fail: ${v.summary}`);
      // clean: FFmpeg gave up by itself, soon, on the DESCRIBE answer, and received nothing to decode
      assert.equal(v.timedOut, false, `${v.client} hung on a wrong path:\n${explain(v)}`);
      assert.ok(
        v.elapsedS <= GIVE_UP_S,
        `${v.client} took ${v.elapsedS.toFixed(1)} s to give up:\n${explain(v)}`,
      );
      assert.notEqual(v.exitCode, 0, `${v.client} exited 0 on a wrong path:\n${explain(v)}`);
      assert.equal(v.pass, false, `${v.client} decoded something from a wrong path:\n${explain(v)}`);
      assert.ok(
        v.frames.every((s) => s.frames.length === 0),
        `${v.client} got frames from a wrong path:\n${explain(v)}`,
      );
      assert.match(logOf(v), /404/, `FFmpeg must report the 404 it got:\n${explain(v)}`);
    }
    const ok = await healthy;
    t.diagnostic(ok.summary);
    assertPass(ok);
  });
});
