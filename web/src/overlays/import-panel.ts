/**
 * Import an overlay file: parse it in the browser (nothing leaves before the user confirms), show how many
 * features it holds, pick the one label for all of them, then share through POST /api/shapes/import.
 */
import type { ApiClient, ShapeInput } from '../api.js';
import { clear, h } from '../dom.js';
import { LabelPicker } from '../desk/label-picker.js';
import { tx, type CopKey } from '../draw/strings.js';
import { OverlayError } from './parse.js';
import { parseOverlayFile } from './parse-file.js';

export class ImportPanel {
  readonly el = h('aside', { class: 'shape-panel import-panel hidden', testid: 'overlay-panel' });

  constructor(
    private readonly api: ApiClient,
    private readonly toast: (text: string, kind?: 'info' | 'error') => void,
    private readonly errorText: (e: unknown) => string,
  ) {}

  close(): void {
    this.el.classList.add('hidden');
    clear(this.el);
  }

  open(): void {
    let shapes: ShapeInput[] = [];
    let fileName = '';
    const status = h('div', { class: 'muted', testid: 'overlay-status', role: 'status' });
    const error = h('div', { class: 'error', testid: 'overlay-error', role: 'alert' });
    const picker = new LabelPicker(this.api, 'overlay-label');
    const go = h('button', { class: 'btn primary', type: 'button', testid: 'overlay-import-go', disabled: true }, tx('overlay.import.go'));
    const input = h('input', { type: 'file', testid: 'overlay-file', accept: '.kml,.kmz,.geojson,.json' });
    input.addEventListener('change', async () => {
      const f = input.files?.[0];
      shapes = [];
      go.disabled = true;
      error.textContent = '';
      status.textContent = '';
      if (!f) return;
      fileName = f.name;
      try {
        shapes = await parseOverlayFile(f);
        const kinds = new Map<string, number>();
        for (const s of shapes) kinds.set(s.kind, (kinds.get(s.kind) ?? 0) + 1);
        status.textContent = tx('overlay.import.features', { n: shapes.length, kinds: [...kinds].map(([k, n]) => `${tx(`draw.${k}` as CopKey)} ${n}`).join(', ') });
        go.disabled = false;
      } catch (e) {
        error.textContent = e instanceof OverlayError ? tx(e.key, e.params) : this.errorText(e);
      }
    });
    go.addEventListener('click', async () => {
      go.disabled = true;
      try {
        const label = await picker.value();
        const r = await this.api.importShapes(shapes, label);
        this.toast(tx('overlay.import.done', { n: r.uids.length, file: fileName }));
        this.close();
      } catch (e) {
        error.textContent = this.errorText(e);
        go.disabled = false;
      }
    });
    clear(this.el);
    this.el.append(
      h('h3', {}, tx('overlay.import.title')),
      h('label', { class: 'field' }, h('span', {}, tx('overlay.import.file')), input),
      status,
      error,
      picker.el,
      h('div', { class: 'actions' }, go, h('button', { class: 'btn', type: 'button', testid: 'overlay-cancel', onclick: () => this.close() }, tx('draw.cancel'))),
    );
    this.el.classList.remove('hidden');
  }
}
