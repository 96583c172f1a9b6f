// The shape every message file exports, and a helper for the messages that are a row of u32 fields
// [MS-MMSP 2.2.4].
import type { Reader, Writer } from '../../core/bytes.js';

/**
 * Encoder and decoder of one message's fields, from M+8 on. `decode` reads from a Reader over the fields and
 * the padding (trailing bytes are ignored, as every client does); it throws only ProtocolError.
 */
export interface MessageCodec<M extends { readonly type: string }> {
  readonly type: M['type'];
  readonly mid: number;
  encode(w: Writer, m: M): void;
  decode(r: Reader): M;
}

type U32Fields<M> = Exclude<keyof M, 'type'>;

/** A codec for a message made only of u32 fields, in wire order. */
export function u32Codec<M extends { readonly type: string }>(
  type: M['type'],
  mid: number,
  fields: readonly U32Fields<M>[],
): MessageCodec<M> {
  return {
    type,
    mid,
    encode(w, m) {
      for (const f of fields) w.u32(m[f] as number);
    },
    decode(r) {
      const m: Record<string, unknown> = { type };
      for (const f of fields) m[f as string] = r.u32(f as string);
      return m as M;
    },
  };
}
