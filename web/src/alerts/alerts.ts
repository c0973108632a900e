/**
 * Notifications: a toast (emergencies stay until dismissed), an unread badge on the bell, the count in the
 * document title, an optional sound (off by default, remembered), and the list of the session's notices.
 */
import { h } from '../dom.js';
import { tx } from '../draw/strings.js';
import { t, type MessageKey } from '../i18n.js';
import type { Notice } from './alert-rules.js';

const SOUND_KEY = 'kizuna.alertSound';
const MAX_NOTICES = 200;

export class AlertCenter {
  readonly button: HTMLButtonElement;
  readonly panel = h('aside', { class: 'alerts-panel hidden', testid: 'alerts-panel', role: 'dialog', 'aria-label': tx('alerts.title') });
  private readonly badge = h('span', { class: 'badge hidden', testid: 'alerts-badge' });
  private readonly notices: Notice[] = [];
  private unread = 0;
  private sound: boolean;
  private audio: AudioContext | undefined;
  private readonly baseTitle = document.title;

  constructor(
    private readonly toasts: HTMLElement,
    private readonly onShow: (uid: string) => void,
  ) {
    try {
      this.sound = localStorage.getItem(SOUND_KEY) === 'on';
    } catch {
      this.sound = false;
    }
    this.button = h('button', { class: 'btn bell', type: 'button', testid: 'alerts-button', 'aria-label': tx('alerts.title'), title: tx('alerts.title'), onclick: () => this.toggle() }, '🔔', this.badge);
    this.renderPanel();
  }

  get count(): number {
    return this.unread;
  }

  add(n: Notice | undefined): void {
    if (!n) return;
    if (n.kind === 'cancel' && n.cancels) {
      for (const el of this.toasts.querySelectorAll<HTMLElement>(`[data-alert-uid="${CSS.escape(n.cancels)}"]`)) el.remove();
    }
    this.notices.unshift(n);
    this.notices.length = Math.min(this.notices.length, MAX_NOTICES);
    this.unread++;
    this.toast(n);
    if (this.sound) this.beep(n.kind === 'emergency');
    this.renderBadge();
    if (!this.panel.classList.contains('hidden')) this.renderPanel();
  }

  relabel(): void {
    this.button.title = tx('alerts.title');
    this.button.setAttribute('aria-label', tx('alerts.title'));
    this.renderPanel();
  }

  private text(n: Notice): string {
    // a phase arrives as its code: shown in the UI language like the desk's posture tab shows it
    const p = n.text.params;
    return tx(n.text.key, p['phase'] ? { ...p, phase: t(`phase.${p['phase']}` as MessageKey) } : p);
  }

  private toast(n: Notice): void {
    const urgent = n.kind === 'emergency';
    const el = h(
      'div',
      { class: `toast alert ${n.kind}`, testid: 'alert-toast', role: urgent ? 'alert' : 'status', 'data-kind': n.kind, 'data-alert-uid': n.uid },
      h('span', {}, this.text(n)),
      n.uid ? h('button', { class: 'btn small', type: 'button', onclick: () => this.onShow(n.uid!) }, '⌖') : null,
      h('button', { class: 'btn small', type: 'button', 'aria-label': tx('alerts.dismiss'), onclick: () => el.remove() }, '×'),
    );
    this.toasts.append(el);
    if (!urgent) setTimeout(() => el.remove(), 8000);
  }

  private beep(urgent: boolean): void {
    try {
      this.audio ??= new AudioContext();
      const o = this.audio.createOscillator();
      const g = this.audio.createGain();
      o.frequency.value = urgent ? 880 : 660;
      g.gain.value = 0.08;
      o.connect(g).connect(this.audio.destination);
      o.start();
      o.stop(this.audio.currentTime + (urgent ? 0.6 : 0.15));
    } catch {
      /* no audio device: the visible notice is enough */
    }
  }

  private renderBadge(): void {
    this.badge.textContent = this.unread ? String(this.unread) : '';
    this.badge.classList.toggle('hidden', this.unread === 0);
    document.title = this.unread ? `(${this.unread}) ${this.baseTitle}` : this.baseTitle;
  }

  private toggle(): void {
    const show = this.panel.classList.contains('hidden');
    this.panel.classList.toggle('hidden', !show);
    if (show) this.renderPanel();
  }

  private renderPanel(): void {
    const sound = h('input', { type: 'checkbox', testid: 'alerts-sound', checked: this.sound, onchange: () => {
      this.sound = sound.checked;
      try {
        localStorage.setItem(SOUND_KEY, this.sound ? 'on' : 'off');
      } catch {
        /* storage disabled: the choice lasts for this page */
      }
    } });
    this.panel.replaceChildren(
      h('div', { class: 'toolbar' },
        h('h3', {}, tx('alerts.title')),
        h('label', { class: 'chk' }, sound, tx('alerts.sound')),
        h('button', { class: 'btn small', type: 'button', testid: 'alerts-read', onclick: () => { this.unread = 0; this.renderBadge(); } }, tx('alerts.clear')),
      ),
      this.notices.length
        ? h('ul', { class: 'alerts-list', testid: 'alerts-list' }, this.notices.map((n) =>
            h('li', { class: n.kind, 'data-kind': n.kind }, h('span', { class: 'muted mono' }, n.at.slice(11, 19) + 'Z '), this.text(n), n.uid ? h('button', { class: 'btn small', type: 'button', onclick: () => this.onShow(n.uid!) }, '⌖') : null),
          ))
        : h('p', { class: 'muted' }, tx('alerts.none')),
    );
  }
}
