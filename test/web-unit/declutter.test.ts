import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Declutter, PRIORITY } from '../../web/src/declutter.js';

function run(points: [number, number, number][], cell = 28, crowd = 3) {
  const n = points.length;
  const xs = Float32Array.from(points.map((p) => p[0]));
  const ys = Float32Array.from(points.map((p) => p[1]));
  const pr = Uint8Array.from(points.map((p) => p[2]));
  const full = new Uint8Array(n);
  const dots = new Declutter().run(xs, ys, pr, n, cell, crowd, full);
  return { full: [...full], dots };
}

describe('Declutter', () => {
  it('leaves cells with at most `crowd` tracks alone', () => {
    const o = PRIORITY.other;
    expect(run([[10, 10, o], [12, 12, o], [14, 14, o], [100, 100, o]])).toEqual({ full: [1, 1, 1, 1], dots: 0 });
  });

  it('keeps one full symbol per crowded cell: selected first, then threats, then draw order', () => {
    const o = PRIORITY.other;
    const t = PRIORITY.threat;
    const s = PRIORITY.selected;
    expect(run([[1, 1, o], [2, 2, o], [3, 3, o], [4, 4, o]]).full).toEqual([1, 0, 0, 0]);
    expect(run([[1, 1, o], [2, 2, t], [3, 3, o], [4, 4, t]]).full).toEqual([0, 1, 0, 0]);
    expect(run([[1, 1, o], [2, 2, t], [3, 3, s], [4, 4, o]]).full).toEqual([0, 0, 1, 0]);
  });

  it('handles negative screen positions (tracks just off the left or top edge)', () => {
    const o = PRIORITY.other;
    expect(run([[-1, -1, o], [-2, -2, o], [-3, -3, o], [-4, -4, o], [1, 1, o]]).full).toEqual([1, 0, 0, 0, 1]);
  });

  it('never hides a track: each is a full symbol or a dot, and each crowded cell keeps exactly one symbol', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: -100, max: 400 }), fc.integer({ min: -100, max: 400 }), fc.constantFrom(0, 1, 2)), { maxLength: 300 }),
        (pts) => {
          const { full, dots } = run(pts as [number, number, number][], 28, 3);
          expect(full.filter((f) => f === 0).length).toBe(dots);
          const cells = new Map<string, number[]>();
          pts.forEach(([x, y], i) => {
            const k = `${Math.floor(x / 28)},${Math.floor(y / 28)}`;
            cells.set(k, [...(cells.get(k) ?? []), i]);
          });
          for (const members of cells.values()) {
            const shown = members.filter((i) => full[i] === 1);
            if (members.length <= 3) expect(shown.length).toBe(members.length);
            else {
              expect(shown.length).toBe(1);
              const best = Math.min(...members.map((i) => pts[i]![2]));
              expect(pts[shown[0]!]![2]).toBe(best);
            }
          }
        },
      ),
    );
  });
});
