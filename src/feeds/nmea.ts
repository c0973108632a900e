/**
 * NMEA 0183 AIS sentence framing (`!AIVDM` / `!AIVDO`, any talker): checksum, fields, and reassembly of
 * multi-part messages. Pure and allocation-light; nothing here throws on bad input — a sentence that is
 * not acceptable comes back as a reason, so a feed can count it and go on.
 */

/** Longest line accepted (NMEA says 82; real receivers send longer, tag blocks add more). */
export const MAX_LINE_CHARS = 1024;

export interface AisSentence {
  /** VDM (received) or VDO (own ship) */
  own: boolean;
  count: number;
  index: number;
  /** sequential message id ('' for single-part sentences) */
  seqId: string;
  channel: string;
  payload: string;
  fillBits: number;
}

export type SentenceResult = { ok: true; sentence: AisSentence } | { ok: false; reason: 'checksum' | 'format' | 'not-ais' };

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/**
 * Parses one line. A leading NMEA 4.0 tag block (`\s:rx,c:123*hh\`) and anything after the checksum
 * (some receivers append signal data) are ignored. Lines that are not AIS sentences (`$GPGGA`, blank
 * lines) answer 'not-ais' so a mixed receiver stream is not counted as errors.
 */
export function parseAisSentence(line: string): SentenceResult {
  let start = line.indexOf('!');
  if (start < 0) return { ok: false, reason: line.trim() === '' || line.includes('$') ? 'not-ais' : 'format' };
  if (line.length > MAX_LINE_CHARS) return { ok: false, reason: 'format' };
  const star = line.indexOf('*', start);
  if (star < 0 || star + 3 > line.length) return { ok: false, reason: 'format' };
  const hi = hexVal(line.charCodeAt(star + 1));
  const lo = hexVal(line.charCodeAt(star + 2));
  if (hi < 0 || lo < 0) return { ok: false, reason: 'format' };
  let sum = 0;
  for (let i = start + 1; i < star; i++) sum ^= line.charCodeAt(i);
  if (sum !== hi * 16 + lo) return { ok: false, reason: 'checksum' };
  // talker (2) + VDM/VDO
  const head = line.slice(start + 3, start + 6);
  if (head !== 'VDM' && head !== 'VDO') return { ok: false, reason: 'not-ais' };
  start += 7;
  const f = line.slice(start, star).split(',');
  if (f.length !== 6) return { ok: false, reason: 'format' };
  const count = Number(f[0]);
  const index = Number(f[1]);
  const fillBits = Number(f[5]);
  if (!(count >= 1 && count <= 9 && index >= 1 && index <= count && fillBits >= 0 && fillBits <= 5)) return { ok: false, reason: 'format' };
  if (f[0]!.length !== 1 || f[1]!.length !== 1 || f[5]!.length !== 1 || f[2]!.length > 1) return { ok: false, reason: 'format' };
  const payload = f[4]!;
  if (payload.length === 0 || !validArmour(payload)) return { ok: false, reason: 'format' };
  return { ok: true, sentence: { own: head === 'VDO', count, index, seqId: f[2]!, channel: f[3]!, payload, fillBits } };
}

function validArmour(p: string): boolean {
  for (let i = 0; i < p.length; i++) {
    const c = p.charCodeAt(i);
    if (c < 48 || c > 119 || (c > 87 && c < 96)) return false;
  }
  return true;
}

/** One complete AIS message: the joined payload of all its parts. */
export interface AisPayload {
  payload: string;
  fillBits: number;
  own: boolean;
}

/**
 * Joins multi-part messages. Parts are keyed by sender (UDP address, TCP connection), channel and sequence
 * id and may arrive in any order, so one sender's fragments are never completed by another's; a message
 * whose first part is older than `maxAgeMs` is dropped (its sequence id has come round again with other
 * content). At most `maxPending` messages wait for their parts (the oldest is dropped when a new one
 * starts), so a stream of first parts that never complete cannot grow memory; one host holds at most a
 * quarter of them, so its stream of first parts drops its own, not another receiver's.
 */
export class MultipartAssembler {
  private pending = new Map<string, { parts: (string | undefined)[]; got: number; fill: number; own: boolean; at: number; host: string }>();
  /** incomplete messages per sending host: one host (whatever its ports) holds at most a quarter of the slots */
  private perHost = new Map<string, number>();
  /** messages dropped incomplete (evicted, superseded or too old) */
  dropped = 0;

  constructor(
    private readonly maxPending = 64,
    /** the parts of one message follow each other within a slot or two; 5 s is far beyond that */
    private readonly maxAgeMs = 5_000,
    private readonly now: () => number = Date.now,
  ) {}

  push(s: AisSentence, source = ''): AisPayload | undefined {
    if (s.count === 1) return { payload: s.payload, fillBits: s.fillBits, own: s.own };
    const key = `${source}|${s.channel}|${s.seqId}|${s.count}`;
    const now = this.now();
    let p = this.pending.get(key);
    if (p && now - p.at > this.maxAgeMs) {
      this.forget(key);
      this.dropped++;
      p = undefined;
    }
    if (!p) {
      const host = source.slice(0, Math.max(0, source.lastIndexOf(':')));
      // (a feed with one sender, a tcp-client, names none: it has every slot)
      if (source !== '' && (this.perHost.get(host) ?? 0) >= Math.max(1, this.maxPending >> 2)) this.evictOldest((h) => h === host);
      else if (this.pending.size >= this.maxPending) this.evictOldest(() => true);
      p = { parts: new Array<string | undefined>(s.count), got: 0, fill: 0, own: s.own, at: now, host };
      this.pending.set(key, p);
      this.perHost.set(host, (this.perHost.get(host) ?? 0) + 1);
    }
    if (p.parts[s.index - 1] !== undefined) {
      // the same part again: a new message re-used the sequence id before the old one completed
      this.dropped++;
      p.parts = new Array<string | undefined>(s.count);
      p.got = 0;
      p.at = now;
    }
    p.parts[s.index - 1] = s.payload;
    p.got++;
    if (s.index === s.count) p.fill = s.fillBits;
    if (p.got < s.count) return undefined;
    this.forget(key);
    return { payload: p.parts.join(''), fillBits: p.fill, own: p.own };
  }

  private evictOldest(of: (host: string) => boolean): void {
    for (const [key, p] of this.pending) {
      if (!of(p.host)) continue;
      this.forget(key);
      this.dropped++;
      return;
    }
  }

  private forget(key: string): void {
    const p = this.pending.get(key);
    if (!p) return;
    this.pending.delete(key);
    const n = (this.perHost.get(p.host) ?? 1) - 1;
    if (n > 0) this.perHost.set(p.host, n);
    else this.perHost.delete(p.host);
  }

  get pendingCount(): number {
    return this.pending.size;
  }
}

/** NMEA checksum of the text between `!`/`$` and `*` (for writers: replay tools, tests). */
export function nmeaChecksum(body: string): string {
  let sum = 0;
  for (let i = 0; i < body.length; i++) sum ^= body.charCodeAt(i);
  return sum.toString(16).toUpperCase().padStart(2, '0');
}

