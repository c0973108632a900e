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

/** q ∘ p⁻¹: maps where a point was drawn under camera p to where it belongs under camera q. */
export function relativeAffine(p: Affine, q: Affine): Affine {
  const det = p.a * p.d - p.b * p.c;
  // p⁻¹
  const ia = p.d / det;
  const ib = -p.b / det;
  const ic = -p.c / det;
  const id = p.a / det;
  const ie = -(ia * p.e + ic * p.f);
  const iF = -(ib * p.e + id * p.f);
  // q · p⁻¹
  return {
    a: q.a * ia + q.c * ib,
    b: q.b * ia + q.d * ib,
    c: q.a * ic + q.c * id,
    d: q.b * ic + q.d * id,
    e: q.a * ie + q.c * iF + q.e,
    f: q.b * ie + q.d * iF + q.f,
  };
}

export function applyAffine(m: Affine, x: number, y: number): { x: number; y: number } {
  return { x: m.a * x + m.c * y + m.e, y: m.b * x + m.d * y + m.f };
}

export function invertAffine(m: Affine): Affine {
  return relativeAffine(m, { a: 1, b: 0, c: 0, d: 1, e: 0, f: 0 });
}
