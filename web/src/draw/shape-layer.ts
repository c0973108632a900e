/**
 * Drawings on the map: every released shape event (ours, a partner's, or a TAK client's u-d-*, u-r-b-c-c, b-m-r)
 * as MapLibre fill/line layers, with an HTML name tag carrying its portion mark (the offline style has no
 * glyphs). Shapes are kept out of the track store so the symbol overlay and track list stay about tracks.
 */
import maplibregl, { type Map as MlMap, type GeoJSONSource } from 'maplibre-gl';
import type { TrackView } from '../../../src/api/contract.js';
import { h } from '../dom.js';
import { shapeFeatures, type ShapeFeature } from './geo.js';

const SOURCE = 'kz-shapes';
export const SHAPE_LAYERS = ['kz-shapes-fill', 'kz-shapes-line', 'kz-shapes-point'];

export class ShapeStore {
  private readonly items = new Map<string, TrackView>();
  private readonly listeners = new Set<() => void>();

  get size(): number {
    return this.items.size;
  }
  get(uid: string): TrackView | undefined {
    return this.items.get(uid);
  }
  all(): TrackView[] {
    return [...this.items.values()];
  }
  /** Polygons (for the request form's area). */
  polygons(): TrackView[] {
    return this.all().filter((t) => t.shape && (t.shape.kind === 'polygon' || t.shape.kind === 'rectangle'));
  }
  upsert(t: TrackView): void {
    this.items.set(t.uid, t);
    this.emit();
  }
  replaceAll(ts: TrackView[]): void {
    this.items.clear();
    for (const t of ts) this.items.set(t.uid, t);
    this.emit();
  }
  remove(uid: string): boolean {
    const had = this.items.delete(uid);
    if (had) this.emit();
    return had;
  }
  on(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
  private emit(): void {
    for (const fn of this.listeners) fn();
  }
}

function anchorOf(f: ShapeFeature[]): [number, number] | undefined {
  const g = f[0]?.geometry;
  if (!g) return undefined;
  if (g.type === 'Point') return g.coordinates;
  const pts = g.type === 'Polygon' ? g.coordinates[0]! : g.coordinates;
  if (g.type === 'LineString') return pts[Math.floor(pts.length / 2)];
  let x = 0, y = 0;
  const n = Math.max(1, pts.length - 1);
  for (let i = 0; i < n; i++) {
    x += pts[i]![0];
    y += pts[i]![1];
  }
  return [x / n, y / n];
}

export class ShapeLayer {
  private ready = false;
  private readonly tags = new Map<string, maplibregl.Marker>();

  constructor(
    private readonly map: MlMap,
    private readonly shapes: ShapeStore,
    private readonly onSelect: (uid: string) => void,
  ) {
    const init = () => {
      if (this.ready) return;
      map.addSource(SOURCE, { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
      map.addLayer({ id: 'kz-shapes-fill', type: 'fill', source: SOURCE, filter: ['==', '$type', 'Polygon'], paint: { 'fill-color': ['get', 'fill'], 'fill-opacity': ['get', 'fillOpacity'] } });
      map.addLayer({ id: 'kz-shapes-line', type: 'line', source: SOURCE, filter: ['!=', '$type', 'Point'], paint: { 'line-color': ['get', 'stroke'], 'line-width': 2.5 } });
      map.addLayer({ id: 'kz-shapes-point', type: 'circle', source: SOURCE, filter: ['==', '$type', 'Point'], paint: { 'circle-color': ['get', 'stroke'], 'circle-radius': 7, 'circle-stroke-color': '#000', 'circle-stroke-width': 1.5 } });
      this.ready = true;
      this.render();
    };
    if (map.loaded()) init();
    else map.on('load', init);
    map.on('click', (e) => {
      if (!this.ready) return;
      const hit = map.queryRenderedFeatures(e.point, { layers: SHAPE_LAYERS })[0];
      const uid = hit?.properties?.['uid'];
      if (typeof uid === 'string') onSelect(uid);
    });
    shapes.on(() => this.render());
  }

  render(): void {
    if (!this.ready) return;
    const features: ShapeFeature[] = [];
    const seen = new Set<string>();
    for (const t of this.shapes.all()) {
      const f = shapeFeatures(t);
      features.push(...f);
      const at = anchorOf(f);
      if (!at) continue;
      seen.add(t.uid);
      let tag = this.tags.get(t.uid);
      const el = h(
        'button',
        { class: 'shape-tag', testid: `shape-tag-${t.uid}`, 'data-uid': t.uid, onclick: (ev: Event) => { ev.stopPropagation(); this.onSelect(t.uid); } },
        h('span', { class: 'portion-mark', style: `background:${t.label.color}` }, t.label.portion),
        ' ',
        t.callsign,
      );
      if (!tag) {
        tag = new maplibregl.Marker({ element: el, anchor: 'bottom' }).setLngLat(at).addTo(this.map);
        this.tags.set(t.uid, tag);
      } else {
        tag.getElement().replaceChildren(...el.childNodes);
        tag.setLngLat(at);
      }
    }
    for (const [uid, tag] of this.tags) {
      if (!seen.has(uid)) {
        tag.remove();
        this.tags.delete(uid);
      }
    }
    (this.map.getSource(SOURCE) as GeoJSONSource | undefined)?.setData({ type: 'FeatureCollection', features } as GeoJSON.FeatureCollection);
  }
}
