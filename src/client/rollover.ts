// Protocol rollover (rollover.md §2): one ordered table of attempts per URL scheme, each mapped to the URL
// the attempt really uses, run in order until one opens; final failures (404, 401) stop the chain because
// another protocol to the same server will not help.
import { ClientError, type Adapter, type AsfStream, type ClientProtocol, type OpenOptions } from './types.js';

export interface Attempt {
  readonly protocol: ClientProtocol;
  /** The URL this attempt uses (rollover.md §2.2). */
  readonly url: URL;
}

export interface AttemptReport {
  readonly protocol: ClientProtocol;
  readonly url: string;
  readonly ms: number;
  readonly error?: { readonly kind: string; readonly message: string };
}

/** What a rollover tried and which attempt, if any, opened. */
export interface RolloverResult {
  readonly stream: AsfStream;
  readonly attempts: readonly AttemptReport[];
}

export const PROTOCOLS: readonly ClientProtocol[] = ['rtspu', 'rtspt', 'mmsu', 'mmst', 'mmsh', 'http'];

const DEFAULT_PORT = { rtsp: 554, mms: 1755, http: 80 } as const;
const DEFAULT_OVERALL_MS = 30_000;

/** The scheme's order of attempts, the seed's order for `mms://`; the other schemes pin a protocol. */
const CHAINS: Readonly<Record<string, readonly ClientProtocol[]>> = {
  'mms:': ['rtspu', 'rtspt', 'mmsu', 'mmst', 'mmsh'],
  'rtsp:': ['rtspu', 'rtspt'],
  'rtspu:': ['rtspu'],
  'rtspt:': ['rtspt'],
  'mmsu:': ['mmsu'],
  'mmst:': ['mmst'],
  'mmsh:': ['mmsh'],
  'http:': ['http'],
};

function portFor(protocol: ClientProtocol, source: URL, options: OpenOptions): number {
  const explicit = source.port === '' ? null : Number(source.port);
  const family = protocol.startsWith('rtsp')
    ? 'rtsp'
    : protocol.startsWith('mms') && protocol !== 'mmsh'
      ? 'mms'
      : 'http';
  // An explicit port belongs to its own scheme's family: `mms://host:1755/` keeps 1755 for MMS only.
  const sourceFamily = /^rtsp[ut]?:$/.test(source.protocol)
    ? 'rtsp'
    : /^mms[tu]?:$/.test(source.protocol)
      ? 'mms'
      : 'http';
  if (explicit !== null && family === sourceFamily) return explicit;
  return options.ports?.[family] ?? DEFAULT_PORT[family];
}

const SCHEME: Readonly<Record<ClientProtocol, string>> = {
  rtspu: 'rtsp:',
  rtspt: 'rtsp:',
  mmsu: 'mmsu:',
  mmst: 'mmst:',
  mmsh: 'mmsh:',
  http: 'http:',
};

/**
 * The attempts for a URL, in order. `only` keeps the attempts of one protocol (`--protocol`); asking for a
 * protocol the scheme cannot reach is an error rather than an empty run.
 */
export function attemptsFor(input: string, options: OpenOptions = {}, only?: ClientProtocol): Attempt[] {
  let source: URL;
  try {
    source = new URL(input);
  } catch {
    throw new ClientError('unsupported', `not a URL: ${input}`);
  }
  const chain = CHAINS[source.protocol];
  if (!chain) {
    throw new ClientError(
      'unsupported',
      `unsupported scheme ${source.protocol} (use mms, rtsp, rtspu, rtspt, mmsu, mmst, mmsh or http)`,
    );
  }
  // `--protocol mmsh` on an http:// URL and `--protocol http` on an mms:// URL mean the same HTTP attempt.
  const wanted = only === undefined ? chain : chain.filter((p) => p === only || (isHttp(p) && isHttp(only)));
  if (wanted.length === 0)
    throw new ClientError('unsupported', `${source.protocol}// URLs cannot use ${only}`);
  return wanted.map((protocol) => {
    const url = new URL(source.href);
    // Changing the scheme of a special URL (http) to a non-special one is refused by WHATWG URL; rebuild.
    const rebuilt = new URL(
      `${SCHEME[protocol]}//${url.username ? `${url.username}${url.password ? `:${url.password}` : ''}@` : ''}${url.hostname}:${portFor(protocol, source, options)}${url.pathname}${url.search}`,
    );
    return { protocol, url: rebuilt };
  });
}

function isHttp(p: ClientProtocol): boolean {
  return p === 'mmsh' || p === 'http';
}

/**
 * Runs the attempts in order with the adapters given, under one overall deadline so that a dead host does
 * not cost five connect timeouts. Throws a RolloverError with every attempt's report when none opens.
 */
export async function rollover(
  attempts: readonly Attempt[],
  adapters: Readonly<Record<ClientProtocol, Adapter>>,
  options: OpenOptions & { readonly overallTimeoutMs?: number; readonly now?: () => number } = {},
): Promise<RolloverResult> {
  const now = options.now ?? (() => performance.now());
  const deadline = now() + (options.overallTimeoutMs ?? DEFAULT_OVERALL_MS);
  const reports: AttemptReport[] = [];
  for (const attempt of attempts) {
    const left = deadline - now();
    if (left <= 0) {
      reports.push({
        protocol: attempt.protocol,
        url: attempt.url.href,
        ms: 0,
        error: { kind: 'timeout', message: 'not tried: the overall time limit ran out' },
      });
      continue;
    }
    if (options.signal?.aborted) throw new ClientError('dropped', 'stopped');
    const started = now();
    try {
      const stream = await adapters[attempt.protocol](attempt.url, {
        ...options,
        connectTimeoutMs: Math.min(options.connectTimeoutMs ?? 5000, left),
      });
      reports.push({ protocol: attempt.protocol, url: attempt.url.href, ms: Math.round(now() - started) });
      return { stream, attempts: reports };
    } catch (e) {
      const error =
        e instanceof ClientError
          ? e
          : new ClientError('protocol', e instanceof Error ? e.message : String(e), attempt.protocol);
      reports.push({
        protocol: attempt.protocol,
        url: attempt.url.href,
        ms: Math.round(now() - started),
        error: { kind: error.kind, message: error.message },
      });
      if (error.final) throw new RolloverError(reports, error);
    }
  }
  throw new RolloverError(reports);
}

/** Every attempt failed (or one failed finally); the message says why each one did. */
export class RolloverError extends ClientError {
  constructor(
    readonly attempts: readonly AttemptReport[],
    final?: ClientError,
  ) {
    super(
      final?.kind ?? 'refused',
      final
        ? `${final.protocol ? `${final.protocol}: ` : ''}${final.message}`
        : // Each attempt's reason is in `attempts` (get and probe list them); the message only names them.
          `no protocol worked (${attempts.map((a) => `${a.protocol} ${a.error?.kind ?? 'ok'}`).join(', ')})`,
      final?.protocol,
    );
    this.name = 'RolloverError';
  }
}

export function describeAttempts(attempts: readonly AttemptReport[]): string[] {
  return attempts.map(
    (a) =>
      `${a.protocol.padEnd(5)} ${a.url}  ${a.error ? `${a.error.kind}: ${a.error.message}` : 'ok'} (${a.ms} ms)`,
  );
}
