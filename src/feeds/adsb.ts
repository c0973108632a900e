/**
 * ADS-B inputs: SBS-1 BaseStation text (dump1090's port 30003) and dump1090's `aircraft.json`.
 * Both reduce to the same partial aircraft report; the track table merges partial reports per ICAO address
 * (SBS sends identity, position and velocity in separate lines). Pure; bad input answers a reason.
 */

export interface AircraftReport {
  /** 24-bit ICAO address, upper-case hex; '~' before it marks a non-ICAO (TIS-B) address */
  icao: string;
  callsign?: string;
  /** feet (barometric) */
  altitudeFt?: number;
  /** knots */
  speedKt?: number;
  /** degrees true */
  track?: number;
  lat?: number;
  lon?: number;
  squawk?: string;
  onGround?: boolean;
  /** dump1090 emitter category, e.g. A3, A7 (rotorcraft) */
  category?: string;
}

export type SbsResult = { ok: true; report: AircraftReport | undefined } | { ok: false; reason: 'format' };

const ICAO = /^[0-9A-Fa-f]{6}$/;
const SQUAWK = /^[0-7]{4}$/;
const MAX_SBS_LINE = 512;

function num(s: string | undefined): number | undefined {
  if (s === undefined || s.trim() === '') return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}

function inRange(v: number | undefined, lo: number, hi: number): number | undefined {
  return v !== undefined && v >= lo && v <= hi ? v : undefined;
}

/**
 * One SBS-1 line: `MSG,<1-8>,session,aircraft,HEXIDENT,flight,dateGen,timeGen,dateLog,timeLog,callsign,
 * altitude,groundSpeed,track,lat,lon,verticalRate,squawk,alert,emergency,spi,isOnGround`. Lines of other
 * kinds (SEL, ID, AIR, STA, CLK) carry nothing for the picture and answer `report: undefined`.
 */
export function parseSbsLine(line: string): SbsResult {
  if (line.length > MAX_SBS_LINE) return { ok: false, reason: 'format' };
  const f = line.trim().split(',');
  const kind = f[0];
  if (kind === 'SEL' || kind === 'ID' || kind === 'AIR' || kind === 'STA' || kind === 'CLK') return { ok: true, report: undefined };
  if (kind !== 'MSG' || f.length < 11) return { ok: false, reason: 'format' };
  const tt = Number(f[1]);
  const icao = f[4] ?? '';
  if (!(tt >= 1 && tt <= 8) || !ICAO.test(icao)) return { ok: false, reason: 'format' };
  const r: AircraftReport = { icao: icao.toUpperCase() };
  const cs = f[10]?.trim();
  if (cs) r.callsign = cs.slice(0, 16);
  set(r, 'altitudeFt', inRange(num(f[11]), -2000, 150_000));
  set(r, 'speedKt', inRange(num(f[12]), 0, 5000));
  set(r, 'track', inRange(num(f[13]), 0, 360));
  const lat = inRange(num(f[14]), -90, 90);
  const lon = inRange(num(f[15]), -180, 180);
  if (lat !== undefined && lon !== undefined) Object.assign(r, { lat, lon });
  const sq = f[17]?.trim();
  if (sq && SQUAWK.test(sq)) r.squawk = sq;
  const ground = f[21]?.trim();
  if (ground === '-1' || ground === '1') r.onGround = true;
  else if (ground === '0') r.onGround = false;
  return { ok: true, report: r };
}

function set<K extends keyof AircraftReport>(r: AircraftReport, k: K, v: AircraftReport[K] | undefined): void {
  if (v !== undefined) r[k] = v;
}

export interface AircraftJsonResult {
  reports: AircraftReport[];
  /** entries that were not aircraft objects with a valid hex address */
  errors: number;
  /** the document's own clock (seconds since the epoch), when present */
  now?: number;
}

/**
 * dump1090 / readsb `aircraft.json`: `{ now, messages, aircraft: [{ hex, flight, alt_baro|altitude,
 * gs|speed, track, lat, lon, squawk, category, seen, seen_pos }] }`. Aircraft not heard for more than
 * `maxSeenS` seconds are left out (dump1090 keeps them in the list for a while). Throws nothing: a
 * document of the wrong shape yields no reports and one error.
 */
export function parseAircraftJson(doc: unknown, maxSeenS = 60, maxAircraft = 20_000): AircraftJsonResult {
  if (!doc || typeof doc !== 'object' || !Array.isArray((doc as { aircraft?: unknown }).aircraft)) return { reports: [], errors: 1 };
  const d = doc as { now?: unknown; aircraft: unknown[] };
  const out: AircraftJsonResult = { reports: [], errors: 0 };
  if (typeof d.now === 'number') out.now = d.now;
  for (const a of d.aircraft.slice(0, maxAircraft)) {
    if (!a || typeof a !== 'object') {
      out.errors++;
      continue;
    }
    const o = a as Record<string, unknown>;
    const raw = typeof o.hex === 'string' ? o.hex : '';
    const hex = raw.replace(/^~/, '');
    if (!ICAO.test(hex)) {
      out.errors++;
      continue;
    }
    if (typeof o.seen === 'number' && o.seen > maxSeenS) continue;
    // readsb's '~' marks a non-ICAO address (TIS-B): the same hex may be a real aircraft's ICAO address
    const r: AircraftReport = { icao: (raw.startsWith('~') ? '~' : '') + hex.toUpperCase() };
    if (typeof o.flight === 'string' && o.flight.trim()) r.callsign = o.flight.trim().slice(0, 16);
    const alt = o.alt_baro ?? o.altitude;
    if (alt === 'ground') r.onGround = true;
    else set(r, 'altitudeFt', inRange(typeof alt === 'number' ? alt : undefined, -2000, 150_000));
    const gs = o.gs ?? o.speed;
    set(r, 'speedKt', inRange(typeof gs === 'number' ? gs : undefined, 0, 5000));
    set(r, 'track', inRange(typeof o.track === 'number' ? o.track : undefined, 0, 360));
    const fresh = typeof o.seen_pos !== 'number' || o.seen_pos <= maxSeenS;
    const lat = inRange(typeof o.lat === 'number' ? o.lat : undefined, -90, 90);
    const lon = inRange(typeof o.lon === 'number' ? o.lon : undefined, -180, 180);
    if (fresh && lat !== undefined && lon !== undefined) Object.assign(r, { lat, lon });
    if (typeof o.squawk === 'string' && SQUAWK.test(o.squawk)) r.squawk = o.squawk;
    if (typeof o.category === 'string' && /^[A-D][0-7]$/.test(o.category)) r.category = o.category;
    out.reports.push(r);
  }
  return out;
}

/** Squawk codes that mean an emergency: unlawful interference, radio failure, general emergency. */
export const EMERGENCY_SQUAWKS: Readonly<Record<string, string>> = {
  '7500': 'unlawful interference',
  '7600': 'radio failure',
  '7700': 'general emergency',
};
