/** Classification banners (top and bottom). Shows exactly what the server sent; never computed here. */
import type { LabelView } from '../../src/api/contract.js';
import { contrastText, h } from './dom.js';
import { getLang, t } from './i18n.js';

const DEFAULT_COLOR = '#007a33';

export class Banners {
  readonly top = h('div', { class: 'banner', testid: 'banner-top', role: 'banner' });
  readonly bottom = h('div', { class: 'banner', testid: 'banner-bottom' });
  private label: LabelView | undefined;

  set(label: LabelView | undefined): void {
    this.label = label;
    this.render();
  }

  render(): void {
    const l = this.label;
    const text = !l ? t('banner.default') : getLang() === 'ja' && l.markingJa ? l.markingJa : l.marking;
    const bg = l?.color || DEFAULT_COLOR;
    for (const el of [this.top, this.bottom]) {
      el.textContent = text;
      el.style.background = bg;
      el.style.color = contrastText(bg);
      el.dataset['classification'] = l?.classification ?? 'DEFAULT';
    }
  }
}
