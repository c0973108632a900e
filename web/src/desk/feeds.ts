/** Sensor feed status (administrators): one row per AIS/ADS-B feed, refreshed every 5 s while shown. */
import type { FeedListView } from '../../../src/api/contract.js';
import { clear, h } from '../dom.js';
import * as fmt from '../format.js';
import { t } from '../i18n.js';
import { attempt, type DeskContext } from './context.js';

export class FeedsTab {
  readonly el = h('div', { class: 'feeds-tab', testid: 'feeds-tab' });
  private list: FeedListView['feeds'] = [];
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly ctx: DeskContext) {}

  /** Starts polling (the tab is shown); `stop` when another tab is chosen. */
  start(): void {
    if (this.timer) return;
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), 5000);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async refresh(): Promise<void> {
    const r = await attempt(this.ctx, () => this.ctx.api.feeds());
    if (!r) return this.stop();
    this.list = r.feeds;
    this.render();
  }

  render(): void {
    clear(this.el);
    this.el.append(h('div', { class: 'toolbar' }, h('h2', {}, t('desk.feeds'))));
    if (!this.list.length) {
      this.el.append(h('p', { class: 'muted' }, t('common.empty')));
      return;
    }
    const head = ['feeds.col.id', 'feeds.col.state', 'feeds.col.rate', 'feeds.col.errors', 'feeds.col.limited', 'feeds.col.duplicates', 'feeds.col.written', 'feeds.col.last', 'feeds.col.tracks'] as const;
    this.el.append(
      h(
        'table',
        { class: 'grid', testid: 'feeds-list' },
        h('thead', {}, h('tr', {}, head.map((k) => h('th', {}, t(k))))),
        h('tbody', {}, this.list.map(({ config, status: s }) =>
          h(
            'tr',
            { testid: `feed-row-${config.id}`, class: s.connected ? '' : 'past' },
            h('td', {}, `${config.id} (${config.kind}, ${config.transport}${s.port ? ` :${s.port}` : ''})`),
            h('td', { title: s.error ?? '' }, s.standby ? t('feeds.standby') : s.connected ? t('feeds.connected') : t('feeds.disconnected')),
            h('td', {}, String(s.messagesPerSecond)),
            h('td', {}, String(s.decodeErrors)),
            h('td', {}, String(s.rateLimited)),
            h('td', { title: t('feeds.col.duplicates') }, String(s.duplicates ?? 0)),
            // written to the store / delivered live only (sampled storage)
            h('td', { title: t('feeds.col.written.title') }, `${s.written ?? 0} / ${s.liveOnly ?? 0}`),
            h('td', {}, s.lastMessageAt ? fmt.time(s.lastMessageAt).local : '—'),
            h('td', {}, String(s.tracks)),
          ),
        )),
      ),
    );
  }
}
