// Why a client machine gave up on an attempt, in the kinds the client's rollover acts on (rollover.md §2.3),
// and the one way the machines turn a thrown failure or a malformed message into that verdict.
import { ProtocolError } from './errors.js';

export type AttemptFailureKind = 'timeout' | 'protocol' | 'not-found' | 'auth' | 'unsupported' | 'dropped';

export class AttemptFailure extends Error {
  constructor(
    readonly kind: AttemptFailureKind,
    message: string,
  ) {
    super(message);
  }
}

/** Runs `fn`; an AttemptFailure or a ProtocolError it throws goes to `fail`, anything else is a bug and escapes. */
export function guarded(fn: () => void, fail: (kind: AttemptFailureKind, message: string) => void): void {
  try {
    fn();
  } catch (e) {
    if (e instanceof AttemptFailure) fail(e.kind, e.message);
    else if (e instanceof ProtocolError) fail('protocol', e.message);
    else throw e;
  }
}
