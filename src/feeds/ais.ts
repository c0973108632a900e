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

/** Six-bit values of an armoured payload; reads past the end give 0 bits. */
class Bits {
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
    let out = 0;
    for (let b = start; b < start + len; b++) {
      const bit = b < this.length ? (this.v[(b / 6) | 0]! >> (5 - (b % 6))) & 1 : 0;
      out = out * 2 + bit;
    }
    return out;
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

function classA(b: Bits, t: number, mmsi: number): AisPosition {
  return {
    kind: 'position',
    msgType: t,
    mmsi,
    navStatus: b.uint(38, 4),
    speed: speedOf(b.uint(50, 10)),
    accuracy: b.bool(60),
    lon: lonOf(b.int(61, 28)),
    lat: latOf(b.int(89, 27)),
    course: courseOf(b.uint(116, 12)),
    heading: headingOf(b.uint(128, 9)),
  };
}

function classB(b: Bits, t: number, mmsi: number): AisPosition {
  const p: AisPosition = {
    kind: 'position',
    msgType: t,
    mmsi,
    speed: speedOf(b.uint(46, 10)),
    accuracy: b.bool(56),
    lon: lonOf(b.int(57, 28)),
    lat: latOf(b.int(85, 27)),
    course: courseOf(b.uint(112, 12)),
    heading: headingOf(b.uint(124, 9)),
  };
  if (t === 19) {
    const name = nonEmpty(b.text(143, 20));
    if (name) p.name = name;
    p.shipType = b.uint(263, 8);
    p.dims = dims(b, 271);
  }
  return p;
}

function staticVoyage(b: Bits, mmsi: number): AisStatic {
  const imo = b.uint(40, 30);
  const draught = b.uint(294, 8);
  return {
    kind: 'static',
    msgType: 5,
    mmsi,
    ...(imo ? { imo } : {}),
    ...opt('callsign', nonEmpty(b.text(70, 7))),
    ...opt('name', nonEmpty(b.text(112, 20))),
    shipType: b.uint(232, 8),
    dims: dims(b, 240),
    ...(draught ? { draught: draught / 10 } : {}),
    ...opt('destination', nonEmpty(b.text(302, 20))),
  };
}

function staticB(b: Bits, mmsi: number): AisStatic | undefined {
  const part = b.uint(38, 2);
  if (part === 0) return { kind: 'static', msgType: 24, mmsi, ...opt('name', nonEmpty(b.text(40, 20))) };
  if (part !== 1 || b.length < 168) return undefined;
  const m: AisStatic = { kind: 'static', msgType: 24, mmsi, shipType: b.uint(40, 8), ...opt('callsign', nonEmpty(b.text(90, 7))) };
  // an auxiliary craft (a ship's boat) sends its mothership's MMSI in the dimension bits (ITU-R M.1371 table 76)
  if (Math.floor(mmsi / 10_000_000) === 98) m.mothership = b.uint(132, 30);
  else m.dims = dims(b, 132);
  return m;
}

function aidToNavigation(b: Bits, mmsi: number): AisAidToNavigation {
  // the name continues in an optional extension of up to 14 characters after bit 272
  const extChars = Math.min(14, Math.floor(Math.max(0, b.length - 272) / 6));
  return {
    kind: 'aton',
    msgType: 21,
    mmsi,
    aidType: b.uint(38, 5),
    name: (b.text(43, 20) + (extChars ? b.text(272, extChars) : '')).trimEnd(),
    accuracy: b.bool(163),
    lon: lonOf(b.int(164, 28)),
    lat: latOf(b.int(192, 27)),
    dims: dims(b, 219),
    offPosition: b.bool(259),
    virtual: b.bool(269),
  };
}

function longRange(b: Bits, mmsi: number): AisPosition {
  const speed = b.uint(79, 6);
  const course = b.uint(85, 9);
  return {
    kind: 'position',
    msgType: 27,
    mmsi,
    accuracy: b.bool(38),
    navStatus: b.uint(40, 4),
    lon: lonOf(b.int(44, 18), 600),
    lat: latOf(b.int(62, 17), 600),
    ...(speed === 63 ? {} : { speed }),
    ...(course === 511 ? {} : { course }),
  };
}

function opt<K extends string, V>(k: K, v: V | undefined): { [P in K]?: V } {
  return (v === undefined ? {} : { [k]: v }) as { [P in K]?: V };
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
      return { ok: true, message: staticVoyage(b, mmsi) };
    case 18:
    case 19:
      return { ok: true, message: classB(b, t, mmsi) };
    case 21:
      return { ok: true, message: aidToNavigation(b, mmsi) };
    case 24:
      return { ok: true, message: staticB(b, mmsi) };
    default:
      return { ok: true, message: longRange(b, mmsi) };
  }
}
