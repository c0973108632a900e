/**
 * AIS message decoder (ITU-R M.1371) for the types a picture needs: 1/2/3 and 18 (position), 19 (class
 * B extended), 5 and 24 (static and voyage data), 21 (aids to navigation) and 27 (long-range position).
 * Field layout after the gpsd AIVDM/AIVDO protocol description; checked against published sentences and
 * their decoded values in ais.test.ts. Other types decode to undefined (not an error: they carry nothing
 * for the picture).
 */
import type { AisPayload } from './nmea.js';

export interface AisPosition {
  kind: 'position';
  msgType: number;
  mmsi: number;
  /** degrees; undefined when the sender says "not available" */
  lat?: number;
  lon?: number;
  /** knots */
  speed?: number;
  /** degrees true */
  course?: number;
  heading?: number;
  navStatus?: number;
  accuracy: boolean;
  /** type 19 carries static data with the position */
  name?: string;
  shipType?: number;
  dims?: Dimensions;
}

export interface Dimensions {
  toBow: number;
  toStern: number;
  toPort: number;
  toStarboard: number;
}

export interface AisStatic {
  kind: 'static';
  msgType: number;
  mmsi: number;
  name?: string;
  callsign?: string;
  imo?: number;
  shipType?: number;
  dims?: Dimensions;
  destination?: string;
  draught?: number;
  /** type 24 part B of an auxiliary craft (MMSI 98XXXYYYY): its mothership, sent where others send dimensions */
  mothership?: number;
}

export interface AisAidToNavigation {
  kind: 'aton';
  msgType: 21;
  mmsi: number;
  aidType: number;
  name: string;
  lat?: number;
  lon?: number;
  accuracy: boolean;
  virtual: boolean;
  offPosition: boolean;
  dims: Dimensions;
}

export type AisMessage = AisPosition | AisStatic | AisAidToNavigation;

/** The shortest payload (bits) each type is decoded from; shorter ones are malformed. */
const MIN_BITS: Record<number, number> = { 1: 168, 2: 168, 3: 168, 5: 420, 18: 168, 19: 312, 21: 260, 24: 160, 27: 96 };

/**
 * Six-bit values of an armoured payload; reads past the end (and the fill bits) give 0 bits. A field is read
 * a character (6 bits) at a time: at most 6 steps for a 30-bit MMSI, not 30.
 */
export class Bits {
  readonly length: number;
  private readonly v: Uint8Array;

  constructor(payload: string, fillBits: number) {
    this.v = new Uint8Array(payload.length);
    for (let i = 0; i < payload.length; i++) {
      let c = payload.charCodeAt(i) - 48;
      if (c > 40) c -= 8;
      this.v[i] = c;
    }
    this.length = payload.length * 6 - fillBits;
  }

  uint(start: number, len: number): number {
    const end = start + len;
    // bits at or past `length` read as 0 (fields of a short part, the fill bits)
    const last = end < this.length ? end : this.length;
    let out = 0;
    let b = start;
    while (b < last) {
      const ci = (b / 6) | 0;
      const off = b - ci * 6;
      const stop = Math.min(ci * 6 + 6, last);
      const take = stop - b;
      // the `take` bits of character ci from bit `off` (bit 0 = its most significant)
      const chunk = (this.v[ci]! >> (6 - off - take)) & ((1 << take) - 1);
      out = out * (1 << take) + chunk;
      b = stop;
    }
    // a field running past the end: its missing low bits are zeros
    return b < end ? out * 2 ** (end - b) : out;
  }

  int(start: number, len: number): number {
    const u = this.uint(start, len);
    return u >= 2 ** (len - 1) ? u - 2 ** len : u;
  }

  bool(start: number): boolean {
    return this.uint(start, 1) === 1;
  }

  /** six-bit ASCII; '@' ends the text, padding spaces are cut (as gpsd and pyais do) */
  text(start: number, chars: number): string {
    let s = '';
    for (let i = 0; i < chars; i++) {
      const c = this.uint(start + i * 6, 6);
      if (c === 0) break;
      s += String.fromCharCode(c < 32 ? c + 64 : c);
    }
    return s.trim();
  }
}

const SCALE = 600_000;
function lonOf(raw: number, scale = SCALE): number | undefined {
  const v = raw / scale;
  return v >= -180 && v <= 180 ? v : undefined;
}
function latOf(raw: number, scale = SCALE): number | undefined {
  const v = raw / scale;
  return v >= -90 && v <= 90 ? v : undefined;
}
const speedOf = (raw: number): number | undefined => (raw === 1023 ? undefined : raw / 10);
const courseOf = (raw: number): number | undefined => (raw >= 3600 ? undefined : raw / 10);
const headingOf = (raw: number): number | undefined => (raw === 511 || raw > 359 ? undefined : raw);
const nonEmpty = (s: string): string | undefined => (s === '' ? undefined : s);

function dims(b: Bits, at: number): Dimensions {
  return { toBow: b.uint(at, 9), toStern: b.uint(at + 9, 9), toPort: b.uint(at + 18, 6), toStarboard: b.uint(at + 24, 6) };
}

/**
 * A message's fields as a table: the key, how it is read, and whether "not available" (undefined) leaves
 * the key out (`OMIT`) or sets it to undefined (the position fields, as the feed merges them).
 */
const OMIT = true;
type Field<T> = { [K in keyof T]-?: readonly [K, (b: Bits) => T[K], omitUndefined?: boolean] }[keyof T];

function readFields<T>(b: Bits, out: T, fields: readonly Field<T>[]): T {
  for (const [key, read, omit] of fields) {
    const v = read(b);
    if (v !== undefined || !omit) out[key] = v;
  }
  return out;
}

const uint = (at: number, bits: number) => (b: Bits) => b.uint(at, bits);
const uintAs = <V>(at: number, bits: number, as: (raw: number) => V) => (b: Bits) => as(b.uint(at, bits));
const intAs = <V>(at: number, bits: number, as: (raw: number) => V) => (b: Bits) => as(b.int(at, bits));
const flag = (at: number) => (b: Bits) => b.bool(at);
const text = (at: number, chars: number) => (b: Bits) => nonEmpty(b.text(at, chars));
const dimsAt = (at: number) => (b: Bits) => dims(b, at);
const unless = (na: number, scale = 1) => (raw: number) => (raw === na ? undefined : raw / scale);

/**
 * Speed, accuracy, lon, lat, course and heading: one block in class A (from bit 50) and class B (from 46).
 * Written out rather than read from a table: it is nearly every sentence of a receiver's stream.
 */
function motion(b: Bits, t: number, mmsi: number, at: number): AisPosition {
  return {
    kind: 'position',
    msgType: t,
    mmsi,
    speed: speedOf(b.uint(at, 10)),
    accuracy: b.bool(at + 10),
    lon: lonOf(b.int(at + 11, 28)),
    lat: latOf(b.int(at + 39, 27)),
    course: courseOf(b.uint(at + 66, 12)),
    heading: headingOf(b.uint(at + 78, 9)),
  };
}

function classA(b: Bits, t: number, mmsi: number): AisPosition {
  const p = motion(b, t, mmsi, 50);
  p.navStatus = b.uint(38, 4);
  return p;
}

const CLASS_B_EXTENDED: readonly Field<AisPosition>[] = [['name', text(143, 20), OMIT], ['shipType', uint(263, 8)], ['dims', dimsAt(271)]];
const STATIC_VOYAGE: readonly Field<AisStatic>[] = [
  ['imo', uintAs(40, 30, unless(0)), OMIT],
  ['callsign', text(70, 7), OMIT],
  ['name', text(112, 20), OMIT],
  ['shipType', uint(232, 8)],
  ['dims', dimsAt(240)],
  ['draught', uintAs(294, 8, unless(0, 10)), OMIT],
  ['destination', text(302, 20), OMIT],
];
const STATIC_B_A: readonly Field<AisStatic>[] = [['name', text(40, 20), OMIT]];
/** Part B's dimension bits are read apart: an auxiliary craft sends its mothership's MMSI there. */
const STATIC_B_B: readonly Field<AisStatic>[] = [['shipType', uint(40, 8)], ['callsign', text(90, 7), OMIT]];
const AID_TO_NAVIGATION: readonly Field<AisAidToNavigation>[] = [
  ['aidType', uint(38, 5)],
  ['accuracy', flag(163)],
  ['lon', intAs(164, 28, lonOf)],
  ['lat', intAs(192, 27, latOf)],
  ['dims', dimsAt(219)],
  ['offPosition', flag(259)],
  ['virtual', flag(269)],
];
const LONG_RANGE: readonly Field<AisPosition>[] = [
  ['accuracy', flag(38)],
  ['navStatus', uint(40, 4)],
  ['lon', intAs(44, 18, (raw) => lonOf(raw, 600))],
  ['lat', intAs(62, 17, (raw) => latOf(raw, 600))],
  ['speed', uintAs(79, 6, unless(63)), OMIT],
  ['course', uintAs(85, 9, unless(511)), OMIT],
];

function staticB(b: Bits, mmsi: number): AisStatic | undefined {
  const part = b.uint(38, 2);
  if (part === 0) return readFields<AisStatic>(b, { kind: 'static', msgType: 24, mmsi }, STATIC_B_A);
  if (part !== 1 || b.length < 168) return undefined;
  const m = readFields<AisStatic>(b, { kind: 'static', msgType: 24, mmsi }, STATIC_B_B);
  // an auxiliary craft (a ship's boat) sends its mothership's MMSI in the dimension bits (ITU-R M.1371 table 76)
  if (Math.floor(mmsi / 10_000_000) === 98) m.mothership = b.uint(132, 30);
  else m.dims = dims(b, 132);
  return m;
}

function aidToNavigation(b: Bits, mmsi: number): AisAidToNavigation {
  // the name continues in an optional extension of up to 14 characters after bit 272
  const extChars = Math.min(14, Math.floor(Math.max(0, b.length - 272) / 6));
  const name = (b.text(43, 20) + (extChars ? b.text(272, extChars) : '')).trimEnd();
  const zero = { toBow: 0, toStern: 0, toPort: 0, toStarboard: 0 };
  return readFields<AisAidToNavigation>(b, { kind: 'aton', msgType: 21, mmsi, aidType: 0, name, accuracy: false, virtual: false, offPosition: false, dims: zero }, AID_TO_NAVIGATION);
}

export type DecodeResult = { ok: true; message: AisMessage | undefined } | { ok: false; reason: 'short' };

/** Decodes one complete payload. `message` is undefined for types the picture does not use. */
export function decodeAis(p: AisPayload): DecodeResult {
  const b = new Bits(p.payload, p.fillBits);
  const t = b.uint(0, 6);
  const min = MIN_BITS[t];
  if (min === undefined) return { ok: true, message: undefined };
  if (b.length < min) return { ok: false, reason: 'short' };
  const mmsi = b.uint(8, 30);
  switch (t) {
    case 1:
    case 2:
    case 3:
      return { ok: true, message: classA(b, t, mmsi) };
    case 5:
      return { ok: true, message: readFields<AisStatic>(b, { kind: 'static', msgType: 5, mmsi }, STATIC_VOYAGE) };
    case 18:
      return { ok: true, message: motion(b, t, mmsi, 46) };
    case 19:
      return { ok: true, message: readFields(b, motion(b, t, mmsi, 46), CLASS_B_EXTENDED) };
    case 21:
      return { ok: true, message: aidToNavigation(b, mmsi) };
    case 24:
      return { ok: true, message: staticB(b, mmsi) };
    default:
      return { ok: true, message: readFields<AisPosition>(b, { kind: 'position', msgType: 27, mmsi, accuracy: false }, LONG_RANGE) };
  }
}
