// The part every incremental stream decoder shares (MMSH chunks, MMS units, RTSP interleaving): bytes pushed
// as they arrive, complete frames taken off the front, caps enforced by the subclass, and a decoder that
// stays failed after its first ProtocolError so a broken stream cannot be half-parsed further.
import { ProtocolError } from './errors.js';

export abstract class FrameDecoder<T> {
  private pieces: Buffer[] = [];
  /** Bytes received but not yet taken. */
  protected buffered = 0;
  /** Stream offset of the first buffered byte, for error messages. */
  protected consumed = 0;
  private failed: ProtocolError | null = null;

  /** `stream` and `unit` name things in the truncation error: "MMSH body ends inside a chunk". */
  constructor(
    private readonly stream: string,
    private readonly unit: string,
  ) {}

  /** Bytes received but not yet part of a complete frame. */
  get pending(): number {
    return this.buffered;
  }

  /** Adds bytes; returns every frame now complete. Throws only ProtocolError. */
  push(bytes: Buffer): T[] {
    if (this.failed) throw this.failed;
    if (bytes.length > 0) {
      this.pieces.push(bytes);
      this.buffered += bytes.length;
    }
    const out: T[] = [];
    try {
      for (;;) {
        const frame = this.next();
        if (frame === null) break;
        out.push(frame);
      }
    } catch (e) {
      if (e instanceof ProtocolError) this.failed = e;
      throw e;
    }
    return out;
  }

  /** The stream ended: throws if a frame was cut off. */
  end(): void {
    if (this.failed) throw this.failed;
    if (this.buffered > 0) {
      this.failed = new ProtocolError(
        'E_TRUNCATED',
        `${this.stream} ends inside a ${this.unit} (${this.buffered} bytes left)`,
        { offset: this.consumed },
      );
      throw this.failed;
    }
  }

  /** The next complete frame off the front (using peek/take), or null while more bytes are needed. */
  protected abstract next(): T | null;

  /** The first n buffered bytes (n small, n <= buffered) without flattening a large frame still arriving. */
  protected peek(n: number): Buffer {
    const first = this.pieces[0]!;
    if (first.length >= n) return first.subarray(0, n);
    return Buffer.concat(this.pieces, this.buffered).subarray(0, n);
  }

  /** Removes and returns the first n buffered bytes (n <= buffered). */
  protected take(n: number): Buffer {
    if (this.pieces.length > 1) this.pieces = [Buffer.concat(this.pieces, this.buffered)];
    const buf = this.pieces[0] ?? Buffer.alloc(0);
    const rest = buf.subarray(n);
    this.pieces = rest.length > 0 ? [rest] : [];
    this.buffered -= n;
    this.consumed += n;
    return buf.subarray(0, n);
  }
}
