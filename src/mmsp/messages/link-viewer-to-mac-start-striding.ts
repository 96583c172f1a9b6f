// LinkViewerToMacStartStriding: fast forward or rewind at a rate [MS-MMSP 2.2.4.26; mmsp.md §2.2, §5.4].
//
//   M+8 .. M+39  the start fields (start-fields.ts; frameOffset ignored)
//   M+40 rate    DOUBLE, -5.0 .. +5.0, never 0; negative = rewind
import type { MessageCodec } from './codec.js';
import { MID } from './mid.js';
import {
  readDouble,
  readStartFields,
  writeDouble,
  writeStartFields,
  type StartFields,
} from './start-fields.js';

export interface LinkViewerToMacStartStriding extends StartFields {
  readonly type: 'LinkViewerToMacStartStriding';
  readonly rate: number;
}

export const linkViewerToMacStartStriding: MessageCodec<LinkViewerToMacStartStriding> = {
  type: 'LinkViewerToMacStartStriding',
  mid: MID.LinkViewerToMacStartStriding,
  encode(w, m) {
    writeStartFields(w, m);
    writeDouble(w, m.rate);
  },
  decode(r) {
    const start = readStartFields(r);
    return { type: 'LinkViewerToMacStartStriding', ...start, rate: readDouble(r, 'rate') };
  },
};
