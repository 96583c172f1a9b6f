// The small interface through which every protocol session (MMSH, MMS, RTSP) plugs into the delivery core.

/** One ASF data packet on its way to a client; `data` is shared by every subscriber and never mutated. */
export interface OutPacket {
  /** The packet's number in its source (the file's packet index, or a live running count). */
  readonly number: number;
  /** ASF send time, ms. */
  readonly sendTime: number;
  readonly data: Buffer;
}

export type EndReason =
  | { readonly kind: 'eos' }
  | { readonly kind: 'stopped' }
  | { readonly kind: 'stalled'; readonly afterMs: number }
  | { readonly kind: 'error'; readonly error: Error };

/** What a protocol session gives the core. */
export interface Subscriber {
  /** Take a packet; return false when the session's queue is full (the core waits for `resume`). */
  packet(p: OutPacket): boolean;
  /** The stream is over for this subscriber; called exactly once. */
  end(reason: EndReason): void;
}

/** Where playback starts. `time` is media time in ms (presentation time minus preroll). */
export type StartPoint =
  | { readonly kind: 'start' }
  | { readonly kind: 'time'; readonly ms: number }
  | { readonly kind: 'packet'; readonly number: number };

/**
 * Which payloads a subscriber receives; null = every stream, untouched. `key` names the selection so that
 * sessions choosing the same streams share the thinned packets instead of re-packing them each.
 */
export type PayloadFilter = {
  readonly key: string;
  readonly keep: (streamNumber: number, keyFrame: boolean) => boolean;
} | null;

/** Thin levels as the protocols name them: 0 everything, 1 key frames only, 2 nothing [MS-WMSP 2.2.1.4.27]. */
export type ThinLevel = 0 | 1 | 2;

/**
 * A filter from per-stream thin levels; streams not in the map are not sent. When every stream of the
 * content is wanted whole, the result is null: packets then go out as read, with no parsing at all.
 */
export function filterFromLevels(
  levels: ReadonlyMap<number, ThinLevel> | null,
  contentStreams: readonly number[],
): PayloadFilter {
  if (levels === null) return null;
  if (contentStreams.every((s) => levels.get(s) === 0)) return null;
  const key = [...levels]
    .sort(([a], [b]) => a - b)
    .map(([s, l]) => `${s}:${l}`)
    .join(',');
  return {
    key,
    keep: (stream, keyFrame) => {
      const level = levels.get(stream);
      return level === 0 || (level === 1 && keyFrame);
    },
  };
}
