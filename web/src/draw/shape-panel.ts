/**
 * The panel for one shape: a new drawing (name, colour, radius, label → Share) or an existing one (rename,
 * recolour → Save; edit its vertices, centre or radius on the map → Save shape; Delete). Edits send no label, so
 * the write authority keeps the shape's own (an update may never widen it); a shape the user does not hold is
 * refused by the server and the refusal is shown. Geometry editing is offered on shapes of the user's own nation
 * (a partner's shape can never be the user's); the server still decides.
 */
import type { TrackView } from '../../../src/api/contract.js';
import type { ApiClient, ShapeInput } from '../api.js';
import { clear, h } from '../dom.js';
import { markingText } from '../desk/context.js';
import { LabelPicker } from '../desk/label-picker.js';
import type { Drawn } from './draw-tool.js';
import { tx, type CopKey } from './strings.js';
import type { VertexEditor } from './vertex-edit.js';
import { canRemove, editableOf, updateOf } from './vertex-geo.js';

export interface ShapePanelDeps {
  api: ApiClient;
  toast(text: string, kind?: 'info' | 'error'): void;
  errorText(e: unknown): string;
  canWrite(): boolean;
  /** the user's nation (shapes of another nation are never the user's to edit) */
  nation(): string | undefined;
  editor: VertexEditor;
  /** the polygon chosen as the next request's area */
  useForRequest(t: TrackView): void;
}

const colorOf = (t: TrackView) => t.shape?.stroke ?? '#ffff00';

export class ShapePanel {
  readonly el = h('aside', { class: 'shape-panel hidden', testid: 'shape-panel' });
  uid: string | undefined;

  constructor(private readonly deps: ShapePanelDeps) {}

  close(): void {
    this.deps.editor.stop();
    this.uid = undefined;
    this.el.classList.add('hidden');
    clear(this.el);
  }

  /** A fresh drawing: ask for the details, then share it. */
  openNew(d: Drawn): void {
    this.deps.editor.stop();
    this.uid = undefined;
    const name = h('input', { testid: 'shape-name', maxlength: 200, value: tx(`draw.${d.kind}` as CopKey) });
    const color = h('input', { testid: 'shape-color', type: 'color', value: '#ffcc00' });
    const radius = h('input', { testid: 'shape-radius', type: 'number', min: 1, step: 1, value: d.radius ?? 0 });
    const rings = h('input', { testid: 'shape-rings', type: 'number', min: 1, max: 10, step: 1, value: 3 });
    const remarks = h('textarea', { testid: 'shape-remarks', rows: 2, maxlength: 2000 });
    const picker = new LabelPicker(this.deps.api, 'shape-label');
    const save = h('button', { class: 'btn primary', type: 'submit', testid: 'shape-save' }, tx('draw.save'));
    const submit = async (ev: Event) => {
      ev.preventDefault();
      await this.attempt(save, async () => {
        const label = await picker.value();
        const shape: ShapeInput = { kind: d.kind, name: name.value.trim() || tx(`draw.${d.kind}` as CopKey), points: d.points, color: color.value };
        if (d.kind === 'circle' || d.kind === 'rings') shape.radius = Math.max(1, Number(radius.value) || 1);
        if (d.kind === 'rings') shape.rings = Math.min(10, Math.max(1, Math.round(Number(rings.value) || 3)));
        if (remarks.value.trim()) shape.remarks = remarks.value.trim();
        await this.deps.api.saveShape(shape, label);
        this.deps.toast(tx('draw.saved', { name: shape.name }));
        this.close();
      });
    };
    this.show(
      h(
        'form',
        { class: 'shape-form', onsubmit: submit },
        h('h3', {}, tx('draw.title.new', { kind: tx(`draw.${d.kind}` as CopKey) })),
        field(tx('draw.name'), name),
        field(tx('draw.color'), color),
        d.kind === 'circle' || d.kind === 'rings' ? field(tx('draw.radius'), radius) : null,
        d.kind === 'rings' ? field(tx('draw.ringCount'), rings) : null,
        field(tx('draw.remarks'), remarks),
        picker.el,
        h('div', { class: 'actions' }, save, h('button', { class: 'btn', type: 'button', testid: 'shape-cancel', onclick: () => this.close() }, tx('draw.cancel'))),
      ),
    );
    name.focus();
    name.select();
  }

  /** An existing shape (anyone's): details, and for writers rename / recolour / delete. */
  openExisting(t: TrackView): void {
    this.deps.editor.stop();
    this.uid = t.uid;
    const writer = this.deps.canWrite();
    const name = h('input', { testid: 'shape-name', maxlength: 200, value: t.callsign, disabled: !writer });
    const color = h('input', { testid: 'shape-color', type: 'color', value: colorOf(t), disabled: !writer });
    const s = t.shape;
    const editable = s && s.kind !== 'ellipse';
    const update = async (ev: Event) => {
      ev.preventDefault();
      if (!s || !editable) return;
      const kind = s.kind === 'polygon' && s.points.length > 3 ? 'polygon' : (s.kind as ShapeInput['kind']);
      const pts = kind === 'polygon' ? s.points.slice(0, -1) : s.points;
      const shape: ShapeInput = { uid: t.uid, kind, name: name.value.trim() || t.callsign, points: pts, color: color.value };
      if (s.kind === 'circle') shape.radius = s.radii?.[0] ?? 1;
      if (s.kind === 'rings') {
        shape.radius = s.radii?.[0] ?? 1;
        shape.rings = s.radii?.length ?? 1;
      }
      await this.attempt(null, async () => {
        await this.deps.api.saveShape(shape);
        this.deps.toast(tx('draw.saved', { name: shape.name }));
      });
    };
    const remove = () =>
      this.attempt(null, async () => {
        await this.deps.api.deleteShape(t.uid);
        this.deps.toast(tx('draw.deleted'));
        this.close();
      });
    const isArea = s && (s.kind === 'polygon' || s.kind === 'rectangle');
    this.show(
      h(
        'form',
        { class: 'shape-form', onsubmit: update },
        h('div', { class: 'detail-head' }, h('span', { class: 'portion-mark', testid: 'shape-portion', style: `background:${t.label.color}`, title: markingText(t.label) }, t.label.portion), h('h3', { testid: 'shape-title' }, tx('draw.title.edit', { name: t.callsign }))),
        h('div', { class: 'muted mono' }, `${t.type} · ${t.origin}`),
        field(tx('draw.name'), name),
        field(tx('draw.color'), color),
        t.remarks ? h('div', { class: 'pre' }, t.remarks) : null,
        h(
          'div',
          { class: 'actions' },
          writer && editable ? h('button', { class: 'btn primary', type: 'submit', testid: 'shape-update' }, tx('draw.update')) : null,
          writer && s && t.origin === this.deps.nation() && editableOf(s) ? h('button', { class: 'btn', type: 'button', testid: 'shape-edit', onclick: () => this.editGeometry(t, name.value, color.value) }, tx('draw.edit')) : null,
          writer ? h('button', { class: 'btn danger', type: 'button', testid: 'shape-delete', onclick: remove }, tx('draw.delete')) : null,
          isArea ? h('button', { class: 'btn', type: 'button', testid: 'shape-use-request', onclick: () => this.deps.useForRequest(t) }, tx('draw.useForRequest')) : null,
          h('button', { class: 'btn', type: 'button', testid: 'shape-close', onclick: () => this.close() }, '×'),
        ),
      ),
    );
  }

  /** One write of the panel: `button` (if any) is disabled meanwhile, and a failure is told in a toast. */
  private async attempt(button: HTMLButtonElement | null, run: () => Promise<void>): Promise<void> {
    if (button) button.disabled = true;
    try {
      await run();
    } catch (e) {
      this.deps.toast(this.deps.errorText(e), 'error');
    } finally {
      if (button) button.disabled = false;
    }
  }

  /** Handles on the map for the shape's vertices (or centre and radius); Save shape publishes the update. */
  private editGeometry(t: TrackView, name: string, color: string): void {
    const g = t.shape && editableOf(t.shape);
    if (!g) return;
    const editor = this.deps.editor;
    const remove = h('button', { class: 'btn', type: 'button', testid: 'shape-vertex-remove', disabled: true, onclick: () => editor.removeSelected() }, tx('draw.edit.remove'));
    const save = h('button', { class: 'btn primary', type: 'button', testid: 'shape-edit-save' }, tx('draw.edit.save'));
    const circle = g.kind === 'circle' || g.kind === 'rings';
    save.addEventListener('click', async () => {
      const edited = editor.geometry;
      if (!edited) return;
      const shape = updateOf(t.uid, name.trim() || t.callsign, color, edited, t.remarks);
      await this.attempt(save, async () => {
        await this.deps.api.saveShape(shape);
        this.deps.toast(tx('draw.saved', { name: shape.name }));
        editor.stop();
        this.openExisting({ ...t, callsign: shape.name });
      });
    });
    this.show(
      h(
        'div',
        { class: 'shape-form', testid: 'shape-editing' },
        h('h3', { testid: 'shape-title' }, tx('draw.title.edit', { name: t.callsign })),
        h('p', { class: 'edit-hint' }, tx(circle ? 'draw.edit.hintCircle' : 'draw.edit.hint')),
        h('div', { class: 'actions' }, save, circle ? null : remove, h('button', { class: 'btn', type: 'button', testid: 'shape-edit-cancel', onclick: () => this.openExisting(t) }, tx('draw.cancel'))),
      ),
    );
    // the panel's Remove follows the selection and the vertex count
    this.onEdit = () => {
      const cur = editor.geometry;
      remove.disabled = !cur || !editor.canRemoveSelected || !canRemove(cur);
    };
    editor.start(g);
  }

  /** Runs after each edit on the map (wired by the owner to the editor's onChange). */
  onEdit: () => void = () => undefined;

  private show(content: HTMLElement): void {
    clear(this.el);
    this.el.append(content);
    this.el.classList.remove('hidden');
  }
}

function field(label: string, input: HTMLElement): HTMLElement {
  return h('label', { class: 'field' }, h('span', {}, label), input);
}
