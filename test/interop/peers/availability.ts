// Which third-party clients this machine has, and what a test does when one is missing: a loud skip,
// or a failure when NETSHOW_REQUIRE_PEERS=1 (CI, where scripts/install-peers.sh has run).
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { TestContext } from 'node:test';

export const CLIENTS = ['ffmpeg', 'vlc', 'mplayer', 'mpv', 'libmms', 'gst'] as const;
export type ClientName = (typeof CLIENTS)[number];

/** Every client's output is decoded and compared with FFmpeg, so FFmpeg and ffprobe come first. */
const NEEDS: Record<ClientName, { bins: readonly string[]; files?: readonly string[] }> = {
  ffmpeg: { bins: ['ffmpeg', 'ffprobe', 'timeout'] },
  vlc: { bins: ['vlc', 'ffmpeg', 'timeout', 'setpriv'] },
  mplayer: { bins: ['mplayer', 'ffmpeg', 'timeout'] },
  mpv: { bins: ['mpv', 'ffmpeg', 'timeout'] },
  libmms: { bins: ['gcc', 'ffmpeg', 'timeout'], files: ['/usr/include/libmms/mmsh.h'] },
  gst: { bins: ['gst-launch-1.0', 'ffmpeg', 'timeout'] },
};

export function which(bin: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, bin);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Undefined when the client can run, else what is missing. */
export function missingFor(client: ClientName): string | undefined {
  const need = NEEDS[client];
  const missing = [
    ...need.bins.filter((b) => which(b) === undefined),
    ...(need.files ?? []).filter((f) => !existsSync(f)),
  ];
  return missing.length ? missing.join(', ') : undefined;
}

export function peersRequired(): boolean {
  return process.env.NETSHOW_REQUIRE_PEERS === '1';
}

/**
 * Call first in a test: true when the client can run. Otherwise it fails the test
 * (NETSHOW_REQUIRE_PEERS=1) or marks it skipped with a line nobody can miss, and returns false.
 */
export function peerReady(t: TestContext, client: ClientName): boolean {
  const missing = missingFor(client);
  if (missing === undefined) return true;
  const line = `${client} not installed (missing: ${missing}) — run scripts/install-peers.sh`;
  if (peersRequired()) throw new Error(`NETSHOW_REQUIRE_PEERS=1: ${line}`);
  console.warn(`*** SKIPPED: ${line} ***`);
  t.skip(line);
  return false;
}

/**
 * For a test that uses several clients and goes on without some: true when the client can run;
 * otherwise the same loud line (or failure under NETSHOW_REQUIRE_PEERS=1), without skipping the test.
 */
export function peerPresent(client: ClientName): boolean {
  const missing = missingFor(client);
  if (missing === undefined) return true;
  const line = `${client} not installed (missing: ${missing}) — run scripts/install-peers.sh`;
  if (peersRequired()) throw new Error(`NETSHOW_REQUIRE_PEERS=1: ${line}`);
  console.warn(`*** SKIPPED (this client only): ${line} ***`);
  return false;
}
