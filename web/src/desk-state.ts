/**
 * Coordination data the desk shows, merged from REST loads and live WS messages.
 * Pure (no DOM): unit-tested; views subscribe with `on`.
 */
import type { CalendarEventView, ChatMessageView, LabelView, PostureView, RequestView, UserView } from '../../src/api/contract.js';

export type DeskTopic = 'requests' | 'calendar' | 'chat' | 'posture' | 'banner' | 'user';

export class DeskState {
  readonly requests = new Map<string, RequestView>();
  readonly calendar = new Map<string, CalendarEventView>();
  readonly chat = new Map<string, ChatMessageView[]>();
  posture: PostureView | undefined;
  banner: LabelView | undefined;
  user: UserView | undefined;
  node: { node: string; nation: string } | undefined;
  private readonly listeners = new Map<DeskTopic, Set<() => void>>();

  on(topic: DeskTopic, fn: () => void): () => void {
    let set = this.listeners.get(topic);
    if (!set) this.listeners.set(topic, (set = new Set()));
    set.add(fn);
    return () => set.delete(fn);
  }

  private emit(topic: DeskTopic): void {
    for (const fn of this.listeners.get(topic) ?? []) fn();
  }

  /** Newer versions win; a late REST response never overwrites a fresher WS update. */
  upsertRequest(r: RequestView): boolean {
    const prev = this.requests.get(r.id);
    if (prev && prev.version > r.version) return false;
    this.requests.set(r.id, r);
    this.emit('requests');
    return true;
  }

  /** Most recently updated first. */
  requestList(): RequestView[] {
    return [...this.requests.values()].sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : a.id.localeCompare(b.id)));
  }

  upsertCalendar(e: CalendarEventView): void {
    this.calendar.set(e.id, e);
    this.emit('calendar');
  }

  /** Chronological. */
  calendarList(): CalendarEventView[] {
    return [...this.calendar.values()].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  }

  /** Adds messages to a room, de-duplicated by id, kept in time order. */
  addChat(msgs: ChatMessageView[]): void {
    const rooms = new Set<string>();
    for (const m of msgs) {
      const list = this.chat.get(m.room) ?? [];
      if (!list.some((x) => x.id === m.id)) list.push(m);
      this.chat.set(m.room, list);
      rooms.add(m.room);
    }
    for (const room of rooms) this.chat.get(room)?.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
    if (rooms.size) this.emit('chat');
  }

  setPosture(p: PostureView): void {
    this.posture = p;
    this.emit('posture');
  }

  setBanner(l: LabelView): void {
    this.banner = l;
    this.emit('banner');
  }

  setUser(u: UserView | undefined, node?: { node: string; nation: string }): void {
    this.user = u;
    if (node) this.node = node;
    this.emit('user');
  }

  /** Whether the signed-in user may decide for their nation on this request (server re-checks). */
  canDecide(r: RequestView): boolean {
    const u = this.user;
    if (!u || (u.role !== 'coordinator' && u.role !== 'administrator')) return false;
    const mine = r.concurrence.find((c) => c.nation === u.nation);
    return !!mine && mine.decision === 'pending' && (r.status === 'submitted' || r.status === 'in_review');
  }

  reset(): void {
    this.requests.clear();
    this.calendar.clear();
    this.chat.clear();
    this.posture = undefined;
    this.banner = undefined;
    for (const t of ['requests', 'calendar', 'chat', 'posture', 'banner'] as const) this.emit(t);
  }
}
