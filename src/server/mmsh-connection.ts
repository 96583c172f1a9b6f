// The MMSH transport: bytes from one TCP connection to the WMSP machine, its plan back to the socket, and
// a Play wired to the streaming core. One request per connection, as every classic client does it.
import { createReadStream } from 'node:fs';
import { randomInt } from 'node:crypto';
import type { Socket } from 'node:net';
import { parseRequestHead, type RequestHead } from '../core/http-head.js';
import { isProtocolError } from '../core/errors.js';
import {
  dataChunkHeader,
  endChunk,
  errorReply,
  planRequest,
  type ContentDescription,
  type PlayPlan,
} from '../wmsp/index.js';
import type { FileSource } from '../streaming/file-source.js';
import { Playback } from '../streaming/playback.js';
import { startPacket } from '../streaming/start-packet.js';
import { filterFromLevels } from '../streaming/types.js';
import type { ServerContext } from './netshow-server.js';
import { contentFacts } from './content-info.js';

/** Time a client has to send its request head. */
const HEAD_TIMEOUT_MS = 10_000;
/** Bytes queued in the socket before the session waits for 'drain'. */
const SOCKET_HIGH_WATER = 64 * 1024;
/** Largest request body read (log POSTs); more is refused. */
const MAX_BODY = 64 * 1024;

let sessionCounter = 0;

export function handleMmshConnection(socket: Socket, ctx: ServerContext): void {
  const session = ++sessionCounter;
  const log = ctx.logger.child({
    proto: 'mmsh',
    session,
    remote: `${socket.remoteAddress}:${socket.remotePort}`,
  });
  let buf: Buffer = Buffer.alloc(0);
  socket.setTimeout(HEAD_TIMEOUT_MS, () => {
    log.debug('no request head in time');
    socket.destroy();
  });
  socket.on('error', (e) => log.debug({ err: e.message }, 'socket error'));
  let headDone = false;
  // The client ended its side before a whole request head: nothing to answer.
  socket.once('end', () => {
    if (!headDone) socket.end();
  });
  const onData = (chunk: Buffer): void => {
    buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
    let parsed;
    try {
      parsed = parseRequestHead(buf);
    } catch (e) {
      socket.off('data', onData);
      const status = isProtocolError(e) ? (e.reply.http ?? 400) : 400;
      log.info({ status }, `bad request: ${(e as Error).message}`);
      writeError(socket, status, (e as Error).message, '1.0', ctx.version);
      return;
    }
    if (!parsed) return;
    headDone = true;
    socket.off('data', onData);
    socket.setTimeout(0);
    const rest = buf.subarray(parsed.length);
    void handleRequest(socket, parsed.head, rest, ctx, log).catch((e: unknown) => {
      log.error({ err: (e as Error).message }, 'request failed');
      socket.destroy();
    });
  };
  socket.on('data', onData);
}

type Log = ServerContext['logger'];

async function handleRequest(
  socket: Socket,
  head: RequestHead,
  pending: Buffer,
  ctx: ServerContext,
  log: Log,
): Promise<void> {
  const httpVersion = head.version.startsWith('HTTP/') ? head.version.slice(5) : head.version;
  const path = head.target.replace(/^[a-z]+:\/\/[^/]*/i, '') || '/';
  await drainBody(socket, head, pending);

  let source: FileSource | null = null;
  try {
    source = await ctx.library.acquire(path);
  } catch (e) {
    if (!isProtocolError(e)) throw e;
    if (head.method === 'GET' || head.method === 'HEAD') {
      const status = e.reply.http ?? 404;
      log.info({ method: head.method, path, status }, e.message);
      writeError(socket, status, e.message, httpVersion, ctx.version);
      return;
    }
  }
  try {
    const plan = planRequest(
      { method: head.method, path, httpVersion, headers: head.headers },
      source ? describeContent(source) : null,
      { serverVersion: ctx.version, newClientId: randomInt(1, 0xffffffff) },
    );
    log.info({ method: head.method, path, request: plan.request, kind: plan.kind }, 'request');
    switch (plan.kind) {
      case 'reply':
        socket.end(Buffer.concat([Buffer.from(plan.head, 'latin1'), plan.body]));
        return;
      case 'describe':
        socket.end(Buffer.concat([Buffer.from(plan.head, 'latin1'), ...plan.body]));
        return;
      case 'download':
        socket.write(plan.head, 'latin1');
        if (head.method === 'HEAD' || !source) {
          socket.end();
          return;
        }
        await pipeFile(socket, source, plan.contentLength);
        return;
      case 'play':
        if (!source) throw new Error('play without content');
        await play(socket, plan, source, ctx, log);
        return;
    }
  } finally {
    if (source) await source.close();
  }
}

function describeContent(src: FileSource): ContentDescription {
  const c = contentFacts(src);
  return { ...c, live: false, seekable: true };
}

/** Streams a Play: head, header chunks, then paced `$D`s until the end, then `$E` and close. */
async function play(
  socket: Socket,
  plan: PlayPlan,
  source: FileSource,
  ctx: ServerContext,
  log: Log,
): Promise<void> {
  const first = await startPacket(source, plan.start.start);
  socket.write(Buffer.concat([Buffer.from(plan.head, 'latin1'), ...plan.headerChunks]));
  let seq = 0;
  await new Promise<void>((done) => {
    const playback = new Playback({
      source,
      firstPacket: first,
      filter: filterFromLevels(plan.selection, contentFacts(source).streams),
      clock: ctx.clock,
      rate: plan.rate.speed ?? 1,
      stallMs: ctx.stallMs,
      subscriber: {
        packet(p) {
          socket.cork();
          socket.write(dataChunkHeader(p.number, plan.incarnation, seq, p.data.length));
          socket.write(p.data);
          socket.uncork();
          // [MS-WMSP 2.2.3.1.2] AFFlags of $D counts 0..254, then wraps.
          seq = seq === 254 ? 0 : seq + 1;
          return socket.writableLength < SOCKET_HIGH_WATER;
        },
        end(reason) {
          log.info({ reason: reason.kind, packets: playback.stats.packetsSent, from: first }, 'play ended');
          if (reason.kind === 'eos') socket.end(endChunk(0));
          else if (reason.kind === 'error') {
            log.error({ err: reason.error.message }, 'playback failed');
            socket.destroy();
          } else socket.destroy();
          done();
        },
      },
    });
    socket.on('drain', () => playback.resume());
    socket.once('close', () => playback.stop());
    log.info({ start: plan.start.start, from: plan.start.from, packet: first }, 'play');
    playback.start();
  });
}

async function pipeFile(socket: Socket, source: FileSource, length: number | undefined): Promise<void> {
  const end = (length ?? source.fileSize) - 1;
  await new Promise<void>((done) => {
    const rs = createReadStream(source.path, { start: 0, end });
    rs.on('error', () => {
      socket.destroy();
      done();
    });
    socket.once('close', () => {
      rs.destroy();
      done();
    });
    rs.on('end', () => done());
    rs.pipe(socket);
  });
}

/** Reads and discards a request body (log POSTs), bounded. */
async function drainBody(socket: Socket, head: RequestHead, pending: Buffer): Promise<void> {
  const cl = head.headers.find(([k]) => k.toLowerCase() === 'content-length')?.[1];
  const want = Math.min(Number(cl ?? 0) || 0, MAX_BODY);
  let got = pending.length;
  if (got >= want) return;
  await new Promise<void>((done) => {
    const onData = (c: Buffer): void => {
      got += c.length;
      if (got >= want) finish();
    };
    // A client that never sends the body it announced is answered anyway.
    const timer = setTimeout(() => finish(), 2000);
    const finish = (): void => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', finish);
      done();
    };
    socket.on('data', onData);
    socket.once('close', finish);
  });
}

function writeError(
  socket: Socket,
  status: number,
  message: string,
  httpVersion: string,
  version: string,
): void {
  const r = errorReply(status, message, { httpVersion, serverVersion: version });
  socket.end(Buffer.concat([Buffer.from(r.head, 'latin1'), r.body]));
}
