import type { KizunaError } from '../util/errors.js';
import { ByteQueue } from './byte-queue.js';
import { DEFAULT_MAX_EVENT_BYTES } from './xml.js';

export interface FramerOptions {
  /** Largest payload/event accepted, in bytes; default 1 MiB. */
  maxEventBytes?: number;
}

/**
 * What the XML and the protobuf stream framers share: the byte queue, the size limit, and the failed state.
 * `push` returns the subclass's lazy `drain` iterator: each yielded frame is consumed when yielded; bytes after
 * the last yielded frame stay buffered. A drain that throws a KizunaError records it in `failed`, and every later
 * push throws it again: the stream cannot be resynchronised safely, so the caller drops the connection.
 */
export abstract class StreamFramer {
  protected readonly q = new ByteQueue();
  protected readonly max: number;
  protected failed: KizunaError | undefined;

  constructor(opts: FramerOptions) {
    this.max = opts.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;
  }

  /** True when no bytes are buffered (nothing partial pending). */
  get isEmpty(): boolean {
    return this.q.length === 0;
  }

  get bufferedBytes(): number {
    return this.q.length;
  }

  push(chunk: Buffer): Generator<Buffer, void, undefined> {
    if (this.failed) throw this.failed;
    this.q.append(chunk);
    return this.drain();
  }

  /** Pending bytes not yet returned as frames; the framer is empty afterwards. */
  takeRemainder(): Buffer {
    return this.q.takeAll();
  }

  protected abstract drain(): Generator<Buffer, void, undefined>;
}
