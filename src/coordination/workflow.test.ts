import { describe, expect, it } from 'vitest';
import type { AckBody, ConcurrenceBody, ProposalBody, RequestBody } from './model.js';
import { derivePosture } from './posture.js';
import { deriveStatus, transitionError } from './workflow.js';

const req = (over: Partial<RequestBody> = {}): RequestBody => ({
  owner: 'JPN',
  rev: 1,
  id: 'JPN-1',
  kind: 'isr',
  title: 't',
  description: '',
  requester: 'u',
  nations: ['JPN', 'USA'],
  priority: 'routine',
  stage: 'submitted',
  round: 1,
  createdAt: '2026-01-01T00:00:00Z',
  ...over,
});
const c = (owner: string, decision: ConcurrenceBody['decision'], round = 1): ConcurrenceBody => ({
  owner,
  rev: 1,
  requestId: 'JPN-1',
  round,
  decision,
  by: `${owner}-c`,
  at: '2026-01-01T00:00:00Z',
});

describe('deriveStatus (pure)', () => {
  it.each([
    ['draft', req({ stage: 'draft', round: 0 }), [], 'draft'],
    ['submitted, nobody looked yet', req(), [], 'submitted'],
    ['one reviewing', req(), [c('USA', 'review')], 'in_review'],
    ['one concurred', req(), [c('USA', 'concur')], 'in_review'],
    ['all concurred', req(), [c('USA', 'concur'), c('JPN', 'concur')], 'concurred'],
    ['one refuses', req(), [c('USA', 'not_concur'), c('JPN', 'concur')], 'not_concurred'],
    ['one returns', req(), [c('USA', 'return')], 'returned'],
    ['refusal beats return', req(), [c('USA', 'return'), c('JPN', 'not_concur')], 'not_concurred'],
    ['old round does not count', req({ round: 2 }), [c('USA', 'concur', 1), c('JPN', 'concur', 1)], 'submitted'],
    ['a non-party nation does not count', req(), [c('USA', 'concur'), c('JPN', 'concur'), c('PHL', 'not_concur')], 'concurred'],
    ['a non-party cannot complete concurrence', req({ nations: ['JPN', 'USA'] }), [c('JPN', 'concur'), c('PHL', 'concur')], 'in_review'],
    ['execution', req({ stage: 'in_execution' }), [], 'in_execution'],
    ['closed', req({ stage: 'closed' }), [c('USA', 'not_concur')], 'closed'],
  ] as const)('%s', (_n, r, cs, expected) => {
    expect(deriveStatus(r, [...cs])).toBe(expected);
  });
});

describe('transitionError (pure)', () => {
  it('allows only listed transitions and one decision per nation per round', () => {
    expect(transitionError('submit', 'JPN', req({ stage: 'draft', round: 0 }), [])).toBeUndefined();
    expect(transitionError('submit', 'JPN', req(), [])).toMatch(/cannot submit/);
    expect(transitionError('execute', 'JPN', req(), [c('USA', 'concur')])).toMatch(/cannot execute/);
    expect(transitionError('execute', 'JPN', req(), [c('USA', 'concur'), c('JPN', 'concur')])).toBeUndefined();
    expect(transitionError('concur', 'USA', req(), [c('USA', 'concur')])).toMatch(/already decided/);
    expect(transitionError('concur', 'USA', req(), [c('USA', 'review')])).toBeUndefined();
    expect(transitionError('review', 'USA', req(), [c('USA', 'review')])).toMatch(/already reviewing/);
    expect(transitionError('submit', 'JPN', req(), [c('USA', 'return')])).toBeUndefined();
    expect(transitionError('close', 'JPN', req({ stage: 'draft' }), [])).toMatch(/cannot close/);
    expect(transitionError('close', 'JPN', req(), [c('USA', 'not_concur')])).toBeUndefined();
    expect(transitionError('concur', 'USA', req({ stage: 'closed' }), [])).toMatch(/cannot concur/);
  });
});

describe('derivePosture (pure)', () => {
  const p = (id: string, owner: string, phase: ProposalBody['phase'], at: string, awaiting: string[]): ProposalBody => ({
    owner,
    rev: 1,
    id,
    phase,
    by: 'x',
    at,
    awaiting,
  });
  const ack = (proposalId: string, owner: string): AckBody => ({ owner, rev: 1, proposalId, by: 'y', at: '2026-01-01T00:00:00Z' });

  it('a proposal is effective only once every awaited nation acked; alliance = highest', () => {
    const props = [p('JPN-1', 'JPN', 'gray_zone', '2026-01-01T01:00:00Z', ['USA'])];
    expect(derivePosture(['JPN', 'USA'], props, [])).toEqual({
      phases: { JPN: 'peacetime', USA: 'peacetime' },
      alliance: 'peacetime',
      pending: { id: 'JPN-1', nation: 'JPN', proposed: 'gray_zone', by: 'x', at: '2026-01-01T01:00:00Z', awaiting: ['USA'] },
    });
    expect(derivePosture(['JPN', 'USA'], props, [ack('JPN-1', 'USA')])).toEqual({
      phases: { JPN: 'gray_zone', USA: 'peacetime' },
      alliance: 'gray_zone',
    });
    // an ack by the proposer itself does not count
    expect(derivePosture(['JPN', 'USA'], props, [ack('JPN-1', 'JPN')]).phases.JPN).toBe('peacetime');
  });

  it('a newer acked proposal wins; an unacked newer one is pending over the effective one', () => {
    const props = [
      p('USA-1', 'USA', 'contingency', '2026-01-01T01:00:00Z', ['JPN']),
      p('USA-2', 'USA', 'gray_zone', '2026-01-01T02:00:00Z', ['JPN']),
      p('USA-3', 'USA', 'peacetime', '2026-01-01T03:00:00Z', ['JPN']),
    ];
    const acks = [ack('USA-1', 'JPN'), ack('USA-2', 'JPN')];
    const out = derivePosture(['JPN', 'USA'], props, acks);
    expect(out.phases).toEqual({ JPN: 'peacetime', USA: 'gray_zone' });
    expect(out.alliance).toBe('gray_zone');
    expect(out.pending?.id).toBe('USA-3');
  });
});
