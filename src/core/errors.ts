// The error catalogue's base types: every failure netshow reports carries a stable code (docs/errors.md).

/** Base of every error netshow raises on purpose; `code` is stable and documented. */
export class NetshowError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'NetshowError';
    this.code = code;
  }
}

/** What a protocol error answers with, on the protocol that met it. */
export interface ProtocolErrorReply {
  /** HTTP status for MMSH (404, 400, ...). */
  readonly http?: number;
  /** RTSP status (404, 454, ...). */
  readonly rtsp?: number;
  /** HRESULT for MMS and for `$E`/`$C` reasons. */
  readonly hresult?: number;
}

/**
 * The peer's fault: malformed bytes, a message in the wrong state, a path that does not exist.
 * Decoders throw only this, with the byte offset where the input stopped making sense.
 */
export class ProtocolError extends NetshowError {
  readonly offset: number | undefined;
  readonly reply: ProtocolErrorReply;
  constructor(
    code: string,
    message: string,
    details: { offset?: number; reply?: ProtocolErrorReply; cause?: unknown } = {},
  ) {
    const where = details.offset === undefined ? '' : ` at byte ${details.offset}`;
    super(code, `${message}${where}`, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'ProtocolError';
    this.offset = details.offset;
    this.reply = details.reply ?? {};
  }
}

export function isProtocolError(e: unknown): e is ProtocolError {
  return e instanceof ProtocolError;
}

/** True when an HRESULT is a failure (severity bit set) [MS-ERREF 2.1]; MMS and MMSH both report with them. */
export function isFailureHresult(hr: number): boolean {
  return (hr & 0x80000000) !== 0;
}
