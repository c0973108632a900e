import { KizunaError } from '../util/errors.js';
import { StreamFramer, type FramerOptions } from './stream-framer.js';

/**
 * TAK protocol v1 framing. Stream: 0xBF · varint(length) · TakMessage. Mesh (one per datagram):
 * 0xBF 0x01 0xBF · TakMessage.
 */

export const TAK_MAGIC = 0xbf;

export type { FramerOptions } from './stream-framer.js';

function varintLength(n: number): number {
  let len = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    len++;
  }
  return len;
}

/** Stream frame: 0xBF, varint(payload length), payload. */
export function frameProto(payload: Uint8Array): Buffer {
  const vl = varintLength(payload.length);
  const out = Buffer.allocUnsafe(1 + vl + payload.length);
  out[0] = TAK_MAGIC;
  let n = payload.length;
  let i = 1;
  while (n >= 0x80) {
    out[i++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 128);
  }
  out[i++] = n;
  out.set(payload, i);
  return out;
}

/** Mesh (UDP) frame: 0xBF 0x01 0xBF, payload. */
export function frameMesh(payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(3 + payload.length);
  out[0] = TAK_MAGIC;
  out[1] = 0x01;
  out[2] = TAK_MAGIC;
  out.set(payload, 3);
  return out;
}

/** Payload of one mesh datagram; anything but a version-1 mesh header ⇒ FRAME_INVALID. */
export function unframeMesh(datagram: Uint8Array): Buffer {
  if (datagram.length < 3 || datagram[0] !== TAK_MAGIC || datagram[1] !== 0x01 || datagram[2] !== TAK_MAGIC) {
    throw new KizunaError('FRAME_INVALID', 'not a TAK protocol v1 mesh datagram');
  }
  return Buffer.from(datagram.buffer, datagram.byteOffset + 3, datagram.length - 3);
}

/**
 * Incremental stream-frame splitter. `push` returns a lazy iterator: each yielded payload is
 * consumed when yielded; bytes after the last yielded payload stay buffered (see takeRemainder).
 * A bad magic byte, an over-long varint (FRAME_INVALID) or a length above the limit
 * (COT_TOO_LARGE) is thrown from the iterator and the framer stays failed: the stream cannot be
 * resynchronised safely, so the caller drops the connection.
 */
export class ProtoStreamFramer extends StreamFramer {
  constructor(opts: FramerOptions = {}) {
    super(opts);
  }

  protected *drain(): Generator<Buffer, void, undefined> {
    try {
      // One view per drain: consume() only advances the queue start, the viewed bytes stay valid.
      const v = this.q.view();
      const owned = this.q.owned;
      let pos = 0;
      for (;;) {
        if (pos >= v.length) return;
        if (v[pos] !== TAK_MAGIC) throw new KizunaError('FRAME_INVALID', `expected 0xbf, got 0x${v[pos]!.toString(16)}`);
        let len = 0;
        let mul = 1;
        let i = pos + 1;
        for (;;) {
          if (i >= v.length) return; // header incomplete
          if (i - pos > 10) throw new KizunaError('FRAME_INVALID', 'varint longer than 10 bytes');
          const b = v[i++]!;
          len += (b & 0x7f) * mul;
          mul *= 128;
          if (b < 0x80) break;
        }
        if (len > this.max) throw new KizunaError('COT_TOO_LARGE', `frame of ${len} bytes > ${this.max}`);
        const end = i + len;
        if (v.length < end) return; // payload incomplete
        const payload = owned ? Buffer.from(v.subarray(i, end)) : v.subarray(i, end);
        this.q.consume(end - pos);
        pos = end;
        yield payload;
      }
    } catch (err) {
      if (err instanceof KizunaError) this.failed = err;
      throw err;
    }
  }
}
