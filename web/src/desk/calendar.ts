/** Exercise calendar tab: chronological list of events with their portion marks. */
import { clear, h } from '../dom.js';
import * as fmt from '../format.js';
import { t } from '../i18n.js';
import { portion, type DeskContext } from './context.js';
import { calendarForm } from './calendar-form.js';
import { tx } from '../draw/strings.js';

export class CalendarTab {
  readonly el = h('div', { class: 'calendar-tab', testid: 'calendar-tab' });
  /** the open form: a new event ('new') or the id being edited; kept across live re-renders */
  private editing: string | undefined;
  private formEl: HTMLElement | undefined;

  constructor(private readonly ctx: DeskContext) {
    ctx.state.on('calendar', () => this.render());
  }

  render(): void {
    clear(this.el);
    const items = this.ctx.state.calendarList();
    const user = this.ctx.state.user;
    const writer = !!user && user.role !== 'viewer';
    const open = (id: string) => () => {
      this.editing = id;
      this.formEl = calendarForm(this.ctx, id === 'new' ? undefined : this.ctx.state.calendar.get(id), () => {
        this.editing = undefined;
        this.formEl = undefined;
        this.render();
      });
      this.render();
    };
    this.el.append(h('div', { class: 'toolbar' }, h('h2', {}, t('desk.calendar')), writer ? h('button', { class: 'btn primary', type: 'button', testid: 'calendar-new', onclick: open('new') }, tx('cal.new')) : null));
    if (this.formEl) this.el.append(this.formEl);
    const editable = (id: string) => writer && id.startsWith(`${user!.nation}-`);
    if (!items.length) {
      this.el.append(h('p', { class: 'muted' }, t('common.empty')));
      return;
    }
    const now = new Date().toISOString();
    this.el.append(
      h(
        'table',
        { class: 'grid', testid: 'calendar-list' },
        h('thead', {}, h('tr', {}, h('th', {}, ''), h('th', {}, t('cal.col.title')), h('th', {}, t('cal.col.start')), h('th', {}, t('cal.col.end')), h('th', {}, t('cal.col.participants')), h('th', {}, ''))),
        h('tbody', {}, items.map((e) =>
          h(
            'tr',
            { testid: `calendar-row-${e.id}`, class: e.end < now ? 'past' : e.start <= now ? 'current' : '' },
            h('td', {}, portion(e.label)),
            h('td', { class: 'title' }, e.title),
            h('td', {}, fmt.time(e.start).local, h('div', { class: 'utc' }, fmt.time(e.start).utc)),
            h('td', {}, fmt.time(e.end).local, h('div', { class: 'utc' }, fmt.time(e.end).utc)),
            h('td', {}, e.participants.join(', ')),
            h('td', {}, editable(e.id) ? h('button', { class: 'btn small', type: 'button', testid: `calendar-edit-${e.id}`, onclick: open(e.id) }, tx('cal.edit')) : null),
          ),
        )),
      ),
    );
  }
}
