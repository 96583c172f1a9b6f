// Bounds-checked little-endian Reader and growable Writer over Buffer: every decoder reads through these,
// so a short or absurd input becomes a ProtocolError with the offset, never a RangeError.
import { ProtocolError } from './errors.js';

export class Reader {
  /** Position within `buf`; `base` is added to it when reporting offsets. */
  pos = 0;
  constructor(
    readonly buf: Buffer,
    readonly base = 0,
    readonly what = 'input',
  ) {}

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  /** Absolute offset of the read position, for error messages. */
  get offset(): number {
    return this.base + this.pos;
  }

  need(n: number, field: string): void {
    if (n < 0 || this.pos + n > this.buf.length) {
      throw new ProtocolError(
        'E_TRUNCATED',
        `${this.what}: ${field} needs ${n} bytes, ${this.remaining} left`,
        {
          offset: this.offset,
        },
      );
    }
  }

  u8(field = 'u8'): number {
    this.need(1, field);
    return this.buf[this.pos++]!;
  }

  u16(field = 'u16'): number {
    this.need(2, field);
    const v = this.buf.readUInt16LE(this.pos);
    this.pos += 2;
    return v;
  }

  u32(field = 'u32'): number {
    this.need(4, field);
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  u64(field = 'u64'): bigint {
    this.need(8, field);
    const v = this.buf.readBigUInt64LE(this.pos);
    this.pos += 8;
    return v;
  }

  /** A u64 that must fit a JS number (sizes, counts); larger values are a protocol error. */
  u64n(field = 'u64'): number {
    const at = this.offset;
    const v = this.u64(field);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new ProtocolError('E_RANGE', `${this.what}: ${field} ${v} is too large`, { offset: at });
    }
    return Number(v);
  }

  u16be(field = 'u16be'): number {
    this.need(2, field);
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  u32be(field = 'u32be'): number {
    this.need(4, field);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  /** A view (no copy) of the next n bytes. */
  bytes(n: number, field = 'bytes'): Buffer {
    this.need(n, field);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  skip(n: number, field = 'skip'): void {
    this.need(n, field);
    this.pos += n;
  }

  /** A sub-reader over the next n bytes, reporting offsets in the same frame of reference. */
  sub(n: number, what = this.what): Reader {
    const at = this.offset;
    return new Reader(this.bytes(n, what), at, what);
  }

  fail(code: string, message: string, at = this.offset): never {
    throw new ProtocolError(code, `${this.what}: ${message}`, { offset: at });
  }
}

export class Writer {
  private buf: Buffer;
  private len = 0;
  constructor(initial = 256) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  get length(): number {
    return this.len;
  }

  private grow(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  u8(v: number): this {
    this.grow(1);
    this.buf[this.len++] = v & 0xff;
    return this;
  }

  u16(v: number): this {
    this.grow(2);
    this.buf.writeUInt16LE(v, this.len);
    this.len += 2;
    return this;
  }

  u32(v: number): this {
    this.grow(4);
    this.buf.writeUInt32LE(v >>> 0, this.len);
    this.len += 4;
    return this;
  }

  u64(v: bigint | number): this {
    this.grow(8);
    this.buf.writeBigUInt64LE(BigInt(v), this.len);
    this.len += 8;
    return this;
  }

  u16be(v: number): this {
    this.grow(2);
    this.buf.writeUInt16BE(v, this.len);
    this.len += 2;
    return this;
  }

  u32be(v: number): this {
    this.grow(4);
    this.buf.writeUInt32BE(v >>> 0, this.len);
    this.len += 4;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.grow(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
    return this;
  }

  zeros(n: number): this {
    this.grow(n);
    this.buf.fill(0, this.len, this.len + n);
    this.len += n;
    return this;
  }

  /** Overwrite a u32 already written (sizes known only at the end). */
  patchU32(at: number, v: number): this {
    this.buf.writeUInt32LE(v >>> 0, at);
    return this;
  }

  patchU64(at: number, v: bigint | number): this {
    this.buf.writeBigUInt64LE(BigInt(v), at);
    return this;
  }

  patchU16(at: number, v: number): this {
    this.buf.writeUInt16LE(v, at);
    return this;
  }

  /** The written bytes as a view; valid until the next write. */
  view(): Buffer {
    return this.buf.subarray(0, this.len);
  }

  /** The written bytes, copied to a buffer of exact size. */
  toBuffer(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.len));
  }
}
