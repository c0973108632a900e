/** Requests tab: list with per-nation concurrence, detail with decisions and comments, create form. */
import type { RequestKind, RequestView } from '../../../src/api/contract.js';
import type { NewRequest, RequestAction } from '../api.js';
import { append, clear, h } from '../dom.js';
import * as fmt from '../format.js';
import { t, type MessageKey } from '../i18n.js';
import { attempt, portion, type DeskContext } from './context.js';
import { LabelPicker, NationChecks } from './label-picker.js';
import { areaOf, chooseRequestArea, chosenRequestArea, drawnPolygons } from '../draw/request-area.js';
import { tx } from '../draw/strings.js';

const LAST_KIND_KEY = 'kizuna.lastRequestKind';
function lastKind(): RequestKind | undefined {
  try {
    const v = localStorage.getItem(LAST_KIND_KEY);
    return KINDS.includes(v as RequestKind) ? (v as RequestKind) : undefined;
  } catch {
    return undefined;
  }
}
function rememberKind(k: string): void {
  try {
    localStorage.setItem(LAST_KIND_KEY, k);
  } catch {
    /* storage disabled: the form starts from the first kind */
  }
}

const KINDS: RequestKind[] = ['isr', 'rfi', 'asset_protection', 'facility_use', 'logistics', 'hadr'];
const PRIORITIES: RequestView['priority'][] = ['routine', 'priority', 'immediate'];

export class RequestsTab {
  readonly el = h('div', { class: 'requests-tab', testid: 'requests-tab' });
  private selected: string | undefined;
  private creating = false;
  /** kept across live re-renders so typing is never lost */
  private formEl: HTMLElement | undefined;
  private draft = '';
  private readonly comment = h('textarea', { testid: 'request-comment-input', rows: 2 });
  private readonly list = h('div', { class: 'req-list' });
  private readonly detail = h('div', { class: 'req-detail', testid: 'request-detail' });

  constructor(private readonly ctx: DeskContext) {
    this.el.append(this.list, this.detail);
    ctx.state.on('requests', () => this.render());
    ctx.state.on('user', () => this.render());
  }

  /** Language switch: rebuild the form too (its labels are baked in). */
  relabel(): void {
    this.formEl = undefined;
    this.render();
  }

  /** Opens a fresh create form (rebuilt, so a newly chosen drawn area shows). */
  openForm(): void {
    this.creating = true;
    this.selected = undefined;
    this.formEl = undefined;
    this.render();
  }

  render(): void {
    this.renderList();
    this.renderDetail();
  }

  private renderList(): void {
    clear(this.list);
    const items = this.ctx.state.requestList();
    const canCreate = this.ctx.state.user?.role !== 'viewer';
    const head = h(
      'div',
      { class: 'toolbar' },
      h('h2', {}, t('desk.requests')),
      canCreate ? h('button', { class: 'btn primary', testid: 'request-new', onclick: () => { this.creating = true; this.selected = undefined; this.renderDetail(); } }, t('req.new')) : null,
    );
    const rows = items.map((r) =>
      h(
        'tr',
        {
          class: r.id === this.selected ? 'sel' : '',
          testid: `request-row-${r.id}`,
          'data-status': r.status,
          onclick: () => { if (this.selected !== r.id) this.draft = ''; this.selected = r.id; this.creating = false; this.render(); },
        },
        h('td', {}, portion(r.label)),
        h('td', { class: 'title' }, r.title, r.escalated ? h('span', { class: 'tag warn' }, t('req.escalated')) : null),
        h('td', {}, t(`kind.${r.kind}` as MessageKey)),
        h('td', {}, h('span', { class: `prio ${r.priority}` }, t(`priority.${r.priority}` as MessageKey))),
        h('td', {}, h('span', { class: `status ${r.status}`, testid: `request-status-${r.id}` }, t(`status.${r.status}` as MessageKey))),
        h('td', {}, ...r.concurrence.map((c) =>
          h('span', { class: `chip ${c.decision}`, testid: `concurrence-${r.id}-${c.nation}`, 'data-decision': c.decision, title: c.by ?? '' }, `${c.nation} ${t(`decision.${c.decision}` as MessageKey)}`),
        )),
        h('td', { class: 'muted' }, fmt.time(r.updatedAt).local),
      ),
    );
    const table = h(
      'table',
      { class: 'grid', testid: 'request-list' },
      h('thead', {}, h('tr', {}, h('th', {}, ''), ...(['req.col.title', 'req.col.kind', 'req.col.priority', 'req.col.status', 'req.col.concurrence', 'req.col.updated'] as const).map((k) => h('th', {}, t(k))))),
      h('tbody', {}, rows),
    );
    this.list.append(head, items.length ? table : h('p', { class: 'muted' }, t('common.empty')));
  }

  private renderDetail(): void {
    clear(this.detail);
    if (this.creating) {
      this.detail.append((this.formEl ??= this.form()));
      return;
    }
    const r = this.selected ? this.ctx.state.requests.get(this.selected) : undefined;
    if (!r) {
      this.detail.append(h('p', { class: 'muted' }, t('req.select')));
      return;
    }
    const state = this.ctx.state;
    // One persistent textarea: live updates re-render the detail without losing focus or text.
    const comment = this.comment;
    const hadFocus = document.activeElement === comment;
    comment.placeholder = t('req.comment.placeholder');
    comment.value = this.draft;
    comment.oninput = () => (this.draft = comment.value);
    queueMicrotask(() => hadFocus && comment.isConnected && comment.focus());
    const done = (res: RequestView) => {
      this.draft = '';
      state.upsertRequest(res);
    };
    const act = (action: RequestAction) => async () => {
      const res = await attempt(this.ctx, () => this.ctx.api.requestAction(r.id, action, comment.value.trim() || undefined));
      if (res) done(res);
    };
    const addComment = async () => {
      const text = comment.value.trim();
      if (!text) return;
      const res = await attempt(this.ctx, () => this.ctx.api.comment(r.id, text));
      if (res) done(res);
    };
    const user = state.user;
    const decide = state.canDecide(r);
    const operator = user && user.role !== 'viewer';
    const mineOrigin = user && user.nation === r.originNation;
    const buttons = h(
      'div',
      { class: 'actions' },
      decide ? h('button', { class: 'btn ok', testid: 'request-concur', onclick: act('concur') }, t('req.action.concur')) : null,
      decide ? h('button', { class: 'btn danger', testid: 'request-not-concur', onclick: act('not-concur') }, t('req.action.notConcur')) : null,
      decide ? h('button', { class: 'btn', testid: 'request-return', onclick: act('return') }, t('req.action.return')) : null,
      operator && mineOrigin && (r.status === 'draft' || r.status === 'returned') ? h('button', { class: 'btn primary', testid: 'request-submit', onclick: act('submit') }, t('req.action.submit')) : null,
      operator && mineOrigin && r.status === 'concurred' ? h('button', { class: 'btn primary', testid: 'request-execute', onclick: act('execute') }, t('req.action.execute')) : null,
      operator && mineOrigin && r.status === 'in_execution' ? h('button', { class: 'btn', testid: 'request-close', onclick: act('close') }, t('req.action.close')) : null,
      operator ? h('button', { class: 'btn', testid: 'request-add-comment', onclick: addComment }, t('req.action.comment')) : null,
    );
    const kv = (k: MessageKey, v: Node | string, testid?: string) => h('div', { class: 'kv' }, h('dt', {}, t(k)), h('dd', { testid }, v));
    append(this.detail, [
      h('div', { class: 'detail-head' }, portion(r.label, 'request-portion'), h('h2', { testid: 'request-title' }, r.title)),
      h('div', { class: 'muted' }, `${t(`kind.${r.kind}` as MessageKey)} · ${t(`priority.${r.priority}` as MessageKey)} · ${t('req.version', { v: r.version })}`),
      h(
        'dl',
        {},
        kv('req.col.status', h('span', { class: `status ${r.status}` }, t(`status.${r.status}` as MessageKey)), 'request-detail-status'),
        kv('req.requester', `${r.requester} (${r.originNation})`),
        kv('req.nations', r.nations.join(', ')),
        r.window ? kv('req.window', `${fmt.timeBoth(r.window.start)} – ${fmt.timeBoth(r.window.end)}`) : null,
        r.deadline ? kv('req.deadline', fmt.timeBoth(r.deadline)) : null,
        kv('req.description', h('div', { class: 'pre' }, r.description)),
      ),
      h(
        'table',
        { class: 'grid small', testid: 'request-concurrence' },
        h('tbody', {}, r.concurrence.map((c) =>
          h('tr', {}, h('td', {}, c.nation), h('td', {}, h('span', { class: `chip ${c.decision}` }, t(`decision.${c.decision}` as MessageKey))), h('td', {}, c.by ?? ''), h('td', { class: 'muted' }, c.at ? fmt.time(c.at).local : ''), h('td', {}, c.comment ?? '')),
        )),
      ),
      h('h3', {}, t('req.comments')),
      h('ul', { class: 'comments', testid: 'request-comments' }, r.comments.map((c) =>
        h('li', {}, h('span', { class: 'who' }, `${c.by} (${c.nation})`), h('span', { class: 'muted' }, ` ${fmt.time(c.at).local}`), h('div', {}, c.text)),
      )),
      operator ? comment : null,
      buttons,
    ]);
  }

  private form(): HTMLElement {
    const user = this.ctx.state.user;
    const nation = user?.nation ?? '';
    const sel = (testid: string, values: string[], label: (v: string) => string) => h('select', { testid }, values.map((v) => h('option', { value: v }, label(v))));
    const kind = sel('req-form-kind', KINDS, (v) => t(`kind.${v}` as MessageKey));
    kind.value = lastKind() ?? KINDS[0]!;
    // the map's drawn polygons, offered as the request's area (the one chosen on the map preselected)
    const polys = drawnPolygons().filter((p) => areaOf(p));
    const area = h('select', { testid: 'req-form-area' }, h('option', { value: '' }, polys.length ? '—' : tx('draw.requestArea.none')), polys.map((p) => h('option', { value: p.uid }, `${p.label.portion} ${p.callsign}`)));
    area.value = polys.some((p) => p.uid === chosenRequestArea()) ? chosenRequestArea()! : '';
    const title = h('input', { testid: 'req-form-title', required: true, maxlength: 200 });
    const description = h('textarea', { testid: 'req-form-description', rows: 4 });
    const picker = new LabelPicker(this.ctx.api, 'req-form-label');
    const nationsSlot = h('span', { testid: 'req-form-nations' });
    let nations: NationChecks | undefined;
    void picker.ready.then((o) => {
      nations = new NationChecks('req-form-nation', o.nations, nation);
      nationsSlot.append(nations.el);
    }, () => undefined);
    const priority = sel('req-form-priority', PRIORITIES, (v) => t(`priority.${v}` as MessageKey));
    const deadline = h('input', { testid: 'req-form-deadline', type: 'datetime-local' });
    const lat = h('input', { testid: 'req-form-lat', type: 'number', step: 'any', min: -90, max: 90 });
    const lon = h('input', { testid: 'req-form-lon', type: 'number', step: 'any', min: -180, max: 180 });
    const submit = async (ev: Event) => {
      ev.preventDefault();
      const label = await attempt(this.ctx, () => picker.value());
      if (!label || !nations) return;
      const body: NewRequest = {
        kind: kind.value as RequestKind,
        title: title.value.trim(),
        description: description.value.trim(),
        nations: nations.values(),
        priority: priority.value as RequestView['priority'],
        label,
      };
      if (deadline.value) body.deadline = new Date(deadline.value).toISOString();
      const drawn = area.value ? polys.find((p) => p.uid === area.value) : undefined;
      const polygon = drawn ? areaOf(drawn) : undefined;
      if (polygon) body.area = polygon;
      else if (lat.value !== '' && lon.value !== '') body.area = { type: 'Point', coordinates: [Number(lon.value), Number(lat.value)] };
      rememberKind(kind.value);
      const res = await attempt(this.ctx, () => this.ctx.api.createRequest(body));
      if (!res) return;
      this.ctx.state.upsertRequest(res);
      chooseRequestArea(undefined);
      this.ctx.toast(t('req.form.created'));
      this.creating = false;
      this.formEl = undefined;
      this.selected = res.id;
      this.render();
    };
    const field = (k: MessageKey, input: HTMLElement) => h('label', { class: 'field' }, h('span', {}, t(k)), input);
    return h(
      'form',
      { class: 'req-form', testid: 'request-form', onsubmit: submit },
      h('h2', {}, t('req.form.title')),
      field('req.form.kind', kind),
      field('req.form.title.field', title),
      field('req.form.description', description),
      h('div', { class: 'field' }, h('span', {}, t('req.form.nations')), nationsSlot),
      field('req.form.priority', priority),
      field('req.form.deadline', deadline),
      h('label', { class: 'field' }, h('span', {}, tx('draw.requestArea')), area),
      h('div', { class: 'row2' }, field('req.form.lat', lat), field('req.form.lon', lon)),
      picker.el,
      h(
        'div',
        { class: 'actions' },
        h('button', { class: 'btn primary', type: 'submit', testid: 'req-form-create' }, t('req.form.create')),
        h('button', { class: 'btn', type: 'button', testid: 'req-form-cancel', onclick: () => { this.creating = false; this.formEl = undefined; this.renderDetail(); } }, t('req.form.cancel')),
      ),
    );
  }
}
