// One client plays on-demand fixtures over rtsp:// (MS-RTSP: ASF packets in RTP, rtsp.md) from a real
// netshow, over the RTP transports given; the decoded frames must equal the file's, every one, in order
// (peers/framemd5.ts), as in vod-suite.ts for mmsh:// and mmst://. Each client has its own test file
// (rtsp-<client>.test.ts) so that the runner plays several clients side by side.
import { after, before, describe, it } from 'node:test';
import { startNetshow } from '../helpers/server.js';
import type { TestServer } from '../helpers/server.js';
import { assertPass, peerReady, runPeer } from './peers/index.js';
import type { ClientName } from './peers/index.js';
import { FIXTURES, MEDIA_DIR, media } from './vod-suite.js';

export type Fixture = keyof typeof FIXTURES;
/** `default`: the client's own choice (mpv: TCP; FFmpeg: UDP first). */
export type RtspTransport = 'tcp' | 'udp' | 'default';

export function defineRtspSuite(
  client: ClientName,
  files: readonly Fixture[],
  transports: readonly RtspTransport[],
): void {
  describe(`${client} plays on-demand fixtures over rtsp://`, { concurrency: true }, () => {
    let server: TestServer | undefined;
    before(async () => {
      server = await startNetshow({ mediaDir: MEDIA_DIR });
    });
    after(async () => {
      await server?.close();
    });
    for (const transport of transports) {
      for (const key of files) {
        const file = FIXTURES[key];
        it(`${file} (${transport === 'default' ? 'its default transport' : `RTP over ${transport}`})`, async (t) => {
          if (!peerReady(t, client) || !server) return;
          const v = await runPeer(client, server.url('rtsp', file), {
            reference: media(file),
            label: `${file.slice(0, 1)}-rtsp-${transport}`,
            timeoutS: file === FIXTURES.indexed ? 60 : 35,
            ...(transport === 'default' ? {} : { transport }),
          });
          t.diagnostic(v.summary);
          assertPass(v);
        });
      }
    }
  });
}
