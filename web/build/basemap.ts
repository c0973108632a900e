/**
 * Build-time conversion of the world-atlas TopoJSON into the offline basemap GeoJSON the COP loads.
 * Runs in Node (Vite config), never in the browser: the page fetches the emitted `basemap.json` asset
 * so no map data is ever requested from the internet.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { feature, mesh } from 'topojson-client';
import type { Topology, GeometryCollection } from 'topojson-specification';
import type { Feature, FeatureCollection, Geometry, Position } from 'geojson';

export type BasemapKind = 'country' | 'border' | 'coast';
export interface BasemapProps {
  kind: BasemapKind;
  name?: string;
}

function isPosition(v: unknown): v is number[] {
  return Array.isArray(v) && typeof v[0] === 'number';
}

/**
 * Rounds coordinates and drops consecutive duplicates that rounding creates. 2 decimals ≈ 1 km,
 * still finer than the 1:50M source data, and it makes the asset much smaller.
 */
function roundPositions(value: unknown, digits: number): unknown {
  const f = 10 ** digits;
  if (isPosition(value)) return value.map((n) => Math.round(n * f) / f);
  if (!Array.isArray(value)) return value;
  const out = value.map((v) => roundPositions(v, digits));
  if (!isPosition(out[0])) return out;
  // a list of positions: keep the first, the last (rings stay closed) and every change
  const dedup = out.filter((p, i) => {
    const prev = out[i - 1] as number[] | undefined;
    return i === 0 || i === out.length - 1 || !prev || prev[0] !== (p as number[])[0] || prev[1] !== (p as number[])[1];
  });
  // too few points left for a valid ring: keep the rounded positions with their duplicates
  return dedup.length >= 4 ? dedup : out;
}

function roundGeometry<G extends Geometry>(g: G, digits: number): G {
  if (g.type === 'GeometryCollection') {
    return { ...g, geometries: g.geometries.map((x) => roundGeometry(x, digits)) };
  }
  return { ...g, coordinates: roundPositions((g as { coordinates: Position[] }).coordinates, digits) } as G;
}

/**
 * Country polygons (fill), shared land borders and coastlines (outline) from a world-atlas topology
 * that has a `countries` object.
 */
export function topologyToBasemap(topology: Topology, digits = 2): FeatureCollection<Geometry, BasemapProps> {
  const countries = topology.objects['countries'] as GeometryCollection<{ name?: string }> | undefined;
  if (!countries || countries.type !== 'GeometryCollection') {
    throw new Error('basemap: topology has no "countries" GeometryCollection');
  }
  const fc = feature(topology, countries);
  const features: Feature<Geometry, BasemapProps>[] = [];
  for (const f of fc.features) {
    if (!f.geometry) continue;
    const props: BasemapProps = { kind: 'country' };
    if (f.properties?.name) props.name = f.properties.name;
    features.push({ type: 'Feature', properties: props, geometry: roundGeometry(f.geometry, digits) });
  }
  // Shared arcs once: a !== b is a land border, a === b an arc used by one country only (coast).
  const borders = mesh(topology, countries, (a, b) => a !== b);
  const coast = mesh(topology, countries, (a, b) => a === b);
  features.push({ type: 'Feature', properties: { kind: 'border' }, geometry: roundGeometry(borders, digits) });
  features.push({ type: 'Feature', properties: { kind: 'coast' }, geometry: roundGeometry(coast, digits) });
  return { type: 'FeatureCollection', features };
}

export type BasemapResolution = '50m' | '110m';

/** Reads the installed world-atlas file and returns the basemap JSON text. */
export function buildBasemapJson(resolution: BasemapResolution = '50m'): string {
  const require = createRequire(import.meta.url);
  const file = require.resolve(`world-atlas/countries-${resolution}.json`);
  const topology = JSON.parse(readFileSync(file, 'utf8')) as Topology;
  return JSON.stringify(topologyToBasemap(topology));
}
