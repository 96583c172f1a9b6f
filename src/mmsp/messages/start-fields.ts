// The fields StartPlaying and StartStriding share, M+8 to M+39 [MS-MMSP 2.2.4.25, 2.2.4.26; mmsp.md §2.2].
//
//   M+8  openFileId   M+12 padding   M+16 position (DOUBLE s; DBL_MAX = use asfOffset or locationId)
//   M+24 asfOffset    M+28 locationId   M+32 frameOffset   M+36 playIncarnation
import type { Reader, Writer } from '../../core/bytes.js';

/** 0 and 0xFFFFFFFF mean "unused" in asfOffset and locationId. */
export const UNUSED = 0xffffffff;
/** DOUBLE position meaning "no time given". */
export const DBL_MAX = Number.MAX_VALUE;
/** frameOffset every open-source client sends for "no limit" (mmsp.md 9.11). */
export const FRAME_OFFSET_NO_LIMIT = 0x00ffffff;

export interface StartFields {
  readonly openFileId: number;
  readonly padding: number;
  readonly position: number;
  readonly asfOffset: number;
  readonly locationId: number;
  readonly frameOffset: number;
  readonly playIncarnation: number;
}

export function writeStartFields(w: Writer, m: StartFields): void {
  w.u32(m.openFileId).u32(m.padding);
  writeDouble(w, m.position);
  w.u32(m.asfOffset).u32(m.locationId).u32(m.frameOffset).u32(m.playIncarnation);
}

export function readStartFields(r: Reader): StartFields {
  return {
    openFileId: r.u32('openFileId'),
    padding: r.u32('padding'),
    position: readDouble(r, 'position'),
    asfOffset: r.u32('asfOffset'),
    locationId: r.u32('locationId'),
    frameOffset: r.u32('frameOffset'),
    playIncarnation: r.u32('playIncarnation'),
  };
}

export function readDouble(r: Reader, field: string): number {
  return r.bytes(8, field).readDoubleLE(0);
}

export function writeDouble(w: Writer, v: number): void {
  const d = Buffer.allocUnsafe(8);
  d.writeDoubleLE(v);
  w.bytes(d);
}
