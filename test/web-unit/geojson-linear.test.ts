import { describe, expect, it } from 'vitest';
import { OverlayError, parseGeoJson } from '../../web/src/overlays/parse.js';
import { meterWork } from '../support/work-meter.js';
import { JSON_SHAPES } from '../fuzz/json-shapes.js';

/** Linear work grows 16× from n to 16n, quadratic 256×; anything under 40× is comfortably linear. */
const LINEAR = 40;

/**
 * The GeoJSON import walks arrays with map/filter/forEach rather than searching them, so on top of the
 * shared meter (searches, copies, Map/Set) each element those builtins visit counts one, and JSON.parse
 * counts the characters it reads.
 */
function meterGeoJson(f: () => void): number {
  let work = 0;
  const arr = Array.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
  const names = ['map', 'filter', 'forEach', 'find', 'some', 'slice', 'concat'] as const;
  const saved = names.map((n) => arr[n]!);
  const parse = JSON.parse;
  names.forEach((n, k) => {
    const original = saved[k]!;
    Object.defineProperty(Array.prototype, n, {
      configurable: true,
      writable: true,
      value: function (this: unknown[], ...a: unknown[]) {
        work += 1 + this.length;
        return original.apply(this, a);
      },
    });
  });
  JSON.parse = (text: string, reviver?: (this: unknown, key: string, value: unknown) => unknown) => {
    work += text.length;
    return parse(text, reviver);
  };
  try {
    work += meterWork(f);
  } finally {
    names.forEach((n, k) => Object.defineProperty(Array.prototype, n, { configurable: true, writable: true, value: saved[k] }));
    JSON.parse = parse;
  }
  return work;
}

const outcome = (s: string): string => {
  try {
    return `${parseGeoJson('f.geojson', s).length} shapes`;
  } catch (e) {
    if (e instanceof OverlayError) return e.key;
    throw e;
  }
};

describe('GeoJSON overlay import under hostile files', () => {
  it('refuses or skips values of the wrong type instead of throwing a TypeError', () => {
    expect(outcome('{"type":"FeatureCollection","features":[null, 5, "x"]}')).toBe('overlay.err.empty');
    expect(outcome('{"type":"FeatureCollection","features":[null,{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]}}]}')).toBe('1 shapes');
    expect(outcome('{"type":"GeometryCollection","geometries":5}')).toBe('overlay.err.empty');
    expect(outcome('{"type":"Feature","geometry":{"type":"GeometryCollection","geometries":{"a":1}}}')).toBe('overlay.err.empty');
    expect(outcome('{"type":"Feature","geometry":{"type":"GeometryCollection","geometries":[7,{"type":"Point","coordinates":[1,2]}]}}')).toBe('1 shapes');
  });

  for (const [name, make] of Object.entries(JSON_SHAPES)) {
    it(`${name}: counted work grows linearly (n → 16n)`, () => {
      const small = meterGeoJson(() => void outcome(make(1_000)));
      const large = meterGeoJson(() => void outcome(make(16_000)));
      expect(large / small).toBeLessThan(LINEAR);
    });
  }
});
