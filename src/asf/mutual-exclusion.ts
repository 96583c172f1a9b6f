// Bitrate Mutual Exclusion (top level) and Advanced Mutual Exclusion (Header Extension): sets of streams of
// which exactly one is played [asf.md 2.7, ASF spec 3.8 and 4.2]. Both share one layout:
//
//   24 Exclusion Type GUID (Mutex Bitrate / Language / Unknown) | 40 Stream Numbers Count u16
//   42 Stream Numbers u16[count]
import { Writer } from '../core/bytes.js';
import { GUID, isGuid } from './guids.js';
import { checkU16, expectEnd, frameObject, openObject } from './object.js';

export type MutualExclusionKind = 'bitrate' | 'language' | 'unknown';

export interface MutualExclusionObject {
  /** Which object carried it: the top-level one or the Header Extension one. */
  object: 'bitrateMutualExclusion' | 'advancedMutualExclusion';
  exclusionType: Buffer;
  kind: MutualExclusionKind;
  streams: number[];
}

function kindOf(guid: Buffer): MutualExclusionKind {
  if (isGuid(guid, 'mutexBitrate')) return 'bitrate';
  if (isGuid(guid, 'mutexLanguage')) return 'language';
  return 'unknown';
}

export function decodeMutualExclusion(
  buf: Buffer,
  base: number,
  object: MutualExclusionObject['object'],
): MutualExclusionObject {
  const r = openObject(
    buf,
    base,
    object,
    object === 'bitrateMutualExclusion' ? 'Bitrate Mutual Exclusion' : 'Advanced Mutual Exclusion',
  );
  const exclusionType = Buffer.from(r.bytes(16, 'Exclusion Type'));
  const count = r.u16('Stream Numbers Count');
  if (count * 2 > r.remaining)
    r.fail('E_ASF_OBJECT', `${count} stream numbers cannot fit ${r.remaining} bytes`);
  const streams: number[] = [];
  for (let i = 0; i < count; i++) streams.push(r.u16('Stream Number'));
  expectEnd(r);
  return { object, exclusionType, kind: kindOf(exclusionType), streams };
}

export function decodeBitrateMutualExclusion(buf: Buffer, base = 0): MutualExclusionObject {
  return decodeMutualExclusion(buf, base, 'bitrateMutualExclusion');
}

export function decodeAdvancedMutualExclusion(buf: Buffer, base = 0): MutualExclusionObject {
  return decodeMutualExclusion(buf, base, 'advancedMutualExclusion');
}

export function encodeMutualExclusion(v: MutualExclusionObject): Buffer {
  const w = new Writer(18 + 2 * v.streams.length);
  w.bytes(v.exclusionType).u16(checkU16(v.streams.length, 'Stream Numbers Count'));
  for (const s of v.streams) w.u16(s);
  return frameObject(GUID[v.object], w.view());
}
