/**
 * Which live events become notifications, decided without a DOM (unit-tested): a request another nation
 * raised for us, a request deadline passing, a readiness-phase proposal awaiting us, a chat message naming us
 * (@name), and ATAK's emergency events (911, panic, troops in contact, geofence, custom) with their cancels.
 * Every notification has a key, so a re-sent or re-loaded event never notifies twice.
 */
import type { ChatMessageView, PostureView, RequestView, TrackView, UserView } from '../../../src/api/contract.js';

export type AlertKind = 'request' | 'deadline' | 'posture' | 'mention' | 'emergency' | 'cancel';

export interface Notice {
  key: string;
  kind: AlertKind;
  /** message key in draw/strings.ts and its parameters */
  text: { key: 'alerts.request' | 'alerts.deadline' | 'alerts.posture' | 'alerts.mention' | 'alerts.emergency' | 'alerts.cancelled'; params: Record<string, string> };
  at: string;
  /** a track to show (the alert's position) */
  uid?: string;
  /** the emergency this cancels */
  cancels?: string;
}

const OPEN = new Set(['submitted', 'in_review', 'draft', 'returned']);

export class AlertRules {
  private readonly seen = new Set<string>();
  /** emergency alert uid → the unit it is about, to match cancels */
  private readonly open = new Map<string, string | undefined>();

  constructor(private readonly user: () => UserView | undefined, private readonly now: () => number = Date.now) {}

  private once(n: Notice): Notice | undefined {
    if (this.seen.has(n.key)) return undefined;
    this.seen.add(n.key);
    return n;
  }

  request(r: RequestView): Notice | undefined {
    const u = this.user();
    if (!u || r.originNation === u.nation || !r.nations.includes(u.nation) || (r.status !== 'submitted' && r.status !== 'in_review')) return undefined;
    return this.once({ key: `request:${r.id}`, kind: 'request', text: { key: 'alerts.request', params: { nation: r.originNation, title: r.title } }, at: new Date(this.now()).toISOString() });
  }

  /** Deadlines that passed after `since` (the page load): a deadline long gone is not news. */
  deadlines(requests: Iterable<RequestView>, since: number): Notice[] {
    const now = this.now();
    const out: Notice[] = [];
    for (const r of requests) {
      if (!r.deadline || !OPEN.has(r.status)) continue;
      const d = Date.parse(r.deadline);
      if (!(d <= now && d > since)) continue;
      const n = this.once({ key: `deadline:${r.id}`, kind: 'deadline', text: { key: 'alerts.deadline', params: { title: r.title } }, at: r.deadline });
      if (n) out.push(n);
    }
    return out;
  }

  posture(p: PostureView): Notice | undefined {
    const u = this.user();
    const pend = p.pending;
    if (!u || !pend || pend.by === u.username) return undefined;
    return this.once({ key: `posture:${pend.id}`, kind: 'posture', text: { key: 'alerts.posture', params: { phase: pend.proposed, by: `${pend.by} (${pend.nation})` } }, at: pend.at });
  }

  chat(m: ChatMessageView): Notice | undefined {
    const u = this.user();
    if (!u || m.from === u.username) return undefined;
    const names = [u.username, u.displayName].filter((x): x is string => !!x).map((x) => x.toLowerCase());
    const text = m.text.toLowerCase();
    if (!names.some((n) => text.includes(`@${n}`))) return undefined;
    return this.once({ key: `mention:${m.id}`, kind: 'mention', text: { key: 'alerts.mention', params: { by: m.from, text: m.text.slice(0, 140) } }, at: m.at });
  }

  /** An ATAK alert track: a new emergency, or the cancel of one (by the same uid or the unit it was about). */
  track(t: TrackView): Notice | undefined {
    const a = t.alert;
    if (!a) return undefined;
    const text = a.text ?? t.callsign;
    if (a.cancel) {
      const target = this.open.has(t.uid) ? t.uid : [...this.open].find(([, about]) => about !== undefined && about === a.about)?.[0];
      if (target === undefined) return undefined;
      this.open.delete(target);
      this.seen.delete(`emergency:${target}`);
      return { key: `cancel:${target}:${t.time}`, kind: 'cancel', text: { key: 'alerts.cancelled', params: { text } }, at: t.time, cancels: target };
    }
    if (Date.parse(t.stale) < this.now()) return undefined;
    this.open.set(t.uid, a.about);
    return this.once({ key: `emergency:${t.uid}`, kind: 'emergency', text: { key: 'alerts.emergency', params: { label: a.label ?? a.kind, text } }, at: t.time, uid: t.uid });
  }

  /** The alert track went away (stale or deleted): it no longer counts as open. */
  removed(uid: string): void {
    this.open.delete(uid);
  }
}
