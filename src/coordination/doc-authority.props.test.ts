import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { audienceFor, createGuard, loadPolicies, makeLabel, type SecurityLabel } from '../labels/index.js';
import type { Doc } from '../store/types.js';
import { createDocAuthority } from './doc-authority.js';
import type { SessionUser } from './users.js';

/**
 * Who may write a coordination document, against a reference written from the rules table in
 * docs/write-authority.md (not from the code): a local document is changed by its author or a coordinator or
 * administrator of its nation who can see it; a partner's replica only by the partner's node, under a label
 * its nation owns; nobody else. Labels here are all lowest-level, so visibility is the releasability alone.
 */
const registry = loadPolicies();
const guard = createGuard(registry);
const NATION = 'JPN';
const NAMES = ['aki', 'bob', 'chi'];
const ROLES = ['viewer', 'operator', 'coordinator', 'administrator'] as const;

const label = (policy: string, owner: string, relTo: string[]): SecurityLabel =>
  makeLabel(registry, { policy, classification: 'UNCLASSIFIED', relTo: [...new Set([owner, ...relTo])], owner });

function reference(c: { owner: string; author: string; rel: string[]; actor: { kind: 'user'; name: string; role: string } | { kind: 'peer'; nation: string; labelOwner: string } }): boolean {
  if (c.actor.kind === 'peer') return c.owner === c.actor.nation && c.actor.labelOwner === c.actor.nation && c.owner !== NATION;
  const sees = c.owner === NATION || c.rel.includes(NATION);
  if (c.owner !== NATION || !sees) return false;
  return c.actor.name === c.author || c.actor.role === 'coordinator' || c.actor.role === 'administrator';
}

describe('coordination document authority (property, reference from the rules table)', () => {
  it('admits exactly the writes the rules allow', () => {
    const auth = createDocAuthority({ nodeId: 'JPN', nation: NATION, registry, guard, onRefused: () => undefined });
    const arb = fc.record({
      owner: fc.constantFrom('JPN', 'USA', 'PHL'),
      author: fc.constantFrom(...NAMES),
      rel: fc.subarray(['JPN', 'USA', 'PHL']),
      actor: fc.oneof(
        fc.record({ kind: fc.constant('user' as const), name: fc.constantFrom(...NAMES), role: fc.constantFrom(...ROLES) }),
        fc.record({ kind: fc.constant('peer' as const), nation: fc.constantFrom('USA', 'PHL'), labelOwner: fc.constantFrom('JPN', 'USA', 'PHL') }),
      ),
    });
    let admitted = 0;
    let refused = 0;
    fc.assert(
      fc.property(arb, (c) => {
        const existingLabel = label(registry.policyOf(c.owner), c.owner, c.rel);
        const body = { owner: c.owner, rev: 1, id: `${c.owner}-x`, room: 'operations', from: c.author, text: 't', at: '2026-01-01T00:00:00Z' };
        const doc: Doc = { collection: 'chat', id: body.id, version: 1, label: existingLabel, body, updatedAt: 0 };
        let ok: boolean;
        if (c.actor.kind === 'user') {
          const user: SessionUser = { username: c.actor.name, nation: NATION, role: c.actor.role as SessionUser['role'], audience: audienceFor(registry, { nation: NATION }) };
          try {
            auth.byUser(user, doc, { collection: 'chat', id: doc.id, label: existingLabel, body: { ...body, rev: 2 } });
            ok = true;
          } catch {
            ok = false;
          }
        } else {
          const l = label('JPN', c.actor.labelOwner, ['JPN', 'USA', 'PHL']);
          // applyRemote has already refused a body naming another owner than the link's nation
          const r = auth.byPeer(c.actor.nation, audienceFor(registry, { nation: c.actor.nation }), doc, { collection: 'chat', id: doc.id, label: l, body: { ...body, owner: c.actor.nation, rev: 2 } });
          ok = r.ok;
        }
        if (ok) admitted++;
        else refused++;
        expect(ok).toBe(reference(c));
      }),
      { numRuns: Number(process.env.KIZUNA_PROP_RUNS ?? 3000), seed: 20261202 },
    );
    expect(admitted).toBeGreaterThan(50);
    expect(refused).toBeGreaterThan(50);
  });
});
