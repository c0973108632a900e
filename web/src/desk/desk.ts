/** Coordination desk: tabs for requests, exercise calendar, chat, readiness and (administrators) sensor feeds. */
import { clear, h } from '../dom.js';
import { t, type MessageKey } from '../i18n.js';
import { attempt, type DeskContext } from './context.js';
import { CalendarTab } from './calendar.js';
import { ChatTab } from './chat.js';
import { PostureTab } from './posture.js';
import { RequestsTab } from './requests.js';
import { FeedsTab } from './feeds.js';

type TabId = 'requests' | 'calendar' | 'chat' | 'readiness' | 'feeds';
const TABS: [TabId, MessageKey][] = [
  ['requests', 'desk.requests'],
  ['calendar', 'desk.calendar'],
  ['chat', 'desk.chat'],
  ['readiness', 'desk.readiness'],
  ['feeds', 'desk.feeds'],
];

export class Desk {
  readonly el = h('section', { class: 'desk', testid: 'desk' });
  private readonly tabsEl = h('nav', { class: 'tabs', role: 'tablist' });
  private readonly body = h('div', { class: 'desk-body' });
  private active: TabId = 'requests';
  private readonly requests: RequestsTab;
  private readonly calendar: CalendarTab;
  private readonly chat: ChatTab;
  private readonly posture: PostureTab;
  private readonly feeds: FeedsTab;

  constructor(private readonly ctx: DeskContext) {
    this.requests = new RequestsTab(ctx);
    this.calendar = new CalendarTab(ctx);
    this.chat = new ChatTab(ctx);
    this.posture = new PostureTab(ctx);
    this.feeds = new FeedsTab(ctx);
    this.el.append(this.tabsEl, this.body);
  }

  /** (Re)loads everything over REST; live changes then arrive over the WebSocket. */
  async load(): Promise<void> {
    const { api, state } = this.ctx;
    await Promise.all([
      attempt(this.ctx, () => api.requests()).then((r) => r?.items.forEach((x) => state.upsertRequest(x))),
      attempt(this.ctx, () => api.calendar()).then((r) => r?.items.forEach((x) => state.upsertCalendar(x))),
      attempt(this.ctx, () => api.posture()).then((p) => p && state.setPosture(p)),
      this.chat.load(),
    ]);
  }

  private view(): { render(): void; el: HTMLElement } {
    switch (this.active) {
      case 'requests':
        return this.requests;
      case 'calendar':
        return this.calendar;
      case 'chat':
        return this.chat;
      case 'readiness':
        return this.posture;
      case 'feeds':
        return this.feeds;
    }
  }

  select(tab: TabId): void {
    this.active = tab;
    if (tab === 'feeds') this.feeds.start();
    else this.feeds.stop();
    this.render();
  }

  /** The request form, opened from the map (e.g. with a drawn polygon as its area). */
  openRequestForm(): void {
    this.select('requests');
    this.requests.openForm();
  }

  render(relabel = false): void {
    clear(this.tabsEl);
    // the feed tab only for administrators (the endpoint refuses everyone else)
    for (const [id, key] of TABS.filter(([id]) => id !== 'feeds' || this.ctx.state.user?.role === 'administrator')) {
      this.tabsEl.append(
        h('button', { role: 'tab', class: `tab ${id === this.active ? 'active' : ''}`, 'aria-selected': String(id === this.active), testid: `desk-tab-${id}`, onclick: () => this.select(id) }, t(key)),
      );
    }
    clear(this.body);
    if (relabel) {
      this.requests.relabel();
      this.chat.relabel();
    }
    const v = this.view();
    v.render();
    this.body.append(v.el);
  }
}
