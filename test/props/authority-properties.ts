import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { admit, audienceFor, authorityContext, createGuard, DEFAULT_POLICIES_DIR, loadPolicies, makeLabel, type SecurityLabel } from '../../src/labels/index.js';
import type { ExistingObject, WriteActor } from '../../src/labels/index.js';
import { labelArb } from './arbitraries.js';
import { Oracle } from './oracle.js';
import { AuthorityOracle, type RefNode } from './authority-oracle.js';
import { bump, prop, type PropertyCase } from './properties.js';

/**
 * Write authority properties: generated actor (kind, nation, clearance, identity, role) × existing object
 * (none, own, same nation other identity, other nation; visible or hidden; tombstone) × incoming write
 * (op, label or none, owner claims, relay) for a JPN or a USA node. `admit` must agree with the
 * independent reference exactly: 0 unauthorized writes, 0 refusals of a legitimate write.
 */
const registry = loadPolicies();
const guard = createGuard(registry);
const reference = new AuthorityOracle(new Oracle(DEFAULT_POLICIES_DIR));
const IDS = ['cert:01', 'cert:02', 'anon:JPN', 'anon:USA', 'user:aki', 'user:bob', 'node:JPN', 'node:USA', 'node:PHL', 'feed:ais'];
const LEVELS: Record<string, string[]> = { JPN: ['UNCLASSIFIED', 'HI', 'GOKUHI', 'KIMITSU'], USA: ['UNCLASSIFIED', 'CONFIDENTIAL', 'SECRET', 'TOP SECRET'] };
const CAVEATS: Record<string, string[]> = { JPN: ['SDS', 'CESI', 'KIZUNA-OPS', 'KIZUNA-CONTINGENCY'], USA: ['ORCON', 'PROPIN', 'KIZUNA-OPS', 'KIZUNA-CONTINGENCY'] };

// read from the policy files directly (not through the registry under test)
const alsoWrites = (n: string): string[] => (JSON.parse(readFileSync(join(DEFAULT_POLICIES_DIR, `${n}.json`), 'utf8')) as { alsoWrites?: string[] }).alsoWrites ?? [];
const nodeArb = fc.constantFrom('JPN', 'USA').map((n): RefNode => ({ nation: n, policy: n, alsoWrites: alsoWrites(n), levels: LEVELS[n]!, caveats: CAVEATS[n]! }));

function caseArb(node: RefNode) {
  const other = node.nation === 'JPN' ? 'USA' : 'JPN';
  const labels = labelArb({ policies: [node.policy, node.policy, node.policy, other], owners: [node.nation, node.nation, other, 'PHL'] });
  const actor = fc
    .record({
      kind: fc.constantFrom('client', 'client', 'user', 'peer', 'node'),
      nation: fc.constantFrom(node.nation, node.nation, other, 'PHL'),
      identity: fc.constantFrom(...IDS),
      level: fc.nat({ max: 3 }),
      moderator: fc.boolean(),
    })
    .map((a) => {
      const levels = a.nation === 'PHL' ? ['UNCLASSIFIED', 'RESTRICTED', 'CONFIDENTIAL', 'SECRET'] : LEVELS[a.nation]!;
      return { ...a, audience: audienceFor(registry, { nation: a.nation, maxClassification: levels[a.level]! }) };
    });
  const existing = fc.option(
    fc.record({ label: labels, originator: fc.constantFrom(...IDS, ''), origin: fc.constantFrom('JPN', 'USA', 'PHL'), tombstone: fc.boolean().map((b) => b && Math.random() < 0.3) }),
    { nil: undefined, freq: 3 },
  );
  const incoming = fc.record({
    op: fc.constantFrom('write', 'write', 'write', 'delete', 'relabel'),
    label: fc.option(labels, { nil: undefined, freq: 3 }),
    origin: fc.constantFrom('JPN', 'USA', 'PHL'),
    relayed: fc.boolean(),
    sameAsExisting: fc.boolean(),
  });
  return fc.record({ actor, existing, incoming, own: fc.constantFrom('no', 'identity', 'identity', 'nation'), tweak: fc.nat({ max: 7 }) }).map((c) => {
    // bias towards the interesting cases: the actor's own objects, and updates that change the label a little
    if (!c.existing || c.own === 'no') return c;
    const ex = { ...c.existing, originator: c.actor.identity, origin: c.incoming.origin };
    if (c.own === 'nation') ex.label = { ...ex.label, owner: c.actor.nation };
    const label = c.incoming.label && !c.incoming.sameAsExisting ? tweakLabel(ex.label, c.tweak) : c.incoming.label;
    return { ...c, existing: ex, incoming: { ...c.incoming, label } };
  });
}

/** A small change of a label: one level up or down, one nation more or less, one caveat more or less. */
function tweakLabel(l: SecurityLabel, k: number): SecurityLabel {
  const levels = LEVELS[l.policy] ?? [l.classification];
  const i = levels.indexOf(l.classification);
  const cats = l.categories.map((c) => ({ ...c, values: [...c.values] }));
  const rel = cats.find((c) => c.tagSet === 'Releasable To');
  const cav = cats.find((c) => c.tagSet === 'Caveat');
  const out = { ...l, categories: cats };
  if (k === 0 && i + 1 < levels.length) out.classification = levels[i + 1]!;
  else if (k === 1 && i > 0) out.classification = levels[i - 1]!;
  else if (k === 2 && rel) rel.values.push(rel.values.includes('PHL') ? 'KOR' : 'PHL');
  else if (k === 3 && rel && rel.values.length > 1) rel.values.splice(rel.values.findIndex((v) => v !== l.owner), 1);
  else if (k === 4 && cav && cav.values.length) cav.values.pop();
  else if (k === 5) cats.push({ tagSet: 'Caveat', type: 'restrictive', values: [(CAVEATS[l.policy] ?? ['KIZUNA-OPS'])[2]!] });
  else if (k === 6 && !rel) cats.push({ tagSet: 'Releasable To', type: 'permissive', values: [l.owner, 'USA', 'JPN'].filter((v, j, a) => a.indexOf(v) === j) });
  return out;
}

const arb = nodeArb.chain((node) => caseArb(node).map((c) => ({ node, ...c })));

/** What every case needs besides its draw: the node's authority context, its default label, the actor as admit sees it. */
function setup(node: RefNode, actor: { kind: WriteActor['kind']; identity: string; nation: string; audience: WriteActor['audience']; moderator: boolean }) {
  return {
    ctx: authorityContext(registry, node.nation, guard),
    defaultLabel: makeLabel(registry, { policy: node.policy, classification: node.levels[0]!, relTo: [node.nation], owner: node.nation }),
    a: { kind: actor.kind, identity: actor.identity, nation: actor.nation, audience: actor.audience, moderator: actor.moderator } as WriteActor,
  };
}

export function authorityProperties(): PropertyCase[] {
  const agree = prop('write authority agrees with the reference (0 unauthorized writes, 0 refused legitimate writes)', (s) =>
    fc.property(arb, ({ node, actor, existing, incoming }) => {
      const { ctx, defaultLabel, a } = setup(node, actor);
      // an unchanged label is the same object, as the pipeline's interner hands it out
      const label = incoming.sameAsExisting && existing && incoming.label ? existing.label : incoming.label;
      const inc = { op: incoming.op, label, defaultLabel, origin: incoming.origin, relayed: incoming.relayed };
      const ex: ExistingObject | undefined = existing && { label: existing.label, originator: existing.originator, origin: existing.origin, ...(existing.tombstone ? { tombstone: true } : {}) };
      const got = admit(ctx, a, ex, { ...inc, ...(inc.label ? {} : { label: undefined }) }, (l: SecurityLabel) => l);
      const want = reference.decide(node, actor, existing, inc);
      bump(s, got.ok ? `admitted ${incoming.op}` : `refused ${incoming.op}`);
      if (got.ok && !want.ok) throw new Error(`unauthorized write admitted (${actor.kind} ${incoming.op})`);
      if (!got.ok && want.ok) throw new Error(`legitimate write refused: ${got.code}`);
      if (got.ok && want.ok && got.label !== want.label) throw new Error('admitted a different label than the reference');
    }),
  );
  const hidden = prop('write authority: a hidden object answers like a missing one (delete, re-label) and like any other refusal (write)', (s) =>
    fc.property(arb, ({ node, actor, existing, incoming }) => {
      if (!existing || existing.tombstone || guard.decide(existing.label, actor.audience).allow) return;
      const { ctx, defaultLabel, a } = setup(node, actor);
      const inc = { op: incoming.op, label: incoming.label, defaultLabel, origin: incoming.origin, relayed: incoming.relayed };
      const ex = { label: existing.label, originator: existing.originator, origin: existing.origin };
      const onHidden = admit(ctx, a, ex, inc, (l) => l);
      if (actor.kind === 'peer') return; // peers are judged by origin, not visibility (the boundary re-checked)
      bump(s, 'hidden cases');
      if (incoming.op === 'write') {
        if (onHidden.ok) throw new Error('a write to a hidden uid was admitted');
        return;
      }
      const onMissing = admit(ctx, a, undefined, inc, (l) => l);
      if (incoming.op === 'delete' && (onHidden.ok || onMissing.ok || onHidden.code !== onMissing.code)) throw new Error('a delete tells hidden from missing');
      if (incoming.op === 'relabel' && (onHidden.ok || onHidden.visible)) throw new Error('a re-label of a hidden object is not answered as not visible');
    }),
  );
  const continuity = prop('write authority: whoever created an object may continue it (the originator a create records is the one later writes are judged by)', (s) =>
    fc.property(arb, ({ node, actor, incoming }) => {
      const { ctx, defaultLabel, a } = setup(node, actor);
      const inc = { op: 'write' as const, label: incoming.label, defaultLabel, origin: incoming.origin, relayed: incoming.relayed };
      const created = admit(ctx, a, undefined, inc, (l) => l);
      if (!created.ok) return;
      bump(s, 'created');
      const ex: ExistingObject = { label: created.label, originator: created.originator, origin: incoming.origin };
      const again = admit(ctx, a, ex, { ...inc, label: created.label }, (l) => l);
      if (!again.ok) throw new Error(`the creator (${actor.kind}) may not update its own object: ${again.code}`);
      const gone = admit(ctx, a, ex, { ...inc, op: 'delete', label: undefined }, (l) => l);
      if (!gone.ok) throw new Error(`the creator (${actor.kind}) may not delete its own object: ${gone.code}`);
    }),
  );
  return [agree, hidden, continuity];
}
