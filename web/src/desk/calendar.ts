/** Exercise calendar tab: chronological list of events with their portion marks. */
import { clear, h } from '../dom.js';
import * as fmt from '../format.js';
import { t } from '../i18n.js';
import { portion, type DeskContext } from './context.js';

export class CalendarTab {
  readonly el = h('div', { class: 'calendar-tab', testid: 'calendar-tab' });

  constructor(private readonly ctx: DeskContext) {
    ctx.state.on('calendar', () => this.render());
  }

  render(): void {
    clear(this.el);
    const items = this.ctx.state.calendarList();
    this.el.append(h('div', { class: 'toolbar' }, h('h2', {}, t('desk.calendar'))));
    if (!items.length) {
      this.el.append(h('p', { class: 'muted' }, t('common.empty')));
      return;
    }
    const now = new Date().toISOString();
    this.el.append(
      h(
        'table',
        { class: 'grid', testid: 'calendar-list' },
        h('thead', {}, h('tr', {}, h('th', {}, ''), h('th', {}, t('cal.col.title')), h('th', {}, t('cal.col.start')), h('th', {}, t('cal.col.end')), h('th', {}, t('cal.col.participants')))),
        h('tbody', {}, items.map((e) =>
          h(
            'tr',
            { testid: `calendar-row-${e.id}`, class: e.end < now ? 'past' : e.start <= now ? 'current' : '' },
            h('td', {}, portion(e.label)),
            h('td', { class: 'title' }, e.title),
            h('td', {}, fmt.time(e.start).local, h('div', { class: 'utc' }, fmt.time(e.start).utc)),
            h('td', {}, fmt.time(e.end).local, h('div', { class: 'utc' }, fmt.time(e.end).utc)),
            h('td', {}, e.participants.join(', ')),
          ),
        )),
      ),
    );
  }
}
