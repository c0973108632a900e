/**
 * Track list: the tracks the filters let through, sortable, searchable by callsign / uid / type, each row a
 * button (Tab reaches it, Enter selects it and centres the map). The search box also takes a typed position
 * (DD, DMS or MGRS) and centres the map there. Every matching track has a row, but only the rows in view
 * are in the DOM (list-rows.ts); re-sorted and repainted at most about once a second while open, never while
 * closed (2,000 tracks at 1 Hz stay cheap).
 */
import { clear, h } from '../dom.js';
import { tc } from '../i18n-cop.js';
import type { TrackEntry, TrackStore } from '../track-store.js';
import { formatCoord, parseCoord, type CoordFormat, type LatLon } from './coords.js';
import { VirtualRows } from './list-rows.js';

export type SortKey = 'callsign' | 'type' | 'origin' | 'time';
const REFRESH_MS = 1000;
/** One collator for all sorts: String.prototype.localeCompare sets one up per call. */
const collator = new Intl.Collator();

/** Search match: case-insensitive substring of callsign, uid or CoT type. Pure: exported for tests. */
export function matchesQuery(e: TrackEntry, q: string): boolean {
  if (!q) return true;
  const n = q.toLowerCase();
  const tr = e.track;
  return (tr.callsign ?? '').toLowerCase().includes(n) || tr.uid.toLowerCase().includes(n) || tr.type.toLowerCase().includes(n);
}

export function sortEntries(list: TrackEntry[], key: SortKey): TrackEntry[] {
  const field = (e: TrackEntry): string => (key === 'callsign' ? e.track.callsign || e.track.uid : key === 'type' ? e.track.type : key === 'origin' ? e.track.origin : e.track.time);
  const dir = key === 'time' ? -1 : 1;
  return list.sort((a, b) => dir * collator.compare(field(a), field(b)) || collator.compare(a.track.uid, b.track.uid));
}

export interface TrackListDeps {
  store(): TrackStore;
  select(uid: string): void;
  flyTo(p: LatLon): void;
  coordFormat(): CoordFormat;
  notify(text: string): void;
}

export class TrackList {
  readonly el = h('section', { class: 'track-list', testid: 'track-list', 'aria-label': tc('panel.list') });
  private readonly search = h('input', { type: 'search', testid: 'track-search', autocomplete: 'off' });
  private readonly sort = h('select', { testid: 'track-sort' });
  private readonly rows: VirtualRows;
  /** the matching tracks, sorted; refilled in place by each render */
  private readonly shown: TrackEntry[] = [];
  private readonly status = h('p', { class: 'muted small', testid: 'track-list-status', 'aria-live': 'polite' });
  private readonly heading = h('h3', {});
  private readonly searchLabel = h('label', { class: 'sr-only' });
  private readonly sortLabel = h('label', { class: 'small muted' });
  private sortKey: SortKey = 'callsign';
  private lastRender = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  open = false;
  /** renders so far and the main-thread ms they took (window.__kizuna counters) */
  renders = 0;
  renderMs = 0;

  constructor(private readonly deps: TrackListDeps) {
    this.rows = new VirtualRows({
      coordFormat: () => deps.coordFormat(),
      activate: (uid) => {
        const e = deps.store().get(uid);
        deps.select(uid);
        if (e) deps.flyTo(e.track);
      },
    });
    this.search.id = 'track-search';
    this.sort.id = 'track-sort';
    this.searchLabel.setAttribute('for', 'track-search');
    this.sortLabel.setAttribute('for', 'track-sort');
    this.search.addEventListener('input', () => this.render());
    this.search.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter') {
        ev.preventDefault();
        this.jump();
      }
    });
    this.sort.addEventListener('change', () => {
      this.sortKey = this.sort.value as SortKey;
      this.render();
    });
    const form = h('div', { class: 'list-controls' }, this.searchLabel, this.search, this.sortLabel, this.sort);
    this.el.append(this.heading, form, this.status, this.rows.el);
    this.relabel();
  }

  relabel(): void {
    this.heading.textContent = tc('list.title');
    this.el.setAttribute('aria-label', tc('panel.list'));
    this.search.placeholder = tc('list.search');
    this.searchLabel.textContent = tc('list.search');
    this.sortLabel.textContent = tc('list.sort');
    clear(this.sort);
    for (const k of ['callsign', 'type', 'origin', 'time'] as const) {
      const o = h('option', { value: k }, tc(`list.sort.${k}`));
      if (k === this.sortKey) o.selected = true;
      this.sort.append(o);
    }
    this.render();
  }

  /** Search box Enter: the first matching track, else a typed position, else say so. */
  jump(query = this.search.value.trim()): boolean {
    this.search.value = query;
    const first = this.matching()[0];
    if (query && first) {
      this.deps.select(first.track.uid);
      this.deps.flyTo(first.track);
      this.render();
      return true;
    }
    const p = parseCoord(query);
    if (p) {
      this.deps.flyTo(p);
      this.deps.notify(tc('find.position', { p: formatCoord(p, this.deps.coordFormat()) }));
      return true;
    }
    if (query) this.deps.notify(tc('find.noMatch', { q: query }));
    return false;
  }

  private matching(out: TrackEntry[] = []): TrackEntry[] {
    const q = this.search.value.trim();
    out.length = 0;
    const store = this.deps.store();
    for (const e of store.all()) if (store.matches(e) && matchesQuery(e, q)) out.push(e);
    return sortEntries(out, this.sortKey);
  }

  /** After each map redraw: re-render when open, at most about once a second. */
  changed(): void {
    if (!this.open || this.timer) return;
    const wait = this.lastRender + REFRESH_MS - performance.now();
    if (wait <= 0) this.render();
    else this.timer = setTimeout(() => this.render(), wait);
  }

  render(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.open) return;
    const t0 = performance.now();
    this.lastRender = t0;
    const list = this.matching(this.shown);
    this.rows.show(list);
    const status = list.length === 0 ? tc('list.none') : '';
    if (this.status.textContent !== status) this.status.textContent = status;
    this.renders++;
    this.renderMs += performance.now() - t0;
  }
}
