/**
 * Editing a shape's geometry on the map: each vertex (or a circle's centre and edge point) is a draggable
 * MapLibre marker, each segment has a midpoint marker that adds a vertex when clicked or dragged, and a selected
 * vertex can be removed (the panel's button, or Delete on the focused handle); arrow keys move a focused handle.
 * Handles are buttons, so they take focus and work the same with mouse, touch, keyboard and the e2e tests. The edited outline is drawn dashed.
 */
import maplibregl, { type GeoJSONSource, type Map as MlMap } from 'maplibre-gl';
import { h } from '../dom.js';
import { ring } from './geo.js';
import { tx } from './strings.js';
import { canRemove, dragTo, handlesOf, insertAfter, outlineOf, removeVertex, type EditGeometry, type Handle, type LatLon } from './vertex-geo.js';

const SOURCE = 'kz-edit';
const NUDGE: Record<string, [number, number]> = { ArrowUp: [0, -5], ArrowDown: [0, 5], ArrowLeft: [-5, 0], ArrowRight: [5, 0] };

export class VertexEditor {
  private g: EditGeometry | undefined;
  private markers: maplibregl.Marker[] = [];
  private selected: number | undefined;
  private sourceReady = false;

  /** `onChange` runs after every edit (the panel refreshes its buttons). */
  constructor(
    private readonly map: MlMap,
    private readonly onChange: () => void,
  ) {}

  get active(): boolean {
    return this.g !== undefined;
  }
  get geometry(): EditGeometry | undefined {
    return this.g;
  }
  get canRemoveSelected(): boolean {
    return this.g !== undefined && this.selected !== undefined && canRemove(this.g);
  }

  start(g: EditGeometry): void {
    this.g = g;
    this.selected = undefined;
    this.render();
  }

  stop(): void {
    this.g = undefined;
    this.selected = undefined;
    for (const m of this.markers) m.remove();
    this.markers = [];
    this.drawOutline([]);
  }

  removeSelected(): void {
    if (!this.g || this.selected === undefined) return;
    this.edit(removeVertex(this.g, this.selected));
  }

  private edit(g: EditGeometry, select?: number): void {
    this.g = g;
    this.selected = select;
    this.render();
    this.onChange();
  }

  private render(): void {
    for (const m of this.markers) m.remove();
    this.markers = [];
    const g = this.g;
    if (!g) return;
    this.drawOutline(outlineOf(g, ring));
    this.markers = handlesOf(g).map((hd) => this.marker(g, hd));
  }

  private label(g: EditGeometry, hd: Handle): string {
    if (hd.role === 'centre') return tx('draw.edit.centre');
    if (hd.role === 'radius') return tx('draw.edit.radius', { m: g.radius ?? 1 });
    if (hd.role === 'mid') return tx('draw.edit.mid', { a: hd.index + 1, b: ((hd.index + 1) % g.points.length) + 1 });
    return tx('draw.edit.vertex', { n: hd.index + 1 });
  }

  private marker(g: EditGeometry, hd: Handle): maplibregl.Marker {
    const selected = hd.role === 'vertex' && hd.index === this.selected;
    const el = h('button', {
      type: 'button',
      class: `vertex-handle ${hd.role}${selected ? ' selected' : ''}`,
      testid: `vertex-${hd.role}-${hd.index}`,
      'aria-label': this.label(g, hd),
      'aria-pressed': hd.role === 'vertex' ? String(selected) : undefined,
    });
    const marker = new maplibregl.Marker({ element: el, draggable: true }).setLngLat([hd.at[1], hd.at[0]]).addTo(this.map);
    const at = (): LatLon => {
      const ll = marker.getLngLat();
      return [ll.lat, ll.lng];
    };
    let dragged = false;
    marker.on('dragstart', () => (dragged = true));
    marker.on('drag', () => this.drawOutline(outlineOf(dragTo(g, hd, at()), ring)));
    marker.on('dragend', () => this.edit(dragTo(g, hd, at()), hd.role === 'vertex' ? hd.index : hd.role === 'mid' ? hd.index + 1 : undefined));
    el.addEventListener('click', (ev) => {
      // the map below must not take the click as a shape selection
      ev.stopPropagation();
      if (dragged) return;
      if (hd.role === 'mid') this.edit(insertAfter(g, hd.index), hd.index + 1);
      else if (hd.role === 'vertex') this.edit(g, selected ? undefined : hd.index);
    });
    el.addEventListener('keydown', (ev) => {
      if (hd.role === 'vertex' && (ev.key === 'Delete' || ev.key === 'Backspace') && canRemove(g)) {
        ev.preventDefault();
        this.edit(removeVertex(g, hd.index));
        return;
      }
      // arrow keys move a handle by 5 screen pixels: the keyboard path to every edit a drag makes
      const step = NUDGE[ev.key];
      if (!step || hd.role === 'mid') return;
      // the map's own keyboard handler would pan as well
      ev.preventDefault();
      ev.stopPropagation();
      const px = this.map.project([hd.at[1], hd.at[0]]);
      const to = this.map.unproject([px.x + step[0], px.y + step[1]]);
      this.edit(dragTo(g, hd, [to.lat, to.lng]), hd.role === 'vertex' ? hd.index : undefined);
      this.focus(hd);
    });
    return marker;
  }

  /** Handles are rebuilt after each edit: keep the keyboard on the one just moved. */
  private focus(hd: Handle): void {
    const el = this.markers.map((m) => m.getElement()).find((e) => e.dataset['testid'] === `vertex-${hd.role}-${hd.index}`);
    el?.focus();
  }

  private drawOutline(lines: [number, number][][]): void {
    if (!this.sourceReady) {
      if (!this.map.loaded() || lines.length === 0) return;
      this.map.addSource(SOURCE, { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
      this.map.addLayer({ id: SOURCE, type: 'line', source: SOURCE, paint: { 'line-color': '#ffcc00', 'line-width': 2, 'line-dasharray': [2, 1] } });
      this.sourceReady = true;
    }
    (this.map.getSource(SOURCE) as GeoJSONSource).setData({
      type: 'FeatureCollection',
      features: lines.map((coordinates) => ({ type: 'Feature', properties: {}, geometry: { type: 'LineString', coordinates } })),
    });
  }
}
