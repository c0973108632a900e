import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SecurityLabel } from '../labels/types.js';
import { isKizunaError, type ErrorCode } from '../util/errors.js';
import type { AuditDraft, AuditRow, Store, StoredEvent } from './types.js';
import { admittedForTest, appendAdmitted } from '../../test/support/admitted.js';
import { eventsContract } from './contract-events.js';
import { outboxContract } from './contract-outbox.js';
import { docsAndAuditContract } from './contract-docs.js';

/**
 * The one behavioural contract every Store adapter passes (SQLite and PostgreSQL run the same suite).
 * A harness gives a fresh, empty backing store per test; `open()` may be called several times to get
 * independent connections ("processes") onto the SAME data, and again after close to test reopen.
 */
export interface StoreHarness {
  open(): Promise<Store>;
  destroy(): Promise<void>;
}

export const testLabel: SecurityLabel = {
  policy: 'JPN',
  classification: 'UNCLASSIFIED',
  categories: [{ tagSet: 'Releasable To', type: 'permissive', values: ['JPN', 'USA'] }],
  owner: 'JPN',
  createdAt: '2025-01-01T00:00:00Z',
};

let counter = 0;
export function makeEvent(over: Partial<StoredEvent> = {}): StoredEvent {
  counter += 1;
  const time = over.time ?? 1_700_000_000_000 + counter;
  return {
    id: `ev-${counter}`,
    origin: 'JPN',
    uid: `uid-${counter}`,
    type: 'a-f-G-U-C',
    callsign: `CS${counter}`,
    time,
    stale: time + 60_000,
    receivedAt: time + 5,
    label: testLabel,
    xml: `<event uid="x${counter}"/>`,
    ...over,
  };
}

/** A stand-in for the audit module's chain: sha256 over prev hash and body, seq + 1. */
export function testChain(prev: AuditRow | undefined, d: AuditDraft): AuditRow {
  const body = JSON.stringify(d.body);
  const prevHash = prev?.hash ?? '0'.repeat(64);
  const hash = createHash('sha256').update(`${prevHash}|${d.ts}|${d.kind}|${d.actor}|${body}`).digest('hex');
  return { seq: (prev?.seq ?? 0) + 1, ts: d.ts, kind: d.kind, actor: d.actor, body, prevHash, hash };
}

export function draft(n: number): AuditDraft {
  return { ts: new Date(1_700_000_000_000 + n).toISOString(), kind: 'test', actor: 'tester', body: { n } };
}

export async function expectCode(p: Promise<unknown>, code: ErrorCode): Promise<void> {
  let err: unknown;
  try {
    await p;
  } catch (e) {
    err = e;
  }
  expect(isKizunaError(err, code), `expected KizunaError ${code}, got ${String(err)}`).toBe(true);
}

export function verifyChain(rows: AuditRow[]): void {
  let prev: AuditRow | undefined;
  for (const r of rows) {
    const again = testChain(prev, { ts: r.ts, kind: r.kind, actor: r.actor, body: JSON.parse(r.body) });
    expect(r).toEqual(again);
    prev = r;
  }
}

/** The store a contract test runs against (fresh per test), and further connections onto the same data. */
export interface StoreUnderTest {
  readonly store: Store;
  second(): Promise<Store>;
}

export function storeContract(name: string, factory: () => Promise<StoreHarness>): void {
  describe(`Store contract: ${name}`, () => {
    let h: StoreHarness;
    let store: Store;
    const extra: Store[] = [];
    const second = async (): Promise<Store> => {
      const s = await h.open();
      extra.push(s);
      return s;
    };

    beforeEach(async () => {
      h = await factory();
      store = await h.open();
    });
    afterEach(async () => {
      for (const s of extra.splice(0)) await s.close();
      await store.close();
      await h.destroy();
    });
    const sut: StoreUnderTest = {
      get store() {
        return store;
      },
      second,
    };

    eventsContract(sut);

    outboxContract(sut);

    docsAndAuditContract(sut);

    it('keeps everything after close and reopen', async () => {
      const e = makeEvent({ stale: 9e12 });
      await appendAdmitted(store, [e]);
      await store.outbox.enqueue('USA', [{ key: 'k', payload: new Uint8Array([1, 2, 3]) }]);
      await store.outbox.markSeen(['seen-1']);
      await store.commit({
        docs: [admittedForTest({ collection: 'c', id: 'd', label: testLabel, body: { x: 'y' } })],
        audit: [draft(1)],
        chain: testChain,
      });
      await store.close();
      await expectCode(store.events.getLatest(e.uid), 'STORE_FAILED');
      store = await h.open();
      expect(await store.events.getLatest(e.uid)).toEqual(e);
      expect(await store.outbox.pending('USA', 0, 10)).toEqual([{ seq: 1, key: 'k', payload: new Uint8Array([1, 2, 3]) }]);
      expect(await store.outbox.markSeen(['seen-1'])).toEqual([]);
      expect((await store.getDoc('c', 'd'))?.body).toEqual({ x: 'y' });
      expect((await store.auditHead())?.seq).toBe(1);
      expect(await store.outbox.enqueue('USA', [{ key: 'k2', payload: new Uint8Array([4]) }])).toEqual([2]);
    });
  });
}
