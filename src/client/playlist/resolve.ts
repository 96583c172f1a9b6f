// Turns what the user gave `get`/`probe` (a stream URL, or an .asx/.wax/.wvx/.nsc file or URL) into the ordered
// stream URLs to hand to rollover, loading metafiles and following ENTRYREFs [rollover.md §4, §2.3].
import { open } from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { resolve as resolvePath } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { GUID } from '../../asf/index.js';
import { NetshowError, ProtocolError } from '../../core/errors.js';
import { METAFILE_MAX_BYTES, decodeMetafileText, looksLikeAsx, parseAsx } from './asx.js';
import { looksLikeNsc, parseNsc } from './nsc.js';

export interface ResolveOptions {
  /** One budget for every fetch of this resolution (the metafile and its ENTRYREFs); default 10000 ms. */
  readonly timeoutMs?: number;
  /** Largest metafile read, locally or over HTTP; default and ceiling 1 MiB. */
  readonly maxBytes?: number;
  readonly userAgent?: string;
  /**
   * Whether an http(s) input without a metafile extension is fetched once to see if the server answers
   * with a redirector (MPlayer's rule: a Windows Media Content-Type with a body that is not ASF); default true.
   */
  readonly sniffHttp?: boolean;
  readonly signal?: AbortSignal;
}

export interface ResolvedInput {
  readonly kind: 'url';
  /**
   * Stream URLs to try in order. The first entry's REFs come first, in their order (they are alternatives);
   * the REFs of later entries follow. A recorder wants one stream, so a later clip is used only when every
   * URL of the ones before it failed: the playlist acts as one longer fallback list. Duplicates are dropped.
   */
  readonly candidates: string[];
  readonly title?: string;
  /** ENTRYREFs that were skipped (loop, too deep, unreachable) while others still gave URLs. */
  readonly warnings: string[];
}

/** How deep ENTRYREFs are followed below the metafile the user named. */
export const MAX_ENTRYREF_DEPTH = 5;
const MAX_REDIRECTS = 5;
const DEFAULT_TIMEOUT_MS = 10_000;
const SNIFF_TIMEOUT_MS = 5_000;
const METAFILE_EXT = /\.(asx|wax|wvx|nsc)$/i;
/** Content-Types a Windows Media server or web server gives a redirector (MPlayer's list, plus ASX/NSC's own). */
const METAFILE_TYPES = new Set([
  'video/x-ms-asf',
  'video/x-ms-asx',
  'video/x-ms-afs',
  'video/x-ms-wmv',
  'video/x-ms-wma',
  'video/x-ms-wvx',
  'audio/x-ms-wax',
  'audio/x-ms-wma',
  'application/x-netshow-channel',
]);

type Location =
  | { readonly kind: 'file'; readonly path: string; readonly url: string }
  | { readonly kind: 'http'; readonly url: URL }
  | { readonly kind: 'other' };

/** A metafile's bytes and where they ended up coming from (after redirects), or a stream that is not one. */
type Loaded =
  { readonly kind: 'metafile'; readonly bytes: Buffer; readonly url: string } | { readonly kind: 'media' };

interface Context {
  readonly deadline: number;
  readonly timeoutMs: number;
  readonly maxBytes: number;
  readonly userAgent: string;
  readonly signal: AbortSignal | undefined;
}

interface Expanded {
  readonly candidates: string[];
  readonly title?: string;
  readonly warnings: string[];
}

export async function resolveInput(input: string, options: ResolveOptions = {}): Promise<ResolvedInput> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const ctx: Context = {
    deadline: Date.now() + timeoutMs,
    timeoutMs,
    maxBytes: Math.min(options.maxBytes ?? METAFILE_MAX_BYTES, METAFILE_MAX_BYTES),
    userAgent: options.userAgent ?? 'netshow (metafile)',
    signal: options.signal,
  };
  const asIs: ResolvedInput = { kind: 'url', candidates: [input], warnings: [] };
  const loc = locate(input);
  if (loc.kind === 'other') return asIs;

  let loaded: Loaded;
  if (hasMetafileName(loc)) {
    loaded = await load(loc, ctx, false);
  } else if (loc.kind === 'http' && options.sniffHttp !== false) {
    // A failed sniff is not this function's to report: the stream attempt that follows meets the same
    // server and its error says more than ours would. It gets the per-attempt connect limit of rollover.md
    // §2.3, so a dead host does not cost the whole budget twice.
    const sniffCtx = { ...ctx, deadline: Math.min(ctx.deadline, Date.now() + SNIFF_TIMEOUT_MS) };
    try {
      loaded = await load(loc, sniffCtx, true);
    } catch (e) {
      if (ctx.signal?.aborted) throw e;
      return asIs;
    }
  } else {
    return asIs;
  }
  if (loaded.kind === 'media') return asIs;
  const { candidates, title, warnings } = await expand(
    loaded,
    [...new Set([keyOf(loc), loaded.url])],
    0,
    ctx,
  );
  return { kind: 'url', candidates, ...(title === undefined ? {} : { title }), warnings };
}

/** A metafile's stream URLs, with ENTRYREFs replaced in place by the URLs of the metafiles they name. */
async function expand(
  doc: Extract<Loaded, { kind: 'metafile' }>,
  chain: string[],
  depth: number,
  ctx: Context,
): Promise<Expanded> {
  const text = withPlace(doc.url, () => decodeMetafileText(doc.bytes));
  if (looksLikeNsc(text) && !looksLikeAsx(text)) {
    const nsc = withPlace(doc.url, () => parseNsc(text));
    if (nsc.unicastUrl === undefined) {
      const where = nsc.address === undefined ? '' : ` (multicast ${nsc.address}:${nsc.port ?? '?'})`;
      throw new NetshowError(
        'E_METAFILE_NO_URL',
        `${doc.url}: the announcement has no Unicast URL${where}, and netshow does not receive multicast`,
      );
    }
    if (!/^[a-z][a-z0-9+.-]+:\/\//i.test(nsc.unicastUrl)) {
      throw new NetshowError('E_METAFILE_NO_URL', `${doc.url}: Unicast URL "${nsc.unicastUrl}" is not a URL`);
    }
    return {
      candidates: [nsc.unicastUrl],
      ...(nsc.name === undefined ? {} : { title: nsc.name }),
      warnings: [],
    };
  }

  const asx = withPlace(doc.url, () => parseAsx(text, { base: doc.url }));
  const out: string[] = [];
  const skipped: string[] = [];
  const warnings: string[] = [];
  let title = asx.title ?? asx.entries.find((e) => e.title !== undefined)?.title;
  for (const entry of asx.entries) {
    out.push(...entry.refs);
    if (entry.entryRef === undefined) continue;
    try {
      const sub = await follow(entry.entryRef, doc.url, chain, depth, ctx);
      out.push(...sub.candidates);
      warnings.push(...sub.warnings);
      title ??= sub.title;
    } catch (e) {
      if (isAbort(e, ctx) || !(e instanceof NetshowError)) throw e;
      const why = `ENTRYREF ${entry.entryRef} skipped: ${e.message}`;
      skipped.push(why);
      warnings.push(why);
    }
  }
  const candidates = [...new Set(out)];
  if (candidates.length === 0) {
    // Each skip already carries the reasons from the metafiles below it.
    const why = skipped.length ? `: ${skipped.join('; ')}` : '';
    throw new NetshowError('E_METAFILE_NO_URL', `${doc.url}: no stream URL left${why}`);
  }
  return { candidates, ...(title === undefined ? {} : { title }), warnings };
}

async function follow(
  href: string,
  from: string,
  chain: string[],
  depth: number,
  ctx: Context,
): Promise<Expanded> {
  const loc = locate(href);
  if (loc.kind === 'other') {
    throw new NetshowError('E_METAFILE_FETCH', 'only http, https and file metafiles can be fetched');
  }
  // A metafile from the network must not make the client read local files (a browser's rule as well).
  if (loc.kind === 'file' && !from.startsWith('file:')) {
    throw new NetshowError('E_METAFILE_FETCH', 'a metafile fetched over HTTP cannot refer to a local file');
  }
  const key = keyOf(loc);
  if (chain.includes(key)) {
    throw new NetshowError('E_METAFILE_DEPTH', `ENTRYREF loop: ${[...chain, key].join(' -> ')}`);
  }
  if (depth >= MAX_ENTRYREF_DEPTH) {
    throw new NetshowError('E_METAFILE_DEPTH', `ENTRYREFs nest deeper than ${MAX_ENTRYREF_DEPTH} levels`);
  }
  const loaded = await load(loc, ctx, false);
  // An ENTRYREF that turns out to be a stream is played as one rather than refused.
  if (loaded.kind === 'media') return { candidates: [href], warnings: [] };
  return expand(loaded, [...new Set([...chain, key, loaded.url])], depth + 1, ctx);
}

function keyOf(loc: Exclude<Location, { kind: 'other' }>): string {
  return loc.kind === 'file' ? loc.url : loc.url.href;
}

function locate(input: string): Location {
  // Two or more letters before the colon: "C:\x.asx" stays a path.
  if (/^[a-z][a-z0-9+.-]+:/i.test(input)) {
    let url: URL;
    try {
      url = new URL(input);
    } catch {
      return { kind: 'other' };
    }
    if (url.protocol === 'file:') {
      try {
        return { kind: 'file', path: fileURLToPath(url), url: url.href };
      } catch {
        return { kind: 'other' };
      }
    }
    return url.protocol === 'http:' || url.protocol === 'https:' ? { kind: 'http', url } : { kind: 'other' };
  }
  const path = resolvePath(input);
  return { kind: 'file', path, url: pathToFileURL(path).href };
}

function hasMetafileName(loc: Location): boolean {
  if (loc.kind === 'file') return METAFILE_EXT.test(loc.path);
  return loc.kind === 'http' && METAFILE_EXT.test(loc.url.pathname);
}

async function load(
  loc: Exclude<Location, { kind: 'other' }>,
  ctx: Context,
  sniff: boolean,
): Promise<Loaded> {
  if (loc.kind === 'file') return { kind: 'metafile', bytes: await readLocal(loc.path, ctx), url: loc.url };
  let url = loc.url;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const r = await httpGet(url, ctx, sniff);
    if (r.kind !== 'redirect') return r;
    url = r.location;
  }
  throw new NetshowError('E_METAFILE_FETCH', `${loc.url.href}: more than ${MAX_REDIRECTS} redirects`);
}

async function readLocal(path: string, ctx: Context): Promise<Buffer> {
  let file;
  try {
    file = await open(path, 'r');
  } catch (e) {
    throw new NetshowError(
      'E_METAFILE_FETCH',
      `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
    );
  }
  try {
    const { size } = await file.stat();
    if (size > ctx.maxBytes) {
      throw new NetshowError(
        'E_METAFILE_TOO_LARGE',
        `${path} has ${size} bytes; a metafile is at most ${ctx.maxBytes}`,
      );
    }
    return await file.readFile();
  } catch (e) {
    if (e instanceof NetshowError) throw e;
    throw new NetshowError(
      'E_METAFILE_FETCH',
      `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
    );
  } finally {
    await file.close();
  }
}

type HttpResult = Loaded | { readonly kind: 'redirect'; readonly location: URL };

/**
 * One GET, read only as far as needed: a redirect or an error status stops at the head, a reply whose first
 * 16 bytes are the ASF Header Object GUID is a stream (not a metafile) and stops there, and in sniff mode so
 * does any Content-Type that is not a redirector's.
 */
function httpGet(url: URL, ctx: Context, sniff: boolean): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const remaining = ctx.deadline - Date.now();
    if (remaining <= 0) {
      reject(timeoutError(ctx));
      return;
    }
    let settled = false;
    const finish = (f: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ctx.signal?.removeEventListener('abort', onAbort);
      req.destroy();
      f();
    };
    const fail = (e: Error): void => finish(() => reject(e));
    const onAbort = (): void => {
      const reason: unknown = ctx.signal?.reason;
      fail(
        reason instanceof Error ? reason : new Error('loading the metafile was cancelled', { cause: reason }),
      );
    };
    const get = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = get(
      url,
      {
        method: 'GET',
        agent: false,
        headers: { 'User-Agent': ctx.userAgent, Accept: '*/*', Connection: 'close' },
      },
      (res) => onResponse(res),
    );
    const timer = setTimeout(() => fail(timeoutError(ctx)), remaining);
    if (ctx.signal?.aborted) return onAbort();
    ctx.signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', (e) =>
      fail(new NetshowError('E_METAFILE_FETCH', `GET ${url.href}: ${e.message}`, { cause: e })),
    );
    req.end();

    function onResponse(res: IncomingMessage): void {
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if (status >= 300 && status < 400 && location !== undefined) {
        let next: URL;
        try {
          next = new URL(location, url);
        } catch {
          return fail(new NetshowError('E_METAFILE_FETCH', `GET ${url.href}: bad redirect "${location}"`));
        }
        if (next.protocol !== 'http:' && next.protocol !== 'https:') {
          return fail(
            new NetshowError('E_METAFILE_FETCH', `GET ${url.href}: redirect to ${next.protocol} refused`),
          );
        }
        return finish(() => resolve({ kind: 'redirect', location: next }));
      }
      if (status < 200 || status > 299) {
        return fail(
          new NetshowError(
            'E_METAFILE_FETCH',
            `GET ${url.href}: HTTP ${status} ${res.statusMessage ?? ''}`.trim(),
          ),
        );
      }
      const type = (res.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (sniff && !METAFILE_TYPES.has(type)) return finish(() => resolve({ kind: 'media' }));
      const chunks: Buffer[] = [];
      let total = 0;
      let checked = false;
      const isMedia = (): boolean => {
        const head = Buffer.concat(chunks).subarray(0, 16);
        return head.length === 16 && head.equals(GUID.header);
      };
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        total += chunk.length;
        if (!checked && total >= 16) {
          checked = true;
          if (isMedia()) return finish(() => resolve({ kind: 'media' }));
        }
        if (total > ctx.maxBytes) {
          fail(
            new NetshowError(
              'E_METAFILE_TOO_LARGE',
              `GET ${url.href}: a metafile is at most ${ctx.maxBytes} bytes`,
            ),
          );
        }
      });
      res.on('end', () => {
        const bytes = Buffer.concat(chunks);
        if (sniff && !(looksLikeAsx(safeText(bytes)) || looksLikeNsc(safeText(bytes)))) {
          return finish(() => resolve({ kind: 'media' }));
        }
        finish(() => resolve({ kind: 'metafile', bytes, url: url.href }));
      });
      res.on('error', (e) =>
        fail(new NetshowError('E_METAFILE_FETCH', `GET ${url.href}: ${e.message}`, { cause: e })),
      );
    }
  });
}

function safeText(bytes: Buffer): string {
  try {
    return decodeMetafileText(bytes);
  } catch {
    return '';
  }
}

function timeoutError(ctx: Context): NetshowError {
  return new NetshowError('E_METAFILE_TIMEOUT', `loading the metafile took longer than ${ctx.timeoutMs} ms`);
}

/** Running out of time or being cancelled ends the whole resolution, not just one ENTRYREF. */
function isAbort(e: unknown, ctx: Context): boolean {
  return (e instanceof NetshowError && e.code === 'E_METAFILE_TIMEOUT') || ctx.signal?.aborted === true;
}

/** Prefixes a parser's one-line reason with the metafile it was about, keeping the code. */
function withPlace<T>(where: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof ProtocolError) throw new ProtocolError(e.code, `${where}: ${e.message}`, { cause: e });
    throw e;
  }
}
