// `netshow probe URL`: which protocols of the URL's rollover answer, which one rollover picks, the server's
// identity and the ASF header summary (the view `inspect` gives a file).
import { describeAsf, parseFileStart, writeDataObjectHeader, DATA_OBJECT_HEADER_SIZE } from '../asf/index.js';
import { ADAPTERS, type OpenStreamOptions } from '../client/open-stream.js';
import { resolveInput } from '../client/playlist/resolve.js';
import { attemptsFor } from '../client/rollover.js';
import { ClientError, type AsfStream, type ClientProtocol } from '../client/types.js';
import { summaryLines } from './inspect.js';

export interface ProbeResult {
  readonly protocol: ClientProtocol;
  readonly url: string;
  readonly ok: boolean;
  readonly ms: number;
  readonly server?: string;
  readonly live?: boolean;
  readonly error?: { readonly kind: string; readonly message: string };
}

export interface ProbeOptions extends OpenStreamOptions {
  readonly json?: boolean;
}

export async function runProbe(
  input: string,
  opts: ProbeOptions,
  out: (line: string) => void,
): Promise<number> {
  let candidates: string[];
  try {
    candidates = (await resolveInput(input)).candidates;
  } catch (e) {
    out(`netshow probe: ${(e as Error).message}`);
    return 1;
  }
  const url = candidates[0]!;
  let attempts;
  try {
    attempts = attemptsFor(url, opts, opts.protocol);
  } catch (e) {
    out(`netshow probe: ${(e as Error).message}`);
    return 2;
  }
  const adapters = opts.adapters ?? ADAPTERS;
  const results: ProbeResult[] = [];
  let header: Buffer | undefined;
  // Every attempt is tried, not only until one opens: the point is to see what the server offers.
  for (const a of attempts) {
    const started = performance.now();
    let stream: AsfStream | undefined;
    try {
      stream = await adapters[a.protocol](a.url, opts);
      header ??= stream.header;
      results.push({
        protocol: a.protocol,
        url: a.url.href,
        ok: true,
        ms: Math.round(performance.now() - started),
        ...(stream.server ? { server: stream.server } : {}),
        live: stream.live,
      });
    } catch (e) {
      const err = e instanceof ClientError ? e : new ClientError('protocol', (e as Error).message);
      results.push({
        protocol: a.protocol,
        url: a.url.href,
        ok: false,
        ms: Math.round(performance.now() - started),
        error: { kind: err.kind, message: err.message },
      });
    } finally {
      await stream?.close();
    }
  }
  const picked = results.find((r) => r.ok);
  const summary = header ? headerSummary(header) : undefined;
  if (opts.json) {
    out(
      JSON.stringify({
        input,
        url,
        candidates,
        picked: picked?.protocol ?? null,
        results,
        asf: summary ?? null,
      }),
    );
  } else {
    out(`${url}`);
    if (candidates.length > 1) out(`  (first of ${candidates.length} URLs in ${input})`);
    for (const r of results) {
      out(
        `  ${r.protocol.padEnd(5)} ${r.ok ? 'ok' : `${r.error!.kind}: ${r.error!.message}`}` +
          `${r.server ? `  server ${r.server}` : ''}${r.ok ? (r.live ? '  live' : '  on-demand') : ''}  (${r.ms} ms)`,
      );
    }
    out(picked ? `rollover picks ${picked.protocol} (${picked.url})` : 'no protocol answered');
    if (summary) for (const line of summaryLines(url, summary.headerObjectSize, summary).slice(1)) out(line);
  }
  return picked ? 0 : 1;
}

/** The header's summary as `inspect` shows it, with an empty Data Object after it. */
function headerSummary(header: Buffer): ReturnType<typeof describeAsf> | undefined {
  try {
    const data = writeDataObjectHeader({
      fileId: Buffer.alloc(16),
      objectSize: BigInt(DATA_OBJECT_HEADER_SIZE),
      totalDataPackets: 0n,
      reserved: 0x0101,
    });
    return describeAsf(parseFileStart(Buffer.concat([header, data])));
  } catch {
    return undefined;
  }
}
