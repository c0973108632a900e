/**
 * Web Mercator in MapLibre's unit square, and the affine map from it to screen pixels.
 * Pure (no DOM) so it is unit-tested. With pitch fixed at 0 (map-view.ts sets maxPitch 0) the
 * projection from Mercator to the screen is exactly affine (scale, rotation, translation), so the
 * track overlay projects a point with 4 multiplications instead of one map.project() call
 * (which allocates) per track and trail vertex per frame.
 */

/** MapLibre's clamp: beyond it Mercator y runs off to infinity. */
export const MAX_MERCATOR_LAT = 85.051129;

export function mercatorX(lon: number): number {
  return (180 + lon) / 360;
}

export function mercatorY(lat: number): number {
  const l = Math.max(-MAX_MERCATOR_LAT, Math.min(MAX_MERCATOR_LAT, lat));
  return (180 - (180 / Math.PI) * Math.log(Math.tan(Math.PI / 4 + (l * Math.PI) / 360))) / 360;
}

export function mercatorToLngLat(x: number, y: number): { lng: number; lat: number } {
  const y2 = 180 - y * 360;
  return { lng: x * 360 - 180, lat: (360 / Math.PI) * Math.atan(Math.exp((y2 * Math.PI) / 180)) - 90 };
}

/** screen = [a c; b d]·(mx, my) + (e, f), in whatever pixel unit the three samples were given in. */
export interface Affine {
  a: number;
  b: number;
  c: number;
  d: number;
  e: number;
  f: number;
}

/**
 * The affine transform through three samples: p0 = screen(m0), px = screen(m0 + (h, 0)),
 * py = screen(m0 + (0, h)). Exact for an affine projection.
 */
export function affineFromSamples(
  m0: { x: number; y: number },
  h: number,
  p0: { x: number; y: number },
  px: { x: number; y: number },
  py: { x: number; y: number },
): Affine {
  const a = (px.x - p0.x) / h;
  const b = (px.y - p0.y) / h;
  const c = (py.x - p0.x) / h;
  const d = (py.y - p0.y) / h;
  return { a, b, c, d, e: p0.x - a * m0.x - c * m0.y, f: p0.y - b * m0.x - d * m0.y };
}

export function sameAffine(p: Affine | undefined, q: Affine): boolean {
  return p !== undefined && p.a === q.a && p.b === q.b && p.c === q.c && p.d === q.d && p.e === q.e && p.f === q.f;
}
