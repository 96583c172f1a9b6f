// Simple Index Object: for each time step, the packet where the closest earlier key frame starts
// [asf.md 5.1-5.2, ASF spec 6.1]. Parse, write, build from packets, and look up a time.
//
//   0 Simple Index GUID | 16 Object Size u64 | 24 File ID GUID | 40 Index Entry Time Interval u64 (100 ns)
//   48 Maximum Packet Count u32 | 52 Index Entries Count u32 | 56 entries: { Packet Number u32, Packet Count u16 }
import { Writer } from '../core/bytes.js';
import { ProtocolError } from '../core/errors.js';
import { GUID } from './guids.js';
import { expectEnd, openObject } from './object.js';
import type { DataPacket } from './packet.js';

export const SIMPLE_INDEX_FIXED_SIZE = 56;

export interface SimpleIndexEntry {
  packetNumber: number;
  packetCount: number;
}

export interface SimpleIndex {
  fileId: Buffer;
  /** Entry spacing in ms (the field is in 100 ns; FFmpeg writes 1 s). */
  intervalMs: number;
  maxPacketCount: number;
  entries: SimpleIndexEntry[];
}

export function parseSimpleIndex(buf: Buffer, base = 0): SimpleIndex {
  const r = openObject(buf, base, 'simpleIndex', 'Simple Index');
  const fileId = Buffer.from(r.bytes(16, 'File ID'));
  const intervalAt = r.offset;
  const interval = r.u64('Index Entry Time Interval');
  // Whole milliseconds from 1 ms to a day: a zero step would make every lookup divide by zero.
  if (interval < 10_000n || interval > 864_000_000_000n || interval % 10_000n !== 0n) {
    r.fail(
      'E_ASF_INDEX',
      `Index Entry Time Interval ${interval} (100 ns) is not a whole ms in 1 ms..1 day`,
      intervalAt,
    );
  }
  const maxPacketCount = r.u32('Maximum Packet Count');
  const count = r.u32('Index Entries Count');
  if (count * 6 !== r.remaining) {
    r.fail('E_ASF_INDEX', `${count} index entries need ${count * 6} bytes, the object holds ${r.remaining}`);
  }
  const entries: SimpleIndexEntry[] = [];
  for (let i = 0; i < count; i++)
    entries.push({ packetNumber: r.u32('Packet Number'), packetCount: r.u16('Packet Count') });
  expectEnd(r);
  return { fileId, intervalMs: Number(interval / 10_000n), maxPacketCount, entries };
}

export function writeSimpleIndex(index: SimpleIndex): Buffer {
  const size = SIMPLE_INDEX_FIXED_SIZE + 6 * index.entries.length;
  const w = new Writer(size);
  w.bytes(GUID.simpleIndex)
    .u64(size)
    .bytes(index.fileId)
    .u64(BigInt(index.intervalMs) * 10_000n)
    .u32(index.maxPacketCount)
    .u32(index.entries.length);
  for (const e of index.entries) w.u32(e.packetNumber).u16(Math.min(e.packetCount, 0xffff));
  return w.toBuffer();
}

/**
 * The packet to start at for media time `timeMs` (0 = start of the media). Index entries are on the
 * preroll-shifted scale, so pass the file's preroll to land on the right entry; without it the lookup
 * lands up to `prerollMs` early, which is harmless (VLC does that) [asf.md 5.2].
 */
export function simpleIndexPacketFor(index: SimpleIndex, timeMs: number, prerollMs = 0): number {
  if (index.entries.length === 0) {
    throw new ProtocolError('E_ASF_INDEX', 'the Simple Index has no entries');
  }
  const i = Math.floor((Math.max(0, timeMs) + prerollMs) / index.intervalMs);
  const clamped = Math.min(Math.max(i, 0), index.entries.length - 1);
  return index.entries[clamped]!.packetNumber;
}

export interface BuildSimpleIndexOptions {
  /** The video stream to index. */
  streamNumber: number;
  /** File Properties Play Duration (100 ns, preroll included): decides the entry count. */
  playDuration: bigint;
  intervalMs?: number;
  fileId?: Buffer;
}

/**
 * Builds a Simple Index packet by packet, so a recorder can index what it has written so far at any moment
 * [asf.md 5.1 "Building one"]: it keeps one small record per key frame, and entries are computed on demand.
 */
export class SimpleIndexBuilder {
  private readonly keys: { pt: number; first: number; last: number; objectNumber: number }[] = [];
  private n = 0;
  constructor(readonly streamNumber: number) {}

  /** Packets added so far: the number the next packet gets. */
  get packetCount(): number {
    return this.n;
  }

  add(packet: DataPacket): void {
    const n = this.n++;
    for (const x of packet.payloads) {
      if (x.streamNumber !== this.streamNumber) continue;
      const open = this.keys[this.keys.length - 1];
      if (x.keyFrame && x.offset === 0 && !x.compressed) {
        this.keys.push({ pt: x.presentationTime, first: n, last: n, objectNumber: x.objectNumber });
      } else if (open && x.offset > 0 && x.objectNumber === open.objectNumber && open.last >= n - 1) {
        open.last = n;
      }
    }
  }

  /** Presentation time (ms, preroll-shifted) of the last key frame whose start was added, if any. */
  get lastKeyFrameTime(): number | undefined {
    return this.keys[this.keys.length - 1]?.pt;
  }

  build(opts: Omit<BuildSimpleIndexOptions, 'streamNumber'>): SimpleIndex {
    const intervalMs = opts.intervalMs ?? 1000;
    const keys = this.keys;
    // FFmpeg writes one entry per started interval plus one; we match it so rebuilt indexes compare equal.
    const step = BigInt(intervalMs * 10_000);
    const count = Number((opts.playDuration + step - 1n) / step) + 1;
    const entries: SimpleIndexEntry[] = [];
    let k = 0;
    for (let i = 0; i < count && keys.length > 0; i++) {
      while (k + 1 < keys.length && keys[k + 1]!.pt <= i * intervalMs) k++;
      const key = keys[k]!;
      entries.push({ packetNumber: key.first, packetCount: key.last - key.first + 1 });
    }
    return {
      fileId: opts.fileId ?? Buffer.alloc(16),
      intervalMs,
      maxPacketCount: entries.reduce((m, e) => Math.max(m, e.packetCount), 0),
      entries,
    };
  }
}

/**
 * Build a Simple Index from the packets of a file in order [asf.md 5.1 "Building one"]: entry i points at
 * the last key frame of the stream whose presentation time is at or before i x interval.
 */
export function buildSimpleIndex(packets: Iterable<DataPacket>, opts: BuildSimpleIndexOptions): SimpleIndex {
  const builder = new SimpleIndexBuilder(opts.streamNumber);
  for (const p of packets) builder.add(p);
  return builder.build(opts);
}
