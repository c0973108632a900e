import { describe, expect, it } from 'vitest';
import { createGuard, generateBindingKeys, labelToJson, loadPolicies, makeLabel, signBinding, type SecurityLabel } from '../labels/index.js';
import type { StoredEvent } from '../store/types.js';
import { signOrigin } from './origin-binding.js';
import { InboundChecker } from './receive.js';
import type { FedDeps } from './types.js';

/**
 * The receiving end of a relay (PHL, linked to USA only): a JPN track relayed by USA is accepted only with
 * JPN's own binding over the track and JPN's label, and only when that label releases to PHL. A relay
 * that forges, alters, widens or omits is refused; a direct object keeps the old rules.
 */
const registry = loadPolicies();
const jpnKeys = await generateBindingKeys();
const usaKeys = await generateBindingKeys();
const deps = {
  registry,
  guard: createGuard(registry),
  nation: 'PHL',
  peers: [{ name: 'USA', nation: 'USA' }],
  originators: [{ name: 'JPN', nation: 'JPN', publicJwk: jpnKeys.publicJwk }],
} as unknown as FedDeps;
const FROM_USA = { peer: 'USA', nation: 'USA' };
const jpn = (relTo: string[]): SecurityLabel => makeLabel(registry, { policy: 'JPN', classification: 'HI', relTo, owner: 'JPN' });

function event(label: SecurityLabel, o: { origin?: string; xml?: string; id?: string } = {}): StoredEvent {
  const uid = 'JPN-P1-5501';
  return { id: o.id ?? `ev-${Math.random()}`, origin: o.origin ?? 'JPN', uid, type: 'a-f-A', time: 1, stale: 2, receivedAt: 3, label, xml: o.xml ?? `<event uid="${uid}"/>` };
}

/** USA's envelope to PHL: the payload as USA stored it, USA's link binding over PHL's translation. */
async function relayed(ev: StoredEvent, originJws: string | undefined, sent: StoredEvent = ev) {
  const payload = new TextEncoder().encode(JSON.stringify(sent));
  const bound = registry.translate(sent.label, 'PHL');
  const bindingJws = await signBinding(usaKeys.privateJwk, payload, bound);
  return { seq: 1, origin: sent.origin, id: sent.id, kind: 'cot', labelJson: labelToJson(bound), bindingJws, payload, ...(originJws ? { originBindingJws: originJws } : {}) };
}

describe('relayed tracks at a node not linked to their originator', () => {
  it("accepted with the originator's binding, marked as verified, and kept for onward relay", async () => {
    const checker = new InboundChecker(deps);
    const ev = event(jpn(['JPN', 'USA', 'PHL']));
    const jws = await signOrigin(jpnKeys.privateJwk, ev);
    const r = await checker.check(await relayed(ev, jws), usaKeys.publicJwk, undefined, FROM_USA);
    expect(r.ok).toBe(true);
    if (!r.ok || r.obj.kind !== 'cot') throw new Error('not accepted');
    expect(r.obj.originVerified).toEqual({ node: 'JPN', nation: 'JPN' });
    expect(r.label.policy).toBe('PHL');
    expect(checker.originBindings.get('JPN', ev.id)).toBe(jws);
  });

  it('refused without it, with the relay signing in the originator’s place, or when the relay altered the track', async () => {
    const checker = new InboundChecker(deps);
    const ev = event(jpn(['JPN', 'USA', 'PHL']));
    const jws = await signOrigin(jpnKeys.privateJwk, ev);
    const refused = { ok: false, code: 'BINDING_INVALID', reason: 'origin-binding' };
    expect(await checker.check(await relayed(ev, undefined), usaKeys.publicJwk, undefined, FROM_USA)).toMatchObject(refused);
    const forged = await signOrigin(usaKeys.privateJwk, ev);
    expect(await checker.check(await relayed(ev, forged), usaKeys.publicJwk, undefined, FROM_USA)).toMatchObject(refused);
    const moved = { ...ev, xml: '<event uid="JPN-P1-5501" moved="1"/>' };
    expect(await checker.check(await relayed(ev, jws, moved), usaKeys.publicJwk, undefined, FROM_USA)).toMatchObject(refused);
  });

  it('a relay cannot widen the originator label to reach a nation the owner did not release to', async () => {
    const checker = new InboundChecker(deps);
    const ev = event(jpn(['JPN', 'USA']));
    const jws = await signOrigin(jpnKeys.privateJwk, ev);
    // as released by JPN: not for PHL
    expect(await checker.check(await relayed(ev, jws), usaKeys.publicJwk, undefined, FROM_USA)).toMatchObject({ ok: false, code: 'FED_REJECTED' });
    // widened by the relay: JPN's signature no longer matches
    const widened = { ...ev, label: jpn(['JPN', 'USA', 'PHL']) };
    expect(await checker.check(await relayed(ev, jws, widened), usaKeys.publicJwk, undefined, FROM_USA)).toMatchObject({ ok: false, code: 'BINDING_INVALID' });
  });

  it('refused from an unknown originator and for a label its nation does not own', async () => {
    const checker = new InboundChecker(deps);
    const unknown = event(makeLabel(registry, { policy: 'JPN', classification: 'HI', relTo: ['JPN', 'USA', 'PHL'], owner: 'JPN' }), { origin: 'KOR-1' });
    expect(await checker.check(await relayed(unknown, 'x'), usaKeys.publicJwk, undefined, FROM_USA)).toMatchObject({ ok: false, reason: 'origin-unknown' });
    const usLabel = event(makeLabel(registry, { policy: 'USA', classification: 'UNCLASSIFIED', relTo: ['USA', 'PHL'], owner: 'USA' }));
    const signedByJpn = await signOrigin(jpnKeys.privateJwk, usLabel);
    expect(await checker.check(await relayed(usLabel, signedByJpn), usaKeys.publicJwk, undefined, FROM_USA)).toMatchObject({ ok: false, reason: 'origin-owner' });
  });

  it("a relayed coordination document is accepted only with its originator's binding over it", async () => {
    const checker = new InboundChecker(deps);
    const doc = { collection: 'concurrence', id: 'JPN-1-a:JPN', version: 2, label: jpn(['JPN', 'USA', 'PHL']), body: { owner: 'JPN', rev: 2 }, updatedAt: 1 };
    const payload = new TextEncoder().encode(JSON.stringify(doc));
    const bound = registry.translate(doc.label, 'PHL');
    const env = { seq: 1, origin: 'JPN', id: 'concurrence/JPN-1-a:JPN/2', kind: 'doc', labelJson: labelToJson(bound), bindingJws: await signBinding(usaKeys.privateJwk, payload, bound), payload };
    const asDoc = { kind: 'doc' as const, origin: 'JPN', id: env.id, doc };
    expect(await checker.check(env, usaKeys.publicJwk, undefined, FROM_USA)).toMatchObject({ ok: false, code: 'BINDING_INVALID', reason: 'origin-binding' });
    // signed by the relay, or by JPN over another revision: refused
    expect(await checker.check({ ...env, originBindingJws: await signOrigin(usaKeys.privateJwk, asDoc) }, usaKeys.publicJwk, undefined, FROM_USA)).toMatchObject({ ok: false, code: 'BINDING_INVALID' });
    const other = { ...asDoc, doc: { ...doc, body: { owner: 'JPN', rev: 3 } } };
    expect(await checker.check({ ...env, originBindingJws: await signOrigin(jpnKeys.privateJwk, other) }, usaKeys.publicJwk, undefined, FROM_USA)).toMatchObject({ ok: false, code: 'BINDING_INVALID' });
    const r = await checker.check({ ...env, originBindingJws: await signOrigin(jpnKeys.privateJwk, asDoc) }, usaKeys.publicJwk, undefined, FROM_USA);
    expect(r).toMatchObject({ ok: true, obj: { kind: 'doc', originVerified: { node: 'JPN', nation: 'JPN' } } });
  });

  it("a direct peer's own track needs no originator binding (its link binding is the owner's)", async () => {
    const checker = new InboundChecker(deps);
    const ev = event(makeLabel(registry, { policy: 'USA', classification: 'UNCLASSIFIED', relTo: ['USA', 'PHL'], owner: 'USA' }), { origin: 'USA' });
    const r = await checker.check(await relayed(ev, undefined), usaKeys.publicJwk, undefined, FROM_USA);
    expect(r.ok).toBe(true);
    if (r.ok && r.obj.kind === 'cot') expect(r.obj.originVerified).toBeUndefined();
  });
});
