import { KizunaError } from '../util/errors.js';
import { StreamFramer, type FramerOptions } from './stream-framer.js';

/**
 * Splits an XML CoT stream ("protocol version 0") into `<event>…</event>` byte slices.
 *
 * - Works on bytes: UTF-8 is decoded only by the parser, once per complete event.
 * - Between events it skips whitespace, a UTF-8 BOM, `<?…?>` (declarations and other processing
 *   instructions), comments and the `<auth>…</auth>` preamble (handed to `onAuth`).
 * - Each scan resumes where the previous chunk's scan stopped (never re-scans an event).
 * - Resync: if a new `<event` start appears before the current event's `</event>` (e.g. an end tag
 *   written as `<\n/event>`), the broken bytes are emitted on their own (the parser rejects them
 *   with COT_PARSE) and framing continues with the next event, so later events are not lost.
 * - Fatal, thrown from the iterator, framer stays failed (the server drops the client):
 *   an event/preamble above `maxEventBytes` ⇒ COT_TOO_LARGE; `<!DOCTYPE`/`<!ENTITY`/other `<!`
 *   declarations between events ⇒ COT_FORBIDDEN_XML; bytes that are not `<` (e.g. a 0xBF protobuf
 *   header) or an unknown top-level element ⇒ FRAME_INVALID.
 */

export interface XmlFramerOptions extends FramerOptions {
  /** Receives each `<auth>…</auth>` preamble (docs/tak-protocol.md §2.3); it is never emitted as an event. */
  onAuth?: (raw: Buffer) => void;
}

const EVENT_OPEN = Buffer.from('<event');
const EVENT_END = Buffer.from('</event>');
const AUTH_OPEN = Buffer.from('<auth');
const AUTH_END = Buffer.from('</auth>');
const PI_END = Buffer.from('?>');
const COMMENT_END = Buffer.from('-->');

const enum Mode {
  Between,
  Event,
  Instruction,
  Comment,
  Auth,
}

const isWs = (b: number | undefined): boolean => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
const isNameDelimiter = (b: number | undefined): boolean => isWs(b) || b === 0x3e /* > */ || b === 0x2f; /* / */

/** 1 = `lit` + delimiter at 0, 0 = no, -1 = not enough bytes to tell. */
function startsWithName(v: Buffer, lit: Buffer): 1 | 0 | -1 {
  const n = Math.min(v.length, lit.length);
  for (let i = 0; i < n; i++) if (v[i] !== lit[i]) return 0;
  if (v.length <= lit.length) return -1;
  return isNameDelimiter(v[lit.length]) ? 1 : 0;
}

export class XmlEventFramer extends StreamFramer {
  private readonly onAuth: ((raw: Buffer) => void) | undefined;
  private mode = Mode.Between;
  /** Offset (from the start of pending bytes) where the terminator search resumes. */
  private scanFrom = 0;
  /** Offset where the search for a nested `<event` start resumes (Mode.Event). */
  private nestFrom = 0;

  /**
   * Each push returns a lazy iterator over complete events. An event is consumed when it is yielded; if the
   * consumer stops iterating (e.g. after t-x-takp-q, to switch to protobuf), the rest stays buffered for
   * `takeRemainder()` or the next push.
   */
  constructor(opts: XmlFramerOptions = {}) {
    super(opts);
    this.onAuth = opts.onAuth;
  }

  /** Bytes not yet returned as events (the protobuf switch hands these over); resets the framer. */
  override takeRemainder(): Buffer {
    this.mode = Mode.Between;
    return super.takeRemainder();
  }

  protected *drain(): Generator<Buffer, void, undefined> {
    try {
      for (;;) {
        const v = this.q.view();
        if (v.length === 0) return;
        if (this.mode === Mode.Between) {
          if (!this.classify(v)) return;
          continue;
        }
        if (this.mode === Mode.Event) {
          const ev = this.scanEvent(v);
          if (ev === undefined) return;
          yield ev;
          continue;
        }
        const term = this.mode === Mode.Instruction ? PI_END : this.mode === Mode.Comment ? COMMENT_END : AUTH_END;
        const at = v.indexOf(term, this.scanFrom);
        if (at === -1) {
          this.checkPendingSize(v.length);
          this.scanFrom = Math.max(this.scanFrom, v.length - term.length + 1);
          return;
        }
        const end = at + term.length;
        if (end > this.max) throw new KizunaError('COT_TOO_LARGE', `preamble of ${end} bytes`);
        if (this.mode === Mode.Auth && this.onAuth) this.onAuth(this.q.take(0, end));
        this.q.consume(end);
        this.mode = Mode.Between;
      }
    } catch (err) {
      if (err instanceof KizunaError) this.failed = err;
      throw err;
    }
  }

  /** Skips inter-event bytes and picks the next mode; false when more bytes are needed. */
  private classify(v: Buffer): boolean {
    let i = 0;
    while (i < v.length && isWs(v[i])) i++;
    if (i > 0) {
      this.q.consume(i);
      return true; // re-read the view
    }
    const b = v[0];
    if (b === 0xef) {
      // UTF-8 BOM (EF BB BF), written by some .NET senders.
      if (v.length < 3) return false;
      if (v[1] !== 0xbb || v[2] !== 0xbf) throw new KizunaError('FRAME_INVALID', 'unexpected bytes between events');
      this.q.consume(3);
      return true;
    }
    if (b !== 0x3c /* < */) {
      const what = b === 0xbf ? 'protobuf frame on an XML stream' : `unexpected byte 0x${b!.toString(16)} between events`;
      throw new KizunaError('FRAME_INVALID', what);
    }
    if (v.length < 2) return false;
    const c = v[1];
    if (c === 0x3f /* ? */) return this.enter(Mode.Instruction, 2);
    if (c === 0x21 /* ! */) {
      if (v.length < 4) return false;
      if (v[2] === 0x2d && v[3] === 0x2d) return this.enter(Mode.Comment, 4);
      throw new KizunaError('COT_FORBIDDEN_XML', 'markup declaration in the stream');
    }
    const isEvent = startsWithName(v, EVENT_OPEN);
    if (isEvent === 1) {
      this.nestFrom = 1;
      return this.enter(Mode.Event, EVENT_OPEN.length);
    }
    const isAuth = startsWithName(v, AUTH_OPEN);
    if (isAuth === 1) return this.enter(Mode.Auth, AUTH_OPEN.length);
    if (isEvent === -1 || isAuth === -1) return false;
    throw new KizunaError('FRAME_INVALID', 'unexpected top-level element');
  }

  private enter(mode: Mode, scanFrom: number): true {
    this.mode = mode;
    this.scanFrom = scanFrom;
    return true;
  }

  /** Returns the next complete (or resync-cut) event, or undefined when more bytes are needed. */
  private scanEvent(v: Buffer): Buffer | undefined {
    const end = v.indexOf(EVENT_END, this.scanFrom);
    const region = end === -1 ? v : v.subarray(0, end);
    let nest = region.indexOf(EVENT_OPEN, this.nestFrom);
    while (nest !== -1) {
      const after = nest + EVENT_OPEN.length;
      if (after >= v.length) break; // cannot tell yet; re-check from here next time
      if (isNameDelimiter(v[after])) {
        // A new event starts before this one ended: emit the broken bytes alone.
        if (nest > this.max) throw new KizunaError('COT_TOO_LARGE', `event of more than ${this.max} bytes`);
        const broken = this.q.take(0, nest);
        this.q.consume(nest);
        this.scanFrom = EVENT_OPEN.length;
        this.nestFrom = 1;
        return broken;
      }
      nest = region.indexOf(EVENT_OPEN, nest + 1);
    }
    if (end === -1) {
      // Only this event's bytes count, decided the same however the stream was split: an undecided
      // `<event` at the end may start the next event, and one may still begin in the last few bytes.
      if (nest !== -1) this.checkPendingSize(nest);
      else if (v.length > this.max + EVENT_OPEN.length) this.checkPendingSize(v.length);
      this.scanFrom = Math.max(this.scanFrom, v.length - EVENT_END.length + 1);
      this.nestFrom = nest !== -1 ? nest : Math.max(this.nestFrom, v.length - EVENT_OPEN.length + 1);
      return undefined;
    }
    const frameEnd = end + EVENT_END.length;
    if (frameEnd > this.max) throw new KizunaError('COT_TOO_LARGE', `event of ${frameEnd} bytes > ${this.max}`);
    const frame = this.q.take(0, frameEnd);
    this.q.consume(frameEnd);
    this.mode = Mode.Between;
    return frame;
  }

  private checkPendingSize(pending: number): void {
    if (pending > this.max) throw new KizunaError('COT_TOO_LARGE', `more than ${this.max} bytes without an end`);
  }
}

