/** What the COP remembers on this browser (localStorage): map view, display options, theme, panel state. */
import type { CoordFormat } from './coords.js';

export interface MapViewState {
  lng: number;
  lat: number;
  zoom: number;
  bearing: number;
}
export interface CopPrefs {
  view?: MapViewState;
  labels: boolean;
  coords: CoordFormat;
  theme: 'dark' | 'light';
  /** filter values switched off, per axis (FiltersPanel keeps exclusions) */
  excluded?: Record<'aff' | 'origin' | 'dim', string[]>;
  panels?: Record<string, boolean>;
  units: 'nm' | 'km';
}

const KEY = 'kizuna.cop';
const DEFAULTS: CopPrefs = { labels: false, coords: 'dm', theme: 'dark', units: 'nm' };

function finite(...v: unknown[]): boolean {
  return v.every((x) => typeof x === 'number' && Number.isFinite(x));
}

/** Reads the stored prefs; anything malformed falls back to the default for that field. */
export function loadCopPrefs(): CopPrefs {
  let raw: Partial<CopPrefs> = {};
  try {
    raw = JSON.parse(localStorage.getItem(KEY) ?? '{}') as Partial<CopPrefs>;
  } catch {
    raw = {};
  }
  const v = raw.view;
  const ok = v && finite(v.lng, v.lat, v.zoom, v.bearing) && Math.abs(v.lat) <= 85 && Math.abs(v.lng) <= 180 && v.zoom >= 0 && v.zoom <= 22;
  const ex = raw.excluded;
  const exOk = ex && ['aff', 'origin', 'dim'].every((k) => Array.isArray((ex as Record<string, unknown>)[k]) && ((ex as Record<string, unknown[]>)[k] ?? []).every((s) => typeof s === 'string'));
  return {
    ...(ok ? { view: v } : {}),
    labels: typeof raw.labels === 'boolean' ? raw.labels : DEFAULTS.labels,
    coords: raw.coords === 'dms' || raw.coords === 'mgrs' || raw.coords === 'dd' || raw.coords === 'dm' ? raw.coords : DEFAULTS.coords,
    theme: raw.theme === 'light' ? 'light' : 'dark',
    ...(exOk ? { excluded: ex } : {}),
    ...(raw.panels && typeof raw.panels === 'object' ? { panels: raw.panels } : {}),
    units: raw.units === 'km' ? 'km' : 'nm',
  };
}

export function saveCopPrefs(change: Partial<CopPrefs>): CopPrefs {
  const next = { ...loadCopPrefs(), ...change };
  try {
    localStorage.setItem(KEY, JSON.stringify(next));
  } catch {
    /* storage disabled: holds for this page only */
  }
  return next;
}
