/**
 * One layout for everything over the map, from a 360 px phone to a wall screen: a rail of toolbars on top (it
 * wraps, and keeps clear of the map's zoom buttons), a left column (filters, track list, measure card), a right
 * column (details, shape, import, alerts and missions panels) and a bottom row (the replay bar). The parts are
 * placed by a grid, not by absolute offsets, so no toolbar or panel can slide over another when a label grows
 * (a language switch) or the window narrows; on narrow screens the columns stack and the open panels share the
 * height, each scrolling inside itself.
 */
import { h } from '../dom.js';
import './cop-layout.css';

/** Below this width the columns stack and the panels start collapsed (a phone held upright). */
export const NARROW_PX = 700;

export const isNarrow = (): boolean => window.innerWidth < NARROW_PX;

export interface CopLayout {
  el: HTMLElement;
  /** toolbars, in order */
  rail: HTMLElement;
  right: HTMLElement;
  bottom: HTMLElement;
}

/**
 * The overlay element; `left` is the find tools' side column (filters, track list), kept as the left column.
 * The map and the status bar stay outside it. Parts made later (drawing, missions) are appended to its slots.
 */
export function copLayout(left: HTMLElement): CopLayout {
  left.classList.add('cop-left');
  const rail = h('div', { class: 'cop-rail', testid: 'cop-rail' });
  const right = h('div', { class: 'cop-right', testid: 'cop-right' });
  const bottom = h('div', { class: 'cop-bottom' });
  return { el: h('div', { class: 'cop-ui', testid: 'cop-ui' }, rail, left, right, bottom), rail, right, bottom };
}

/** A panel that a narrow screen shows alone, and how its owner closes it (so its buttons follow). */
export interface SoloPanel {
  el: HTMLElement;
  close(): void;
}

/**
 * On a narrow screen a panel that opens closes the other open ones: a phone has room for one at a time. Watches
 * the `hidden` class each owner already toggles, so no owner needs to know about the others.
 */
export function oneAtATimeWhenNarrow(panels: SoloPanel[]): void {
  const observer = new MutationObserver((records) => {
    if (!isNarrow()) return;
    for (const r of records) {
      const el = r.target as HTMLElement;
      const opened = /(^|\s)hidden(\s|$)/.test(r.oldValue ?? '') && !el.classList.contains('hidden');
      if (!opened) continue;
      for (const p of panels) if (p.el !== el && !p.el.classList.contains('hidden')) p.close();
    }
  });
  for (const p of panels) observer.observe(p.el, { attributes: true, attributeFilter: ['class'], attributeOldValue: true });
}
