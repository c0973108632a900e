/** Shared display formatting (numbers, positions, times) in the current UI language. */
import { formatTime, getLang, localeFor, t } from './i18n.js';

export function locale(): string {
  return localeFor(getLang(), typeof navigator === 'undefined' ? [] : navigator.languages);
}

export function time(iso: string | undefined): { local: string; utc: string } {
  return formatTime(iso, locale());
}

/** "12 Mar 2025, 21:34:56 GMT+9 (2025-03-12 12:34:56Z)" */
export function timeBoth(iso: string | undefined): string {
  const f = time(iso);
  return f.local === '—' ? t('common.unknown') : `${f.local} (${f.utc})`;
}

export function num(v: number, digits: number): string {
  return new Intl.NumberFormat(locale(), { maximumFractionDigits: digits, minimumFractionDigits: digits }).format(v);
}

/** 35.123456 → 35°07.407′N */
export function latLon(lat: number, lon: number): string {
  const part = (v: number, pos: string, neg: string, width: number): string => {
    const a = Math.abs(v);
    const d = Math.floor(a);
    const m = (a - d) * 60;
    return `${String(d).padStart(width, '0')}°${m.toFixed(3).padStart(6, '0')}′${v >= 0 ? pos : neg}`;
  };
  return `${part(lat, 'N', 'S', 2)} ${part(lon, 'E', 'W', 3)}`;
}

export function speed(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return t('common.unknown');
  return t('unit.knots', { v: num(ms * 1.943844, 1), ms: num(ms, 1) });
}

export function course(deg: number | undefined): string {
  if (deg === undefined || !Number.isFinite(deg)) return t('common.unknown');
  return t('unit.deg', { v: String(Math.round(((deg % 360) + 360) % 360)).padStart(3, '0') });
}
