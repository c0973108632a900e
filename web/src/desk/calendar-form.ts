/**
 * Create or edit an exercise calendar event. A new event takes a label from the picker; an edit keeps the
 * event's label (the server refuses changes by anyone but its author or a coordinator of the nation).
 */
import type { CalendarEventView } from '../../../src/api/contract.js';
import type { CalendarInput } from '../api.js';
import { h } from '../dom.js';
import { tx } from '../draw/strings.js';
import { attempt, type DeskContext } from './context.js';
import { LabelPicker, NationChecks } from './label-picker.js';

/** 'YYYY-MM-DDTHH:mm' in local time for <input type="datetime-local">. */
function localInput(iso: string): string {
  const d = new Date(iso);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

export function calendarForm(ctx: DeskContext, existing: CalendarEventView | undefined, done: () => void): HTMLElement {
  const nation = ctx.state.user?.nation ?? '';
  const title = h('input', { testid: 'cal-form-title', maxlength: 200, required: true, value: existing?.title ?? '' });
  const start = h('input', { testid: 'cal-form-start', type: 'datetime-local', required: true, value: existing ? localInput(existing.start) : '' });
  const end = h('input', { testid: 'cal-form-end', type: 'datetime-local', required: true, value: existing ? localInput(existing.end) : '' });
  const picker = existing ? undefined : new LabelPicker(ctx.api, 'cal-form-label');
  const nationsSlot = h('span', { testid: 'cal-form-participants' });
  let nations: NationChecks | undefined;
  void (picker?.ready ?? ctx.api.labelOptions()).then((o) => {
    nations = new NationChecks('cal-form-nation', o.nations, nation);
    if (existing) for (const b of nations.el.querySelectorAll<HTMLInputElement>('input')) if (!b.disabled) b.checked = existing.participants.includes(b.value);
    nationsSlot.append(nations.el);
  }, () => undefined);
  const submit = async (ev: Event) => {
    ev.preventDefault();
    if (!start.value || !end.value || !nations) return;
    const body: CalendarInput = { title: title.value.trim(), start: new Date(start.value).toISOString(), end: new Date(end.value).toISOString(), participants: nations.values() };
    if (body.end < body.start) {
      ctx.toast(tx('cal.err.order'), 'error');
      return;
    }
    if (picker) {
      const label = await attempt(ctx, () => picker.value());
      if (!label) return;
      body.label = label;
    }
    const res = await attempt(ctx, () => (existing ? ctx.api.updateCalendarEvent(existing.id, body) : ctx.api.createCalendarEvent(body)));
    if (!res) return;
    ctx.state.upsertCalendar(res);
    ctx.toast(tx('cal.saved', { title: res.title }));
    done();
  };
  const field = (label: string, input: HTMLElement) => h('label', { class: 'field' }, h('span', {}, label), input);
  return h(
    'form',
    { class: 'req-form cal-form', testid: 'calendar-form', onsubmit: submit },
    h('h3', {}, existing ? `${tx('cal.edit')}: ${existing.title}` : tx('cal.new')),
    field(tx('cal.form.title'), title),
    h('div', { class: 'row2' }, field(tx('cal.form.start'), start), field(tx('cal.form.end'), end)),
    h('div', { class: 'field' }, h('span', {}, tx('cal.form.participants')), nationsSlot),
    picker?.el,
    h('div', { class: 'actions' },
      h('button', { class: 'btn primary', type: 'submit', testid: 'cal-form-save' }, tx('cal.form.save')),
      h('button', { class: 'btn', type: 'button', testid: 'cal-form-cancel', onclick: done }, tx('cal.form.cancel')),
    ),
  );
}
