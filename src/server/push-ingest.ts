// The push transport: an encoder's POST on the MMSH port to a broadcast point, fed to the point's PushSource.
// wmsp/push.ts decides (404, 401, 409, 100 Continue, PushSetup then PushStart), core/http-chunked.ts and
// wmsp/push-body.ts decode; this only moves bytes and pauses the socket while the point has enough [MS-WMHTTP 3.2].
import { randomInt } from 'node:crypto';
import type { Socket } from 'node:net';
import { ChunkedDecoder } from '../core/http-chunked.js';
import { isProtocolError } from '../core/errors.js';
import { parseRequestHead, type RequestHead } from '../core/http-head.js';
import type { BroadcastPoint } from '../streaming/live/broadcast-point.js';
import {
  classifyPush,
  continueReply,
  decidePush,
  MAX_PUSH_SETUP_BODY,
  PUSH_IDLE_TIMEOUT_MS,
  PushBodyDecoder,
  pushErrorReply,
  pushSetupReply,
  pushStartReply,
  type PushRequest,
} from '../wmsp/index.js';
import type { ServerContext } from './netshow-server.js';
import { PushSource, type PushSession } from './push-source.js';

type Log = ServerContext['logger'];

const pushHead = (head: RequestHead) => ({
  method: head.method,
  path: head.target.replace(/^[a-z]+:\/\/[^/]*/i, '') || '/',
  headers: head.headers,
});

/** A POST that carries (or sets up) a live stream, as opposed to the POSTs of MS-WMSP (Log, KeepAlive, ...). */
export function isPushRequest(head: RequestHead): boolean {
  try {
    return classifyPush(pushHead(head)).kind !== 'not-push';
  } catch {
    // A malformed push (bad lengths) is still a push: handlePush answers it.
    return head.method === 'POST';
  }
}

export function handlePush(
  socket: Socket,
  head: RequestHead,
  pending: Buffer,
  point: BroadcastPoint,
  ctx: ServerContext,
  log: Log,
): void {
  const httpVersion = head.version.startsWith('HTTP/') ? head.version.slice(5) : head.version;
  const r = { httpVersion, serverVersion: ctx.version };
  const refuse = (status: number, message: string): void => {
    log.info({ status }, `push refused: ${message}`);
    const e = pushErrorReply(status, message, r);
    // Destroyed, not half-closed: FFmpeg without Expect streams on into a half-closed socket (wmsp/push.ts).
    socket.write(Buffer.concat([Buffer.from(e.head, 'latin1'), e.body]), () => socket.destroy());
  };
  let req: PushRequest;
  try {
    const c = classifyPush(pushHead(head));
    if (c.kind === 'not-push') return refuse(400, 'not a push');
    req = c;
  } catch (e) {
    if (!isProtocolError(e)) throw e;
    return refuse(e.reply.http ?? 400, e.message);
  }
  const source = point.source instanceof PushSource ? point.source : null;
  const decision = decidePush(req, {
    point: source
      ? { ...(source.password === undefined ? {} : { password: source.password }), busy: source.busy }
      : null,
  });
  if (decision.type === 'reject') return refuse(decision.status, decision.message);
  if (!source) return refuse(404, 'not a push point');
  if (req.expectContinue) socket.write(continueReply());
  if (req.kind === 'push-setup') return pushSetup(socket, req, pending, point, ctx, log);
  const session = source.connect();
  if (!session) return refuse(409, `another encoder is pushing to ${req.path}`);
  log.info({ kind: req.kind, encoder: req.userAgent }, 'push started');
  receive(socket, req, pending, session, () => socket.end(pushStartReply(r)), log);
}

/** [MS-WMHTTP 3.2.5.1] PushSetup: a tiny body, 204 with a push-id, and the PushStart on the same connection. */
function pushSetup(
  socket: Socket,
  req: PushRequest,
  pending: Buffer,
  point: BroadcastPoint,
  ctx: ServerContext,
  log: Log,
): void {
  const want = req.body.type === 'length' ? Math.min(req.body.length, MAX_PUSH_SETUP_BODY) : 0;
  let buf = pending;
  const onData = (b: Buffer): void => {
    buf = Buffer.concat([buf, b]);
    step();
  };
  const step = (): void => {
    if (buf.length < want) return;
    socket.off('data', onData);
    const httpVersion = '1.1';
    socket.write(
      pushSetupReply({ httpVersion, serverVersion: ctx.version, pushId: String(randomInt(1, 2 ** 31)) }),
    );
    let rest = buf.subarray(want);
    const next = (b?: Buffer): void => {
      if (b) rest = Buffer.concat([rest, b]);
      const parsed = parseRequestHead(rest);
      if (!parsed) return;
      socket.off('data', next);
      socket.setTimeout(0);
      handlePush(socket, parsed.head, rest.subarray(parsed.length), point, ctx, log);
    };
    socket.setTimeout(PUSH_IDLE_TIMEOUT_MS, () => socket.destroy());
    socket.on('data', next);
    try {
      next();
    } catch {
      socket.destroy();
    }
  };
  socket.on('data', onData);
  step();
}

/** The body of a PushStart or of FFmpeg's POST, into the point, until its end, its connection's, or an error. */
function receive(
  socket: Socket,
  req: PushRequest,
  pending: Buffer,
  session: PushSession,
  finished: () => void,
  log: Log,
): void {
  const chunked = req.body.type === 'chunked' ? new ChunkedDecoder() : null;
  let left = req.body.type === 'length' ? req.body.length : Infinity;
  const decoder = new PushBodyDecoder();
  let packets = 0;
  let over = false;
  const stop = (why: string, ok: boolean): void => {
    if (over) return;
    over = true;
    session.end(why);
    log.info({ packets }, `push ended: ${why}`);
    if (ok) finished();
    else socket.destroy();
  };
  const feed = (bytes: Buffer): void => {
    for (const e of decoder.push(bytes)) {
      if (e.type === 'header') session.header(e.bytes);
      else if (e.type === 'packet') {
        packets++;
        if (!session.packet(e.data)) socket.pause();
      } else return stop(`the encoder ended its stream (reason ${e.reason})`, true);
    }
  };
  const onBytes = (b: Buffer): void => {
    if (over) return;
    try {
      let body = b;
      if (left !== Infinity) {
        body = b.subarray(0, left);
        left -= body.length;
      }
      if (chunked) for (const piece of chunked.push(body)) feed(piece);
      else feed(body);
      if (!over && (left === 0 || chunked?.done)) {
        for (const e of decoder.end())
          if (e.type === 'end') return stop('the encoder ended its stream', true);
        stop('the body ended', true);
      }
    } catch (e) {
      if (!isProtocolError(e)) throw e;
      log.warn(`push body: ${e.message}`);
      stop(e.message, false);
    }
  };
  session.onDrain(() => socket.resume());
  socket.setTimeout(PUSH_IDLE_TIMEOUT_MS, () => stop('nothing from the encoder for 60 s', false));
  socket.on('data', onBytes);
  socket.once('end', () => stop('the encoder closed its connection', req.body.type === 'close'));
  socket.once('close', () => stop('the encoder connection dropped', false));
  if (pending.length > 0) onBytes(pending);
}
