// Stream Bitrate Properties Object: the average bitrate of each stream, what MMS clients choose by
// [asf.md 2.6, ASF spec 3.12].
//
//   24 Bitrate Records Count u16 | 26 records: { Flags u16 (bits 0-6 stream number), Average Bitrate u32 }
import { Writer } from '../core/bytes.js';
import { GUID } from './guids.js';
import { checkU16, expectEnd, frameObject, openObject } from './object.js';

export interface StreamBitrateRecord {
  streamNumber: number;
  /** The whole Flags word; bits 0-6 are the stream number. */
  flags: number;
  /** Bits per second, packet overhead included. */
  averageBitrate: number;
}

export interface StreamBitratePropertiesObject {
  records: StreamBitrateRecord[];
}

export function decodeStreamBitrateProperties(buf: Buffer, base = 0): StreamBitratePropertiesObject {
  const r = openObject(buf, base, 'streamBitrateProperties', 'Stream Bitrate Properties');
  const count = r.u16('Bitrate Records Count');
  if (count * 6 > r.remaining)
    r.fail('E_ASF_OBJECT', `${count} bitrate records cannot fit ${r.remaining} bytes`);
  const records: StreamBitrateRecord[] = [];
  for (let i = 0; i < count; i++) {
    const flags = r.u16('Flags');
    records.push({ streamNumber: flags & 0x7f, flags, averageBitrate: r.u32('Average Bitrate') });
  }
  expectEnd(r);
  return { records };
}

export function encodeStreamBitrateProperties(v: StreamBitratePropertiesObject): Buffer {
  const w = new Writer(2 + 6 * v.records.length);
  w.u16(checkU16(v.records.length, 'Bitrate Records Count'));
  for (const rec of v.records) w.u16((rec.flags & ~0x7f) | (rec.streamNumber & 0x7f)).u32(rec.averageBitrate);
  return frameObject(GUID.streamBitrateProperties, w.view());
}
