// openStream(input): a URL or a metafile (.asx/.wax/.wvx/.nsc) in, one opened ASF stream out. Metafile
// REFs are alternatives tried in order (rollover.md §4); each URL runs its scheme's rollover (§2).
import { NetshowError } from '../core/errors.js';
import { openMms } from './mms-adapter.js';
import { openHttp, openMmsh } from './mmsh-adapter.js';
import { resolveInput } from './playlist/resolve.js';
import { RolloverError, attemptsFor, rollover, type AttemptReport, type RolloverResult } from './rollover.js';
import { openRtsp } from './rtsp-adapter.js';
import { ClientError, type Adapter, type ClientProtocol, type OpenOptions } from './types.js';

export const ADAPTERS: Readonly<Record<ClientProtocol, Adapter>> = {
  rtspu: (url, o) => openRtsp(url, o, 'udp'),
  rtspt: (url, o) => openRtsp(url, o, 'tcp'),
  mmsu: (url, o) => openMms(url, o, 'udp'),
  mmst: (url, o) => openMms(url, o, 'tcp'),
  mmsh: (url, o) => openMmsh(url, o),
  http: (url, o) => openHttp(url, o),
};

export interface OpenStreamOptions extends OpenOptions {
  /** Only this protocol (`--protocol`). */
  readonly protocol?: ClientProtocol;
  /** One limit for the whole rollover of one URL; default 30 s (rollover.md §2.3). */
  readonly overallTimeoutMs?: number;
  readonly adapters?: Readonly<Record<ClientProtocol, Adapter>>;
}

export interface OpenedStream extends RolloverResult {
  /** The stream URL that opened (a metafile's REF, or the input itself). */
  readonly source: string;
  readonly title?: string;
}

export async function openStream(input: string, options: OpenStreamOptions = {}): Promise<OpenedStream> {
  let resolved;
  try {
    resolved = await resolveInput(input, {
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.userAgent ? { userAgent: options.userAgent } : {}),
    });
  } catch (e) {
    // A metafile that cannot be read, or names nothing playable, ends here with its one-line reason.
    if (e instanceof NetshowError) throw new ClientError('unsupported', e.message);
    throw e;
  }
  const tried: AttemptReport[] = [];
  let last: ClientError | undefined;
  for (const candidate of resolved.candidates) {
    let attempts;
    try {
      attempts = attemptsFor(candidate, options, options.protocol);
    } catch (e) {
      if (!(e instanceof ClientError)) throw e;
      last = e;
      continue;
    }
    try {
      const r = await rollover(attempts, options.adapters ?? ADAPTERS, options);
      return {
        ...r,
        attempts: [...tried, ...r.attempts],
        source: candidate,
        ...(resolved.title ? { title: resolved.title } : {}),
      };
    } catch (e) {
      if (!(e instanceof RolloverError)) throw e;
      tried.push(...e.attempts);
      last = e;
    }
  }
  if (last instanceof RolloverError && resolved.candidates.length === 1) throw last;
  throw new RolloverError(tried.length ? tried : [], last instanceof RolloverError ? undefined : last);
}
