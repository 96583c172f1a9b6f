// MMSH interop beyond plain playback, with real clients against one netshow: seeking in the indexed
// file, multiple-bitrate stream selection, a wrong path next to a healthy playback, and the plain HTTP
// download FFmpeg gets. The cases run side by side (the server paces in real time).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startNetshow } from '../helpers/server.js';
import type { TestServer } from '../helpers/server.js';
import { assertPass, explain, payloadsPerStream, peerPresent, peerReady, runPeer } from './peers/index.js';
import type { ClientName } from './peers/index.js';
import { FIXTURES, MEDIA_DIR, media } from './vod-suite.js';

/** Below the 320x240 stream (about 257 kbit/s + 64 kbit/s audio), above the 160x120 one (141 + 64). */
const LOW_BANDWIDTH = 300_000;

describe('mmsh:// beyond plain playback', { concurrency: true }, () => {
  let server: TestServer | undefined;
  before(async () => {
    server = await startNetshow({ mediaDir: MEDIA_DIR });
  });
  after(async () => {
    await server?.close();
  });
  const url = (file: string): string => {
    if (!server) throw new Error('no server');
    return server.url('mmsh', file);
  };

  it('FFmpeg seeks to 20 s in the indexed file and decodes from there to the end', async (t) => {
    if (!peerReady(t, 'ffmpeg')) return;
    // Its first frames come from the index entry's key frame, at or just before 20 s.
    const v = await runPeer('ffmpeg', url(FIXTURES.indexed), {
      reference: media(FIXTURES.indexed),
      seekS: 20,
      label: 'seek',
      compare: { seekWindowS: [1.5, 0.2] },
    });
    t.diagnostic(v.summary);
    assertPass(v);
  });

  it('VLC seeks to 20 s in the indexed file and decodes from there to the end', async (t) => {
    if (!peerReady(t, 'vlc')) return;
    // VLC seeks an MMSH stream by byte position (stream-offset) estimated from the bit rate, then its
    // ASF demuxer drops what precedes the asked time: the run starts near 20 s, a little either side.
    const v = await runPeer('vlc', url(FIXTURES.indexed), {
      reference: media(FIXTURES.indexed),
      seekS: 20,
      label: 'seek',
      compare: { seekWindowS: [1.5, 0.5] },
    });
    t.diagnostic(v.summary);
    assertPass(v);
  });

  // libmms's bandwidth argument and MPlayer's -bandwidth (bit/s) both pick the 160x120 video. (VLC's
  // --mms-maxbitrate=300000 still picked the 320x240 one on 2026-11-24, so it is not used here.)
  for (const client of ['libmms', 'mplayer'] as const) {
    it(`${client} with a small bandwidth gets the 160x120 video and audio, nothing of stream 1`, async (t) => {
      if (!peerReady(t, client)) return;
      const v = await runPeer(client, url(FIXTURES.mbr), {
        reference: media(FIXTURES.mbr),
        bandwidthBps: LOW_BANDWIDTH,
        label: 'mbr-low',
      });
      t.diagnostic(v.summary);
      assertPass(v);
      const streams = v.comparison?.streams ?? [];
      assert.ok(
        streams.some((s) => s.type === 'video' && s.reference === 1),
        `the video must be the 160x120 one (reference stream 1):\n${explain(v)}`,
      );
      assert.ok(
        !streams.some((s) => s.reference === 0),
        `frames of the 320x240 video arrived:\n${explain(v)}`,
      );
      const payloads = await payloadsPerStream(v.capture, v.log);
      t.diagnostic(`media objects per ASF stream: ${JSON.stringify([...payloads])}`);
      assert.equal(payloads.get(1) ?? 0, 0, `ASF stream 1 must not reach the client:\n${explain(v)}`);
      assert.ok((payloads.get(2) ?? 0) > 0, 'ASF stream 2 (160x120) must arrive');
      assert.ok((payloads.get(3) ?? 0) > 0, 'ASF stream 3 (audio) must arrive');
    });
  }

  it('a wrong path fails cleanly in every client while FFmpeg still plays file a', async (t) => {
    const clients: ClientName[] = ['ffmpeg', 'vlc', 'mplayer', 'mpv', 'libmms'];
    if (!peerReady(t, 'ffmpeg')) return;
    const ready = clients.filter((c) => peerPresent(c));
    const healthy = runPeer('ffmpeg', url(FIXTURES.a), { reference: media(FIXTURES.a), label: 'beside-404' });
    const wrong = await Promise.all(
      ready.map((c) => runPeer(c, url('no-such-file.wmv'), { label: 'wrong-path', timeoutS: 30 })),
    );
    for (const v of wrong) {
      t.diagnostic(`expected to fail: ${v.summary}`);
      // clean: the client gave up by itself (not killed at the limit) and received nothing to decode
      assert.equal(v.timedOut, false, `${v.client} hung on a wrong path:\n${explain(v)}`);
      assert.equal(v.pass, false, `${v.client} decoded something from a wrong path:\n${explain(v)}`);
      assert.ok(
        v.frames.every((s) => s.frames.length === 0),
        `${v.client} got frames from a wrong path:\n${explain(v)}`,
      );
    }
    const ok = await healthy;
    t.diagnostic(ok.summary);
    assertPass(ok);
  });

  it('FFmpeg over plain http:// (Lavf user agent: the ASF file as a download) decodes equal', async (t) => {
    if (!peerReady(t, 'ffmpeg') || !server) return;
    const v = await runPeer('ffmpeg', server.url('http', FIXTURES.a), {
      reference: media(FIXTURES.a),
      label: 'http',
    });
    t.diagnostic(v.summary);
    assertPass(v);
  });
});
