/**
 * The drawing toolbar on the map: pick a kind, click the map to place vertices (a preview follows), finish, and
 * the shape panel asks for name, colour and label before it is shared. Clicks are in map coordinates, so the
 * same code serves mouse, touch and the e2e tests.
 */
import type { Map as MlMap, GeoJSONSource, MapMouseEvent } from 'maplibre-gl';
import type { ShapeInput } from '../api.js';
import { h } from '../dom.js';
import { isNarrow } from '../layout/cop-layout.js';
import { distance, ring } from './geo.js';
import { tx, type CopKey } from './strings.js';

export type DrawKind = ShapeInput['kind'];
export const DRAW_KINDS: DrawKind[] = ['marker', 'line', 'polygon', 'rectangle', 'circle', 'rings', 'route'];
const DRAFT = 'kz-draft';

/** What a finished drawing hands to the panel: geometry only; the panel adds name, colour and label. */
export interface Drawn {
  kind: DrawKind;
  points: [number, number][];
  radius?: number;
}

/** Vertices needed before a kind finishes by itself (0: open-ended, finished by the user). */
const AUTO_FINISH: Record<DrawKind, number> = { marker: 1, circle: 2, rings: 2, rectangle: 2, line: 0, polygon: 0, route: 0 };
const MIN_POINTS: Record<DrawKind, number> = { marker: 1, circle: 2, rings: 2, rectangle: 2, line: 2, polygon: 3, route: 2 };

export class DrawTool {
  readonly el: HTMLElement;
  private kind: DrawKind | undefined;
  private points: [number, number][] = [];
  private readonly hint = h('div', { class: 'draw-hint', testid: 'draw-hint' });
  private readonly finishBtn: HTMLButtonElement;
  private sourceReady = false;
  /** the kind buttons shown; folded to the title alone on a phone until asked for */
  private open = !isNarrow();

  constructor(
    private readonly map: MlMap,
    private readonly onDrawn: (d: Drawn) => void,
    extra: HTMLElement[] = [],
  ) {
    this.finishBtn = h('button', { class: 'btn primary', testid: 'draw-finish', type: 'button', onclick: () => this.finish() }, tx('draw.finish'));
    this.el = h('div', { class: 'draw-bar', testid: 'draw-bar', role: 'toolbar', 'aria-label': tx('draw.tools') });
    this.renderBar(extra);
    map.on('click', (e) => this.onClick(e));
    map.on('dblclick', (e) => {
      if (!this.kind) return;
      e.preventDefault();
      this.finish();
    });
    map.on('mousemove', (e) => this.preview([e.lngLat.lat, e.lngLat.lng]));
    document.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && this.kind) this.cancel();
    });
  }

  private extra: HTMLElement[] = [];
  renderBar(extra?: HTMLElement[]): void {
    if (extra) this.extra = extra;
    const buttons = DRAW_KINDS.map((k) =>
      h('button', { class: `btn tool ${this.kind === k ? 'active' : ''}`, type: 'button', testid: `draw-${k}`, 'aria-pressed': String(this.kind === k), onclick: () => this.start(k) }, tx(`draw.${k}` as CopKey)),
    );
    this.finishBtn.textContent = tx('draw.finish');
    const drawing = this.kind !== undefined;
    const open = this.open || drawing;
    const title = h('button', { class: 'draw-title', type: 'button', testid: 'draw-toggle', 'aria-expanded': String(open), onclick: () => this.fold(!open) }, `${tx('draw.tools')} ${open ? '▾' : '▸'}`);
    this.el.replaceChildren(
      title,
      ...(open ? buttons : []),
      drawing ? this.finishBtn : '',
      drawing ? h('button', { class: 'btn', type: 'button', testid: 'draw-cancel', onclick: () => this.cancel() }, tx('draw.cancel')) : '',
      ...(open ? this.extra : []),
      this.hint,
    );
    this.hint.textContent = !drawing ? '' : AUTO_FINISH[this.kind!] === 1 ? tx('draw.hint.marker') : AUTO_FINISH[this.kind!] === 2 ? tx('draw.hint.centre') : tx('draw.hint.points');
  }

  /** Shows or folds the kind buttons (the title is a toggle). */
  fold(open: boolean): void {
    this.open = open;
    this.renderBar();
  }

  get active(): boolean {
    return this.kind !== undefined;
  }

  start(kind: DrawKind): void {
    this.kind = kind;
    this.points = [];
    // name tags over the map must not swallow the clicks that place vertices
    document.documentElement.classList.add('drawing');
    this.map.doubleClickZoom.disable();
    this.map.getCanvas().style.cursor = 'crosshair';
    this.renderBar();
    this.drawDraft([]);
  }

  cancel(): void {
    this.kind = undefined;
    this.points = [];
    document.documentElement.classList.remove('drawing');
    this.map.doubleClickZoom.enable();
    this.map.getCanvas().style.cursor = '';
    this.drawDraft([]);
    this.renderBar();
  }

  private onClick(e: MapMouseEvent): void {
    if (!this.kind) return;
    const p: [number, number] = [e.lngLat.lat, e.lngLat.lng];
    const last = this.points[this.points.length - 1];
    // the two clicks of a double-click land on the same spot: one vertex
    if (last && last[0] === p[0] && last[1] === p[1]) return;
    this.points.push(p);
    const auto = AUTO_FINISH[this.kind];
    if (auto > 0 && this.points.length >= auto) this.finish();
    else this.preview(undefined);
  }

  /** Ends the drawing if it has enough points (a click on Finish, a double-click, or the kind's last click). */
  finish(): void {
    const kind = this.kind;
    if (!kind || this.points.length < MIN_POINTS[kind]) return;
    const pts = this.points;
    let drawn: Drawn;
    if (kind === 'circle' || kind === 'rings') {
      const r = Math.max(1, Math.round(distance(pts[0]!, pts[1]!)));
      drawn = { kind, points: [pts[0]!], radius: kind === 'rings' ? Math.max(1, Math.round(r / 3)) : r };
    } else if (kind === 'rectangle') {
      const [a, b] = [pts[0]!, pts[1]!];
      drawn = { kind, points: [a, [a[0], b[1]], b, [b[0], a[1]]] };
    } else {
      drawn = { kind, points: pts.slice() };
    }
    this.cancel();
    this.onDrawn(drawn);
  }

  private preview(cursor: [number, number] | undefined): void {
    if (!this.kind || this.points.length === 0) return;
    const pts = cursor ? [...this.points, cursor] : this.points;
    const ll = pts.map((p) => [p[1], p[0]] as [number, number]);
    if ((this.kind === 'circle' || this.kind === 'rings') && pts.length >= 2) {
      this.drawDraft([{ type: 'LineString', coordinates: ring(pts[0]![0], pts[0]![1], distance(pts[0]!, pts[1]!)) }]);
    } else {
      this.drawDraft([{ type: 'LineString', coordinates: this.kind === 'polygon' && ll.length > 2 ? [...ll, ll[0]!] : ll }]);
    }
  }

  private drawDraft(geoms: { type: 'LineString'; coordinates: [number, number][] }[]): void {
    if (!this.map.loaded() && !this.sourceReady) return;
    if (!this.sourceReady) {
      this.map.addSource(DRAFT, { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
      this.map.addLayer({ id: DRAFT, type: 'line', source: DRAFT, paint: { 'line-color': '#ffcc00', 'line-width': 2, 'line-dasharray': [2, 2] } });
      this.sourceReady = true;
    }
    (this.map.getSource(DRAFT) as GeoJSONSource).setData({
      type: 'FeatureCollection',
      features: geoms.map((geometry) => ({ type: 'Feature', properties: {}, geometry })),
    });
  }
}
