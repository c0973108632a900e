/**
 * The MapLibre map (offline basemap) with the track overlay on top (track-overlay.ts).
 * Track changes redraw only the overlay, at most once per animation frame; camera moves repaint the
 * basemap and the overlay follows in the same frame (moved by a transform, fully redrawn a few times a
 * second and when the move ends).
 */
import maplibregl, { type Map as MlMap } from 'maplibre-gl';
import 'maplibre-gl/dist/maplibre-gl.css';
import { offlineStyle } from './basemap-style.js';
import { getLang } from './i18n.js';
import { basemapAttribution, mapLocale } from './i18n-extra.js';
import type { PerfMeter } from './perf.js';
import type { Affine } from './screen-transform.js';
import { TrackOverlay } from './track-overlay.js';
import type { TrackStore } from './track-store.js';

export class MapView {
  readonly map: MlMap;
  private readonly overlay: TrackOverlay;
  private loaded = false;
  private scheduled = false;
  private lastDraw = 0;
  private lastDrawMs = 0;
  private moving = false;
  private readonly afterFlush: (shown: number) => void;
  private controls: { control: maplibregl.IControl; at: maplibregl.ControlPosition }[] = [];

  /** The controls take their titles and units from the map's locale when added: re-added on a language switch. */
  private addControls(): void {
    for (const c of this.controls) this.map.removeControl(c.control);
    this.controls = [
      { control: new maplibregl.NavigationControl({ showCompass: true, visualizePitch: false }), at: 'top-right' },
      { control: new maplibregl.ScaleControl({ unit: 'nautical' }), at: 'bottom-right' },
      { control: new maplibregl.AttributionControl({ compact: true }), at: 'bottom-right' },
    ];
    for (const c of this.controls) this.map.addControl(c.control, c.at);
  }

  /** Language switch: MapLibre has no public setter for its UI strings, only the `locale` map option. */
  relabel(): void {
    const m = this.map as unknown as { _locale: Record<string, string> };
    m._locale = { ...m._locale, ...mapLocale[getLang()] };
    // the attribution control reads the source's line when it is added again
    const basemap = this.map.getSource('basemap') as { attribution?: string } | undefined;
    if (basemap) basemap.attribution = basemapAttribution[getLang()];
    this.addControls();
    this.map.getCanvas().setAttribute('aria-label', mapLocale[getLang()]['Map.Title']!);
  }

  constructor(
    container: HTMLElement,
    private store: TrackStore,
    private readonly perf: PerfMeter,
    onSelect: (uid: string | undefined) => void,
    afterFlush: (shown: number) => void,
    onPointer: (lngLat: { lng: number; lat: number } | undefined) => void,
    initial?: { lng: number; lat: number; zoom: number; bearing: number },
  ) {
    this.afterFlush = afterFlush;
    this.map = new maplibregl.Map({
      container,
      style: offlineStyle(new URL('basemap.json', document.baseURI).href, basemapAttribution[getLang()]),
      center: initial ? [initial.lng, initial.lat] : [137, 32],
      zoom: initial?.zoom ?? 3.6,
      bearing: initial?.bearing ?? 0,
      attributionControl: false,
      locale: mapLocale[getLang()],
      renderWorldCopies: false,
      fadeDuration: 0,
      // A plan view keeps Mercator → screen affine, which the overlay relies on (rotation stays allowed).
      maxPitch: 0,
      pitchWithRotate: false,
    });
    this.addControls();
    this.overlay = new TrackOverlay(this.map, store, perf);
    this.map.on('load', () => {
      this.loaded = true;
      this.scheduleFlush();
    });
    // MapLibre fires 'render' inside its own animation frame: redrawing here keeps symbols glued to the
    // basemap while panning or zooming.
    this.map.on('render', () => {
      this.perf.mapRepaints++;
      if (!this.loaded) return;
      // the camera transform is computed once per frame and handed on
      const camera = this.overlay.camera();
      if (!this.overlay.movedTo(camera)) return;
      if (this.moving && performance.now() - this.lastDraw < this.gap()) this.overlay.follow(camera);
      else this.draw(camera);
    });
    // size changes come from MapLibre's own observer, not from reading the layout every frame
    this.map.on('resize', () => {
      if (this.overlay.resize() && this.loaded) this.draw();
    });
    this.map.on('movestart', () => (this.moving = true));
    this.map.on('moveend', () => {
      this.moving = false;
      if (this.loaded) this.draw();
    });
    this.map.on('click', (e) => {
      const uid = this.overlay.hitAt(e.point.x, e.point.y);
      if (uid !== undefined) onSelect(uid);
    });
    this.map.on('mousemove', (e) => {
      this.map.getCanvas().style.cursor = this.overlay.hitAt(e.point.x, e.point.y) !== undefined ? 'pointer' : '';
      onPointer(e.lngLat);
    });
    this.map.on('mouseout', () => onPointer(undefined));
  }

  /** Coalesces any number of store changes into one overlay redraw. */
  scheduleFlush(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    const wait = this.lastDraw + this.gap() - performance.now();
    if (wait > 0) setTimeout(() => requestAnimationFrame(() => this.flush()), wait);
    else requestAnimationFrame(() => this.flush());
  }

  /**
   * Least time between full redraws. Still camera: redraws for data alone take at most about a third of
   * the main thread, however fast updates arrive (tracks report at ~1 Hz). Moving camera: the basemap
   * needs the frames; the overlay follows by transform and is redrawn about 6 times a second.
   */
  private gap(): number {
    return this.moving ? Math.max(150, 4 * this.lastDrawMs) : 2 * this.lastDrawMs;
  }

  private flush(): void {
    this.scheduled = false;
    if (!this.loaded) return;
    if (this.store.dirty) this.draw();
  }

  private draw(camera?: Affine): void {
    const t0 = performance.now();
    this.store.dirty = false;
    this.overlay.draw(camera);
    const t1 = performance.now();
    this.lastDraw = t1;
    this.lastDrawMs = t1 - t0;
    this.perf.flushed(t1 - t0);
    this.perf.rendered(t1);
    this.afterFlush(this.overlay.shown);
  }

  select(uid: string | undefined): void {
    this.overlay.selected = uid;
    this.store.dirty = true;
    this.scheduleFlush();
  }

  /** Shows another store (the replay) or the live one again; redraws at once. */
  setStore(store: TrackStore): void {
    this.store = store;
    this.overlay.setStore(store);
    store.dirty = true;
    this.scheduleFlush();
  }

  get displayed(): TrackStore {
    return this.store;
  }

  /** uid of the symbol under a map point (CSS pixels), if any */
  hitAt(x: number, y: number): string | undefined {
    return this.overlay.hitAt(x, y);
  }

  shownCount(): number {
    return this.overlay.shown;
  }

  /** tracks the last redraw drew as declutter dots */
  dotCount(): number {
    return this.overlay.dots;
  }

  flyTo(lon: number, lat: number): void {
    this.map.easeTo({ center: [lon, lat], duration: 400 });
  }
}
