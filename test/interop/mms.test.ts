// MMS (MS-MMSP) interop beyond plain playback, with real clients against one netshow: VLC's seek in the
// indexed file, multiple-bitrate stream selection, a wrong path next to a healthy playback, and HTTP
// arriving on the MMS port (libmms's mmsx tries MMSH there first; the server hands it to its MMSH code).
// The cases run side by side (the server paces in real time). VLC over mmsu:// is in mms-vlc-udp.test.ts.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { startNetshow } from '../helpers/server.js';
import type { TestScheme, TestServer } from '../helpers/server.js';
import { assertPass, explain, payloadsPerStream, peerPresent, peerReady, runPeer } from './peers/index.js';
import type { ClientName, Verdict } from './peers/index.js';
import { FIXTURES, MEDIA_DIR, media } from './vod-suite.js';

/** Below the 320x240 stream (about 257 kbit/s + 64 kbit/s audio), above the 160x120 one (141 + 64). */
const LOW_BANDWIDTH = 300_000;

/** A client given a wrong path must have given up by itself within this long. */
const GIVE_UP_S = 10;

function logOf(v: Verdict): string {
  try {
    return readFileSync(v.log, 'utf8');
  } catch {
    return '';
  }
}

describe('MMS beyond plain playback', { concurrency: true }, () => {
  let server: TestServer | undefined;
  before(async () => {
    server = await startNetshow({ mediaDir: MEDIA_DIR });
  });
  after(async () => {
    await server?.close();
  });
  const url = (scheme: TestScheme, file: string): string => {
    if (!server) throw new Error('no server');
    return server.url(scheme, file);
  };

  it('VLC seeks to 20 s in the indexed file over mmst:// and decodes from there to the end', async (t) => {
    if (!peerReady(t, 'vlc')) return;
    // VLC seeks by packet: StopPlaying, then StartPlaying with the LocationId it estimates from the bit
    // rate (mmsp.md 5.3); its ASF demuxer drops what precedes the asked time.
    const v = await runPeer('vlc', url('mmst', FIXTURES.indexed), {
      reference: media(FIXTURES.indexed),
      seekS: 20,
      label: 'seek-mmst',
      compare: { seekWindowS: [1.5, 0.5] },
    });
    t.diagnostic(v.summary);
    assertPass(v);
  });

  // c-mbr: ASF stream 1 = 320x240 video, 2 = 160x120 video, 3 = audio. The server sends only the
  // payloads of the streams the client's StreamSwitch selects (mmsp.md 5.6).
  const mbrCases: { client: ClientName; why: string; bandwidthBps?: number; video: 1 | 2 }[] = [
    {
      client: 'libmms',
      why: 'with a small bandwidth selects the 160x120 video',
      bandwidthBps: LOW_BANDWIDTH,
      video: 2,
    },
    { client: 'vlc', why: 'selects the best video (320x240) and the audio', video: 1 },
  ];
  for (const c of mbrCases) {
    it(`${c.client} over mmst:// ${c.why}, and receives nothing of the other video`, async (t) => {
      if (!peerReady(t, c.client)) return;
      const v = await runPeer(c.client, url('mmst', FIXTURES.mbr), {
        reference: media(FIXTURES.mbr),
        ...(c.bandwidthBps !== undefined ? { bandwidthBps: c.bandwidthBps } : {}),
        label: `mbr-${c.video}`,
      });
      t.diagnostic(v.summary);
      assertPass(v);
      const other = c.video === 1 ? 2 : 1;
      const streams = v.comparison?.streams ?? [];
      assert.ok(
        streams.some((s) => s.type === 'video' && s.reference === c.video - 1),
        `the video must be ASF stream ${c.video} (reference stream ${c.video - 1}):\n${explain(v)}`,
      );
      assert.ok(
        !streams.some((s) => s.reference === other - 1),
        `frames of ASF stream ${other} arrived:\n${explain(v)}`,
      );
      const payloads = await payloadsPerStream(v.capture, v.log);
      t.diagnostic(`media objects per ASF stream: ${JSON.stringify([...payloads])}`);
      assert.equal(
        payloads.get(other) ?? 0,
        0,
        `ASF stream ${other} must not reach the client:\n${explain(v)}`,
      );
      assert.ok((payloads.get(c.video) ?? 0) > 0, `ASF stream ${c.video} must arrive`);
      assert.ok((payloads.get(3) ?? 0) > 0, 'ASF stream 3 (audio) must arrive');
    });
  }

  it('a wrong path over MMS fails cleanly in every client while FFmpeg still plays file a', async (t) => {
    if (!peerReady(t, 'ffmpeg')) return;
    const runs: { client: ClientName; scheme: TestScheme; extraArgs?: string[] }[] = [
      { client: 'ffmpeg', scheme: 'mmst' },
      { client: 'vlc', scheme: 'mmst' },
      { client: 'mplayer', scheme: 'mmst' },
      { client: 'mpv', scheme: 'mmst' },
      { client: 'libmms', scheme: 'mmst' },
      // libmms's rollover: HTTP on the MMS port (a 404 from the MMSH code), then MMS/TCP
      { client: 'libmms', scheme: 'mms', extraArgs: ['x'] },
    ];
    const ready = runs.filter((r) => peerPresent(r.client));
    const healthy = runPeer('ffmpeg', url('mmst', FIXTURES.a), {
      reference: media(FIXTURES.a),
      label: 'beside-wrong-path',
    });
    const wrong = await Promise.all(
      ready.map((r) =>
        runPeer(r.client, url(r.scheme, 'no-such-file.wmv'), {
          label: `wrong-path-${r.scheme}`,
          timeoutS: 30,
          ...(r.extraArgs ? { extraArgs: r.extraArgs } : {}),
        }),
      ),
    );
    for (const v of wrong) {
      t.diagnostic(`expected to fail: ${v.summary}`);
      // clean: the client gave up by itself, soon, and received nothing to decode
      assert.equal(v.timedOut, false, `${v.client} hung on a wrong path:\n${explain(v)}`);
      assert.ok(
        v.elapsedS <= GIVE_UP_S,
        `${v.client} took ${v.elapsedS.toFixed(1)} s to give up:\n${explain(v)}`,
      );
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

  it('libmms mmsx on mms://: its HTTP request on the MMS port is served as MMSH', async (t) => {
    if (!peerReady(t, 'libmms')) return;
    const v = await runPeer('libmms', url('mms', FIXTURES.a), {
      reference: media(FIXTURES.a),
      extraArgs: ['x'],
      label: 'mmsx',
    });
    t.diagnostic(v.summary);
    assertPass(v);
    const log = logOf(v);
    assert.match(log, /^mmsh: connected$/m, `libmms did not reach MMSH on the MMS port:\n${explain(v)}`);
    assert.doesNotMatch(log, /^mms: connected$/m, `libmms fell back to MMS/TCP:\n${explain(v)}`);
  });

  it('libmms mmsx on mms:// with LIBMMS_TRY_MMS_FIRST=1 plays over MMS/TCP', async (t) => {
    if (!peerReady(t, 'libmms')) return;
    const v = await runPeer('libmms', url('mms', FIXTURES.b), {
      reference: media(FIXTURES.b),
      extraArgs: ['x', 'LIBMMS_TRY_MMS_FIRST=1'],
      label: 'mmsx-mms-first',
    });
    t.diagnostic(v.summary);
    assertPass(v);
    const log = logOf(v);
    assert.match(log, /^mms: connected$/m, `libmms did not use MMS/TCP:\n${explain(v)}`);
    assert.doesNotMatch(log, /^mmsh: connected$/m, `libmms went to MMSH:\n${explain(v)}`);
  });

  it('FFmpeg over mmsh:// to the MMS port (HTTP handed to MMSH) decodes equal', async (t) => {
    if (!peerReady(t, 'ffmpeg') || !server) return;
    const v = await runPeer('ffmpeg', `mmsh://127.0.0.1:${server.mmsPort}/${FIXTURES.b}`, {
      reference: media(FIXTURES.b),
      label: 'mmsh-on-mms-port',
    });
    t.diagnostic(v.summary);
    assertPass(v);
  });

  it('mpv over mms:// (MMSH on the port of the URL, so HTTP on the MMS port) decodes equal', async (t) => {
    if (!peerReady(t, 'mpv')) return;
    const v = await runPeer('mpv', url('mms', FIXTURES.b), { reference: media(FIXTURES.b), label: 'mms' });
    t.diagnostic(v.summary);
    assertPass(v);
  });

  it('MPlayer over mms:// (MMS/TCP first) decodes equal', async (t) => {
    if (!peerReady(t, 'mplayer')) return;
    const v = await runPeer('mplayer', url('mms', FIXTURES.a), {
      reference: media(FIXTURES.a),
      label: 'mms',
    });
    t.diagnostic(v.summary);
    assertPass(v);
  });
});
