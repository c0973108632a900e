import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { isKizunaError, type ErrorCode } from '../util/errors.js';
import type { Doc } from '../store/types.js';
import { federate, guard, makeNode, type TestNode } from './test-support.js';
import type { ConcurrenceBody, RequestBundle } from './model.js';

async function expectCode(p: Promise<unknown>, code: ErrorCode): Promise<void> {
  let err: unknown;
  try {
    await p;
  } catch (e) {
    err = e;
  }
  expect(isKizunaError(err, code), `expected ${code}, got ${String(err)}`).toBe(true);
}

const rfi = { kind: 'rfi' as const, title: 'Harbour survey', description: 'Berth depths', nations: ['USA'] };

describe('coordination across two nations (JPN originates, USA concurs)', () => {
  let jpn: TestNode;
  let usa: TestNode;
  let fed: ReturnType<typeof federate>;
  beforeEach(async () => {
    jpn = await makeNode('JPN');
    usa = await makeNode('USA');
    fed = federate(jpn, usa);
  });
  afterEach(async () => {
    await fed.settle();
    await jpn.close();
    await usa.close();
  });

  async function statusOn(node: TestNode, id: string): Promise<string | undefined> {
    return (await node.coord.getRequest(id))?.status;
  }

  async function submitted(): Promise<RequestBundle> {
    const b = await jpn.coord.createRequest(jpn.as.operator, rfi);
    await jpn.coord.act(jpn.as.operator, b.request.id, 'submit');
    await fed.settle();
    return b;
  }

  it('full workflow: both coordinators concur, then execution and closure, identical on both nodes', async () => {
    const b = await jpn.coord.createRequest(jpn.as.operator, rfi);
    expect(b.status).toBe('draft');
    expect(b.request.body.nations).toEqual(['JPN', 'USA']);
    const id = b.request.id;
    await jpn.coord.act(jpn.as.operator, id, 'submit');
    await fed.settle();
    expect(await statusOn(usa, id)).toBe('submitted');
    await usa.coord.act(usa.as.coordinator, id, 'review');
    await fed.settle();
    expect(await statusOn(jpn, id)).toBe('in_review');
    await usa.coord.act(usa.as.coordinator, id, 'concur', 'supportable');
    await fed.settle();
    expect(await statusOn(jpn, id)).toBe('in_review');
    await jpn.coord.act(jpn.as.coordinator, id, 'concur');
    await fed.settle();
    expect(await statusOn(jpn, id)).toBe('concurred');
    expect(await statusOn(usa, id)).toBe('concurred');
    await jpn.coord.act(jpn.as.coordinator, id, 'execute');
    await jpn.coord.act(jpn.as.coordinator, id, 'close', 'done');
    await fed.settle();
    const onUsa = (await usa.coord.getRequest(id))!;
    expect(onUsa.status).toBe('closed');
    expect(onUsa.comments.map((c) => c.body.text)).toEqual(['done']);
    const usaConcur = onUsa.concurrences.find((c) => c.body.owner === 'USA')!;
    expect(usaConcur.body).toMatchObject({ decision: 'concur', by: 'usa-coordinator', comment: 'supportable' });
    expect(fed.errors).toEqual([]);
    for (const n of [jpn, usa]) expect(await n.audit.verify()).toMatchObject({ ok: true });
  });

  it('one nation refuses: not concurred on both nodes; the originator can only close', async () => {
    const { request } = await submitted();
    await usa.coord.act(usa.as.administrator, request.id, 'not_concur', 'asset unavailable');
    await fed.settle();
    expect(await statusOn(jpn, request.id)).toBe('not_concurred');
    expect(await statusOn(usa, request.id)).toBe('not_concurred');
    await expectCode(jpn.coord.act(jpn.as.coordinator, request.id, 'concur'), 'CONFLICT');
    await expectCode(jpn.coord.act(jpn.as.coordinator, request.id, 'execute'), 'CONFLICT');
    await jpn.coord.act(jpn.as.coordinator, request.id, 'close');
    await fed.settle();
    expect(await statusOn(usa, request.id)).toBe('closed');
  });

  it('returned for changes: the originator resubmits and old decisions no longer count', async () => {
    const { request } = await submitted();
    await jpn.coord.act(jpn.as.coordinator, request.id, 'concur');
    await usa.coord.act(usa.as.coordinator, request.id, 'return', 'add a time window');
    await fed.settle();
    expect(await statusOn(jpn, request.id)).toBe('returned');
    await expectCode(usa.coord.act(usa.as.coordinator, request.id, 'submit'), 'FORBIDDEN');
    const again = await jpn.coord.act(jpn.as.operator, request.id, 'submit');
    expect(again.status).toBe('submitted');
    expect(again.request.body.round).toBe(2);
    await fed.settle();
    await usa.coord.act(usa.as.coordinator, request.id, 'concur');
    await fed.settle();
    expect(await statusOn(jpn, request.id)).toBe('in_review'); // JPN's round-1 concurrence is void
    await jpn.coord.act(jpn.as.coordinator, request.id, 'concur');
    await fed.settle();
    expect(await statusOn(usa, request.id)).toBe('concurred');
  });

  it('a deadline passing escalates the request on both nodes (audited), once', async () => {
    let clock = Date.parse('2026-12-01T00:00:00Z');
    await jpn.close();
    jpn = await makeNode('JPN', { now: () => clock });
    fed = federate(jpn, usa);
    const b = await jpn.coord.createRequest(jpn.as.operator, { ...rfi, deadline: '2026-12-01T06:00:00Z' });
    await jpn.coord.act(jpn.as.operator, b.request.id, 'submit');
    await jpn.coord.checkDeadlines();
    expect((await jpn.coord.getRequest(b.request.id))!.request.body.escalated).toBeUndefined();
    clock = Date.parse('2026-12-01T06:00:01Z');
    await jpn.coord.checkDeadlines();
    await jpn.coord.checkDeadlines();
    await fed.settle();
    for (const n of [jpn, usa]) {
      const got = (await n.coord.getRequest(b.request.id))!;
      expect(got.request.body.escalated).toBe(true);
      expect(got.status).toBe('submitted');
    }
    const rows = await jpn.store.auditRange(1, 1000);
    const esc = rows.filter((r) => r.kind === 'request.escalated');
    expect(esc).toHaveLength(1);
    expect(JSON.parse(esc[0]!.body)).toMatchObject({ id: b.request.id, pending: ['JPN', 'USA'] });
    const view = jpn.coord.requestView((await jpn.coord.getRequest(b.request.id))!, (l) => ({ policy: l.policy, classification: l.classification, rank: 0, marking: '', markingJa: '', portion: '', color: '' }));
    expect(view).toMatchObject({ escalated: true, status: 'submitted', deadline: '2026-12-01T06:00:00Z' });
  });

  it('role checks: a viewer cannot approve or create; an operator cannot concur', async () => {
    const { request } = await submitted();
    await expectCode(usa.coord.act(usa.as.viewer, request.id, 'concur'), 'FORBIDDEN');
    await expectCode(usa.coord.act(usa.as.operator, request.id, 'concur'), 'FORBIDDEN');
    await expectCode(usa.coord.createRequest(usa.as.viewer, rfi), 'FORBIDDEN');
    await expectCode(usa.coord.comment(usa.as.viewer, request.id, 'hi'), 'FORBIDDEN');
    await expectCode(usa.coord.postChat(usa.as.viewer, 'bilateral', 'hi'), 'FORBIDDEN');
    await expectCode(usa.coord.proposePhase(usa.as.operator, 'gray_zone'), 'FORBIDDEN');
    expect(await statusOn(usa, request.id)).toBe('submitted');
  });

  it('a USA user cannot concur for JPN: not on the JPN node, and the USA node writes only the USA slot', async () => {
    const { request } = await submitted();
    await expectCode(jpn.coord.act(usa.as.coordinator, request.id, 'concur'), 'FORBIDDEN');
    await usa.coord.act(usa.as.coordinator, request.id, 'concur');
    await fed.settle();
    const b = (await jpn.coord.getRequest(request.id))!;
    expect(b.concurrences.map((c) => c.id)).toEqual([`${request.id}:USA`]);
    expect(b.status).toBe('in_review');
  });

  it('a forged remote concurrence (JPN approval sent by USA) is rejected, audited, and not stored', async () => {
    const { request } = await submitted();
    const forged: Doc<ConcurrenceBody> = {
      collection: 'concurrence',
      id: `${request.id}:JPN`,
      version: 1,
      label: request.label,
      body: { owner: 'JPN', rev: 1, requestId: request.id, round: 1, decision: 'concur', by: 'jpn-coordinator', at: new Date().toISOString() },
      updatedAt: Date.now(),
    };
    await expectCode(jpn.coord.applyRemote(forged, 'USA'), 'FED_REJECTED');
    // claiming the JPN slot while admitting to be USA fails too
    await expectCode(jpn.coord.applyRemote({ ...forged, body: { ...forged.body, owner: 'USA' } }, 'USA'), 'FED_REJECTED');
    // a USA doc relabelled as USA-owned over a JPN request id
    await expectCode(jpn.coord.applyRemote({ collection: 'request', id: request.id, version: 9, label: request.label, body: { ...request.body, owner: 'USA', rev: 99 }, updatedAt: 0 }, 'USA'), 'FED_REJECTED');
    await expectCode(jpn.coord.applyRemote({ ...forged, collection: 'user' }, 'USA'), 'FED_REJECTED');
    await expectCode(jpn.coord.applyRemote({ ...forged, id: `${request.id}:USA`, body: { ...forged.body, owner: 'USA', decision: 'maybe' as never } }, 'USA'), 'FED_REJECTED');
    expect((await jpn.coord.getRequest(request.id))!.concurrences).toEqual([]);
    const rejected = (await jpn.store.auditRange(1, 1000)).filter((r) => r.kind === 'federation.rejected').map((r) => JSON.parse(r.body).reason);
    expect(rejected).toEqual(['owner', 'id-owner', 'id-owner', 'collection', 'schema']);
    expect(await jpn.audit.verify()).toMatchObject({ ok: true });
  });

  it('remote docs: duplicates and stale revisions are ignored, own docs echoed back are harmless', async () => {
    const { request } = await submitted();
    const before = (await usa.store.auditRange(1, 1000)).length;
    const replica = (await usa.coord.getRequest(request.id))!.request;
    await usa.coord.applyRemote(replica, 'JPN'); // duplicate
    const own = (await jpn.coord.getRequest(request.id))!.request;
    await jpn.coord.applyRemote(own, 'USA'); // echo
    expect((await usa.store.auditRange(1, 1000)).length).toBe(before);
    // the same remote doc delivered twice at once (two links): stored once, no error
    const posted = await jpn.coord.postChat(jpn.as.operator, 'logistics', 'seed');
    const twinId = `${'0'.repeat(12)}-JPN-deadbeef`; // a JPN message the simulated link has not carried
    const chatDoc = { ...posted, id: twinId, body: { ...posted.body, id: twinId, room: 'operations', text: 'twice' } };
    const results = await Promise.allSettled([usa.coord.applyRemote(chatDoc, 'JPN'), usa.coord.applyRemote(structuredClone(chatDoc), 'JPN')]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
    expect((await usa.coord.listChat('operations')).map((m) => m.body.text)).toEqual(['twice']);
    // an "echo" with a newer revision than ours is not an echo
    await expectCode(jpn.coord.applyRemote({ ...own, body: { ...own.body, rev: own.body.rev + 1, stage: 'closed' } }, 'USA'), 'FED_REJECTED');
    expect(await statusOn(jpn, request.id)).toBe('submitted');
  });

  it('nothing half-way: two racing concurrences of one nation => one doc, one audit entry, one CONFLICT', async () => {
    const { request } = await submitted();
    const auditBefore = (await usa.audit.head())!.seq;
    const results = await Promise.allSettled([
      usa.coord.act(usa.as.coordinator, request.id, 'concur'),
      usa.coord.act(usa.as.administrator, request.id, 'not_concur'),
    ]);
    const failed = results.filter((r) => r.status === 'rejected');
    expect(failed).toHaveLength(1);
    expect(isKizunaError((failed[0] as PromiseRejectedResult).reason, 'CONFLICT')).toBe(true);
    const b = (await usa.coord.getRequest(request.id))!;
    expect(b.concurrences).toHaveLength(1);
    expect(b.concurrences[0]!.version).toBe(1);
    const entries = await usa.store.auditRange(auditBefore + 1, 100);
    expect(entries.map((e) => e.kind).filter((k) => k.startsWith('request.'))).toHaveLength(1);
  });

  it('nothing half-way: a losing resubmission leaves neither its comment nor an audit entry', async () => {
    const { request } = await submitted();
    await usa.coord.act(usa.as.coordinator, request.id, 'return');
    await fed.settle();
    const auditBefore = (await jpn.audit.head())!.seq;
    const results = await Promise.allSettled([
      jpn.coord.act(jpn.as.operator, request.id, 'submit', 'first try'),
      jpn.coord.act(jpn.as.coordinator, request.id, 'submit', 'second try'),
    ]);
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1);
    const b = (await jpn.coord.getRequest(request.id))!;
    expect(b.comments).toHaveLength(1);
    expect(b.request.body.round).toBe(2);
    const kinds = (await jpn.store.auditRange(auditBefore + 1, 100)).map((e) => e.kind);
    expect(kinds).toEqual(['request.submit']);
  });

  it('bad input: invalid bodies, oversized attachments, labels above clearance => coded errors, nothing stored', async () => {
    await expectCode(jpn.coord.createRequest(jpn.as.operator, { ...rfi, kind: 'coffee' as never }), 'BAD_REQUEST');
    await expectCode(jpn.coord.createRequest(jpn.as.operator, { ...rfi, title: '' }), 'BAD_REQUEST');
    await expectCode(jpn.coord.createRequest(jpn.as.operator, { ...rfi, extra: 1 } as never), 'BAD_REQUEST');
    await expectCode(jpn.coord.createRequest(jpn.as.operator, { ...rfi, area: { type: 'Point', coordinates: [200, 10] } }), 'BAD_REQUEST');
    const big = Buffer.alloc(300 * 1024, 7).toString('base64');
    await expectCode(
      jpn.coord.createRequest(jpn.as.operator, { ...rfi, attachments: [{ name: 'a.bin', mediaType: 'application/octet-stream', data: big }] }),
      'PAYLOAD_TOO_LARGE',
    );
    await expectCode(
      jpn.coord.createRequest(jpn.as.operator, { ...rfi, attachments: [{ name: 'a.bin', mediaType: 'application/octet-stream', data: 'not base64!' }] }),
      'BAD_REQUEST',
    );
    const small = await jpn.coord.createRequest(jpn.as.operator, { ...rfi, attachments: [{ name: 'a.txt', mediaType: 'text/plain', data: Buffer.from('ok').toString('base64') }] });
    expect(small.request.body.attachments).toHaveLength(1);
    await expectCode(jpn.coord.createRequest(jpn.as.operator, { ...rfi, label: { classification: 'NOPE' } }), 'LABEL_INVALID');
    const low = { ...jpn.as.operator, audience: { ...jpn.as.operator.audience, maxClassification: 'HI' } };
    await expectCode(jpn.coord.createRequest(low, { ...rfi, label: { classification: 'GOKUHI' } }), 'FORBIDDEN');
    await expectCode(jpn.coord.act(jpn.as.coordinator, 'JPN-nothing', 'submit'), 'NOT_FOUND');
    await expectCode(jpn.coord.act(jpn.as.coordinator, 'x', 'approve' as never), 'BAD_REQUEST');
    expect((await jpn.coord.listRequests()).map((b) => b.request.id)).toEqual([small.request.id]);
    expect((await jpn.store.auditRange(1, 100)).map((r) => r.kind)).toEqual(['request.created']);
  });

  it('a user may not act on a request above his clearance (it does not exist for him)', async () => {
    const b = await jpn.coord.createRequest(jpn.as.operator, { ...rfi, label: { classification: 'GOKUHI', relTo: ['USA'] } });
    expect(b.label).toMatchObject({ policy: 'JPN', classification: 'GOKUHI', owner: 'JPN' });
    const low = { ...jpn.as.coordinator, audience: { ...jpn.as.coordinator.audience, maxClassification: 'HI' } };
    await expectCode(jpn.coord.act(low, b.request.id, 'submit'), 'NOT_FOUND');
  });

  it('lists with status/kind filters and cursor pagination', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const b = await jpn.coord.createRequest(jpn.as.operator, { ...rfi, kind: i % 2 ? 'isr' : 'rfi', title: `r${i}` });
      ids.push(b.request.id);
    }
    await jpn.coord.act(jpn.as.operator, ids[0]!, 'submit');
    expect((await jpn.coord.listRequests({ status: 'submitted' })).map((b) => b.request.id)).toEqual([ids[0]]);
    expect((await jpn.coord.listRequests({ kind: 'isr' })).map((b) => b.request.body.title)).toEqual(['r1', 'r3']);
    const page1 = await jpn.coord.listRequests({ limit: 2 });
    const page2 = await jpn.coord.listRequests({ limit: 2, after: page1[1]!.request.id });
    expect([...page1, ...page2].map((b) => b.request.body.title)).toEqual(['r0', 'r1', 'r2', 'r3']);
    await expectCode(jpn.coord.listRequests({ status: 'bogus' as never }), 'BAD_REQUEST');
  });

  it('readiness: JPN proposes, USA acknowledges, the phase is effective on both and reaches onPhase', async () => {
    const seen: Record<string, string[]> = { JPN: [], USA: [] };
    jpn.coord.onPhase((n, p) => seen.JPN!.push(`${n}:${p}`));
    usa.coord.onPhase((n, p) => seen.USA!.push(`${n}:${p}`));
    const proposed = await jpn.coord.proposePhase(jpn.as.coordinator, 'contingency');
    expect(proposed.phases.JPN).toBe('peacetime');
    expect(proposed.pending).toMatchObject({ nation: 'JPN', proposed: 'contingency', awaiting: ['USA'] });
    await fed.settle();
    await expectCode(jpn.coord.ackPhase(jpn.as.coordinator, proposed.pending!.id), 'FORBIDDEN');
    await expectCode(usa.coord.ackPhase(usa.as.operator, proposed.pending!.id), 'FORBIDDEN');
    const acked = await usa.coord.ackPhase(usa.as.coordinator, proposed.pending!.id);
    expect(acked).toEqual({ phases: { JPN: 'contingency', USA: 'peacetime' }, alliance: 'contingency' });
    await fed.settle();
    expect(await jpn.coord.posture()).toEqual(acked);
    await expectCode(usa.coord.ackPhase(usa.as.coordinator, proposed.pending!.id), 'CONFLICT');
    expect(seen.JPN).toContain('JPN:contingency');
    expect(seen.USA).toContain('JPN:contingency');
    expect(seen.JPN!.filter((s) => s === 'JPN:contingency')).toHaveLength(1);
    const kinds = (await jpn.store.auditRange(1, 1000)).map((r) => r.kind);
    expect(kinds).toEqual(expect.arrayContaining(['posture.proposed', 'remote.posture_ack', 'posture.phase_changed']));
    // a forged acknowledgement of a new JPN proposal, "by JPN", arriving from USA
    const next = await jpn.coord.proposePhase(jpn.as.coordinator, 'peacetime');
    const label = (await jpn.store.getDoc('posture_proposal', next.pending!.id))!.label;
    const ackBody = { owner: 'JPN', rev: 1, proposalId: next.pending!.id, by: 'jpn-coordinator', at: new Date().toISOString() };
    await expectCode(jpn.coord.applyRemote({ collection: 'posture_ack', id: `${next.pending!.id}:JPN`, version: 1, label, body: ackBody, updatedAt: 0 }, 'USA'), 'FED_REJECTED');
    expect((await jpn.coord.posture()).phases.JPN).toBe('contingency');
  });

  it('chat and calendar replicate both ways with labels; unknown rooms are not found', async () => {
    expect(jpn.coord.chatRooms().map((r) => r.id)).toContain('bilateral');
    await jpn.coord.postChat(jpn.as.operator, 'bilateral', 'こんにちは');
    await usa.coord.postChat(usa.as.operator, 'bilateral', 'hello', { classification: 'CONFIDENTIAL', relTo: ['JPN'] });
    await fed.settle();
    for (const n of [jpn, usa]) {
      const msgs = await n.coord.listChat('bilateral');
      expect(msgs.map((m) => [m.body.owner, m.body.text])).toEqual([
        ['JPN', 'こんにちは'],
        ['USA', 'hello'],
      ]);
    }
    // the USA original keeps its label; the JPN replica carries the guard's translation into JPN policy
    expect((await usa.coord.listChat('bilateral'))[1]!.label).toMatchObject({ policy: 'USA', classification: 'CONFIDENTIAL', owner: 'USA' });
    expect((await jpn.coord.listChat('bilateral'))[1]!.label).toMatchObject({ policy: 'JPN', classification: 'HI', owner: 'USA' });
    await expectCode(jpn.coord.postChat(jpn.as.operator, 'nope', 'x'), 'NOT_FOUND');
    await expectCode(jpn.coord.listChat('nope'), 'NOT_FOUND');
    await expectCode(jpn.coord.postChat(jpn.as.operator, 'bilateral', ''), 'BAD_REQUEST');
    const ev = await usa.coord.createCalendarEvent(usa.as.operator, {
      title: 'Keen Sword',
      start: '2026-10-20T00:00:00Z',
      end: '2026-10-30T00:00:00Z',
      participants: ['JPN'],
      area: { type: 'Point', coordinates: [139.7, 35.6] },
    });
    await fed.settle();
    const onJpn = await jpn.coord.listCalendar();
    expect(onJpn.map((d) => d.body.title)).toEqual(['Keen Sword']);
    expect(jpn.coord.calendarView(onJpn[0]!, () => ({}) as never)).toMatchObject({ id: ev.id, participants: ['JPN', 'USA'] });
    await expectCode(usa.coord.createCalendarEvent(usa.as.operator, { title: 'x', start: '2026-10-30T00:00:00Z', end: '2026-10-20T00:00:00Z' }), 'BAD_REQUEST');
    expect(fed.errors).toEqual([]);
  });

  it('onChange tells local from remote changes', async () => {
    const seen: string[] = [];
    usa.coord.onChange((d, info) => seen.push(`${d.collection}:${info.remote ? `remote:${info.from}` : 'local'}`));
    await submitted();
    await usa.coord.postChat(usa.as.operator, 'operations', 'x');
    expect(seen).toEqual(['request:remote:JPN', 'request:remote:JPN', 'chat:local']);
  });

  it('with the guard: owner-only requests never cross; a user acts only on what the guard releases to him', async () => {
    await usa.close();
    usa = await makeNode('USA', { guard });
    fed = federate(jpn, usa);
    const noforn = await jpn.coord.createRequest(jpn.as.operator, { ...rfi, label: { classification: 'HI', relTo: [] } });
    expect(noforn.label.categories).toEqual([{ tagSet: 'Releasable To', type: 'permissive', values: ['JPN'] }]);
    await jpn.coord.act(jpn.as.operator, noforn.request.id, 'submit');
    await fed.settle();
    expect(fed.withheld).toEqual([`request/${noforn.request.id}`, `request/${noforn.request.id}`]);
    expect(await usa.coord.getRequest(noforn.request.id)).toBeUndefined();

    const gokuhi = await jpn.coord.createRequest(jpn.as.operator, { ...rfi, label: { classification: 'GOKUHI', relTo: ['USA'] } });
    await jpn.coord.act(jpn.as.operator, gokuhi.request.id, 'submit');
    await fed.settle();
    const replica = (await usa.coord.getRequest(gokuhi.request.id))!;
    expect(replica.label).toMatchObject({ policy: 'USA', owner: 'JPN' });
    const lowUsa = { ...usa.as.coordinator, audience: { ...usa.as.coordinator.audience, maxClassification: 'CONFIDENTIAL' } };
    await expectCode(usa.coord.act(lowUsa, gokuhi.request.id, 'concur'), 'NOT_FOUND');
    await usa.coord.act(usa.as.coordinator, gokuhi.request.id, 'concur');
    await jpn.coord.act(jpn.as.coordinator, gokuhi.request.id, 'concur');
    await fed.settle();
    expect(await statusOn(jpn, gokuhi.request.id)).toBe('concurred');
    expect(fed.errors).toEqual([]);
  });
});
