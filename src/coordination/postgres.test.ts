import { describe, expect, it } from 'vitest';
import { PG_URL, usePostgres } from '../../test/support/postgres.js';
import { openPostgresStore } from '../store/postgres.js';
import { federate, makeNode } from './test-support.js';

const { freshSchema, dropSchema } = usePostgres();

describe('coordination on PostgreSQL (JPN) federated with SQLite (USA)', () => {
  it('runs the concurrence workflow, the posture handshake and keeps both audit chains valid', async () => {
    const schema = freshSchema('kz_coord');
    const jpn = await makeNode('JPN', {
      openStore: () => openPostgresStore(PG_URL, { schema, max: 4 }),
      cleanup: () => dropSchema(schema),
    });
    const usa = await makeNode('USA');
    const fed = federate(jpn, usa);
    try {
      const b = await jpn.coord.createRequest(jpn.as.operator, { kind: 'logistics', title: 'Fuel', nations: ['USA'], deadline: '2020-01-01T00:00:00Z' });
      await jpn.coord.act(jpn.as.operator, b.request.id, 'submit');
      await jpn.coord.checkDeadlines();
      await fed.settle();
      await usa.coord.act(usa.as.coordinator, b.request.id, 'concur');
      await jpn.coord.act(jpn.as.coordinator, b.request.id, 'concur');
      await fed.settle();
      const onJpn = (await jpn.coord.getRequest(b.request.id))!;
      expect(onJpn.status).toBe('concurred');
      expect(onJpn.request.body.escalated).toBe(true);
      expect((await jpn.coord.listRequests({ status: 'concurred', kind: 'logistics' })).map((x) => x.request.id)).toEqual([b.request.id]);
      const p = await usa.coord.proposePhase(usa.as.coordinator, 'gray_zone');
      await fed.settle();
      await jpn.coord.ackPhase(jpn.as.coordinator, p.pending!.id);
      await fed.settle();
      expect((await usa.coord.posture()).alliance).toBe('gray_zone');
      expect((await jpn.coord.posture()).phases.USA).toBe('gray_zone');
      expect(fed.errors).toEqual([]);
      for (const n of [jpn, usa]) expect(await n.audit.verify({ pageSize: 3 })).toMatchObject({ ok: true });
    } finally {
      await fed.settle();
      await jpn.close();
      await usa.close();
    }
  });
});
