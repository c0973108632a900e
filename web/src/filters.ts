/**
 * Filter panel. The UI keeps *excluded* values so that a newly seen origin shows up by default;
 * the store gets the equivalent inclusion sets (empty = everything).
 */
import { h, clear } from './dom.js';
import { t, type MessageKey } from './i18n.js';
import { loadDeclutter, saveDeclutter } from './prefs.js';
import { AFFILIATION_CODES, DIMENSION_CODES } from './symbols.js';
import type { TrackStore } from './track-store.js';

export type Axis = 'aff' | 'origin' | 'dim';

export class FiltersPanel {
  readonly el = h('section', { class: 'filters', testid: 'filters-panel' });
  private readonly excluded: Record<Axis, Set<string>> = { aff: new Set(), origin: new Set(), dim: new Set() };
  private knownOrigins: string[] = [];

  constructor(
    private readonly store: TrackStore,
    private readonly changed: () => void,
    /** more Display options (labels, coordinate format) from the find module */
    private readonly displayExtras: () => HTMLElement[] = () => [],
    /** restores and persists the excluded values (the view survives a reload) */
    private readonly persist?: { load(): Record<Axis, string[]> | undefined; save(ex: Record<Axis, string[]>): void },
  ) {
    store.declutter = loadDeclutter();
    const saved = persist?.load();
    if (saved) {
      for (const axis of ['aff', 'origin', 'dim'] as const) for (const v of saved[axis]) this.excluded[axis].add(v);
      this.apply();
    }
  }

  /** Re-renders only when the set of origins changed (called after each map flush). */
  refreshOrigins(): void {
    const origins = this.store.origins();
    if (origins.join(',') === this.knownOrigins.join(',')) return;
    this.knownOrigins = origins;
    this.apply();
    this.render();
  }

  private values(axis: Axis): readonly string[] {
    return axis === 'aff' ? AFFILIATION_CODES : axis === 'dim' ? DIMENSION_CODES : this.knownOrigins;
  }

  private apply(): void {
    const f = this.store.filter;
    const target: Record<Axis, Set<string>> = { aff: f.affiliations, origin: f.origins, dim: f.dimensions };
    for (const axis of ['aff', 'origin', 'dim'] as const) {
      const set = target[axis];
      set.clear();
      if (this.excluded[axis].size === 0) continue;
      for (const v of this.values(axis)) if (!this.excluded[axis].has(v)) set.add(v);
      // everything excluded: an impossible value keeps the set non-empty (= show nothing)
      if (set.size === 0) set.add('\u0000');
    }
    this.persist?.save({ aff: [...this.excluded.aff], origin: [...this.excluded.origin], dim: [...this.excluded.dim] });
    this.store.dirty = true;
    this.changed();
  }

  private toggle(axis: Axis, value: string, on: boolean): void {
    if (on) this.excluded[axis].delete(value);
    else this.excluded[axis].add(value);
    this.apply();
  }

  private setAll(axis: Axis, on: boolean): void {
    this.excluded[axis].clear();
    if (!on) for (const v of this.values(axis)) this.excluded[axis].add(v);
    this.apply();
    this.render();
  }

  render(): void {
    clear(this.el);
    const group = (axis: Axis, title: MessageKey, label: (v: string) => string) =>
      h(
        'fieldset',
        { testid: `filter-${axis}` },
        h(
          'legend',
          {},
          t(title),
          h('button', { class: 'link', testid: `filter-${axis}-all`, onclick: () => this.setAll(axis, true) }, t('filter.all')),
          h('button', { class: 'link', testid: `filter-${axis}-none`, onclick: () => this.setAll(axis, false) }, t('filter.none')),
        ),
        ...this.values(axis).map((v) => {
          const box = h('input', { type: 'checkbox', testid: `filter-${axis}-${v}`, checked: !this.excluded[axis].has(v) });
          box.addEventListener('change', () => this.toggle(axis, v, box.checked));
          return h('label', { class: 'chk' }, box, label(v));
        }),
      );
    const declutter = h('input', { type: 'checkbox', testid: 'display-declutter', checked: this.store.declutter });
    declutter.addEventListener('change', () => {
      this.store.declutter = declutter.checked;
      saveDeclutter(declutter.checked);
      this.store.dirty = true;
      this.changed();
    });
    this.el.append(
      h('h3', {}, t('filter.title')),
      group('aff', 'filter.affiliation', (v) => t(`aff.${v}` as MessageKey)),
      group('dim', 'filter.dimension', (v) => t(`dim.${v}` as MessageKey)),
      group('origin', 'filter.origin', (v) => v),
      h('fieldset', { testid: 'filter-display', class: 'single' }, h('legend', {}, t('filter.display')), h('label', { class: 'chk', title: t('filter.declutterHint') }, declutter, t('filter.declutter')), ...this.displayExtras()),
    );
  }
}
