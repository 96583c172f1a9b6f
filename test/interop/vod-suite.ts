// One client plays the whole of each on-demand fixture over mmsh:// (or, for MMS, mmst://) from a real
// netshow; the decoded frames must equal the file's, every one, in order (peers/framemd5.ts). The server
// paces in real time, so the four files play at once (~30 s for the 30 s file); each client has its own
// test file so that the runner can play several clients side by side.
import { after, before, describe, it } from 'node:test';
import { join } from 'node:path';
import { startNetshow } from '../helpers/server.js';
import type { TestScheme, TestServer } from '../helpers/server.js';
import { assertPass, peerReady, runPeer } from './peers/index.js';
import type { ClientName } from './peers/index.js';

export const MEDIA_DIR = 'test/fixtures/media';
export const FIXTURES = {
  a: 'a-wmv2-wmav2-10s.wmv',
  b: 'b-wmav2-10s.wma',
  mbr: 'c-mbr-10s.wmv',
  indexed: 'd-indexed-30s.wmv',
} as const;

export function media(file: string): string {
  return join(MEDIA_DIR, file);
}

/**
 * `scheme` is the URL the client is given. libmms's driver hands `mmst://` to mms_connect (MMS over TCP,
 * spelled mms:// for libmms); FFmpeg on mmst:// is bounded just before the last frame (peers/ffmpeg.ts).
 */
export function defineVodSuite(client: ClientName, scheme: TestScheme = 'mmsh'): void {
  describe(`${client} plays every on-demand fixture over ${scheme}://`, { concurrency: true }, () => {
    let server: TestServer | undefined;
    before(async () => {
      server = await startNetshow({ mediaDir: MEDIA_DIR });
    });
    after(async () => {
      await server?.close();
    });
    for (const file of Object.values(FIXTURES)) {
      it(file, async (t) => {
        if (!peerReady(t, client) || !server) return;
        const v = await runPeer(client, server.url(scheme, file), {
          reference: media(file),
          label: `${file.slice(0, 1)}-${scheme}`,
          timeoutS: file === FIXTURES.indexed ? 75 : 45,
        });
        t.diagnostic(v.summary);
        assertPass(v);
      });
    }
  });
}
