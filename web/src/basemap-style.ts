/**
 * MapLibre style with no remote sources: sea background, country fill and outlines from the bundled
 * basemap.json (built from world-atlas by web/build/basemap.ts), a graticule. No glyphs, no sprite.
 */
import type { FeatureCollection, LineString } from 'geojson';
import type { StyleSpecification } from 'maplibre-gl';

export const COLORS = {
  sea: '#0b1a2a',
  land: '#1b2633',
  coast: '#5b7a99',
  border: '#46607a',
  graticule: '#16304a',
} as const;

function graticule(stepDeg = 10): FeatureCollection<LineString> {
  const features: FeatureCollection<LineString>['features'] = [];
  for (let lon = -180; lon <= 180; lon += stepDeg) {
    const coords: [number, number][] = [];
    for (let lat = -85; lat <= 85; lat += 5) coords.push([lon, lat]);
    features.push({ type: 'Feature', properties: {}, geometry: { type: 'LineString', coordinates: coords } });
  }
  for (let lat = -80; lat <= 80; lat += stepDeg) {
    const coords: [number, number][] = [];
    for (let lon = -180; lon <= 180; lon += 5) coords.push([lon, lat]);
    features.push({ type: 'Feature', properties: {}, geometry: { type: 'LineString', coordinates: coords } });
  }
  return { type: 'FeatureCollection', features };
}

/** `attribution`: the basemap's source line in the UI language (web/src/i18n-extra.ts) */
export function offlineStyle(basemapUrl: string, attribution: string): StyleSpecification {
  return {
    version: 8,
    name: 'kizuna-offline',
    sources: {
      basemap: { type: 'geojson', data: basemapUrl, attribution },
      graticule: { type: 'geojson', data: graticule() },
    },
    layers: [
      { id: 'sea', type: 'background', paint: { 'background-color': COLORS.sea } },
      { id: 'graticule', type: 'line', source: 'graticule', paint: { 'line-color': COLORS.graticule, 'line-width': 0.6 } },
      {
        id: 'land',
        type: 'fill',
        source: 'basemap',
        filter: ['==', ['get', 'kind'], 'country'],
        paint: { 'fill-color': COLORS.land, 'fill-antialias': false },
      },
      {
        id: 'borders',
        type: 'line',
        source: 'basemap',
        filter: ['==', ['get', 'kind'], 'border'],
        paint: { 'line-color': COLORS.border, 'line-width': 0.7, 'line-dasharray': [3, 2] },
      },
      {
        id: 'coast',
        type: 'line',
        source: 'basemap',
        filter: ['==', ['get', 'kind'], 'coast'],
        paint: { 'line-color': COLORS.coast, 'line-width': 0.9 },
      },
    ],
  };
}
