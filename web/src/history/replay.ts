/**
 * History bar: fetches the last hours (sampled, released by the node), then a slider over that window,
 * play/pause at a chosen speed, and one button back to live. While replaying, the map and the track list
 * show a separate store filled from the history; the live store keeps receiving in the background.
 */
import { h } from '../dom.js';
import * as fmt from '../format.js';
import { tc } from '../i18n-cop.js';
import type { ApiClient } from '../api.js';
import { plainError } from '../find/plain-error.js';
import { TrackStore } from '../track-store.js';
import { ReplayModel } from './replay-model.js';

const HOURS = [1, 3, 6, 12, 24] as const;
const SPEEDS = [10, 60, 300, 900] as const;
/** replay frames per second while playing */
const TICK_MS = 250;

export interface ReplayDeps {
  api: ApiClient;
  live(): TrackStore;
  /** show this store on the map (undefined: back to the live store) */
  show(store: TrackStore | undefined): void;
  onModeChange(replaying: boolean): void;
}

export class ReplayBar {
  readonly el = h('section', { class: 'replay-bar hidden', testid: 'replay-bar' });
  private readonly slider = h('input', { type: 'range', testid: 'replay-slider', min: '0', max: '1000', step: '1', value: '1000' });
  private readonly when = h('span', { class: 'mono', testid: 'replay-time', 'aria-live': 'off' });
  private readonly status = h('span', { class: 'muted small', testid: 'replay-status', 'aria-live': 'polite' });
  private readonly hours = h('select', { testid: 'replay-hours' });
  private readonly speed = h('select', { testid: 'replay-speed' });
  private readonly play = h('button', { class: 'btn', type: 'button', testid: 'replay-play' });
  private readonly liveBtn = h('button', { class: 'btn primary', type: 'button', testid: 'replay-live' });
  private model: ReplayModel | undefined;
  private store: TrackStore | undefined;
  private t = 0;
  private timer: ReturnType<typeof setInterval> | undefined;
  replaying = false;

  constructor(private readonly deps: ReplayDeps) {
    this.slider.addEventListener('input', () => this.seek(this.fromSlider()));
    this.play.addEventListener('click', () => (this.timer ? this.pause() : this.start()));
    this.liveBtn.addEventListener('click', () => this.goLive());
    this.hours.addEventListener('change', () => void this.load());
    this.relabel();
  }

  relabel(): void {
    const sel = (el: HTMLSelectElement, values: readonly number[], text: (v: number) => string, current: string) => {
      el.replaceChildren(...values.map((v) => h('option', { value: String(v), selected: String(v) === current }, text(v))));
    };
    sel(this.hours, HOURS, (v) => tc('history.hours', { h: v }), this.hours.value || '1');
    sel(this.speed, SPEEDS, (v) => `×${v}`, this.speed.value || '60');
    this.hours.setAttribute('aria-label', tc('history.window'));
    this.speed.setAttribute('aria-label', tc('history.speed'));
    this.slider.setAttribute('aria-label', tc('history.slider'));
    this.liveBtn.textContent = tc('history.live');
    this.renderPlay();
    this.renderTime();
    this.el.replaceChildren(this.hours, this.play, this.speed, this.slider, this.when, this.status, this.liveBtn);
  }

  private renderPlay(): void {
    this.play.textContent = this.timer ? `❚❚ ${tc('history.pause')}` : `▶ ${tc('history.play')}`;
  }

  private renderTime(): void {
    this.when.textContent = this.model ? tc('history.at', { time: fmt.time(new Date(this.t).toISOString()).utc }) : '';
    this.slider.setAttribute('aria-valuetext', this.when.textContent);
  }

  private fromSlider(): number {
    const m = this.model;
    return m ? m.start + ((m.end - m.start) * Number(this.slider.value)) / 1000 : 0;
  }

  /** Opens the bar and loads the chosen window; the picture stays live until the slider moves. */
  async open(): Promise<void> {
    this.el.classList.remove('hidden');
    await this.load();
  }

  async load(): Promise<void> {
    const until = Date.now();
    const since = until - Number(this.hours.value || '1') * 3_600_000;
    this.status.textContent = tc('history.loading');
    try {
      const r = await this.deps.api.history(since, until);
      this.model = new ReplayModel(r.items, since, until);
      this.status.textContent = this.model.size === 0 ? tc('history.empty') : '';
      this.seek(this.replaying ? Math.min(Math.max(this.t, since), until) : until, !this.replaying);
    } catch (e) {
      this.status.textContent = tc('history.failed', { msg: plainError(e) });
    }
  }

  /** Shows the picture at `t` (ms). */
  seek(t: number, stayLive = false): void {
    const m = this.model;
    if (!m) return;
    this.t = Math.min(Math.max(t, m.start), m.end);
    this.slider.value = String(Math.round((1000 * (this.t - m.start)) / (m.end - m.start)));
    this.renderTime();
    if (stayLive) return;
    if (!this.store) this.store = new TrackStore(undefined, this.deps.live().filter);
    this.store.declutter = this.deps.live().declutter;
    this.store.labels = this.deps.live().labels;
    m.fill(this.store, this.t);
    if (!this.replaying) {
      this.replaying = true;
      this.deps.show(this.store);
      this.deps.onModeChange(true);
    } else this.deps.show(this.store);
  }

  private start(): void {
    if (!this.model) return;
    if (!this.replaying || this.t >= this.model.end) this.seek(this.model.start);
    this.timer = setInterval(() => {
      const next = this.t + (TICK_MS * Number(this.speed.value));
      this.seek(next);
      if (next >= this.model!.end) this.pause();
    }, TICK_MS);
    this.renderPlay();
  }

  private pause(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.renderPlay();
  }

  /** One click back to the live picture; the bar closes. */
  goLive(): void {
    this.pause();
    this.el.classList.add('hidden');
    if (!this.replaying) return;
    this.replaying = false;
    this.deps.show(undefined);
    this.deps.onModeChange(false);
  }
}
