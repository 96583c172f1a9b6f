// libmms 0.6.4 (the MMS library behind mpd, audacious, qmmp, kget) as a client, through
// libmms-fetch.c beside this file. The program is built on first use with gcc against libmms-dev into
// node_modules/.cache/netshow/, named by a hash of its source so an edit rebuilds it.
// Mode: `h` (mmsh_connect) for mmsh:// and http://, `t` (mms_connect) for mmst://, `x` (mmsx_connect,
// MMSH then MMS/TCP) for mms://; `extraArgs: ['t'|'h'|'x']` overrides it, and further `NAME=value` words
// go to its environment (`LIBMMS_TRY_MMS_FIRST=1`: mmsx tries MMS/TCP before MMSH). LIBMMS_DEBUG=1 is
// always set, so the log shows libmms's protocol trace ("mmsh: connected" or "mms: connected", each
// command and reply: a few dozen lines). The bandwidth is what libmms uses to choose among
// multiple-bitrate streams.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Capture, CaptureRequest } from './driver.js';
import { runLimited } from './process.js';

const here = dirname(fileURLToPath(import.meta.url));
const source = join(here, 'libmms-fetch.c');
const cacheDir = resolve(here, '../../../node_modules/.cache/netshow');

let building: Promise<string> | undefined;

/** Path of the built libmms-fetch; builds it (atomically, so parallel test files may race) if needed. */
export function libmmsFetch(log: string): Promise<string> {
  building ??= (async () => {
    const tag = createHash('sha1').update(readFileSync(source)).digest('hex').slice(0, 12);
    const bin = join(cacheDir, `libmms-fetch-${tag}`);
    if (existsSync(bin)) return bin;
    mkdirSync(cacheDir, { recursive: true });
    const tmp = `${bin}.${process.pid}`;
    const r = await runLimited('gcc', ['-O2', '-Wall', '-o', tmp, source, '-lmms'], { log, timeoutS: 120 });
    if (r.code !== 0) throw new Error('cannot build libmms-fetch (apt-get install gcc libmms-dev), see log');
    renameSync(tmp, bin);
    return bin;
  })();
  return building;
}

export async function libmmsCapture(req: CaptureRequest): Promise<Capture> {
  const bin = await libmmsFetch(req.log);
  const out = join(req.dir, 'libmms.asf');
  const env: NodeJS.ProcessEnv = { ...process.env, LIBMMS_DEBUG: '1' };
  for (const word of req.extraArgs?.slice(1) ?? []) {
    const eq = word.indexOf('=');
    if (eq > 0) env[word.slice(0, eq)] = word.slice(eq + 1);
  }
  const forced = req.extraArgs?.[0];
  const mode = forced ?? (/^(mmsh|http):/.test(req.url) ? 'h' : req.url.startsWith('mmst:') ? 't' : 'x');
  // libmms spells MMS over TCP mms://
  const url = req.url.replace(/^mmst:/, 'mms:');
  const args = [
    mode,
    url,
    out,
    String(req.bandwidthBps ?? 100_000_000),
    String(req.durationS ?? 0),
    String(req.seekS ?? 0),
  ];
  const run = await runLimited(bin, args, { log: req.log, timeoutS: req.timeoutS, env });
  return { kind: 'media', path: out, run };
}
