// Whether a new header from a live source can go on under the header the clients already have: the same packet
// size and the same streams with the same codec data, so every packet of the new stream decodes with the old header.
// An encoder that reconnects, or the next playlist file made with the same settings, then needs no stream change,
// which FFmpeg over RTSP and MPlayer cannot follow [wmsp.md §6.5].
import type { AsfHeader } from '../../asf/index.js';

export function compatibleStreams(a: AsfHeader, b: AsfHeader): boolean {
  const fa = a.fileProperties;
  const fb = b.fileProperties;
  if (
    fa.maxPacketSize !== fb.maxPacketSize ||
    fa.minPacketSize !== fb.minPacketSize ||
    fa.preroll !== fb.preroll
  )
    return false;
  if (a.streams.length !== b.streams.length) return false;
  return a.streams.every((s, i) => {
    const t = b.streams[i]!;
    return (
      s.streamNumber === t.streamNumber &&
      s.kind === t.kind &&
      s.encrypted === t.encrypted &&
      s.properties.streamType.equals(t.properties.streamType) &&
      s.properties.typeSpecificData.equals(t.properties.typeSpecificData) &&
      s.properties.errorCorrectionData.equals(t.properties.errorCorrectionData)
    );
  });
}
