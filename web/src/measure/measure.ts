/**
 * Measuring on the map: click a start (a track, which is then followed as it moves, or any point), then an
 * end; the card shows range (NM or km), true and magnetic bearing (WMM declination at the start point) and
 * can draw a distance ring around the start. Drawn as one small GeoJSON source on the map (it changes only
 * on clicks or when a followed track moves, not every frame).
 */
import type { GeoJSONSource, MapMouseEvent } from 'maplibre-gl';
import { h } from '../dom.js';
import { tc } from '../i18n-cop.js';
import type { MapView } from '../map-view.js';
import { formatCoord, type CoordFormat, type LatLon } from '../find/coords.js';
import { bearingTrue, declination, distanceM, METRES_PER_NM, ring, toMagnetic } from './geo.js';

interface End {
  uid?: string;
  at: LatLon;
}

const SOURCE = 'kizuna-measure';
const pad3 = (d: number) => String(Math.round(d) % 360).padStart(3, '0');

export class MeasureTool {
  readonly card = h('section', { class: 'measure-card hidden', testid: 'measure-card', 'aria-live': 'polite' });
  active = false;
  private from: End | undefined;
  private to: End | undefined;
  private ringOn = false;

  constructor(
    private readonly view: MapView,
    private readonly opts: { coordFormat(): CoordFormat; units(): 'nm' | 'km'; setUnits(u: 'nm' | 'km'): void; onClose(): void },
  ) {
    view.map.on('click', (e: MapMouseEvent) => this.click(e));
  }

  toggle(on = !this.active): void {
    this.active = on;
    this.card.classList.toggle('hidden', !on);
    this.view.map.getCanvas().style.cursor = on ? 'crosshair' : '';
    if (!on) this.clear();
    this.render();
  }

  clear(): void {
    this.from = undefined;
    this.to = undefined;
    this.render();
  }

  /** Set the ends directly (tests and keyboard users: the search box gives a position) */
  set(from: End, to: End): void {
    this.from = from;
    this.to = to;
    this.render();
  }

  private click(e: MapMouseEvent): void {
    if (!this.active) return;
    const uid = this.view.hitAt(e.point.x, e.point.y);
    const end: End = uid !== undefined ? { uid, at: this.view.displayed.get(uid)!.track } : { at: { lat: e.lngLat.lat, lon: e.lngLat.lng } };
    if (!this.from || this.to) {
      this.from = end;
      this.to = undefined;
    } else this.to = end;
    this.render();
  }

  /** A followed track moved: refresh (called after map redraws). */
  changed(): void {
    if (this.active && (this.from?.uid || this.to?.uid)) this.render();
  }

  private pos(end: End): LatLon {
    const e = end.uid !== undefined ? this.view.displayed.get(end.uid) : undefined;
    return e ? { lat: e.track.lat, lon: e.track.lon } : end.at;
  }

  private distance(m: number): string {
    return this.opts.units() === 'nm' ? `${(m / METRES_PER_NM).toFixed(2)} ${tc('unit.nm')}` : `${(m / 1000).toFixed(2)} ${tc('unit.km')}`;
  }

  render(): void {
    const c = this.card;
    c.replaceChildren();
    if (!this.active) return this.draw(undefined, undefined);
    const close = h('button', { class: 'icon-btn', type: 'button', testid: 'measure-close', 'aria-label': tc('measure.close'), title: tc('measure.close'), onclick: () => this.opts.onClose() }, '×');
    c.append(h('header', {}, h('h3', {}, tc('measure.tool')), close));
    const a = this.from ? this.pos(this.from) : undefined;
    const b = this.to ? this.pos(this.to) : undefined;
    if (!a || !b) {
      c.append(h('p', { class: 'muted', testid: 'measure-hint' }, a ? tc('measure.hintEnd') : tc('measure.hint')));
      return this.draw(a, undefined);
    }
    const m = distanceM(a, b);
    const brg = bearingTrue(a, b);
    const decl = declination(a);
    const label = (end: End) => (end.uid !== undefined ? `${this.view.displayed.get(end.uid)?.track.callsign ?? end.uid} · ` : '');
    const row = (k: string, testid: string, v: string) => h('div', { class: 'kv' }, h('dt', {}, k), h('dd', { testid, class: 'mono' }, v));
    const units = h('select', { testid: 'measure-units', 'aria-label': tc('measure.units') }, ...(['nm', 'km'] as const).map((u) => h('option', { value: u, selected: this.opts.units() === u }, tc(`unit.${u}`))));
    units.addEventListener('change', () => {
      this.opts.setUnits(units.value === 'km' ? 'km' : 'nm');
      this.render();
    });
    const ringBox = h('input', { type: 'checkbox', testid: 'measure-ring', checked: this.ringOn });
    ringBox.addEventListener('change', () => {
      this.ringOn = ringBox.checked;
      this.render();
    });
    c.append(
      h('dl', {},
        row(tc('measure.from'), 'measure-from', label(this.from!) + formatCoord(a, this.opts.coordFormat())),
        row(tc('measure.to'), 'measure-to', label(this.to!) + formatCoord(b, this.opts.coordFormat())),
        row(tc('measure.range'), 'measure-range', this.distance(m)),
        row(tc('measure.bearingTrue'), 'measure-bearing-true', `${pad3(brg)}° T`),
        row(tc('measure.bearingMag'), 'measure-bearing-mag', `${pad3(toMagnetic(brg, decl))}° M`),
      ),
      h('p', { class: 'small muted', testid: 'measure-decl' }, tc('measure.decl', { d: `${Math.abs(decl).toFixed(1)}°${decl >= 0 ? 'E' : 'W'}` })),
      h('div', { class: 'measure-actions' },
        h('label', { class: 'chk' }, ringBox, tc('measure.ring')),
        h('label', { class: 'chk' }, tc('measure.units'), units),
        h('button', { class: 'btn', type: 'button', testid: 'measure-clear', onclick: () => this.clear() }, tc('measure.clear')),
      ),
    );
    this.draw(a, b, this.ringOn ? m : undefined);
  }

  private draw(a: LatLon | undefined, b: LatLon | undefined, ringM?: number): void {
    const map = this.view.map;
    if (!map.isStyleLoaded() && !map.getSource(SOURCE)) {
      map.once('idle', () => this.draw(a, b, ringM));
      return;
    }
    const features: GeoJSON.Feature[] = [];
    if (a) features.push({ type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: [a.lon, a.lat] } });
    if (a && b) {
      features.push({ type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: [b.lon, b.lat] } });
      features.push({ type: 'Feature', properties: {}, geometry: { type: 'LineString', coordinates: [[a.lon, a.lat], [b.lon, b.lat]] } });
    }
    if (a && ringM) features.push({ type: 'Feature', properties: {}, geometry: { type: 'LineString', coordinates: ring(a, ringM) } });
    const data: GeoJSON.FeatureCollection = { type: 'FeatureCollection', features };
    const src = map.getSource(SOURCE) as GeoJSONSource | undefined;
    if (src) return void src.setData(data);
    map.addSource(SOURCE, { type: 'geojson', data });
    map.addLayer({ id: `${SOURCE}-line`, type: 'line', source: SOURCE, filter: ['==', '$type', 'LineString'], paint: { 'line-color': '#ffd600', 'line-width': 2, 'line-dasharray': [3, 2] } });
    map.addLayer({ id: `${SOURCE}-pt`, type: 'circle', source: SOURCE, filter: ['==', '$type', 'Point'], paint: { 'circle-radius': 4, 'circle-color': '#ffd600', 'circle-stroke-color': '#000', 'circle-stroke-width': 1 } });
  }
}
