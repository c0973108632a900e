import { roleAtLeast, type RequestStatus } from '../vocab/index.js';
import type { ConcurrenceBody, Decision, RequestBody, Role } from './model.js';

export const ACTIONS = ['submit', 'review', 'concur', 'not_concur', 'return', 'execute', 'close'] as const;
export type Action = (typeof ACTIONS)[number];

/** The current round's decision of each involved nation; other nations and older rounds do not count. */
export function currentDecisions(req: Pick<RequestBody, 'nations' | 'round'>, cs: ConcurrenceBody[]): Map<string, Decision> {
  const out = new Map<string, Decision>();
  for (const c of cs) {
    if (c.round !== req.round || !req.nations.includes(c.owner)) continue;
    out.set(c.owner, c.decision);
  }
  return out;
}

/**
 * The visible status, derived from the originator's request doc and each nation's own concurrence doc.
 * No node ever writes another nation's decision, so two nodes holding the same docs agree on the status.
 */
export function deriveStatus(req: Pick<RequestBody, 'stage' | 'nations' | 'round'>, cs: ConcurrenceBody[]): RequestStatus {
  if (req.stage !== 'submitted') return req.stage;
  const d = currentDecisions(req, cs);
  const values = [...d.values()];
  if (values.includes('not_concur')) return 'not_concurred';
  if (values.includes('return')) return 'returned';
  if (req.nations.every((n) => d.get(n) === 'concur')) return 'concurred';
  return values.length > 0 ? 'in_review' : 'submitted';
}

export { roleAtLeast };

/** Minimum role per action: operators drive their own requests, only coordinators decide. */
export const ACTION_ROLE: Record<Action, Role> = {
  submit: 'operator',
  review: 'coordinator',
  concur: 'coordinator',
  not_concur: 'coordinator',
  return: 'coordinator',
  execute: 'coordinator',
  close: 'coordinator',
};

/** Actions of the originating nation (they change the request doc). */
export const ORIGINATOR_ACTIONS: ReadonlySet<Action> = new Set(['submit', 'execute', 'close']);

/** Statuses from which an action is a valid transition. */
export const FROM: Record<Action, readonly RequestStatus[]> = {
  submit: ['draft', 'returned'],
  review: ['submitted', 'in_review'],
  concur: ['submitted', 'in_review'],
  not_concur: ['submitted', 'in_review'],
  return: ['submitted', 'in_review'],
  execute: ['concurred'],
  close: ['in_execution', 'not_concurred', 'returned'],
};

/** Pure: is `action` a valid transition for `nation` now? Returns a reason when not. */
export function transitionError(
  action: Action,
  nation: string,
  req: RequestBody,
  cs: ConcurrenceBody[],
): string | undefined {
  const status = deriveStatus(req, cs);
  if (!FROM[action].includes(status)) return `cannot ${action} a request that is ${status}`;
  if (!ORIGINATOR_ACTIONS.has(action)) {
    const mine = currentDecisions(req, cs).get(nation);
    // A nation decides once per round; 'review' only marks that it has started.
    if (mine !== undefined && mine !== 'review') return `${nation} already decided this round`;
    if (action === 'review' && mine === 'review') return `${nation} is already reviewing`;
  }
  return undefined;
}
