import { describe, expect, it } from 'vitest';
import type { Topology } from 'topojson-specification';
import { buildBasemapJson, topologyToBasemap } from '../../web/build/basemap.js';

describe('offline basemap', () => {
  it('converts world-atlas countries into country polygons, borders and coastlines', () => {
    const fc = JSON.parse(buildBasemapJson('110m')) as ReturnType<typeof topologyToBasemap>;
    const kinds = fc.features.map((f) => f.properties.kind);
    expect(kinds.filter((k) => k === 'country').length).toBeGreaterThan(150);
    expect(kinds.filter((k) => k === 'border')).toHaveLength(1);
    expect(kinds.filter((k) => k === 'coast')).toHaveLength(1);
    const japan = fc.features.find((f) => f.properties.name === 'Japan');
    expect(japan?.geometry.type).toBe('MultiPolygon');
    // rings stay closed after rounding and de-duplication
    for (const f of fc.features) {
      if (f.geometry.type !== 'MultiPolygon') continue;
      for (const poly of f.geometry.coordinates) {
        for (const ring of poly) {
          expect(ring.length).toBeGreaterThanOrEqual(4);
          expect(ring[0]).toEqual(ring[ring.length - 1]);
        }
      }
    }
  });

  it('rounds coordinates to the requested precision', () => {
    const topo: Topology = {
      type: 'Topology',
      objects: { countries: { type: 'GeometryCollection', geometries: [{ type: 'Polygon', arcs: [[0]], properties: { name: 'Box' } }] } },
      arcs: [[[0.123456, 0.123456], [1.987654, 0.123456], [1.987654, 1.5], [0.123456, 1.5], [0.123456, 0.123456]]],
    };
    const fc = topologyToBasemap(topo, 1);
    const box = fc.features[0];
    expect(box?.properties).toEqual({ kind: 'country', name: 'Box' });
    expect(box?.geometry).toEqual({ type: 'Polygon', coordinates: [[[0.1, 0.1], [2, 0.1], [2, 1.5], [0.1, 1.5], [0.1, 0.1]]] });
  });

  it('rejects a topology without countries', () => {
    expect(() => topologyToBasemap({ type: 'Topology', objects: {}, arcs: [] })).toThrow(/countries/);
  });
});
