// When each packet is due: send time relative to the first packet, after a fast-start burst of `burstMs`
// (the preroll, so the client's buffer fills at once), scaled by the playback rate [asf.md §4 Pacing].

export interface PaceOrigin {
  /** Clock time at which playback started, ms. */
  readonly t0: number;
  /** Send time of the first packet sent, ms. */
  readonly s0: number;
  /** How far ahead of real time the session may run, ms. */
  readonly burstMs: number;
  /** 1 = real time. */
  readonly rate: number;
}

/** Clock time at which a packet with this send time may leave. */
export function dueAt(origin: PaceOrigin, sendTime: number): number {
  const ahead = (sendTime - origin.s0) / origin.rate - origin.burstMs;
  return origin.t0 + Math.max(0, ahead);
}
