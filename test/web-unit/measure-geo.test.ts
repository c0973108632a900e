/** Range, bearing, declination: checked against published figures (not against the same formulae). */
import { describe, expect, it } from 'vitest';
import { bearingTrue, declination, destination, distanceM, ring, toMagnetic } from '../../web/src/measure/geo.js';

describe('measure geometry', () => {
  it('great-circle range and bearing match published values', () => {
    // Tokyo Station → Osaka Station: 403 km by geodesic (GSI's calculator), bearing ≈ 255°
    const tokyo = { lat: 35.681236, lon: 139.767125 };
    const osaka = { lat: 34.702485, lon: 135.495951 };
    expect(distanceM(tokyo, osaka) / 1000).toBeGreaterThan(400);
    expect(distanceM(tokyo, osaka) / 1000).toBeLessThan(405);
    expect(bearingTrue(tokyo, osaka)).toBeGreaterThan(253);
    expect(bearingTrue(tokyo, osaka)).toBeLessThan(257);
    // one minute of latitude is one nautical mile (to the sphere's 0.1 %)
    expect(distanceM({ lat: 0, lon: 0 }, { lat: 1 / 60, lon: 0 })).toBeCloseTo(1853, -1);
    expect(bearingTrue({ lat: 0, lon: 0 }, { lat: 0, lon: 1 })).toBeCloseTo(90, 6);
  });

  it('destination and ring stay at the radius', () => {
    const p = { lat: 26.2, lon: 127.7 };
    const q = destination(p, 45, 20_000);
    expect(distanceM(p, q)).toBeCloseTo(20_000, 3);
    expect(bearingTrue(p, q)).toBeCloseTo(45, 6);
    const r = ring(p, 10_000, 36);
    expect(r).toHaveLength(37);
    for (const [lon, lat] of r) expect(distanceM(p, { lat, lon })).toBeCloseTo(10_000, 3);
  });

  it('declination from WMM2025: Tokyo about 8° W, Manila a few degrees W in 2026', () => {
    // Tokyo's declination is about 7–8° W (GSI's magnetic charts); Manila's is small and westerly
    const at = new Date('2026-06-01T00:00:00Z');
    expect(declination({ lat: 35.68, lon: 139.77 }, at)).toBeGreaterThan(-8.6);
    expect(declination({ lat: 35.68, lon: 139.77 }, at)).toBeLessThan(-7.2);
    expect(declination({ lat: 14.6, lon: 121.0 }, at)).toBeGreaterThan(-4);
    expect(declination({ lat: 14.6, lon: 121.0 }, at)).toBeLessThan(0);
    // west declination: the compass reads higher than true
    expect(toMagnetic(100, -8)).toBe(108);
    expect(toMagnetic(2, 5)).toBe(357);
  });
});
