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
  streamChangeChunks,
  type ContentDescription,
  type PlayPlan,
} from '../wmsp/index.js';
import { startDelivery, type Content, type Delivery } from '../streaming/delivery.js';
import type { FileSource } from '../streaming/file-source.js';
import type { ServerContext } from './netshow-server.js';
import { acquireContent, findPoint, releaseContent, sessionFacts } from './content.js';
import { handlePush, isPushRequest } from './push-ingest.js';

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
  const point = findPoint(ctx, path);
  if (point && isPushRequest(head)) {
    handlePush(socket, head, pending, point, ctx, log);
    return;
  }
  await drainBody(socket, head, pending);

  let source: Content | null = null;
  try {
    source = await acquireContent(ctx, path);
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
        if (source.kind === 'live') await pipeLive(socket, source, ctx, log);
        else await pipeFile(socket, source.source, plan.contentLength);
        return;
      case 'play':
        if (!source) throw new Error('play without content');
        await play(socket, plan, source, ctx, log);
        return;
    }
  } finally {
    await releaseContent(source);
  }
}

function describeContent(c: Content): ContentDescription {
  const f = sessionFacts(c);
  if (!f.live) return { ...f, live: false, seekable: true };
  return {
    headerBytes: f.headerBytes,
    packetSize: f.packetSize,
    packetCount: 0,
    preroll: f.preroll,
    streams: f.streams,
    live: true,
    seekable: false,
  };
}

/** Streams a Play: head, header chunks, then paced `$D`s until the end, then `$E` and close. */
async function play(
  socket: Socket,
  plan: PlayPlan,
  content: Content,
  ctx: ServerContext,
  log: Log,
): Promise<void> {
  let seq = 0;
  let delivery: Delivery | undefined;
  const writeData = (number: number, data: Buffer): boolean => {
    socket.cork();
    socket.write(dataChunkHeader(number, plan.incarnation, seq, data.length));
    socket.write(data);
    socket.uncork();
    // [MS-WMSP 2.2.3.1.2] AFFlags of $D counts 0..254, then wraps.
    seq = seq === 254 ? 0 : seq + 1;
    return socket.writableLength < SOCKET_HIGH_WATER;
  };
  await new Promise<void>((done) => {
    startDelivery(content, {
      start: plan.start.start,
      selection: plan.selection,
      clock: ctx.clock,
      stallMs: ctx.stallMs,
      rate: plan.rate.speed ?? 1,
      subscriber: {
        packet: (p) => writeData(p.number, p.data),
        // Only a session told `broadcast` ever gets here [wmsp.md §6.5 policy 3].
        newHeader: (facts) => {
          log.info({ incarnation: facts.incarnation }, 'stream change');
          socket.write(Buffer.concat(streamChangeChunks(plan, facts.headerBytes)));
        },
        end(reason) {
          log.info(
            { reason: reason.kind, packets: delivery?.stats.packetsSent, skips: delivery?.stats.skips },
            'play ended',
          );
          if (reason.kind === 'eos') socket.end(endChunk(0));
          else if (reason.kind === 'error') {
            log.error({ err: reason.error.message }, 'playback failed');
            socket.destroy();
          } else socket.destroy();
          done();
        },
      },
    }).then(
      ({ delivery: d, first }) => {
        delivery = d;
        socket.write(Buffer.concat([Buffer.from(plan.head, 'latin1'), ...plan.headerChunks]));
        socket.on('drain', () => d.resume());
        socket.once('close', () => d.stop());
        // A player that leaves a broadcast closes its side; while the source is silent no write would find out.
        if (plan.live) socket.once('end', () => socket.destroy());
        log.info({ start: plan.start.start, from: plan.start.from, packet: first, live: plan.live }, 'play');
        d.start();
      },
      (e: unknown) => {
        log.error({ err: (e as Error).message }, 'play failed');
        socket.destroy();
        done();
      },
    );
  });
}

/** A live point to a plain HTTP client: its header, then its packets as they come, unframed, until it leaves. */
async function pipeLive(socket: Socket, content: Content, ctx: ServerContext, log: Log): Promise<void> {
  if (content.kind !== 'live') return;
  socket.write(content.facts.headerBytes);
  await new Promise<void>((done) => {
    startDelivery(content, {
      start: { kind: 'start' },
      selection: null,
      clock: ctx.clock,
      stallMs: ctx.stallMs,
      subscriber: {
        packet: (p) => socket.write(p.data) && socket.writableLength < SOCKET_HIGH_WATER,
        // A plain ASF download cannot say "new header": end it, and the client's reconnect gets the new stream.
        newHeader: () => socket.end(),
        end: (reason) => {
          log.info({ reason: reason.kind }, 'live download ended');
          socket.end();
          done();
        },
      },
    }).then(
      ({ delivery }) => {
        socket.on('drain', () => delivery.resume());
        socket.once('close', () => delivery.stop());
        socket.once('end', () => socket.destroy());
        delivery.start();
      },
      () => {
        socket.destroy();
        done();
      },
    );
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
