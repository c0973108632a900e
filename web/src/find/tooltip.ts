/** Hover tooltip over a track symbol: callsign, affiliation, position in the chosen format, age. */
import type { MapMouseEvent } from 'maplibre-gl';
import { h } from '../dom.js';
import { t, type MessageKey } from '../i18n.js';
import type { MapView } from '../map-view.js';
import { formatCoord, type CoordFormat } from './coords.js';
import * as fmt from '../format.js';

export function attachTooltip(view: MapView, coordFormat: () => CoordFormat): HTMLElement {
  const tip = h('div', { class: 'track-tip hidden', testid: 'track-tooltip', role: 'tooltip' });
  view.map.getContainer().append(tip);
  const hide = () => tip.classList.add('hidden');
  view.map.on('mousemove', (e: MapMouseEvent) => {
    const uid = view.hitAt(e.point.x, e.point.y);
    const entry = uid !== undefined ? view.displayed.get(uid) : undefined;
    if (!entry) return hide();
    const tr = entry.track;
    tip.replaceChildren(
      h('strong', {}, tr.callsign || tr.uid),
      h('div', {}, `${t(`aff.${entry.affiliation}` as MessageKey)} / ${t(`dim.${entry.dimension}` as MessageKey)} · ${tr.origin}`),
      h('div', { class: 'mono' }, formatCoord(tr, coordFormat())),
      h('div', { class: 'utc' }, fmt.time(tr.time).utc),
    );
    const w = view.map.getContainer().clientWidth;
    tip.style.left = `${Math.min(e.point.x + 14, Math.max(0, w - 220))}px`;
    tip.style.top = `${e.point.y + 14}px`;
    tip.classList.remove('hidden');
  });
  view.map.on('mouseout', hide);
  view.map.on('movestart', hide);
  return tip;
}
