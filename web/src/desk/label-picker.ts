/**
 * The one control for labelling something a user creates (requests, chat): classification, caveats and
 * releasability come from the user's own policy as served by GET /api/label-options, shown in the UI
 * language; nations are checkboxes of the configured partners, never free text.
 */
import type { LabelOptionsView } from '../../../src/api/contract.js';
import type { ApiClient, LabelInput } from '../api.js';
import { append, clear, h } from '../dom.js';
import { t } from '../i18n.js';
import { markingText } from './context.js';

const cache = new Map<string, Promise<LabelOptionsView>>();

/** Options per session token: a different user (or a new session) asks again. */
export function labelOptions(api: ApiClient): Promise<LabelOptionsView> {
  const key = api.token ?? '';
  let p = cache.get(key);
  if (!p) {
    p = api.labelOptions();
    p.catch(() => cache.delete(key));
    cache.set(key, p);
  }
  return p;
}

const shown = markingText;

/** Checkboxes for a set of nations; `fixed` is always included (the writer's own nation). */
export class NationChecks {
  readonly el: HTMLElement;
  private readonly boxes = new Map<string, HTMLInputElement>();

  constructor(testid: string, nations: readonly string[], fixed: string) {
    this.el = h('span', { class: 'checks', testid });
    for (const n of nations) {
      const box = h('input', { type: 'checkbox', testid: `${testid}-${n}`, value: n, checked: true, disabled: n === fixed });
      this.boxes.set(n, box);
      this.el.append(h('label', { class: 'chk' }, box, n));
    }
  }

  values(): string[] {
    return [...this.boxes].filter(([, b]) => b.checked).map(([n]) => n);
  }
}

export class LabelPicker {
  readonly el: HTMLElement;
  /** resolves once the options have arrived and the controls are built */
  readonly ready: Promise<LabelOptionsView>;
  private classification: HTMLSelectElement | undefined;
  private relTo: NationChecks | undefined;
  private readonly caveats = new Map<string, HTMLInputElement>();
  private options: LabelOptionsView | undefined;

  constructor(api: ApiClient, private readonly testid: string) {
    this.el = h('div', { class: 'label-picker', testid }, h('span', { class: 'muted' }, t('common.loading')));
    this.ready = labelOptions(api).then((o) => {
      this.build(o);
      return o;
    });
  }

  /** Language switch: rebuilt in the new language, keeping what the user chose. */
  relabel(): void {
    if (!this.options) return;
    const cls = this.classification?.value;
    const rel = new Set(this.relTo?.values());
    const cav = new Set([...this.caveats].filter(([, b]) => b.checked).map(([n]) => n));
    this.build(this.options);
    if (cls) this.classification!.value = cls;
    this.classification!.dispatchEvent(new Event('change'));
    for (const b of this.el.querySelectorAll<HTMLInputElement>('input[type="checkbox"]')) {
      if (this.caveats.get(b.value) === b) b.checked = cav.has(b.value) && !b.disabled;
      else if (!b.disabled) b.checked = rel.has(b.value);
    }
  }

  private build(o: LabelOptionsView): void {
    this.options = o;
    this.caveats.clear();
    clear(this.el);
    const sel = h('select', { testid: `${this.testid}-classification` }, o.classifications.map((c) => h('option', { value: c.name }, shown(c))));
    this.classification = sel;
    this.relTo = new NationChecks(`${this.testid}-relto`, o.nations, o.nation);
    const caveatBoxes = o.caveats.flatMap((tag) =>
      tag.values.map((v) => {
        const box = h('input', { type: 'checkbox', testid: `${this.testid}-caveat-${v.name}`, value: v.name });
        box.dataset['min'] = v.minClassification ?? '';
        this.caveats.set(v.name, box);
        return h('label', { class: 'chk' }, box, shown(v));
      }),
    );
    // a caveat below its minimum level would make an invalid label: it is disabled, not rejected later
    const rank = new Map(o.classifications.map((c) => [c.name, c.rank]));
    const sync = () => {
      for (const box of this.caveats.values()) {
        const min = box.dataset['min'];
        const ok = !min || (rank.get(sel.value) ?? -1) >= (rank.get(min) ?? Infinity);
        box.disabled = !ok;
        if (!ok) box.checked = false;
      }
    };
    sel.addEventListener('change', sync);
    sync();
    append(this.el, [
      h('label', { class: 'field' }, h('span', {}, t('req.form.classification')), sel),
      caveatBoxes.length ? h('div', { class: 'field' }, h('span', {}, t('label.caveats')), h('span', { class: 'checks' }, caveatBoxes)) : null,
      h('div', { class: 'field' }, h('span', {}, t('req.form.releasableTo')), this.relTo.el),
    ]);
  }

  /** The label input (short form): the server builds the label in the user's own policy from it. */
  async value(): Promise<LabelInput> {
    await this.ready;
    const caveats = [...this.caveats].filter(([, b]) => b.checked).map(([n]) => n);
    return { classification: this.classification!.value, relTo: this.relTo!.values(), ...(caveats.length ? { caveats } : {}) };
  }
}
