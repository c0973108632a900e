import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isKizunaError, type ErrorCode } from '../util/errors.js';
import type { Doc } from '../store/types.js';
import type { SecurityLabel } from '../labels/types.js';
import { federate, guard, makeNode, registry, type TestNode } from './test-support.js';
import type { ChatBody } from './model.js';

/**
 * Coordination documents through the write authority: the attacks a peer or a local user could try, each
 * answered the way docs/write-authority.md says (refused, audited, nothing stored; hidden answers like missing).
 */
async function caught(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  return undefined;
}
async function expectCode(p: Promise<unknown>, code: ErrorCode): Promise<void> {
  const err = await caught(p);
  expect(isKizunaError(err, code), `expected ${code}, got ${String(err)}`).toBe(true);
}
const publicOf = (e: unknown) => (e as { toPublic(): unknown }).toPublic();

const rfi = { kind: 'rfi' as const, title: 'Harbour survey', description: 'Berth depths', nations: ['USA'] };

function usaChat(label: SecurityLabel, text = 'hello'): Doc<ChatBody> {
  const id = `${'0'.repeat(12)}-USA-0badf00d`;
  return { collection: 'chat', id, version: 1, label, body: { owner: 'USA', rev: 1, id, room: 'operations', from: 'usa-operator', text, at: new Date().toISOString() }, updatedAt: 0 };
}
function usaLabel(owner: string, rel = ['JPN', 'USA']): SecurityLabel {
  return registry.validate({
    policy: 'JPN',
    classification: 'UNCLASSIFIED',
    categories: [{ tagSet: 'Releasable To', type: 'permissive', values: rel }],
    owner,
    createdAt: new Date().toISOString(),
  });
}

describe('coordination documents through the write authority', () => {
  let jpn: TestNode;
  let usa: TestNode;
  let fed: ReturnType<typeof federate>;
  beforeEach(async () => {
    jpn = await makeNode('JPN', { guard });
    usa = await makeNode('USA', { guard });
    fed = federate(jpn, usa);
  });
  afterEach(async () => {
    await fed.settle();
    await jpn.close();
    await usa.close();
  });

  it('a peer cannot label its document as owned by this nation (the body says USA, the label says JPN)', async () => {
    await expectCode(jpn.coord.applyRemote(usaChat(usaLabel('JPN')), 'USA'), 'FED_REJECTED');
    expect(await jpn.coord.listChat('operations')).toEqual([]);
  });

  it('a peer cannot claim a third nation as owner of the label it writes', async () => {
    await expectCode(jpn.coord.applyRemote(usaChat(usaLabel('PHL', ['JPN', 'PHL', 'USA'])), 'USA'), 'FED_REJECTED');
    expect(await jpn.coord.listChat('operations')).toEqual([]);
    const reasons = (await jpn.store.auditRange(1, 100)).filter((r) => r.kind === 'federation.rejected').map((r) => JSON.parse(r.body).reason);
    expect(reasons).toEqual(['WRITE_OWNER_CLAIM']);
  });

  it('a peer writing its own document with its own label is accepted', async () => {
    await jpn.coord.applyRemote(usaChat(usaLabel('USA')), 'USA');
    expect((await jpn.coord.listChat('operations')).map((m) => m.body.text)).toEqual(['hello']);
  });

  it("a document relayed by USA is judged as its owner's only when the boundary verified that owner's binding", async () => {
    const phlChat = (): Doc<ChatBody> => {
      const id = `${'0'.repeat(12)}-PHL-0badf00d`;
      return { collection: 'chat', id, version: 1, label: usaLabel('PHL', ['JPN', 'PHL', 'USA']), body: { owner: 'PHL', rev: 1, id, room: 'operations', from: 'phl-operator', text: 'via USA', at: new Date().toISOString() }, updatedAt: 0 };
    };
    // no verified originator, or one that is not the document's owner: refused
    await expectCode(jpn.coord.applyRemote(phlChat(), 'USA'), 'FED_REJECTED');
    await expectCode(jpn.coord.applyRemote(phlChat(), 'USA', 'KOR'), 'FED_REJECTED');
    expect(await jpn.coord.listChat('operations')).toEqual([]);
    // PHL's binding verified: stored once, audited with the relay; the same revision again is not relayed on
    expect(await jpn.coord.applyRemote(phlChat(), 'USA', 'PHL')).toBe(true);
    expect(await jpn.coord.applyRemote(phlChat(), 'USA', 'PHL')).toBe(false);
    expect((await jpn.coord.listChat('operations')).map((m) => m.body.text)).toEqual(['via USA']);
    const rows = (await jpn.store.auditRange(1, 100)).filter((r) => r.kind === 'remote.chat').map((r) => JSON.parse(r.body));
    expect(rows).toMatchObject([{ owner: 'PHL', via: 'USA' }]);
  });

  it('a local user cannot write a label of a foreign policy, above his clearance or not', async () => {
    const low = { ...jpn.as.operator, audience: { ...jpn.as.operator.audience, maxClassification: 'UNCLASSIFIED' } };
    const ts: SecurityLabel = { policy: 'USA', classification: 'TOP SECRET', categories: [{ tagSet: 'Releasable To', type: 'permissive', values: ['JPN', 'USA'] }], owner: 'JPN', createdAt: new Date().toISOString() };
    await expectCode(jpn.coord.createRequest(low, { ...rfi, label: ts as never }), 'FORBIDDEN');
    await expectCode(jpn.coord.postChat(low, 'operations', 'x', ts as never), 'FORBIDDEN');
    await expectCode(jpn.coord.createCalendarEvent(low, { title: 't', start: '2026-01-01T00:00:00Z', end: '2026-01-01T01:00:00Z', label: ts as never }), 'FORBIDDEN');
    expect(await jpn.coord.listRequests()).toEqual([]);
    expect(await jpn.coord.listChat('operations')).toEqual([]);
  });

  it('an operator cannot drive another operator\'s request; its requester and a coordinator can', async () => {
    const b = await jpn.coord.createRequest(jpn.as.operator, rfi);
    const other = { ...jpn.as.operator, username: 'jpn-operator-2' };
    await expectCode(jpn.coord.act(other, b.request.id, 'submit'), 'FORBIDDEN');
    expect((await jpn.coord.getRequest(b.request.id))!.status).toBe('draft');
    await jpn.coord.act(jpn.as.operator, b.request.id, 'submit');
    await fed.settle();
    await usa.coord.act(usa.as.coordinator, b.request.id, 'return');
    await fed.settle();
    await jpn.coord.act(jpn.as.coordinator, b.request.id, 'submit');
    expect((await jpn.coord.getRequest(b.request.id))!.status).toBe('submitted');
  });

  it('a hidden request answers every write exactly like a missing one', async () => {
    const b = await jpn.coord.createRequest(jpn.as.operator, { ...rfi, label: { classification: 'GOKUHI', relTo: ['USA'] } });
    const low = { ...jpn.as.coordinator, audience: { ...jpn.as.coordinator.audience, maxClassification: 'HI' } };
    for (const write of [(id: string) => jpn.coord.act(low, id, 'submit'), (id: string) => jpn.coord.comment(low, id, 'x'), (id: string) => jpn.coord.act(low, id, 'close')]) {
      const hidden = await caught(write(b.request.id));
      const missing = await caught(write('JPN-000000000000-00000000'));
      expect(isKizunaError(hidden, 'NOT_FOUND')).toBe(true);
      expect(publicOf(hidden)).toEqual(publicOf(missing));
    }
    expect((await jpn.coord.getRequest(b.request.id))!.comments).toEqual([]);
  });

  it('a decision on a partner\'s request is labelled by the deciding nation, and crosses back', async () => {
    const b = await jpn.coord.createRequest(jpn.as.operator, rfi);
    await jpn.coord.act(jpn.as.operator, b.request.id, 'submit');
    await fed.settle();
    await usa.coord.comment(usa.as.operator, b.request.id, 'looking');
    await usa.coord.act(usa.as.coordinator, b.request.id, 'concur');
    await fed.settle();
    expect(fed.errors).toEqual([]);
    const onUsa = (await usa.coord.getRequest(b.request.id))!;
    expect(onUsa.concurrences[0]!.label).toMatchObject({ policy: 'USA', owner: 'USA' });
    expect(onUsa.comments[0]!.label).toMatchObject({ policy: 'USA', owner: 'USA' });
    const onJpn = (await jpn.coord.getRequest(b.request.id))!;
    expect(onJpn.concurrences.map((c) => c.body.decision)).toEqual(['concur']);
    expect(onJpn.comments.map((c) => c.body.text)).toEqual(['looking']);
  });

  it('an acknowledgement of a partner\'s proposal is labelled by the acknowledging nation, and crosses back', async () => {
    await usa.close();
    usa = await makeNode('USA', { guard, allies: ['JPN'] });
    fed = federate(jpn, usa);
    await jpn.coord.proposePhase(jpn.as.coordinator, 'gray_zone');
    await fed.settle();
    const pid = (await usa.coord.posture()).pending!.id;
    const missing = await caught(usa.coord.ackPhase(usa.as.coordinator, 'JPN-000000000000-00000000'));
    expect(isKizunaError(missing, 'NOT_FOUND')).toBe(true);
    await usa.coord.ackPhase(usa.as.coordinator, pid);
    await fed.settle();
    const ack = (await usa.store.listDocs('posture_ack'))[0]!;
    expect(ack.label).toMatchObject({ policy: 'USA', owner: 'USA' });
    expect((await jpn.coord.posture()).phases.JPN).toBe('gray_zone');
    expect(fed.errors).toEqual([]);
  });
});
