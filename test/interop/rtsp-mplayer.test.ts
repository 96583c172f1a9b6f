// MPlayer plays on-demand fixtures over rtsp:// from netshow. MPlayer's own RTSP code (Real's) turns
// down `Server: WMServer/…` and hands the URL to libavformat's RTSP demuxer, which speaks MS-RTSP; what
// MPlayer decodes (video frame checksums, every audio sample) must equal the file's frames, every one, in
// order, with no allowance (peers/mplayer-decode.ts), and MPlayer must stop by itself at the end.
// RTP over UDP (forced: libavformat's option rtsp_transport=udp) and over TCP (-rtsp-stream-over-tcp,
// interleaved); with neither, libavformat's default takes UDP. Each run has its own server, so that the
// server's count of RTP/RTCP datagrams proves the transport: none over TCP, at least one per ASF packet
// over UDP.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { startNetshow } from '../helpers/server.js';
import { assertPass, explain, peerReady, runPeer } from './peers/index.js';
import { FIXTURES, MEDIA_DIR, media } from './vod-suite.js';

type Transport = 'udp' | 'tcp' | 'default';

/** The Data Object's Total Data Packets (at +40 in the Data Object, which follows the Header Object). */
function totalDataPackets(file: string): number {
  const buf = readFileSync(file);
  return Number(buf.readBigUInt64LE(Number(buf.readBigUInt64LE(16)) + 40));
}

/** Seconds of media in each fixture (the files' names say so). */
const MEDIA_S: Record<keyof typeof FIXTURES, number> = { a: 10, b: 10, mbr: 10, indexed: 30 };

/**
 * After the last packet MPlayer must notice the end by itself (libavformat's RTSP demuxer ends on the
 * server's RTCP BYE, then MPlayer sends TEARDOWN): measured 9–11 s for the 10 s files, about 30 s for the
 * 30 s file. It may take this much longer than the media before the run counts as hanging.
 */
const END_MARGIN_S = 15;

const CASES: readonly { key: keyof typeof FIXTURES; transport: Transport }[] = [
  ...(['udp', 'tcp'] as const).flatMap((transport) =>
    (Object.keys(FIXTURES) as (keyof typeof FIXTURES)[]).map((key) => ({ key, transport })),
  ),
  { key: 'a', transport: 'default' },
];

describe('MPlayer plays on-demand fixtures over rtsp:// (through libavformat)', { concurrency: true }, () => {
  for (const { key, transport } of CASES) {
    const file = FIXTURES[key];
    const how = transport === 'default' ? 'its default transport, UDP' : `RTP over ${transport}`;
    it(`${file} (${how}): every decoded frame and sample, ending by itself`, async (t) => {
      if (!peerReady(t, 'mplayer')) return;
      const server = await startNetshow({ mediaDir: MEDIA_DIR });
      try {
        const v = await runPeer('mplayer', server.url('rtsp', file), {
          reference: media(file),
          label: `${file.slice(0, 1)}-rtsp-${transport}`,
          timeoutS: key === 'indexed' ? 60 : 35,
          ...(transport === 'default' ? {} : { transport }),
        });
        const datagrams = server.server.rtspUdpSent();
        t.diagnostic(v.summary);
        t.diagnostic(`server RTP/RTCP datagrams: ${datagrams}`);
        assertPass(v);
        assert.equal(v.timedOut, false, `MPlayer was killed at the limit:\n${explain(v)}`);
        assert.ok(
          v.elapsedS <= MEDIA_S[key] + END_MARGIN_S,
          `MPlayer took ${v.elapsedS.toFixed(1)} s to end ${MEDIA_S[key]} s of media:\n${explain(v)}`,
        );
        if (transport === 'tcp') {
          assert.equal(datagrams, 0, `datagrams were sent to an interleaved session:\n${explain(v)}`);
        } else {
          const packets = totalDataPackets(media(file));
          assert.ok(
            datagrams >= packets,
            `${datagrams} datagrams for ${packets} ASF packets: not RTP over UDP?\n${explain(v)}`,
          );
        }
      } finally {
        await server.close();
      }
    });
  }
});
