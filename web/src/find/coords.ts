/**
 * Positions shown and typed in the three forms operators use: decimal degrees, degrees-minutes-seconds and
 * MGRS (the `mgrs` package does the UTM/MGRS maths). Pure (no DOM): unit-tested with round trips.
 */
import { forward as mgrsForward, toPoint as mgrsToPoint } from 'mgrs';

/** dm: degrees and decimal minutes, the chart convention and the default */
export type CoordFormat = 'dm' | 'dd' | 'dms' | 'mgrs';
export const COORD_FORMATS: readonly CoordFormat[] = ['dm', 'dd', 'dms', 'mgrs'];

export interface LatLon {
  lat: number;
  lon: number;
}

/** 35.658100, 139.741400 */
export function formatDD(p: LatLon): string {
  return `${p.lat.toFixed(6)}, ${p.lon.toFixed(6)}`;
}

/** 35°39.487′N 139°44.726′E */
export function formatDM(p: LatLon): string {
  const part = (v: number, pos: string, neg: string, width: number): string => {
    const thousandths = Math.round(Math.abs(v) * 60_000);
    const d = Math.floor(thousandths / 60_000);
    const m = (thousandths % 60_000) / 1000;
    return `${String(d).padStart(width, '0')}°${m.toFixed(3).padStart(6, '0')}′${v >= 0 ? pos : neg}`;
  };
  return `${part(p.lat, 'N', 'S', 2)} ${part(p.lon, 'E', 'W', 3)}`;
}

/** 35°39′29.2″N 139°44′29.0″E (seconds to 0.1″, about 3 m) */
export function formatDMS(p: LatLon): string {
  const part = (v: number, pos: string, neg: string, width: number): string => {
    // round once in tenths of a second so 59.96″ carries into the minute instead of showing 60.0″
    const tenths = Math.round(Math.abs(v) * 36000);
    const d = Math.floor(tenths / 36000);
    const m = Math.floor((tenths % 36000) / 600);
    const s = (tenths % 600) / 10;
    return `${String(d).padStart(width, '0')}°${String(m).padStart(2, '0')}′${s.toFixed(1).padStart(4, '0')}″${v >= 0 ? pos : neg}`;
  };
  return `${part(p.lat, 'N', 'S', 2)} ${part(p.lon, 'E', 'W', 3)}`;
}

/** 54S UE 86021 46765 (1 m); MGRS does not cover the poles (beyond 84°N / 80°S): DD there. */
export function formatMGRS(p: LatLon): string {
  if (p.lat > 84 || p.lat < -80) return formatDD(p);
  const raw = mgrsForward([p.lon, p.lat], 5);
  const m = /^(\d{1,2}[C-X])([A-Z]{2})(\d*)$/.exec(raw);
  if (!m) return raw;
  const digits = m[3]!;
  const half = digits.length / 2;
  return `${m[1]} ${m[2]} ${digits.slice(0, half)} ${digits.slice(half)}`;
}

export function formatCoord(p: LatLon, f: CoordFormat): string {
  return f === 'mgrs' ? formatMGRS(p) : f === 'dms' ? formatDMS(p) : f === 'dd' ? formatDD(p) : formatDM(p);
}

function inRange(p: LatLon): LatLon | undefined {
  return Number.isFinite(p.lat) && Number.isFinite(p.lon) && Math.abs(p.lat) <= 90 && Math.abs(p.lon) <= 180 ? p : undefined;
}

/** One DMS/DM/D component with a hemisphere letter before or after: 35°39′29.2″N, N35 39 29.2, 139.5E */
function parseDmsPart(s: string): { value: number; axis: 'lat' | 'lon' } | undefined {
  const m = /^([NSEW])?\s*(\d{1,3}(?:\.\d+)?)(?:[°\s:]+(\d{1,2}(?:\.\d+)?))?(?:[′'\s:]+(\d{1,2}(?:\.\d+)?))?[′'″"\s]*([NSEW])?$/i.exec(s.trim());
  if (!m) return undefined;
  const hemi = (m[1] ?? m[5])?.toUpperCase();
  if (!hemi || (m[1] && m[5])) return undefined;
  const min = m[3] ? Number(m[3]) : 0;
  const sec = m[4] ? Number(m[4]) : 0;
  if (min >= 60 || sec >= 60) return undefined;
  const abs = Number(m[2]) + min / 60 + sec / 3600;
  return { value: hemi === 'S' || hemi === 'W' ? -abs : abs, axis: hemi === 'N' || hemi === 'S' ? 'lat' : 'lon' };
}

/**
 * Reads a typed position: "35.6581, 139.7414" (lat, lon), "35°39′29″N 139°44′29″E" (also with ' and "
 * or spaces), or MGRS "54SUE8602146765" / "54S UE 86021 46765". Undefined when it is none of them.
 */
export function parseCoord(text: string): LatLon | undefined {
  const s = text.trim();
  if (!s) return undefined;
  const compact = s.replace(/\s+/g, '').toUpperCase();
  if (/^\d{1,2}[C-X][A-Z]{2}(\d{2}){0,5}$/.test(compact)) {
    try {
      const [lon, lat] = mgrsToPoint(compact);
      return inRange({ lat, lon });
    } catch {
      return undefined;
    }
  }
  const dd = /^([+-]?\d{1,2}(?:\.\d+)?)\s*[,\s]\s*([+-]?\d{1,3}(?:\.\d+)?)$/.exec(s);
  if (dd) return inRange({ lat: Number(dd[1]), lon: Number(dd[2]) });
  // two hemisphere-marked parts: split after the first hemisphere letter that ends a part or before one that starts the second
  const split = /^(.*?[NS])\s*,?\s*([EW].*|\d.*[EW])$/i.exec(s) ?? /^([NS].*?)\s*,?\s*([EW].*)$/i.exec(s);
  if (!split) return undefined;
  const a = parseDmsPart(split[1]!);
  const b = parseDmsPart(split[2]!);
  if (!a || !b || a.axis !== 'lat' || b.axis !== 'lon') return undefined;
  return inRange({ lat: a.value, lon: b.value });
}
