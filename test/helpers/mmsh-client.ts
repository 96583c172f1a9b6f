// A minimal raw MMSH client for integration tests: sends exactly the request lines given and collects the
// reply head and the decoded `$X` chunks, so tests can assert on the wire rather than on a player.
import { connect } from 'node:net';
import { ChunkDecoder, type Chunk } from '../../src/wmsp/index.js';

export interface RawReply {
  readonly statusLine: string;
  readonly status: number;
  readonly headers: readonly (readonly [string, string])[];
  readonly body: Buffer;
  /** Milliseconds from connect to each byte chunk's arrival, with the byte count. */
  readonly arrivals: readonly { at: number; bytes: number }[];
}

export function header(reply: RawReply, name: string): string | undefined {
  return reply.headers.find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
}

/** Sends a raw request (lines joined with CRLF, blank line added) and reads until the server closes. */
export function rawRequest(
  port: number,
  lines: readonly string[] | string,
  timeoutMs = 30_000,
): Promise<RawReply> {
  const text = typeof lines === 'string' ? lines : lines.join('\r\n') + '\r\n\r\n';
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const parts: Buffer[] = [];
    const arrivals: { at: number; bytes: number }[] = [];
    const s = connect({ host: '127.0.0.1', port }, () => s.write(text, 'latin1'));
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`no close within ${timeoutMs} ms`));
    }, timeoutMs);
    s.on('data', (b) => {
      parts.push(b);
      arrivals.push({ at: performance.now() - t0, bytes: b.length });
    });
    s.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    s.on('close', () => {
      clearTimeout(timer);
      const all = Buffer.concat(parts);
      const end = all.indexOf('\r\n\r\n');
      if (end < 0)
        return reject(new Error(`no reply head: ${JSON.stringify(all.toString('latin1').slice(0, 200))}`));
      const headLines = all.subarray(0, end).toString('latin1').split('\r\n');
      const statusLine = headLines.shift() ?? '';
      const headers = headLines.map((l) => {
        const c = l.indexOf(':');
        return [l.slice(0, c).trim(), l.slice(c + 1).trim()] as const;
      });
      resolve({
        statusLine,
        status: Number(statusLine.split(' ')[1]),
        headers,
        body: all.subarray(end + 4),
        arrivals,
      });
    });
  });
}

export function chunksOf(body: Buffer): Chunk[] {
  const d = new ChunkDecoder();
  const out = d.push(body);
  d.end();
  return out;
}

const GUID = 'xClientGUID={c77e7400-738a-11d2-9add-0020af0a3278}';

/** A Describe as FFmpeg/libmms send it. */
export function describeLines(path: string, port: number): string[] {
  return [
    `GET ${path} HTTP/1.0`,
    'Accept: */*',
    'User-Agent: NSPlayer/4.1.0.3856',
    `Host: 127.0.0.1:${port}`,
    'Pragma: no-cache,rate=1.000000,stream-time=0,stream-offset=0:0,request-context=1,max-duration=0',
    `Pragma: ${GUID}`,
    'Connection: Close',
  ];
}

/** A Play with an explicit position Pragma and stream-switch entries (`ffff:N:T`; none = no selection at all). */
export function playLines(
  path: string,
  port: number,
  position: string,
  entries: readonly string[],
): string[] {
  return [
    `GET ${path} HTTP/1.0`,
    'Accept: */*',
    'User-Agent: NSPlayer/4.1.0.3856',
    `Host: 127.0.0.1:${port}`,
    `Pragma: no-cache,rate=1.000000,${position},request-context=2,max-duration=0`,
    'Pragma: xPlayStrm=1',
    `Pragma: ${GUID}`,
    ...(entries.length === 0
      ? []
      : [
          `Pragma: stream-switch-count=${entries.length}`,
          `Pragma: stream-switch-entry=${entries.join(' ')} `,
        ]),
    'Connection: Close',
  ];
}
