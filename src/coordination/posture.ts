import type { Phase } from '../vocab/index.js';
import { PHASES, type AckBody, type PostureDoc, type ProposalBody } from './model.js';

function newer(a: ProposalBody, b: ProposalBody): boolean {
  return a.at > b.at || (a.at === b.at && a.id > b.id);
}

/**
 * Pure: each nation's effective phase is its newest proposal acknowledged by every nation it awaited;
 * the alliance posture is the highest phase. Both nodes hold the same docs, so both derive the same.
 */
export function derivePosture(nations: string[], proposals: ProposalBody[], acks: AckBody[]): PostureDoc {
  const ackedBy = new Map<string, Set<string>>();
  for (const a of acks) {
    if (!ackedBy.has(a.proposalId)) ackedBy.set(a.proposalId, new Set());
    ackedBy.get(a.proposalId)!.add(a.owner);
  }
  const complete = (p: ProposalBody) => p.awaiting.every((n) => ackedBy.get(p.id)?.has(n));
  const effective = new Map<string, ProposalBody>();
  const latest = new Map<string, ProposalBody>();
  for (const p of proposals) {
    const l = latest.get(p.owner);
    if (!l || newer(p, l)) latest.set(p.owner, p);
    if (!complete(p)) continue;
    const e = effective.get(p.owner);
    if (!e || newer(p, e)) effective.set(p.owner, p);
  }
  const phases: Record<string, Phase> = {};
  for (const n of new Set([...nations, ...effective.keys()])) phases[n] = effective.get(n)?.phase ?? 'peacetime';
  const alliance = Object.values(phases).reduce<Phase>(
    (hi, p) => (PHASES.indexOf(p) > PHASES.indexOf(hi) ? p : hi),
    'peacetime',
  );
  const out: PostureDoc = { phases, alliance };
  // Pending = the newest proposal of any nation that is not yet effective (older pending ones are superseded).
  let pending: ProposalBody | undefined;
  for (const [nation, p] of latest) {
    if (effective.get(nation) === p) continue;
    if (!pending || newer(p, pending)) pending = p;
  }
  if (pending) {
    const acked = ackedBy.get(pending.id) ?? new Set<string>();
    out.pending = {
      id: pending.id,
      nation: pending.owner,
      proposed: pending.phase,
      by: pending.by,
      at: pending.at,
      awaiting: pending.awaiting.filter((n) => !acked.has(n)),
    };
  }
  return out;
}
