import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { isKizunaError, type ErrorCode } from '../util/errors.js';
import type { Doc } from '../store/types.js';
import { federate, makeNode, type TestNode } from './test-support.js';
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
});
