/**
 * The track list's rows, virtualised: only the rows in (or just around) the visible part of the list are in
 * the DOM, each a fixed height, with padding standing in for the rest so the scroll bar stays true.
 *
 * Why: 2,000 tracks at 1 Hz. Rebuilding every row each refresh cost DOM work and a full style and layout of
 * the panel; here a refresh touches about thirty rows and writes only what changed. Row elements are reused
 * (by uid while a track stays in view, so keyboard focus stays on it). Nothing here reads layout while
 * writing: the scroll offset comes from scroll events, the height from a ResizeObserver.
 */
import { h } from '../dom.js';
import { t, type MessageKey } from '../i18n.js';
import type { TrackEntry } from '../track-store.js';
import { formatCoord, type CoordFormat } from './coords.js';
import './list-rows.css';

/** Must equal the row height in list-rows.css. */
export const ROW_PX = 38;
/** Rows kept beyond each edge of the visible part: Tab and scrolling find the next row already there. */
const OVERSCAN = 6;
/** Height assumed until the ResizeObserver first reports. */
const DEFAULT_VIEW_PX = 600;

interface Row {
  li: HTMLLIElement;
  btn: HTMLButtonElement;
  aff: HTMLSpanElement;
  cs: HTMLSpanElement;
  meta: HTMLSpanElement;
  uid: string;
}

export interface RowsDeps {
  activate(uid: string): void;
  coordFormat(): CoordFormat;
}

export class VirtualRows {
  readonly el = h('ul', { class: 'rows virtual-rows', testid: 'track-rows' });
  private entries: readonly TrackEntry[] = [];
  private readonly byUid = new Map<string, Row>();
  private readonly free: Row[] = [];
  private scrollTop = 0;
  private viewPx = DEFAULT_VIEW_PX;
  private pads = '';
  private frame = 0;

  constructor(private readonly deps: RowsDeps) {
    this.el.addEventListener('scroll', () => {
      this.scrollTop = this.el.scrollTop;
      if (!this.frame) this.frame = requestAnimationFrame(() => this.paint());
    }, { passive: true });
    this.el.addEventListener('keydown', (ev) => this.key(ev));
    if (typeof ResizeObserver === 'function') {
      new ResizeObserver((es) => {
        const hgt = es[es.length - 1]?.contentRect.height ?? 0;
        if (hgt > 0 && hgt !== this.viewPx) {
          this.viewPx = hgt;
          this.paint();
        }
      }).observe(this.el);
    }
  }

  /** New contents (the caller keeps the array unchanged until the next call). */
  show(entries: readonly TrackEntry[]): void {
    this.entries = entries;
    this.paint();
  }

  /** Writes the rows of the visible window: moved or changed rows only. */
  paint(): void {
    if (this.frame) cancelAnimationFrame(this.frame);
    this.frame = 0;
    const n = this.entries.length;
    const first = Math.max(0, Math.min(n, Math.floor(this.scrollTop / ROW_PX) - OVERSCAN));
    const end = Math.min(n, Math.ceil((this.scrollTop + this.viewPx) / ROW_PX) + OVERSCAN);
    const focused = (document.activeElement as HTMLElement | null)?.dataset?.['uid'];
    // rows leaving the window go to the free list first, so the rows entering can reuse them
    const keep = new Set<string>();
    for (let i = first; i < end; i++) keep.add(this.entries[i]!.track.uid);
    for (const [uid, row] of this.byUid) {
      if (keep.has(uid)) continue;
      this.byUid.delete(uid);
      this.free.push(row);
    }
    let cursor: ChildNode | null = this.el.firstChild;
    const fmt = this.deps.coordFormat();
    for (let i = first; i < end; i++) {
      const e = this.entries[i]!;
      const row = this.rowFor(e.track.uid);
      this.fill(row, e, fmt);
      if (row.li === cursor) cursor = cursor.nextSibling;
      else this.el.insertBefore(row.li, cursor);
    }
    while (cursor) {
      const next: ChildNode | null = cursor.nextSibling;
      cursor.remove();
      cursor = next;
    }
    const pads = `${first * ROW_PX}px 0 ${(n - end) * ROW_PX}px`;
    if (pads !== this.pads) this.el.style.padding = this.pads = pads;
    // a row moved in the DOM loses focus: give it back
    const row = focused === undefined ? undefined : this.byUid.get(focused);
    if (row && document.activeElement !== row.btn) row.btn.focus({ preventScroll: true });
  }

  private rowFor(uid: string): Row {
    let row = this.byUid.get(uid);
    if (row) return row;
    row = this.free.pop() ?? this.make();
    row.uid = uid;
    row.btn.dataset['uid'] = uid;
    row.btn.dataset['testid'] = `track-row-${uid}`;
    this.byUid.set(uid, row);
    return row;
  }

  private make(): Row {
    const aff = h('span', { class: 'aff', 'aria-hidden': 'true' });
    const cs = h('span', { class: 'cs' });
    const meta = h('span', { class: 'meta' });
    const btn = h('button', { class: 'row', type: 'button' }, aff, cs, meta);
    const row: Row = { li: h('li', {}, btn), btn, aff, cs, meta, uid: '' };
    btn.addEventListener('click', () => this.deps.activate(row.uid));
    return row;
  }

  /** Text is written only when it differs: an unchanged row costs no style or layout work. */
  private fill(row: Row, e: TrackEntry, fmt: CoordFormat): void {
    const tr = e.track;
    const cls = `aff aff-${e.affiliation}`;
    if (row.aff.className !== cls) row.aff.className = cls;
    const cs = tr.callsign || tr.uid;
    if (row.cs.textContent !== cs) row.cs.textContent = cs;
    const meta = `${t(`aff.${e.affiliation}` as MessageKey)} · ${tr.origin} · ${formatCoord(tr, fmt)}`;
    if (row.meta.textContent !== meta) row.meta.textContent = meta;
  }

  /** Arrow keys, Home and End move between all rows, not only those in the DOM. */
  private key(ev: KeyboardEvent): void {
    const uid = (ev.target as HTMLElement | null)?.dataset?.['uid'];
    if (uid === undefined) return;
    const n = this.entries.length;
    const at = this.entries.findIndex((e) => e.track.uid === uid);
    const page = Math.max(1, Math.floor(this.viewPx / ROW_PX) - 1);
    const to = ev.key === 'ArrowDown' ? at + 1 : ev.key === 'ArrowUp' ? at - 1 : ev.key === 'PageDown' ? at + page : ev.key === 'PageUp' ? at - page : ev.key === 'Home' ? 0 : ev.key === 'End' ? n - 1 : -2;
    if (to === -2 || at < 0) return;
    ev.preventDefault();
    const i = Math.max(0, Math.min(n - 1, to));
    // scroll just enough to show row i, then paint and focus it
    const top = i * ROW_PX;
    if (top < this.scrollTop) this.scrollTop = top;
    else if (top + ROW_PX > this.scrollTop + this.viewPx) this.scrollTop = top + ROW_PX - this.viewPx;
    this.el.scrollTop = this.scrollTop;
    this.paint();
    this.byUid.get(this.entries[i]!.track.uid)?.btn.focus({ preventScroll: true });
  }
}
