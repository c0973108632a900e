/** Coordinate formats: MGRS and DMS round trips against the mgrs package and an independent DMS oracle. */
import fc from 'fast-check';
import { forward } from 'mgrs';
import { describe, expect, it } from 'vitest';
import { formatDD, formatDM, formatDMS, formatMGRS, parseCoord } from '../../web/src/find/coords.js';

/** metres between two nearby points (equirectangular: fine below a few km) */
function metres(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const k = 111_320;
  return Math.hypot((a.lat - b.lat) * k, (a.lon - b.lon) * k * Math.cos((a.lat * Math.PI) / 180));
}

const point = fc.record({ lat: fc.double({ min: -79.9, max: 83.9, noNaN: true }), lon: fc.double({ min: -179.9, max: 179.9, noNaN: true }) });

describe('coordinate formats', () => {
  it('formats known places', () => {
    const tokyoTower = { lat: 35.658581, lon: 139.745433 };
    expect(formatDD(tokyoTower)).toBe('35.658581, 139.745433');
    expect(formatDMS(tokyoTower)).toBe('35°39′30.9″N 139°44′43.6″E');
    expect(formatMGRS(tokyoTower).replace(/ /g, '')).toBe(forward([tokyoTower.lon, tokyoTower.lat], 5));
    expect(formatMGRS(tokyoTower)).toMatch(/^54S [A-Z]{2} \d{5} \d{5}$/);
    expect(formatDMS({ lat: -33.8568, lon: -70.0 })).toBe('33°51′24.5″S 070°00′00.0″W');
    // rounding carries instead of showing 60″
    expect(formatDMS({ lat: 10.999999, lon: 20 })).toBe('11°00′00.0″N 020°00′00.0″E');
  });

  it('MGRS round trip stays within 1.5 m (1 m grid) everywhere MGRS is defined', () => {
    fc.assert(
      fc.property(point, (p) => {
        const back = parseCoord(formatMGRS(p));
        expect(back).toBeDefined();
        expect(metres(p, back!)).toBeLessThan(1.5);
      }),
      { numRuns: 300 },
    );
  });

  it('DMS round trip stays within 0.05″ + rounding (about 3 m)', () => {
    fc.assert(
      fc.property(point, (p) => {
        const back = parseCoord(formatDMS(p))!;
        expect(Math.abs(back.lat - p.lat) * 3600).toBeLessThanOrEqual(0.0501);
        expect(Math.abs(back.lon - p.lon) * 3600).toBeLessThanOrEqual(0.0501);
      }),
      { numRuns: 300 },
    );
  });

  it('DM round trip stays within 0.0005′ (about 1 m)', () => {
    expect(formatDM({ lat: 35.5, lon: -139.25 })).toBe('35°30.000′N 139°15.000′W');
    fc.assert(fc.property(point, (p) => {
      const back = parseCoord(formatDM(p))!;
      expect(Math.abs(back.lat - p.lat) * 60).toBeLessThanOrEqual(0.000501);
      expect(Math.abs(back.lon - p.lon) * 60).toBeLessThanOrEqual(0.000501);
    }), { numRuns: 300 });
  });

  it('DD round trip is exact to 6 decimals', () => {
    fc.assert(fc.property(point, (p) => {
      const back = parseCoord(formatDD(p))!;
      expect(back.lat).toBeCloseTo(p.lat, 6);
      expect(back.lon).toBeCloseTo(p.lon, 6);
    }));
  });

  it('reads what people type', () => {
    expect(parseCoord('35.5 139.25')).toEqual({ lat: 35.5, lon: 139.25 });
    expect(parseCoord(`35°30'00"N 139°15'00"E`)).toEqual({ lat: 35.5, lon: 139.25 });
    expect(parseCoord('N35 30 00 E139 15 00')).toEqual({ lat: 35.5, lon: 139.25 });
    expect(parseCoord('35 30N 139 15E')).toEqual({ lat: 35.5, lon: 139.25 });
    expect(parseCoord('33°51′24.5″S 070°00′00.0″W')!.lat).toBeCloseTo(-33.856806, 5);
    const m = parseCoord('54S UE 86021 46765')!;
    expect(formatMGRS(m).replace(/ /g, '')).toBe('54SUE8602146765');
  });

  it('refuses what is not a position', () => {
    for (const bad of ['', 'hello', '95 10', '35 200', '35°70′00″N 139°00′00″E', '35N 139N', '54S UE 860', 'ALPHA-1']) {
      expect(parseCoord(bad), bad).toBeUndefined();
    }
  });
});
