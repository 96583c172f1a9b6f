// The sample media as the ASF tests use it: bytes, layout and packets of each fixture.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseFileStart, parsePacket, type AsfFileLayout, type DataPacket } from '../../../src/asf/index.js';

export const MEDIA = fileURLToPath(new URL('../../fixtures/media/', import.meta.url));

export const FIXTURES = {
  a: 'a-wmv2-wmav2-10s.wmv',
  b: 'b-wmav2-10s.wma',
  c: 'c-mbr-10s.wmv',
  d: 'd-indexed-30s.wmv',
  e: 'e-live-10s.asf',
} as const;

export interface Fixture {
  file: string;
  path: string;
  bytes: Buffer;
  layout: AsfFileLayout;
  raw: Buffer[];
  packets: DataPacket[];
}

const cache = new Map<string, Fixture>();

export function fixture(key: keyof typeof FIXTURES): Fixture {
  const hit = cache.get(key);
  if (hit) return hit;
  const file = FIXTURES[key];
  const path = MEDIA + file;
  const bytes = readFileSync(path);
  const layout = parseFileStart(bytes, bytes.length);
  const raw: Buffer[] = [];
  for (let n = 0; n < layout.packetCount; n++) {
    const at = layout.firstPacketOffset + n * layout.packetSize;
    raw.push(bytes.subarray(at, at + layout.packetSize));
  }
  const packets = raw.map((p, n) =>
    parsePacket(p, layout.packetSize, layout.firstPacketOffset + n * layout.packetSize),
  );
  const f = { file, path, bytes, layout, raw, packets };
  cache.set(key, f);
  return f;
}
