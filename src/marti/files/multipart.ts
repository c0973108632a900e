import { Transform, type TransformCallback } from 'node:stream';
import { KizunaError } from '../../util/errors.js';

export interface PartHeaders {
  name?: string;
  filename?: string;
  contentType?: string;
}

const MAX_HEADER_BYTES = 16 * 1024;
const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');

export function boundaryOf(contentType: string | undefined): string | undefined {
  const m = /^multipart\/form-data\s*;.*?boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i.exec(contentType ?? '');
  return m ? (m[1] ?? m[2]) : undefined;
}

function parseHeaders(block: string): PartHeaders {
  const h: PartHeaders = {};
  for (const line of block.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (key === 'content-type') h.contentType = value;
    if (key === 'content-disposition') {
      const name = /\bname="([^"]*)"/i.exec(value);
      const filename = /\bfilename="([^"]*)"/i.exec(value);
      if (name) h.name = name[1]!;
      if (filename) h.filename = filename[1]!;
    }
  }
  return h;
}

/**
 * Streams out the bytes of ONE file part of a multipart/form-data body (the first whose field name is
 * in `fields`, else the first part with a filename), discarding the rest. Memory is bounded by the
 * chunk size plus the boundary length. A body that ends before the closing boundary is an error
 * (UPLOAD_INCOMPLETE), so a truncated upload never looks complete.
 */
export class MultipartFileExtractor extends Transform {
  private readonly delim: Buffer;
  private buf: Buffer = CRLF; // lets the first boundary (at offset 0) match "\r\n--boundary"
  /** Growable backing for a header block that arrives in pieces (doubling: linear copying). */
  private store: Buffer | undefined;
  /** Where the search for the end of the header block resumes (earlier bytes were searched). */
  private headerFrom = 0;
  private state: 'preamble' | 'afterDelim' | 'headers' | 'body' | 'done' = 'preamble';
  private selected = false;
  private found = false;
  part: PartHeaders | undefined;

  constructor(
    boundary: string,
    private readonly fields: string[],
    private readonly onPart: (h: PartHeaders) => void = () => {},
  ) {
    super();
    this.delim = Buffer.from(`\r\n--${boundary}`);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    try {
      this.buf = this.buf.length === 0 ? chunk : this.join(this.buf, chunk);
      this.run();
      cb();
    } catch (e) {
      cb(e as Error);
    }
  }

  override _flush(cb: TransformCallback): void {
    if (this.state !== 'done') return cb(new KizunaError('UPLOAD_INCOMPLETE', 'multipart body ended early'));
    if (!this.found) return cb(new KizunaError('UPLOAD_INCOMPLETE', 'no file part'));
    cb();
  }

  /**
   * `pending` + `chunk`. Outside a header block `pending` is shorter than the delimiter; a header
   * block (up to MAX_HEADER_BYTES) may trickle in byte by byte, so it is appended in place to a
   * doubling store instead of being copied whole for every chunk. The store is only written past
   * `pending`, and only while `pending` still starts at the store's start (nothing was pushed from it).
   */
  private join(pending: Buffer, chunk: Buffer): Buffer {
    const need = pending.length + chunk.length;
    const s = this.store;
    if (s && pending.buffer === s.buffer && pending.byteOffset === s.byteOffset && s.length >= need) {
      chunk.copy(s, pending.length);
      return s.subarray(0, need);
    }
    const next = Buffer.allocUnsafe(Math.max(need, 2 * pending.length, 256));
    pending.copy(next);
    chunk.copy(next, pending.length);
    this.store = next;
    return next.subarray(0, need);
  }

  private run(): void {
    for (;;) {
      switch (this.state) {
        case 'done':
          this.buf = Buffer.alloc(0);
          return;
        case 'preamble':
        case 'body': {
          const idx = this.buf.indexOf(this.delim);
          if (idx < 0) {
            const keep = Math.min(this.buf.length, this.delim.length - 1);
            const safe = this.buf.length - keep;
            if (this.state === 'body' && this.selected && safe > 0) this.push(this.buf.subarray(0, safe));
            this.buf = Buffer.from(this.buf.subarray(safe));
            return;
          }
          if (this.state === 'body' && this.selected) {
            if (idx > 0) this.push(this.buf.subarray(0, idx));
            this.found = true;
            this.selected = false;
          }
          this.buf = this.buf.subarray(idx + this.delim.length);
          this.state = 'afterDelim';
          break;
        }
        case 'afterDelim':
          if (this.buf.length < 2) return;
          if (this.buf[0] === 0x2d && this.buf[1] === 0x2d) {
            this.state = 'done';
          } else if (this.buf[0] === 0x0d && this.buf[1] === 0x0a) {
            this.buf = this.buf.subarray(2);
            this.state = 'headers';
            this.headerFrom = 0;
          } else {
            throw new KizunaError('UPLOAD_INCOMPLETE', 'malformed multipart boundary');
          }
          break;
        case 'headers': {
          const end = this.buf.indexOf(HEADER_END, this.headerFrom);
          // a part with no headers at all starts directly with CRLF
          const empty = this.buf.length >= 2 && this.buf[0] === 0x0d && this.buf[1] === 0x0a;
          if (end < 0 && !empty) {
            if (this.buf.length > MAX_HEADER_BYTES) throw new KizunaError('UPLOAD_INCOMPLETE', 'part headers too large');
            this.headerFrom = Math.max(0, this.buf.length - (HEADER_END.length - 1));
            return;
          }
          const h = empty ? {} : parseHeaders(this.buf.subarray(0, end).toString('utf8'));
          this.buf = this.buf.subarray(empty ? 2 : end + HEADER_END.length);
          const wanted = h.name !== undefined && this.fields.includes(h.name);
          if (!this.found && (wanted || (h.filename !== undefined && this.part === undefined))) {
            this.onPart(h); // may throw (e.g. a bad file name): the whole upload fails
            this.part = h;
            this.selected = true;
          }
          this.state = 'body';
          break;
        }
      }
    }
  }
}
