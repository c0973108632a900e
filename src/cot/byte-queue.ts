const EMPTY = Buffer.alloc(0);

/**
 * Unconsumed stream bytes for a framer. While nothing is pending, a pushed chunk is used in place
 * (frames are zero-copy subarrays of the caller's chunk). Only a partial frame that spans chunks is
 * copied into an owned, growable store; frames cut from the store are copied out, so the store can
 * be compacted and reused without ever changing bytes a consumer holds.
 */
export class ByteQueue {
  private buf: Buffer = EMPTY;
  private start = 0;
  private end = 0;
  private store: Buffer | undefined;

  get length(): number {
    return this.end - this.start;
  }

  append(chunk: Buffer): void {
    if (chunk.length === 0) return;
    const pending = this.end - this.start;
    if (pending === 0) {
      this.buf = chunk;
      this.start = 0;
      this.end = chunk.length;
      return;
    }
    const need = pending + chunk.length;
    if (this.buf === this.store && this.store.length - this.end >= chunk.length) {
      chunk.copy(this.store, this.end);
      this.end += chunk.length;
      return;
    }
    let target = this.store;
    if (!target || target.length < need) target = Buffer.allocUnsafe(Math.max(need, (target?.length ?? 0) * 2, 16 * 1024));
    // copyWithin handles the overlap when compacting inside the same store.
    if (this.buf === target) target.copyWithin(0, this.start, this.end);
    else this.buf.copy(target, 0, this.start, this.end);
    chunk.copy(target, pending);
    this.store = target;
    this.buf = target;
    this.start = 0;
    this.end = need;
  }

  /** The pending bytes; valid until the next append/consume. */
  view(): Buffer {
    return this.buf.subarray(this.start, this.end);
  }

  /** True when the pending bytes live in the framer-owned store (frames must be copied out). */
  get owned(): boolean {
    return this.buf === this.store;
  }

  /** Bytes [from, to) of the pending data as a Buffer the consumer may keep. */
  take(from: number, to: number): Buffer {
    const slice = this.buf.subarray(this.start + from, this.start + to);
    return this.buf === this.store ? Buffer.from(slice) : slice;
  }

  consume(n: number): void {
    this.start += n;
    if (this.start >= this.end) {
      this.buf = EMPTY;
      this.start = 0;
      this.end = 0;
    }
  }

  /** All pending bytes (safe to keep), leaving the queue empty. */
  takeAll(): Buffer {
    const all = this.take(0, this.length);
    this.consume(this.length);
    return all;
  }
}
