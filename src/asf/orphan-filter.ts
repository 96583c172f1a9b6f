// Which payloads a receiver can use after joining a stream mid-way or losing a packet: fragments whose media object
// started in what it got, and video only from a key frame on [asf.md 7.2, 7.3 step 3]. Shared by the recorder and by
// every live subscriber that joins or skips.
import type { DataPacket } from './packet.js';

/**
 * Drops fragments whose media object did not start in what was recorded: the leading fragments of a
 * joined live stream, or the rest of an object after a lost packet [asf.md 7.2, 7.3 step 3]. FFmpeg drops
 * them anyway; VLC 3 would decode the truncated object.
 */
export class OrphanFilter {
  private readonly open = new Map<number, { objectNumber: number; next: number }>();
  /**
   * Video streams still waiting for their first key frame: a live stream joined mid-way starts with delta
   * frames no decoder can use (FFmpeg: "first frame is no keyframe"), so they are dropped like orphans.
   */
  private readonly awaitingKey: Set<number>;

  constructor(videoStreams: readonly number[]) {
    this.awaitingKey = new Set(videoStreams);
  }

  /** Which payloads of a packet to keep, updating what is open per stream. */
  keep(p: DataPacket): boolean[] {
    return p.payloads.map((x) => {
      if (x.compressed) {
        this.open.delete(x.streamNumber);
        return true;
      }
      const open = this.open.get(x.streamNumber);
      if (this.awaitingKey.has(x.streamNumber)) {
        if (x.offset !== 0 || !x.keyFrame) return false;
        this.awaitingKey.delete(x.streamNumber);
      }
      if (x.offset === 0) {
        this.open.set(x.streamNumber, { objectNumber: x.objectNumber, next: x.data.length });
        return true;
      }
      if (open && open.objectNumber === x.objectNumber && open.next === x.offset) {
        open.next += x.data.length;
        return true;
      }
      this.open.delete(x.streamNumber);
      return false;
    });
  }
}
