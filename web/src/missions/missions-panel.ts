/**
 * The COP's missions panel: the missions the user may see, subscribe and unsubscribe, select one to ring its
 * tracks on the map and fly there, add the selected track or a drawn shape. Mounted by main.ts over the map.
 */
import type { Map as MlMap } from 'maplibre-gl';
import type { ApiClient } from '../api.js';
import { clear, h } from '../dom.js';
import { getLang } from '../i18n.js';
import { MissionLayer } from './mission-layer.js';
import { MissionsApi, type MissionDetail, type MissionSummary, type MissionTrack } from './missions-api.js';
import { mx } from './strings.js';
import './missions.css';

declare global {
  interface Window {
    __kizunaMissions?: { highlighted(): string[] };
  }
}

export interface MissionsPanelDeps {
  api: ApiClient;
  map: MlMap;
  /** viewers read; operators and above subscribe and add */
  canWrite(): boolean;
  /** where a track is now, if the picture holds it */
  livePosition(uid: string): { lat: number; lon: number } | undefined;
  /** the track selected on the map, if any */
  selected(): { uid: string; name: string } | undefined;
  /** shapes drawn or shared on the map */
  shapes(): { uid: string; name: string }[];
  /** select the track on the map and centre on it */
  show(uid: string, at: { lat: number; lon: number }): void;
  toast(text: string, kind?: 'info' | 'error'): void;
  errorText(e: unknown): string;
}

/** the mission's marking in the UI language (both come from the server; never composed here) */
const marking = (m: MissionSummary): string => (getLang() === 'ja' ? m.classificationJa : m.classification);

export class MissionsPanel {
  readonly el: HTMLElement;
  private readonly toggle: HTMLButtonElement;
  private readonly panel: HTMLElement;
  private readonly rest: MissionsApi;
  private readonly layer: MissionLayer;
  private missions: MissionSummary[] = [];
  private detail: MissionDetail | undefined;
  private open = false;

  constructor(private readonly d: MissionsPanelDeps) {
    this.rest = new MissionsApi(d.api);
    this.layer = new MissionLayer(d.map, d.livePosition);
    this.toggle = h('button', { class: 'btn missions-toggle', type: 'button', testid: 'missions-toggle', 'aria-expanded': 'false', onclick: () => this.setOpen(!this.open) }, mx('missions.open'));
    this.panel = h('section', { class: 'missions-panel hidden', testid: 'missions-panel', 'aria-label': mx('missions.title') });
    // Escape closes from the toggle as from inside the panel
    this.el = h('div', { class: 'missions', onkeydown: (e: Event) => this.onKey(e as KeyboardEvent) }, this.toggle, this.panel);
    window.__kizunaMissions = { highlighted: () => this.layer.uids };
  }

  private onKey(e: KeyboardEvent): void {
    if (e.key !== 'Escape' || !this.open) return;
    this.setOpen(false);
    this.toggle.focus();
  }

  setOpen(open: boolean): void {
    this.open = open;
    this.panel.classList.toggle('hidden', !open);
    this.toggle.setAttribute('aria-expanded', String(open));
    if (open) void this.load();
  }

  private fail = (e: unknown) => this.d.toast(this.d.errorText(e), 'error');

  async load(): Promise<void> {
    try {
      this.missions = await this.rest.list();
      if (this.detail && !this.missions.some((m) => m.name === this.detail!.name)) this.choose(undefined);
      this.render();
    } catch (e) {
      this.fail(e);
    }
  }

  private choose(detail: MissionDetail | undefined): void {
    this.detail = detail;
    this.layer.show(detail?.tracks ?? []);
  }

  private async select(name: string): Promise<void> {
    try {
      this.choose(await this.rest.get(name));
      this.layer.fly();
      this.render();
    } catch (e) {
      this.fail(e);
    }
  }

  private async act(run: () => Promise<unknown>, done: string): Promise<void> {
    const name = this.detail?.name;
    try {
      await run();
      this.d.toast(done);
      await this.load();
      if (name) await this.select(name);
    } catch (e) {
      this.fail(e);
    }
  }

  /** the map moved on: ring the tracks where they are now */
  refresh(): void {
    this.layer.render();
  }

  relabel(): void {
    this.toggle.textContent = mx('missions.open');
    this.panel.setAttribute('aria-label', mx('missions.title'));
    this.render();
  }

  render(): void {
    // a re-render replaces the buttons: keep the keyboard where it was (same control, or its toggled twin)
    const active = document.activeElement;
    const focusKey = active instanceof HTMLElement && this.panel.contains(active) ? active.dataset['focus'] : undefined;
    clear(this.panel);
    this.build();
    if (focusKey) (this.panel.querySelector(`[data-focus="${CSS.escape(focusKey)}"]`) as HTMLElement | null)?.focus();
  }

  private build(): void {
    const header = h('header', {}, h('h2', {}, mx('missions.title')), h('div', { class: 'row' },
      h('button', { class: 'btn', type: 'button', testid: 'missions-refresh', 'data-focus': 'refresh', onclick: () => void this.load() }, mx('missions.refresh')),
      h('button', { class: 'btn', type: 'button', testid: 'missions-close', 'aria-label': mx('missions.close'), onclick: () => { this.setOpen(false); this.toggle.focus(); } }, '×')));
    const items = this.missions.map((m) =>
      h('li', {}, h('button', {
        class: `btn mission-item ${this.detail?.name === m.name ? 'active' : ''}`,
        type: 'button',
        testid: 'mission-item',
        'data-mission': m.name,
        'data-focus': `mission:${m.name}`,
        'aria-pressed': String(this.detail?.name === m.name),
        onclick: () => void this.select(m.name),
      }, h('span', { class: 'mission-name' }, m.name), h('span', { class: 'mission-mark', testid: 'mission-mark' }, marking(m)), m.subscribed ? h('span', { class: 'mission-sub' }, mx('missions.subscribed')) : null, m.passwordProtected ? h('span', { class: 'mission-mark' }, mx('missions.locked')) : null)),
    );
    this.panel.append(header, this.missions.length ? h('ul', { testid: 'missions-list' }, items) : h('p', { class: 'muted' }, mx('missions.empty')));
    if (this.detail) this.panel.append(this.renderDetail(this.detail));
  }

  private renderDetail(m: MissionDetail): HTMLElement {
    const write = this.d.canWrite();
    const sub = write
      ? h('button', { class: 'btn', type: 'button', testid: m.subscribed ? 'mission-unsubscribe' : 'mission-subscribe', 'data-focus': 'subscription', onclick: () =>
          void this.act(() => (m.subscribed ? this.rest.unsubscribe(m.name) : this.rest.subscribe(m.name)), mx(m.subscribed ? 'missions.unsubscribedFrom' : 'missions.subscribedTo', { mission: m.name })) },
        mx(m.subscribed ? 'missions.unsubscribe' : 'missions.subscribe'))
      : null;
    const track = (t: MissionTrack) =>
      h('li', {}, h('button', { class: 'btn track-link', type: 'button', testid: 'mission-track', 'data-uid': t.uid, title: mx('missions.show', { name: t.callsign }), onclick: () => this.d.show(t.uid, this.layer.positionOf(t)) }, t.callsign));
    return h('div', { class: 'mission-detail', testid: 'mission-detail', 'data-mission': m.name },
      h('div', { class: 'row' }, h('strong', {}, m.name), h('span', { class: 'mission-mark', testid: 'mission-mark' }, marking(m)), sub),
      m.description ? h('p', {}, m.description) : null,
      h('h3', {}, mx('missions.tracks', { n: m.tracks.length })),
      m.tracks.length ? h('ul', {}, m.tracks.map(track)) : h('p', { class: 'muted' }, mx('missions.noTracks')),
      m.files.length ? [h('h3', {}, mx('missions.files', { n: m.files.length })), h('ul', {}, m.files.map((f) => h('li', {}, f.name)))] : null,
      m.logs.length ? [h('h3', {}, mx('missions.log', { n: m.logs.length })), h('ul', {}, m.logs.map((l) => h('li', {}, `${l.dtg.slice(0, 16)} ${l.content}`)))] : null,
      write && m.subscribed ? this.renderAdd(m) : null,
    );
  }

  private renderAdd(m: MissionDetail): HTMLElement {
    const sel = this.d.selected();
    const options = [
      ...(sel ? [{ uid: sel.uid, text: mx('missions.add.selected', { name: sel.name }) }] : []),
      ...this.d.shapes().filter((s) => s.uid !== sel?.uid).map((s) => ({ uid: s.uid, text: mx('missions.add.shape', { name: s.name }) })),
    ];
    if (options.length === 0) return h('p', { class: 'muted', testid: 'mission-add-none' }, mx('missions.add.none'));
    const choice = h('select', { testid: 'mission-add-choice', 'aria-label': mx('missions.add.choose') }, options.map((o) => h('option', { value: o.uid }, o.text)));
    const add = () => {
      const uid = choice.value;
      const text = options.find((o) => o.uid === uid)?.text ?? uid;
      void this.act(() => this.rest.add(m.name, uid), mx('missions.added', { name: text, mission: m.name }));
    };
    return h('div', { class: 'row' }, choice, h('button', { class: 'btn', type: 'button', testid: 'mission-add', 'data-focus': 'add', onclick: add }, mx('missions.add')));
  }
}
