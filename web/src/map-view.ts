/**
 * The MapLibre map: offline basemap, one GeoJSON source for track icons and one for trails.
 * Source data is pushed at most once per animation frame, however many WS messages arrived.
 */
import maplibregl, { type GeoJSONSource, type Map as MlMap, type MapLayerMouseEvent } from 'maplibre-gl';
import 'maplibre-gl/dist/maplibre-gl.css';
import { offlineStyle } from './basemap-style.js';
import type { PerfMeter } from './perf.js';
import { installSymbolImages } from './symbol-images.js';
import type { TrackStore } from './track-store.js';

const EMPTY = { type: 'FeatureCollection' as const, features: [] };

export class MapView {
  readonly map: MlMap;
  private loaded = false;
  private scheduled = false;
  private shown = 0;
  private selected: string | undefined;
  private readonly afterFlush: (shown: number) => void;

  constructor(
    container: HTMLElement,
    private readonly store: TrackStore,
    private readonly perf: PerfMeter,
    onSelect: (uid: string | undefined) => void,
    afterFlush: (shown: number) => void,
    onPointer: (lngLat: { lng: number; lat: number } | undefined) => void,
  ) {
    this.afterFlush = afterFlush;
    this.map = new maplibregl.Map({
      container,
      style: offlineStyle(new URL('basemap.json', document.baseURI).href),
      center: [137, 32],
      zoom: 3.6,
      attributionControl: { compact: true },
      renderWorldCopies: false,
      fadeDuration: 0,
    });
    this.map.addControl(new maplibregl.NavigationControl({ showCompass: true }), 'top-right');
    this.map.addControl(new maplibregl.ScaleControl({ unit: 'nautical' }), 'bottom-right');
    installSymbolImages(this.map);
    this.map.on('load', () => {
      this.addTrackLayers();
      this.loaded = true;
      this.scheduleFlush();
    });
    this.map.on('click', 'tracks', (e: MapLayerMouseEvent) => {
      const uid = e.features?.[0]?.properties?.['uid'];
      onSelect(typeof uid === 'string' ? uid : undefined);
    });
    this.map.on('mouseenter', 'tracks', () => (this.map.getCanvas().style.cursor = 'pointer'));
    this.map.on('mouseleave', 'tracks', () => (this.map.getCanvas().style.cursor = ''));
    this.map.on('mousemove', (e) => onPointer(e.lngLat));
    this.map.on('mouseout', () => onPointer(undefined));
  }

  private addTrackLayers(): void {
    const m = this.map;
    m.addSource('trails', { type: 'geojson', data: EMPTY });
    m.addSource('tracks', { type: 'geojson', data: EMPTY });
    m.addLayer({
      id: 'trails',
      type: 'line',
      source: 'trails',
      paint: {
        'line-color': [
          'match',
          ['get', 'aff'],
          ['F', 'A', 'D', 'M'], '#80e0ff',
          ['H', 'S', 'J', 'K'], '#ff8080',
          'N', '#aaffaa',
          '#ffff80',
        ],
        'line-width': 1.4,
        'line-opacity': 0.55,
      },
    });
    m.addLayer({
      id: 'selected',
      type: 'circle',
      source: 'tracks',
      filter: ['==', ['get', 'uid'], ''],
      paint: { 'circle-radius': 18, 'circle-color': 'rgba(255,214,0,0.12)', 'circle-stroke-color': '#ffd600', 'circle-stroke-width': 2 },
    });
    m.addLayer({
      id: 'tracks',
      type: 'symbol',
      source: 'tracks',
      layout: {
        'icon-image': ['get', 'sidc'],
        'icon-allow-overlap': true,
        'icon-ignore-placement': true,
      },
    });
  }

  /** Coalesces any number of store changes into one source update in the next frame. */
  scheduleFlush(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // Each source update re-tiles every track in MapLibre's worker: with many tracks, updating every
    // frame starves drawing. Space updates by ~0.1 ms per track (2,000 tracks → 5 per second), which
    // is still faster than tracks report (1 Hz).
    const minGap = Math.min(500, this.store.size / 10);
    const wait = this.lastFlush + minGap - performance.now();
    if (wait > 0) setTimeout(() => requestAnimationFrame(() => this.flush()), wait);
    else requestAnimationFrame(() => this.flush());
  }

  private lastFlush = 0;

  private flush(): void {
    this.scheduled = false;
    if (!this.loaded) return;
    if (this.store.dirty) {
      const t0 = performance.now();
      this.lastFlush = t0;
      this.store.dirty = false;
      const { points, trails, shown } = this.store.toGeoJson();
      (this.map.getSource('tracks') as GeoJSONSource).setData(points);
      (this.map.getSource('trails') as GeoJSONSource).setData(trails);
      this.shown = shown;
      this.perf.flushed(performance.now() - t0);
    }
    this.perf.rendered(performance.now());
    this.afterFlush(this.shown);
  }

  select(uid: string | undefined): void {
    this.selected = uid;
    if (this.loaded) this.map.setFilter('selected', ['==', ['get', 'uid'], uid ?? '']);
    else this.map.once('load', () => this.select(this.selected));
  }

  shownCount(): number {
    return this.shown;
  }

  flyTo(lon: number, lat: number): void {
    this.map.easeTo({ center: [lon, lat], duration: 400 });
  }
}
