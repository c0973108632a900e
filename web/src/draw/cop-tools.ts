/**
 * The map's working tools, mounted once per session by main.ts: drawing and shared shapes, overlay import and
 * export, and notifications. main.ts hands every server message to `onMessage` first; shapes are taken out of
 * the track picture here (they are drawn as shapes, not as symbols).
 */
import type { LabelView, ServerMessage, TrackView } from '../../../src/api/contract.js';
import type { ApiClient } from '../api.js';
import type { DeskState } from '../desk-state.js';
import { h } from '../dom.js';
import type { TrackStore } from '../track-store.js';
import type { Map as MlMap } from 'maplibre-gl';
import { AlertRules } from '../alerts/alert-rules.js';
import { AlertCenter } from '../alerts/alerts.js';
import { download } from '../overlays/download.js';
import { exportFeatures, toGeoJson, toKml } from '../overlays/export.js';
import { ImportPanel } from '../overlays/import-panel.js';
import { DrawTool } from './draw-tool.js';
import { ShapeLayer, ShapeStore } from './shape-layer.js';
import { ShapePanel } from './shape-panel.js';
import { VertexEditor } from './vertex-edit.js';
import './cop-tools.css';
import { tx } from './strings.js';
import { chooseRequestArea, setPolygonSource } from './request-area.js';

export interface CopToolsDeps {
  api: ApiClient;
  map: MlMap;
  store: TrackStore;
  state: DeskState;
  toasts: HTMLElement;
  toast(text: string, kind?: 'info' | 'error'): void;
  errorText(e: unknown): string;
  /** select a track or centre the map on it */
  show(uid: string): void;
  /** the request form should take this polygon as its area (and the desk open) */
  useForRequest(t: TrackView): void;
}

export class CopTools {
  readonly shapes = new ShapeStore();
  readonly alerts: AlertCenter;
  /** the drawing toolbar (export only for viewers), for the layout's rail */
  readonly bar: HTMLElement;
  /** shape, import and notification panels, for the layout's right column */
  readonly panels: HTMLElement[];
  private readonly rules: AlertRules;
  private readonly draw: DrawTool;
  private readonly panel: ShapePanel;
  private readonly editor: VertexEditor;
  private readonly importer: ImportPanel;
  private banner: LabelView | undefined;
  private readonly since = Date.now();
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(private readonly d: CopToolsDeps) {
    this.rules = new AlertRules(() => d.state.user);
    this.alerts = new AlertCenter(d.toasts, (uid) => d.show(uid));
    const canWrite = () => !!d.state.user && d.state.user.role !== 'viewer';
    this.editor = new VertexEditor(d.map, () => this.panel.onEdit());
    this.panel = new ShapePanel({
      api: d.api,
      toast: d.toast,
      errorText: d.errorText,
      canWrite,
      nation: () => d.state.user?.nation,
      editor: this.editor,
      useForRequest: (t) => {
        chooseRequestArea(t.uid);
        d.useForRequest(t);
      },
    });
    setPolygonSource(() => this.shapes.polygons());
    this.importer = new ImportPanel(d.api, d.toast, d.errorText);
    new ShapeLayer(d.map, this.shapes, (uid) => {
      if (this.draw.active || this.editor.active) return;
      const t = this.shapes.get(uid);
      if (t) this.panel.openExisting(t);
    });
    this.draw = new DrawTool(d.map, (drawn) => this.panel.openNew(drawn), this.extraButtons(canWrite()));
    this.bar = canWrite() ? this.draw.el : h('div', { class: 'draw-bar', testid: 'draw-bar' }, ...this.extraButtons(false));
    this.panels = [this.panel.el, this.importer.el, this.alerts.panel];
    this.timer = setInterval(() => {
      for (const n of this.rules.deadlines(d.state.requests.values(), this.since)) this.alerts.add(n);
    }, 5000);
    this.shapes.on(() => {
      const uid = this.panel.uid;
      if (uid && !this.shapes.get(uid)) this.panel.close();
    });
  }

  private extraButtons(writer: boolean): HTMLElement[] {
    const exp = (fmt: 'geojson' | 'kml') => () => this.exportView(fmt);
    return [
      writer ? h('button', { class: 'btn', type: 'button', testid: 'overlay-import', onclick: () => this.importer.open() }, tx('overlay.import')) : null,
      h('button', { class: 'btn', type: 'button', testid: 'export-geojson', title: tx('overlay.export.geojson'), onclick: exp('geojson') }, 'GeoJSON ⤓'),
      h('button', { class: 'btn', type: 'button', testid: 'export-kml', title: tx('overlay.export.kml'), onclick: exp('kml') }, 'KML ⤓'),
    ].filter((x): x is HTMLButtonElement => x !== null);
  }

  /** The shape, import and alerts panels with how each closes, for the layout. */
  closablePanels(): { el: HTMLElement; close(): void }[] {
    return [
      { el: this.panel.el, close: () => this.panel.close() },
      { el: this.importer.el, close: () => this.importer.close() },
      { el: this.alerts.panel, close: () => this.alerts.panel.classList.add('hidden') },
    ];
  }

  relabel(): void {
    this.draw.renderBar(this.extraButtons(!!this.d.state.user && this.d.state.user.role !== 'viewer'));
    this.alerts.relabel();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Returns true when the message was a shape (and must not reach the track store). */
  onMessage(msg: ServerMessage): boolean {
    switch (msg.t) {
      case 'snapshot': {
        const shapes = msg.tracks.filter((t) => t.shape);
        this.shapes.replaceAll(shapes);
        for (const t of msg.tracks) if (t.alert) this.alerts.add(this.rules.track(t));
        if (shapes.length) msg.tracks = msg.tracks.filter((t) => !t.shape);
        return false;
      }
      case 'track':
        if (msg.track.alert) this.alerts.add(this.rules.track(msg.track));
        if (msg.track.shape) {
          this.shapes.upsert(msg.track);
          return true;
        }
        return false;
      case 'remove':
        this.rules.removed(msg.uid);
        return this.shapes.remove(msg.uid);
      case 'banner':
        this.banner = msg.label;
        return false;
      case 'request':
        this.alerts.add(this.rules.request(msg.request));
        return false;
      case 'posture':
        this.alerts.add(this.rules.posture(msg.posture));
        return false;
      case 'chat':
        this.alerts.add(this.rules.chat(msg.message));
        return false;
      default:
        return false;
    }
  }

  private exportView(fmt: 'geojson' | 'kml'): void {
    const tracks: TrackView[] = [];
    for (const e of this.d.store.all()) if (this.d.store.matches(e)) tracks.push(e.track);
    const meta = { banner: this.banner, node: this.d.state.node?.node ?? '', user: this.d.state.user?.username ?? '', at: new Date().toISOString() };
    const features = exportFeatures(tracks, this.shapes.all());
    const stamp = meta.at.slice(0, 19).replace(/[:T]/g, '');
    if (fmt === 'geojson') download(`kizuna-${stamp}.geojson`, 'application/geo+json', toGeoJson(features, meta));
    else download(`kizuna-${stamp}.kml`, 'application/vnd.google-earth.kml+xml', toKml(features, meta));
  }
}
