import type {
  CalendarEventView,
  ChatMessageView,
  ConcurrenceView,
  LabelView,
  PostureView,
  RequestView,
} from '../vocab/index.js';
import type { SecurityLabel } from '../labels/types.js';
import type { Doc } from '../store/types.js';
import type { CalendarBody, ChatBody, PostureDoc, RequestBundle } from './model.js';
import { currentDecisions } from './workflow.js';

export type LabelViewFn = (label: SecurityLabel) => LabelView;

export function requestView(b: RequestBundle, labelView: LabelViewFn): RequestView {
  const r = b.request.body;
  const decisions = currentDecisions(r, b.concurrences.map((c) => c.body));
  const concurrence: ConcurrenceView[] = r.nations.map((nation) => {
    const doc = b.concurrences.find((c) => c.body.owner === nation && c.body.round === r.round);
    const d = decisions.get(nation);
    const v: ConcurrenceView = { nation, decision: d === undefined || d === 'review' ? 'pending' : d };
    if (doc) {
      v.by = doc.body.by;
      v.at = doc.body.at;
      if (doc.body.comment !== undefined) v.comment = doc.body.comment;
    }
    return v;
  });
  const view: RequestView = {
    id: r.id,
    kind: r.kind,
    title: r.title,
    description: r.description,
    requester: r.requester,
    originNation: r.owner,
    nations: [...r.nations],
    status: b.status,
    priority: r.priority,
    concurrence,
    comments: b.comments.map((c) => ({ by: c.body.by, nation: c.body.owner, at: c.body.at, text: c.body.text })),
    label: labelView(b.label),
    version: b.request.version,
    updatedAt: new Date(b.request.updatedAt).toISOString(),
  };
  if (r.area) view.area = r.area;
  if (r.window) view.window = r.window;
  if (r.deadline) view.deadline = r.deadline;
  if (r.escalated) view.escalated = true;
  return view;
}

export function calendarView(d: Doc<CalendarBody>, labelView: LabelViewFn): CalendarEventView {
  const b = d.body;
  const v: CalendarEventView = { id: b.id, title: b.title, start: b.start, end: b.end, participants: [...b.participants], label: labelView(d.label) };
  if (b.area) v.area = b.area;
  return v;
}

export function chatView(d: Doc<ChatBody>, labelView: LabelViewFn): ChatMessageView {
  const b = d.body;
  return { id: b.id, room: b.room, from: b.from, nation: b.owner, text: b.text, at: b.at, label: labelView(d.label) };
}

export function postureView(p: PostureDoc): PostureView {
  const v: PostureView = { phases: { ...p.phases }, alliance: p.alliance };
  if (p.pending) v.pending = { ...p.pending, awaiting: [...p.pending.awaiting] };
  return v;
}
