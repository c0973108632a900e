import { describe, expect, it } from 'vitest';
import type { ShapeView } from '../../src/api/contract.js';
import { distance, ring } from '../../web/src/draw/geo.js';
import { canRemove, dragTo, editableOf, handlesOf, insertAfter, MAX_EDIT_VERTICES, outlineOf, removeVertex, updateOf } from '../../web/src/draw/vertex-geo.js';

const square: ShapeView = { kind: 'polygon', points: [[26, 127], [26, 127.1], [26.1, 127.1], [26.1, 127], [26, 127]] };

describe('editing a shape geometry', () => {
  it('a closed polygon edits as its open vertex list, with a midpoint handle on every side', () => {
    const g = editableOf(square)!;
    expect(g).toEqual({ kind: 'polygon', points: [[26, 127], [26, 127.1], [26.1, 127.1], [26.1, 127]] });
    const hs = handlesOf(g);
    expect(hs.filter((x) => x.role === 'vertex')).toHaveLength(4);
    const mids = hs.filter((x) => x.role === 'mid');
    expect(mids).toHaveLength(4);
    // the closing side too
    expect(mids[3]!.at).toEqual([26.05, 127]);
  });
  it('a line has no closing midpoint; a route keeps its kind', () => {
    const g = editableOf({ kind: 'route', points: [[1, 2], [3, 4], [5, 6]] })!;
    expect(g.kind).toBe('route');
    expect(handlesOf(g).filter((x) => x.role === 'mid').map((x) => x.at)).toEqual([[2, 3], [4, 5]]);
  });
  it('drag a vertex, add one at a midpoint, remove one down to the minimum', () => {
    let g = editableOf(square)!;
    g = dragTo(g, { role: 'vertex', index: 2, at: [26.1, 127.1] }, [26.2, 127.25]);
    expect(g.points[2]).toEqual([26.2, 127.25]);
    g = insertAfter(g, 0);
    expect(g.points).toHaveLength(5);
    expect(g.points[1]).toEqual([26, 127.05]);
    // a midpoint dragged somewhere puts the new vertex there
    expect(dragTo(g, { role: 'mid', index: 4, at: [0, 0] }, [26.02, 126.9]).points[5]).toEqual([26.02, 126.9]);
    g = removeVertex(removeVertex(g, 1), 0);
    expect(g.points).toHaveLength(3);
    expect(canRemove(g)).toBe(false);
    expect(removeVertex(g, 0)).toBe(g);
  });
  it('a circle moves by its centre and resizes by its edge handle; rings keep their count', () => {
    const g = editableOf({ kind: 'rings', points: [[26, 127]], radii: [1000, 2000, 3000] })!;
    expect(g).toEqual({ kind: 'rings', points: [[26, 127]], radius: 1000, rings: 3 });
    const [centre, edge] = handlesOf(g);
    expect(centre!.role).toBe('centre');
    expect(distance([26, 127], edge!.at)).toBeCloseTo(1000, 0);
    const moved = dragTo(g, centre!, [26.5, 127.5]);
    expect(moved.points).toEqual([[26.5, 127.5]]);
    const resized = dragTo(g, edge!, [26, 127.02]);
    expect(resized.radius).toBe(Math.round(distance([26, 127], [26, 127.02])));
    expect(outlineOf(resized, ring)).toHaveLength(3);
    expect(updateOf('kz-1', 'Rings', '#ff0000', resized)).toEqual({ uid: 'kz-1', kind: 'rings', name: 'Rings', points: [[26, 127]], color: '#ff0000', radius: resized.radius, rings: 3 });
    expect(canRemove(g)).toBe(false);
  });
  it('ellipses, markers and freehand lines beyond the handle bound are not edited here', () => {
    expect(editableOf({ kind: 'ellipse', points: [[1, 2]], radii: [10], minor: 5 })).toBeUndefined();
    expect(editableOf({ kind: 'marker', points: [[1, 2]] })).toBeUndefined();
    const long = Array.from({ length: MAX_EDIT_VERTICES + 1 }, (_, i) => [1, i / 1000] as [number, number]);
    expect(editableOf({ kind: 'line', points: long })).toBeUndefined();
    expect(insertAfter({ kind: 'line', points: long.slice(0, MAX_EDIT_VERTICES) }, 0).points).toHaveLength(MAX_EDIT_VERTICES);
  });
});
