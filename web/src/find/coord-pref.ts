/** The coordinate format chosen on this browser, read wherever a position is shown. */
import { formatCoord, type CoordFormat } from './coords.js';
import { loadCopPrefs } from './view-prefs.js';

let current: CoordFormat = loadCopPrefs().coords;

export function coordFormat(): CoordFormat {
  return current;
}

export function setCoordFormat(f: CoordFormat): void {
  current = f;
}

export function formatPosition(lat: number, lon: number): string {
  return formatCoord({ lat, lon }, current);
}
