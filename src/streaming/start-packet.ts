// Where an on-demand session starts: the Simple Index when the file has one, otherwise a binary search on
// send times and a short walk back to a video key frame [asf.md §5.2].
import { packetSendTime, parsePacket, simpleIndexPacketFor } from '../asf/index.js';
import type { FileSource } from './file-source.js';
import type { StartPoint } from './types.js';

/** How far back (in send time) to look for a key frame when a file has no index. */
const KEY_WALK_MS = 30_000;

export async function startPacket(src: FileSource, start: StartPoint): Promise<number> {
  const last = src.packetCount - 1;
  if (last < 0) return 0;
  switch (start.kind) {
    case 'start':
      return 0;
    case 'packet':
      return clamp(start.number, 0, last);
    case 'time': {
      if (start.ms <= 0) return 0;
      if (src.index && src.index.entries.length > 0) {
        return clamp(
          simpleIndexPacketFor(src.index, start.ms + src.layout.header.fileProperties.preroll),
          0,
          last,
        );
      }
      return searchBySendTime(src, start.ms);
    }
  }
}

async function searchBySendTime(src: FileSource, ms: number): Promise<number> {
  let lo = 0;
  let hi = src.packetCount - 1;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (packetSendTime(await src.packet(mid)) <= ms) lo = mid;
    else hi = mid - 1;
  }
  const video = new Set(
    src.layout.header.streams.filter((s) => s.kind === 'video').map((s) => s.streamNumber),
  );
  if (video.size === 0) return lo;
  const floor = packetSendTime(await src.packet(lo)) - KEY_WALK_MS;
  for (let n = lo; n >= 0; n--) {
    const pkt = await src.packet(n);
    if (packetSendTime(pkt) < floor) break;
    const p = parsePacket(pkt, src.packetSize);
    if (p.payloads.some((x) => video.has(x.streamNumber) && x.keyFrame && x.offset === 0)) return n;
  }
  return lo;
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}
