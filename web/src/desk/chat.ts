/** Bilateral chat tab: rooms, messages (each with its portion mark), send box. */
import { clear, h } from '../dom.js';
import * as fmt from '../format.js';
import { t } from '../i18n.js';
import { attempt, portion, type DeskContext } from './context.js';
import { LabelPicker } from './label-picker.js';

export class ChatTab {
  readonly el = h('div', { class: 'chat-tab', testid: 'chat-tab' });
  private rooms: { id: string; name: string }[] = [];
  private room: string | undefined;
  private readonly roomsEl = h('nav', { class: 'rooms', testid: 'chat-rooms' });
  private readonly messagesEl = h('div', { class: 'messages', testid: 'chat-messages' });
  private readonly input = h('input', { testid: 'chat-input', maxlength: 2000, autocomplete: 'off' });
  private readonly send = h('button', { class: 'btn primary', type: 'submit', testid: 'chat-send' });
  private readonly labelSlot = h('div', { class: 'chat-label' });
  private picker: LabelPicker | undefined;

  constructor(private readonly ctx: DeskContext) {
    const form = h('form', { class: 'chat-send' }, this.labelSlot, this.input, this.send);
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      void this.sendMessage();
    });
    this.el.append(this.roomsEl, h('div', { class: 'chat-main' }, this.messagesEl, form));
    ctx.state.on('chat', () => this.renderMessages());
  }

  async load(): Promise<void> {
    // built after sign-in: the choices are this user's own policy and clearance
    this.picker = new LabelPicker(this.ctx.api, 'chat-label');
    this.labelSlot.replaceChildren(this.picker.el);
    const res = await attempt(this.ctx, () => this.ctx.api.chatRooms());
    if (!res) return;
    this.rooms = res.items;
    if (!this.room && this.rooms[0]) await this.openRoom(this.rooms[0].id);
    this.render();
  }

  private async openRoom(id: string): Promise<void> {
    this.room = id;
    this.render();
    const res = await attempt(this.ctx, () => this.ctx.api.chatMessages(id));
    if (res) this.ctx.state.addChat(res.items);
  }

  private async sendMessage(): Promise<void> {
    const text = this.input.value.trim();
    if (!text || !this.room) return;
    const room = this.room;
    const picker = this.picker;
    const res = await attempt(this.ctx, async () => this.ctx.api.sendChat(room, text, picker ? await picker.value() : undefined));
    if (!res) return;
    this.input.value = '';
    this.ctx.state.addChat([res]);
  }

  /** Language switch: the label picker's words are baked in. */
  relabel(): void {
    this.picker?.relabel();
  }

  render(): void {
    clear(this.roomsEl);
    this.roomsEl.append(
      h('h3', {}, t('chat.rooms')),
      ...this.rooms.map((r) =>
        h('button', { class: `room ${r.id === this.room ? 'sel' : ''}`, testid: `chat-room-${r.id}`, onclick: () => void this.openRoom(r.id) }, r.name),
      ),
    );
    this.input.placeholder = t('chat.placeholder');
    this.send.textContent = t('chat.send');
    this.input.disabled = this.send.disabled = !this.room || this.ctx.state.user?.role === 'viewer';
    this.renderMessages();
  }

  private renderMessages(): void {
    const atBottom = this.messagesEl.scrollHeight - this.messagesEl.scrollTop - this.messagesEl.clientHeight < 40;
    clear(this.messagesEl);
    if (!this.room) {
      this.messagesEl.append(h('p', { class: 'muted' }, t('chat.selectRoom')));
      return;
    }
    const me = this.ctx.state.user?.username;
    for (const m of this.ctx.state.chat.get(this.room) ?? []) {
      this.messagesEl.append(
        h(
          'div',
          { class: `chat-msg ${m.from === me ? 'mine' : ''}`, testid: `chat-message-${m.id}` },
          h('div', { class: 'meta' }, portion(m.label), h('span', { class: 'who' }, `${m.from} (${m.nation})`), h('span', { class: 'muted', title: fmt.time(m.at).utc }, fmt.time(m.at).local)),
          h('div', { class: 'text' }, m.text),
        ),
      );
    }
    if (atBottom) this.messagesEl.scrollTop = this.messagesEl.scrollHeight;
  }
}
