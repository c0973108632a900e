/** Readiness tab: each nation's phase, the alliance posture, and propose / acknowledge. */
import { PHASES, type Phase } from '../../../src/vocab/index.js';
import { clear, h } from '../dom.js';
import * as fmt from '../format.js';
import { t, type MessageKey } from '../i18n.js';
import { attempt, type DeskContext } from './context.js';


export class PostureTab {
  readonly el = h('div', { class: 'posture-tab', testid: 'phase-panel' });

  constructor(private readonly ctx: DeskContext) {
    ctx.state.on('posture', () => this.render());
    ctx.state.on('user', () => this.render());
  }

  render(): void {
    clear(this.el);
    const p = this.ctx.state.posture;
    const user = this.ctx.state.user;
    this.el.append(h('div', { class: 'toolbar' }, h('h2', {}, t('posture.title'))));
    if (!p) {
      this.el.append(h('p', { class: 'muted' }, t('common.loading')));
      return;
    }
    const phase = (ph: Phase) => h('span', { class: `phase ${ph}` }, t(`phase.${ph}` as MessageKey));
    this.el.append(
      h('div', { class: 'alliance', testid: 'alliance-posture', 'data-phase': p.alliance }, h('span', {}, t('posture.alliance')), phase(p.alliance)),
      h(
        'table',
        { class: 'grid' },
        h('thead', {}, h('tr', {}, h('th', {}, t('posture.nation')), h('th', {}, t('posture.phase')))),
        h('tbody', {}, Object.entries(p.phases).sort(([a], [b]) => a.localeCompare(b)).map(([nation, ph]) =>
          h('tr', {}, h('td', {}, nation), h('td', { testid: `phase-${nation}`, 'data-phase': ph }, phase(ph))),
        )),
      ),
    );
    const coordinator = user?.role === 'coordinator' || user?.role === 'administrator';
    const pending = p.pending;
    if (pending) {
      const ack =
        coordinator && user && pending.awaiting.includes(user.nation)
          ? h('button', { class: 'btn primary', testid: 'posture-ack', onclick: async () => {
              const res = await attempt(this.ctx, () => this.ctx.api.ackPhase(pending.id));
              if (res) this.ctx.state.setPosture(res);
            } }, t('posture.ack'))
          : null;
      this.el.append(
        h('div', { class: 'posture-pending', testid: 'posture-pending' },
          t('posture.pending', { nation: pending.nation, phase: t(`phase.${pending.proposed}` as MessageKey), by: pending.by, awaiting: pending.awaiting.join(', ') || '—' }),
          h('span', { class: 'muted' }, ` ${fmt.time(pending.at).local}`),
          ack),
      );
    } else {
      this.el.append(h('p', { class: 'muted', testid: 'posture-pending-none' }, t('posture.none')));
    }
    if (coordinator) {
      const select = h('select', { testid: 'posture-propose-select' }, PHASES.map((ph) => h('option', { value: ph }, t(`phase.${ph}` as MessageKey))));
      this.el.append(
        h('div', { class: 'propose' }, h('label', {}, t('posture.propose'), ' ', select),
          h('button', { class: 'btn', testid: 'posture-propose', disabled: !!pending, onclick: async () => {
            const res = await attempt(this.ctx, () => this.ctx.api.proposePhase(select.value as Phase));
            if (res) this.ctx.state.setPosture(res);
          } }, t('posture.proposeBtn'))),
      );
    }
  }
}
