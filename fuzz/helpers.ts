// What every protocol's fuzz properties share: the time box, the "only ProtocolError may escape" guard, and
// splitting a byte stream at arbitrary points as TCP would.
import { ProtocolError } from '../src/core/errors.js';

/** Each property runs until 3 s have passed (or a million runs). */
export const BUDGET = { interruptAfterTimeLimit: 3000, numRuns: 1_000_000 } as const;

/** Runs f; a ProtocolError is an accepted outcome, anything else thrown fails the property. */
export function onlyProtocolErrors(f: () => void): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof ProtocolError)) throw e;
  }
}

/** Splits bytes at the given cut points (taken modulo the length, deduplicated, sorted). */
export function split(bytes: Uint8Array, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let at = 0;
  for (const p of [...points, bytes.length]) {
    out.push(Buffer.from(bytes.subarray(at, p)));
    at = p;
  }
  return out;
}
