/**
 * The COP's working tools around the map, wired once by main.ts: toolbar (panels, measure, history, theme),
 * a left column holding the filters and the track list (each collapsible; collapsed on narrow screens),
 * labels and coordinate-format Display options, hover tooltip, loading state until the first picture,
 * and the map view and filters remembered across reloads.
 */
import type { ApiClient } from '../api.js';
import { h } from '../dom.js';
import { tc } from '../i18n-cop.js';
import type { MapView } from '../map-view.js';
import type { TrackStore } from '../track-store.js';
import { ReplayBar } from '../history/replay.js';
import { MeasureTool } from '../measure/measure.js';
import { coordFormat, setCoordFormat } from './coord-pref.js';
import { COORD_FORMATS, type CoordFormat, type LatLon } from './coords.js';
import { attachTooltip } from './tooltip.js';
import { TrackList } from './track-list.js';
import { loadCopPrefs, saveCopPrefs, type CopPrefs } from './view-prefs.js';
import { isNarrow } from '../layout/cop-layout.js';
import './cop.css';


export interface CopToolsDeps {
  api: ApiClient;
  live(): TrackStore;
  select(uid: string | undefined): void;
  toast(text: string): void;
}

export class CopTools {
  readonly prefs: CopPrefs = loadCopPrefs();
  readonly toolbar = h('div', { class: 'cop-toolbar', testid: 'cop-toolbar', role: 'toolbar' });
  readonly side = h('div', { class: 'cop-side', testid: 'cop-side' });
  readonly loading = h('div', { class: 'cop-loading', testid: 'cop-loading', role: 'status' });
  readonly list: TrackList;
  readonly replay: ReplayBar;
  measure: MeasureTool | undefined;
  private view: MapView | undefined;
  private readonly panels: Record<'filters' | 'list', boolean>;
  private filtersEl: HTMLElement | undefined;
  private readonly buttons: Record<string, HTMLButtonElement> = {};

  constructor(private readonly deps: CopToolsDeps) {
    const narrow = isNarrow();
    this.panels = { filters: !narrow && (this.prefs.panels?.['filters'] ?? true), list: !narrow && (this.prefs.panels?.['list'] ?? false) };
    this.applyTheme();
    this.list = new TrackList({
      store: () => this.view?.displayed ?? deps.live(),
      select: (uid) => deps.select(uid),
      flyTo: (p: LatLon) => this.view?.flyTo(p.lon, p.lat),
      coordFormat,
      notify: (text) => deps.toast(text),
    });
    this.replay = new ReplayBar({
      api: deps.api,
      live: deps.live,
      show: (store) => this.view?.setStore(store ?? deps.live()),
      onModeChange: (replaying) => {
        document.documentElement.classList.toggle('replaying', replaying);
        this.list.render();
      },
    });
  }

  /** Places the filters panel in the left column (main.ts builds it). */
  adoptFilters(el: HTMLElement): void {
    this.filtersEl = el;
    this.side.replaceChildren(el, this.list.el);
    this.renderPanels();
  }

  attach(view: MapView): void {
    this.view = view;
    attachTooltip(view, coordFormat);
    this.measure = new MeasureTool(view, {
      coordFormat,
      units: () => this.prefs.units,
      setUnits: (u) => Object.assign(this.prefs, saveCopPrefs({ units: u })),
      onClose: () => this.toggleMeasure(false),
    });
    view.map.on('moveend', () => {
      const c = view.map.getCenter();
      saveCopPrefs({ view: { lng: c.lng, lat: c.lat, zoom: view.map.getZoom(), bearing: view.map.getBearing() } });
    });
    this.relabel();
  }

  /** Display options appended to the filters panel's Display group. */
  displayExtras(): HTMLElement[] {
    const labels = h('input', { type: 'checkbox', testid: 'display-labels', checked: this.prefs.labels });
    labels.addEventListener('change', () => {
      this.prefs.labels = labels.checked;
      saveCopPrefs({ labels: labels.checked });
      this.applyLabels();
    });
    const coords = h('select', { testid: 'display-coords', 'aria-label': tc('display.coords') }, ...COORD_FORMATS.map((f) => h('option', { value: f, selected: f === coordFormat() }, tc(`coord.${f}`))));
    coords.addEventListener('change', () => {
      const f = coords.value as CoordFormat;
      setCoordFormat(f);
      saveCopPrefs({ coords: f });
      this.list.render();
      this.measure?.render();
    });
    return [h('label', { class: 'chk' }, labels, tc('display.labels')), h('label', { class: 'chk' }, tc('display.coords'), coords)];
  }

  applyLabels(): void {
    const live = this.deps.live();
    live.labels = this.prefs.labels;
    const shown = this.view?.displayed;
    if (shown) {
      shown.labels = this.prefs.labels;
      shown.dirty = true;
    }
    live.dirty = true;
    this.view?.scheduleFlush();
  }

  /** First picture arrived: the loading state goes. */
  loaded(): void {
    this.loading.classList.add('hidden');
  }

  /** After each map redraw. */
  changed(): void {
    this.list.changed();
    this.measure?.changed();
  }

  private applyTheme(): void {
    document.documentElement.dataset['theme'] = this.prefs.theme;
  }

  /** Closes a side panel (a phone shows one panel at a time). */
  closePanel(panel: 'filters' | 'list' | 'measure'): void {
    if (panel === 'measure') this.toggleMeasure(false);
    else if (this.panels[panel]) this.toggle(panel);
  }

  private toggle(panel: 'filters' | 'list'): void {
    this.panels[panel] = !this.panels[panel];
    saveCopPrefs({ panels: { ...this.panels } });
    this.renderPanels();
  }

  private renderPanels(): void {
    this.filtersEl?.classList.toggle('hidden', !this.panels.filters);
    this.list.el.classList.toggle('hidden', !this.panels.list);
    this.list.open = this.panels.list;
    if (this.panels.list) this.list.render();
    for (const p of ['filters', 'list'] as const) this.buttons[p]?.setAttribute('aria-pressed', String(this.panels[p]));
  }

  private toggleMeasure(on?: boolean): void {
    this.measure?.toggle(on);
    this.buttons['measure']?.setAttribute('aria-pressed', String(this.measure?.active ?? false));
  }

  relabel(): void {
    this.loading.textContent = tc('cop.loading');
    const btn = (id: string, text: string, onclick: () => void, pressed?: boolean) => {
      const b = h('button', { class: 'btn tool', type: 'button', testid: `tool-${id}`, onclick, ...(pressed === undefined ? {} : { 'aria-pressed': String(pressed) }) }, text);
      this.buttons[id] = b;
      return b;
    };
    this.toolbar.setAttribute('aria-label', tc('measure.tool'));
    this.toolbar.replaceChildren(
      btn('filters', tc('panel.filters'), () => this.toggle('filters'), this.panels.filters),
      btn('list', tc('panel.list'), () => this.toggle('list'), this.panels.list),
      btn('measure', tc('measure.tool'), () => this.toggleMeasure(), this.measure?.active ?? false),
      btn('history', tc('history.tool'), () => void this.replay.open()),
      btn('theme', this.prefs.theme === 'dark' ? tc('theme.light') : tc('theme.dark'), () => {
        this.prefs.theme = this.prefs.theme === 'dark' ? 'light' : 'dark';
        saveCopPrefs({ theme: this.prefs.theme });
        this.applyTheme();
        this.relabel();
      }),
    );
    this.buttons['theme']!.title = tc('theme.toggle');
    this.list.relabel();
    this.replay.relabel();
    this.measure?.render();
  }
}
