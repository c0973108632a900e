/** Track details panel: every field of the selected track, with its portion mark. */
import { clear, contrastText, h } from './dom.js';
import { t, type MessageKey } from './i18n.js';
import * as fmt from './format.js';
import { formatPosition } from './find/coord-pref.js';
import { markingText } from './desk/context.js';
import type { TrackEntry } from './track-store.js';

export class DetailsPanel {
  readonly el = h('aside', { class: 'details hidden', testid: 'details-panel' });
  uid: string | undefined;

  constructor(private readonly onClose: () => void) {}

  show(uid: string | undefined, entry: TrackEntry | undefined): void {
    this.uid = uid;
    this.render(entry);
  }

  render(entry: TrackEntry | undefined): void {
    clear(this.el);
    this.el.classList.toggle('hidden', this.uid === undefined);
    if (this.uid === undefined) return;
    const close = h('button', { class: 'icon-btn', testid: 'details-close', title: t('details.close'), onclick: () => this.onClose() }, '×');
    if (!entry) {
      this.el.append(h('header', {}, h('h2', {}, t('details.title')), close), h('p', { class: 'muted', testid: 'details-removed' }, t('details.removed')));
      return;
    }
    const tr = entry.track;
    const time = fmt.time(tr.time);
    const row = (key: MessageKey, testid: string, ...value: (Node | string)[]) =>
      h('div', { class: 'kv' }, h('dt', {}, t(key)), h('dd', { testid }, ...value));
    this.el.append(
      h('header', {}, h('h2', {}, t('details.title')), close),
      h('div', { class: 'portion', testid: 'details-portion', style: `background:${tr.label.color};color:${contrastText(tr.label.color)}`, title: markingText(tr.label) }, tr.label.portion),
      h('div', { class: 'callsign', testid: 'details-callsign' }, tr.callsign || tr.uid),
      h(
        'dl',
        {},
        row('details.type', 'details-type', tr.type),
        row('details.sidc', 'details-sidc', entry.sidc, ` · ${t(`aff.${entry.affiliation}` as MessageKey)} / ${t(`dim.${entry.dimension}` as MessageKey)}`),
        row('details.time', 'details-time', h('span', { testid: 'details-time-local' }, time.local), h('br'), h('span', { class: 'utc', testid: 'details-time-utc' }, time.utc)),
        row('details.stale', 'details-stale', fmt.timeBoth(tr.stale)),
        row('details.position', 'details-position', formatPosition(tr.lat, tr.lon)),
        row('details.altitude', 'details-altitude', Number.isFinite(tr.hae) ? t('unit.m', { v: fmt.num(tr.hae, 0) }) : t('common.unknown')),
        row('details.speed', 'details-speed', fmt.speed(tr.speed)),
        row('details.course', 'details-course', fmt.course(tr.course)),
        row('details.origin', 'details-origin', tr.origin),
        row('details.how', 'details-how', tr.how),
        row('details.uid', 'details-uid', tr.uid),
        tr.remarks ? row('details.remarks', 'details-remarks', tr.remarks) : null,
      ),
    );
  }
}
