import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HitIndex } from '../../web/src/hit-test.js';
import { affineFromSamples, applyAffine, invertAffine, MAX_MERCATOR_LAT, mercatorToLngLat, mercatorX, mercatorY, relativeAffine, sameAffine, type Affine } from '../../web/src/screen-transform.js';

describe('Web Mercator', () => {
  it('matches MapLibre’s unit square at known points', () => {
    expect(mercatorX(-180)).toBe(0);
    expect(mercatorX(0)).toBe(0.5);
    expect(mercatorX(180)).toBe(1);
    expect(mercatorY(0)).toBeCloseTo(0.5, 12);
    expect(mercatorY(MAX_MERCATOR_LAT)).toBeCloseTo(0, 6);
    expect(mercatorY(-MAX_MERCATOR_LAT)).toBeCloseTo(1, 6);
    // poles clamp instead of running off to infinity
    expect(Number.isFinite(mercatorY(90))).toBe(true);
  });

  it('round-trips lon/lat', () => {
    fc.assert(
      fc.property(fc.double({ min: -180, max: 180, noNaN: true }), fc.double({ min: -85, max: 85, noNaN: true }), (lon, lat) => {
        const ll = mercatorToLngLat(mercatorX(lon), mercatorY(lat));
        expect(ll.lng).toBeCloseTo(lon, 9);
        expect(ll.lat).toBeCloseTo(lat, 9);
      }),
    );
  });
});

describe('affine from three samples', () => {
  it('reproduces any scale + rotation + translation exactly (a map camera with pitch 0)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 100, max: 1e7, noNaN: true }),
        fc.double({ min: -Math.PI, max: Math.PI, noNaN: true }),
        fc.double({ min: -1e4, max: 1e4, noNaN: true }),
        fc.double({ min: -1e4, max: 1e4, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (scale, angle, tx, ty, qx, qy) => {
          const cam = (x: number, y: number) => ({
            x: scale * (Math.cos(angle) * x - Math.sin(angle) * y) + tx,
            y: scale * (Math.sin(angle) * x + Math.cos(angle) * y) + ty,
          });
          const m0 = { x: 0.8, y: 0.4 };
          const h = 1e-3;
          const A = affineFromSamples(m0, h, cam(m0.x, m0.y), cam(m0.x + h, m0.y), cam(m0.x, m0.y + h));
          const want = cam(qx, qy);
          const tol = 1e-6 * scale;
          expect(Math.abs(A.a * qx + A.c * qy + A.e - want.x)).toBeLessThan(tol);
          expect(Math.abs(A.b * qx + A.d * qy + A.f - want.y)).toBeLessThan(tol);
        },
      ),
    );
  });

  it('tells a moved camera from an unchanged one', () => {
    const A = { a: 1, b: 0, c: 0, d: 1, e: 0, f: 0 };
    expect(sameAffine(undefined, A)).toBe(false);
    expect(sameAffine({ ...A }, A)).toBe(true);
    expect(sameAffine({ ...A, e: 0.5 }, A)).toBe(false);
  });
});

describe('following a moved camera', () => {
  const camera = fc.record({
    s: fc.double({ min: 500, max: 1e6, noNaN: true }),
    r: fc.double({ min: -Math.PI, max: Math.PI, noNaN: true }),
    e: fc.double({ min: -1e5, max: 1e5, noNaN: true }),
    f: fc.double({ min: -1e5, max: 1e5, noNaN: true }),
  }).map(({ s, r, e, f }): Affine => ({ a: s * Math.cos(r), b: s * Math.sin(r), c: -s * Math.sin(r), d: s * Math.cos(r), e, f }));

  it('moves what camera p drew to where camera q puts it, and back (hit-testing through the transform)', () => {
    fc.assert(
      fc.property(camera, camera, fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (p, q, mx, my) => {
        const drawn = applyAffine(p, mx, my);
        const want = applyAffine(q, mx, my);
        const moved = applyAffine(relativeAffine(p, q), drawn.x, drawn.y);
        const tol = 1e-6 * (Math.abs(q.a) + Math.abs(q.b) + Math.abs(q.e) + Math.abs(q.f));
        expect(Math.abs(moved.x - want.x)).toBeLessThan(tol);
        expect(Math.abs(moved.y - want.y)).toBeLessThan(tol);
        const back = applyAffine(invertAffine(relativeAffine(p, q)), moved.x, moved.y);
        expect(Math.abs(back.x - drawn.x)).toBeLessThan(tol);
        expect(Math.abs(back.y - drawn.y)).toBeLessThan(tol);
      }),
    );
  });
});

describe('HitIndex', () => {
  it('finds the nearest symbol within the radius, topmost on ties, nothing outside', () => {
    const h = new HitIndex();
    h.add('a', 10, 10);
    h.add('b', 30, 10);
    h.add('c', 10, 10); // drawn later at the same place: on top
    expect(h.nearest(12, 10, 14)).toBe('c');
    expect(h.nearest(27, 11, 14)).toBe('b');
    expect(h.nearest(100, 100, 14)).toBeUndefined();
    h.reset();
    expect(h.nearest(10, 10, 14)).toBeUndefined();
  });

  it('grows past its initial capacity and keeps every entry', () => {
    const h = new HitIndex();
    for (let i = 0; i < 5000; i++) h.add(`u${i}`, i * 40, 0);
    expect(h.count).toBe(5000);
    expect(h.nearest(4321 * 40 + 3, 2, 14)).toBe('u4321');
  });
});
