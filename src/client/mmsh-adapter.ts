// Opens an mmsh:// or http:// URL over node:net: the MMSH Describe then Play of MS-WMSP, or the plain ASF file a web
// server sends instead [MS-WMSP 3.1; wmsp.md §7, §6.11; rollover.md §2.2-2.3]. Requests, reply heads and bodies are
// built and read by src/wmsp (client-requests, client-reply, client-body); this file moves bytes and keeps time.
import { isFailureHresult } from '../core/errors.js';
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { isProtocolError } from '../core/errors.js';
import {
  ClientBodyReader,
  FAST_SPEED,
  SPEED_MIN_SERVER_MAJOR,
  basicAuthorization,
  describeRequest,
  downloadRequest,
  formatClientGuid,
  parseReplyHead,
  playRequest,
  replyOutcome,
  type BodyEvent,
  type ClientReply,
  type HeaderInfo,
} from '../wmsp/index.js';
import { selectStreams } from './select-streams.js';
import {
  ClientError,
  type AsfStream,
  type ClientProtocol,
  type OpenOptions,
  type StreamItem,
} from './types.js';

const DEFAULT_HTTP_PORT = 80;
const MAX_REDIRECTS = 5;
/** Events buffered before the socket is paused, and the level at which it reads again. */
const QUEUE_HIGH = 256;
const QUEUE_LOW = 64;

interface Target {
  readonly url: URL;
  readonly host: string;
  readonly port: number;
  /** Host header value. */
  readonly hostHeader: string;
  readonly path: string;
}

function resolveTarget(url: URL, options: OpenOptions): Target {
  if (!['mmsh:', 'http:', 'mmshttp:', 'mms:'].includes(url.protocol))
    throw new ClientError('unsupported', `${url.protocol}// is not an MMSH or HTTP URL`, 'mmsh');
  // rollover.md §2.2: an mms:// URL's own port belongs to its MMS attempts.
  const own = url.port !== '' && url.protocol !== 'mms:' ? Number(url.port) : undefined;
  const port = own ?? options.ports?.http ?? DEFAULT_HTTP_PORT;
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return { url, host, port, hostHeader: `${url.hostname}:${port}`, path: (url.pathname || '/') + url.search };
}

function clientError(e: unknown, protocol: ClientProtocol): ClientError {
  if (e instanceof ClientError) return e;
  if (isProtocolError(e)) return new ClientError('protocol', e.message, protocol);
  return new ClientError('dropped', e instanceof Error ? e.message : String(e), protocol);
}

/** One TCP exchange: the request out, the reply head and body events in, with backpressure and an idle limit. */
class Conn {
  reply: ClientReply | null = null;
  reader: ClientBodyReader | null = null;
  /** Closed by this side: the end of reading is not the server's doing. */
  stopped = false;
  private readonly socket: Socket;
  private head = Buffer.alloc(0);
  private readonly events: BodyEvent[] = [];
  private failure: ClientError | null = null;
  private done = false;
  private connected = false;
  private paused = false;
  private waiter: (() => void) | null = null;
  private idle: NodeJS.Timeout | null = null;

  constructor(
    t: Target,
    request: string,
    public protocol: ClientProtocol,
  ) {
    this.socket = connect({ host: t.host, port: t.port });
    this.socket.setNoDelay(true);
    this.socket.once('connect', () => {
      this.connected = true;
      this.socket.write(request, 'latin1');
    });
    this.socket.on('data', (b: Buffer) => this.onData(b));
    this.socket.once('end', () => this.onEnd());
    this.socket.once('close', () => this.onEnd());
    this.socket.once('error', (e: NodeJS.ErrnoException) => {
      const kind = this.connected ? 'dropped' : 'refused';
      this.fail(new ClientError(kind, `${t.host}:${t.port}: ${e.code ?? e.message}`, this.protocol));
    });
  }

  private onData(b: Buffer): void {
    try {
      if (this.reply === null) {
        this.head = Buffer.concat([this.head, b]);
        const parsed = parseReplyHead(this.head);
        if (parsed === null) return;
        this.reply = parsed.reply;
        this.reader = new ClientBodyReader(parsed.reply.contentLength);
        b = this.head.subarray(parsed.length);
      }
      if (this.reader === null || replyOutcome(this.reply) !== 'ok' || this.reader.ended) return;
      this.events.push(...this.reader.push(b));
      if (this.reader.ended) this.finish();
      else if (this.events.length >= QUEUE_HIGH && !this.paused) {
        this.paused = true;
        this.socket.pause();
      }
      if (!this.paused) this.idle?.refresh();
    } catch (e) {
      this.fail(clientError(e, this.protocol));
    } finally {
      this.wake();
    }
  }

  private onEnd(): void {
    if (this.done) return;
    try {
      if (this.reply === null) {
        const why = this.head.length ? 'the reply head is cut short' : 'the server closed without a reply';
        throw new ClientError('protocol', why, this.protocol);
      }
      if (this.reader !== null && replyOutcome(this.reply) === 'ok') this.events.push(...this.reader.end());
      this.finish();
    } catch (e) {
      this.fail(clientError(e, this.protocol));
    }
    this.wake();
  }

  private finish(): void {
    this.done = true;
    this.stopIdle();
    this.socket.destroy();
  }

  fail(e: ClientError): void {
    if (this.done) return;
    this.failure = e;
    this.finish();
    this.wake();
  }

  /** Stops reading for good; pending `event()` calls return null. */
  close(): void {
    this.stopped = true;
    this.finish();
    this.wake();
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  private wait(): Promise<void> {
    return new Promise((resolve) => (this.waiter = resolve));
  }

  async replyHead(): Promise<ClientReply> {
    for (;;) {
      if (this.reply !== null) return this.reply;
      if (this.failure !== null) throw this.failure;
      await this.wait();
    }
  }

  /** The next body event; null once the connection ended with nothing more to say. */
  async event(): Promise<BodyEvent | null> {
    for (;;) {
      const e = this.events.shift();
      if (e !== undefined) {
        if (this.paused && this.events.length <= QUEUE_LOW && !this.done) {
          this.paused = false;
          this.socket.resume();
          this.idle?.refresh();
        }
        return e;
      }
      if (this.failure !== null) throw this.failure;
      if (this.done) return null;
      await this.wait();
    }
  }

  /** From now on, silence longer than `ms` while reading ends the exchange as dropped. */
  startIdle(ms: number): void {
    if (this.done) return;
    const fire = (): void =>
      this.paused
        ? void this.idle?.refresh()
        : this.fail(new ClientError('dropped', `nothing received for ${ms} ms`, this.protocol));
    this.idle = setTimeout(fire, ms);
  }

  private stopIdle(): void {
    if (this.idle !== null) clearTimeout(this.idle);
    this.idle = null;
  }
}

/** The open phase's single limit (connectTimeoutMs, up to the header) and the caller's abort signal. */
class Deadline {
  private readonly conns = new Set<Conn>();
  private expired: ClientError | null = null;
  private readonly timer: NodeJS.Timeout;
  private readonly onAbort = (): void => this.expire(new ClientError('dropped', 'aborted', 'mmsh'));

  constructor(
    ms: number,
    private readonly signal: AbortSignal | undefined,
  ) {
    this.timer = setTimeout(
      () => this.expire(new ClientError('timeout', `no ASF stream within ${ms} ms`, 'mmsh')),
      ms,
    );
    signal?.addEventListener('abort', this.onAbort, { once: true });
    if (signal?.aborted) this.onAbort();
  }

  private expire(e: ClientError): void {
    this.expired ??= e;
    for (const c of this.conns) c.fail(new ClientError(e.kind, e.message, c.protocol));
  }

  /** Opens one exchange under the limit and waits for its reply head. */
  async exchange(t: Target, request: string, protocol: ClientProtocol): Promise<Conn> {
    if (this.expired) throw this.expired;
    const conn = new Conn(t, request, protocol);
    this.conns.add(conn);
    return conn.replyHead().then(
      () => conn,
      (e: unknown) => {
        conn.close();
        throw e;
      },
    );
  }

  clear(): void {
    clearTimeout(this.timer);
    this.signal?.removeEventListener('abort', this.onAbort);
  }
}

type Mode = 'mmsh' | 'download';

/** A request that may need credentials: a 401/403 is retried once with Basic when the caller gave a user. */
async function authorized(
  d: Deadline,
  t: Target,
  build: (authorization: string | undefined) => string,
  auth: { value: string | undefined },
  options: OpenOptions,
  protocol: ClientProtocol,
): Promise<Conn> {
  for (;;) {
    const conn = await d.exchange(t, build(auth.value), protocol);
    const reply = conn.reply!;
    const outcome = replyOutcome(reply);
    if (outcome === 'ok' || outcome === 'redirect') return conn;
    conn.close();
    const status = `${t.url.href}: HTTP ${reply.status} ${reply.reason}`.trim();
    if (outcome === 'auth' && auth.value === undefined && options.user !== undefined) {
      auth.value = basicAuthorization(options.user, options.password ?? '');
      continue;
    }
    if (outcome === 'auth') throw new ClientError('auth', status, protocol);
    if (outcome === 'not-found') throw new ClientError('not-found', status, protocol);
    throw new ClientError('protocol', status, protocol);
  }
}

async function firstHeader(conn: Conn): Promise<HeaderInfo> {
  const e = await conn.event();
  if (e?.type !== 'header')
    throw new ClientError('protocol', 'the reply carries no ASF header', conn.protocol);
  return e.header;
}

async function* items(conn: Conn, header: Buffer): AsyncGenerator<StreamItem> {
  let current = header;
  try {
    for (;;) {
      const e = await conn.event();
      if (e === null) {
        if (conn.stopped || conn.reader?.ended === true) return;
        throw new ClientError('dropped', 'the server closed the stream before its end', conn.protocol);
      }
      if (e.type === 'packet') yield { kind: 'packet', data: e.data };
      else if (e.type === 'header') {
        // The Play reply repeats the Describe header; only a different one is a stream change ($C, VLC's wrap).
        if (!e.header.bytes.equals(current)) yield { kind: 'header', header: (current = e.header.bytes) };
      } else if (isFailureHresult(e.reason)) {
        const code = `0x${e.reason.toString(16).padStart(8, '0')}`;
        throw new ClientError('dropped', `the server ended the stream with ${code}`, conn.protocol);
      } else return;
    }
  } finally {
    conn.close();
  }
}

function stream(
  conn: Conn,
  t: Target,
  reply: ClientReply,
  header: HeaderInfo,
  options: OpenOptions,
): AsfStream {
  conn.startIdle(options.idleTimeoutMs ?? 15000);
  const stop = (): void => {
    conn.close();
    options.signal?.removeEventListener('abort', stop);
  };
  options.signal?.addEventListener('abort', stop, { once: true });
  const scheme = t.url.protocol === 'mms:' ? 'http:' : t.url.protocol;
  return {
    protocol: conn.protocol,
    url: `${scheme}//${t.hostHeader}${t.path}`,
    ...(reply.server === undefined ? {} : { server: reply.server }),
    header: header.bytes,
    live: reply.broadcast || header.broadcast,
    packets: items(conn, header.bytes),
    close: () => Promise.resolve(stop()),
  };
}

async function attempt(t: Target, options: OpenOptions, mode: Mode, d: Deadline): Promise<AsfStream | URL> {
  const protocol: ClientProtocol = mode === 'mmsh' ? 'mmsh' : 'http';
  const base = { target: t.path, host: t.hostHeader, clientGuid: formatClientGuid(randomBytes(16)) };
  const ua = options.userAgent === undefined ? {} : { userAgent: options.userAgent };
  const auth = { value: undefined as string | undefined };
  const build = (authorization: string | undefined) => {
    const o = { ...base, ...(authorization === undefined ? {} : { authorization }) };
    return mode === 'mmsh' ? describeRequest({ ...o, ...ua }) : downloadRequest(o);
  };
  const first = await authorized(d, t, build, auth, options, protocol);
  const reply = first.reply!;
  if (replyOutcome(reply) === 'redirect') return new URL(reply.location!, t.url);
  const header = await firstHeader(first);
  if (first.reader?.kind === 'asf') {
    // wmsp.md §6.11: a web server's answer is the file itself: header, then the Data Object's packets.
    first.protocol = 'http';
    return stream(first, t, reply, header, options);
  }
  first.close();
  if (mode === 'download') throw new ClientError('protocol', 'the download is not an ASF file', protocol);
  const streams = header.asf.streams.map((s) => s.streamNumber);
  const live = reply.broadcast || header.broadcast;
  const fast = options.fast === true && !live && (reply.wmsMajor ?? 0) >= SPEED_MIN_SERVER_MAJOR;
  const play = {
    ...base,
    ...ua,
    ...(reply.clientId === undefined ? {} : { clientId: reply.clientId }),
    live,
    startMs: options.startMs ?? 0,
    streams,
    selected: selectStreams(header.asf, options.streams),
    ...(fast ? { speed: FAST_SPEED } : {}),
  };
  const buildPlay = (authorization: string | undefined) =>
    playRequest({ ...play, ...(authorization === undefined ? {} : { authorization }) });
  const conn = await authorized(d, t, buildPlay, auth, options, protocol);
  if (replyOutcome(conn.reply!) !== 'ok') {
    conn.close();
    throw new ClientError('protocol', `the Play request was redirected to ${conn.reply!.location}`, protocol);
  }
  return stream(conn, t, reply, header, options);
}

async function open(url: URL, options: OpenOptions, mode: Mode): Promise<AsfStream> {
  const d = new Deadline(options.connectTimeoutMs ?? 5000, options.signal);
  try {
    let target = resolveTarget(url, options);
    for (let hop = 0; ; hop++) {
      const r = await attempt(target, options, mode, d);
      if (!(r instanceof URL)) return r;
      if (hop + 1 >= MAX_REDIRECTS)
        throw new ClientError('protocol', `more than ${MAX_REDIRECTS} redirects`, 'mmsh');
      if (r.protocol !== 'http:' && r.protocol !== 'mmsh:')
        throw new ClientError('unsupported', `redirected to ${r.href}, which is not an HTTP URL`, 'mmsh');
      target = resolveTarget(r, options);
    }
  } finally {
    d.clear();
  }
}

/** MMSH for `mmsh://` and `http://` URLs; a plain ASF file in the reply is read as one (protocol 'http'). */
export function openMmsh(url: URL, options: OpenOptions = {}): Promise<AsfStream> {
  return open(url, options, 'mmsh');
}

/**
 * `http://`: MMSH first; when the server is not a WMS (its reply is neither MMSH nor an ASF file), a plain GET
 * without the NSPlayer agent, as a browser would send, for the progressive download.
 */
export async function openHttp(url: URL, options: OpenOptions = {}): Promise<AsfStream> {
  try {
    return await openMmsh(url, options);
  } catch (e) {
    if (!(e instanceof ClientError) || e.kind !== 'protocol') throw e;
    try {
      return await open(url, options, 'download');
    } catch (fallback) {
      if (!(fallback instanceof ClientError) || fallback.kind !== 'protocol') throw fallback;
      throw new ClientError('protocol', `MMSH: ${e.message}; plain download: ${fallback.message}`, 'http');
    }
  }
}
