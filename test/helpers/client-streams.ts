// What the client adapters' integration tests share: a fixture's packets, the content of payloads (padding and
// length fields aside), draining an AsfStream, catching an attempt's ClientError, and a scriptable TCP server.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { parseFileStart } from '../../src/asf/file-layout.js';
import { parsePacket, type Payload } from '../../src/asf/packet.js';
import { ClientError, type AsfStream } from '../../src/client/types.js';

export const MEDIA = 'test/fixtures/media';

export function fileOf(name: string) {
  const bytes = readFileSync(`${MEDIA}/${name}`);
  const layout = parseFileStart(bytes, bytes.length);
  const packets = Array.from({ length: layout.packetCount }, (_, n) =>
    bytes.subarray(
      layout.firstPacketOffset + n * layout.packetSize,
      layout.firstPacketOffset + (n + 1) * layout.packetSize,
    ),
  );
  return { layout, packets };
}

/** What a packet carries, independent of padding and length fields. */
export const content = (p: Payload) => ({
  stream: p.streamNumber,
  object: p.objectNumber,
  offset: p.offset,
  key: p.keyFrame,
  time: p.presentationTime,
  data: p.data.toString('hex'),
});

export const payloads = (pkts: readonly Buffer[], size: number) =>
  pkts.flatMap((p) => parsePacket(p, size).payloads);

export async function collect(s: AsfStream): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const item of s.packets) if (item.kind === 'packet') out.push(item.data);
  return out;
}

export async function failure(p: Promise<unknown>): Promise<ClientError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ClientError, `not a ClientError: ${String(e)}`);
    return e;
  }
  assert.fail('the attempt did not fail');
}

/** A TCP server on port 0 whose connections `serve` handles; `url` names it for the adapter under test. */
export async function fakeServer(
  serve: (s: Socket) => void,
  url: (port: number) => string,
): Promise<{ url: URL; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const srv: Server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
    serve(s);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  return {
    url: new URL(url(port)),
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((r) => srv.close(() => r()));
    },
  };
}
