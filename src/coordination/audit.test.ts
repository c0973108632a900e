import { join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../store/sqlite.js';
import type { AuditRow, Store } from '../store/types.js';
import { auditVerify } from '../cli/audit.js';
import { GENESIS_HASH, chainAudit, createAuditLog, rowHash, verifyAuditRows, type AuditLog } from './audit.js';
import { canonicalJson } from '../util/canonical-json.js';
import { tmpDir } from '../../test/support/tmp.js';

function chainOf(n: number): AuditRow[] {
  const rows: AuditRow[] = [];
  for (let i = 0; i < n; i++) {
    rows.push(chainAudit(rows[i - 1], { ts: new Date(1_700_000_000_000 + i).toISOString(), kind: 'k', actor: 'a', body: { i } }));
  }
  return rows;
}

describe('chainAudit / verifyAuditRows (pure)', () => {
  it('chains from the genesis hash with sha256 over canonical JSON', () => {
    const [r1, r2] = chainOf(2);
    expect(r1!.seq).toBe(1);
    expect(r1!.prevHash).toBe(GENESIS_HASH);
    expect(r1!.body).toBe('{"i":0}');
    expect(r1!.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(r2!.prevHash).toBe(r1!.hash);
    expect(rowHash(r2!)).toBe(r2!.hash);
  });

  it('hashes bodies independently of key order', () => {
    const d = { ts: '2026-01-01T00:00:00.000Z', kind: 'k', actor: 'a' };
    expect(chainAudit(undefined, { ...d, body: { a: 1, b: [2, { d: 1, c: 2 }] } }).hash).toBe(
      chainAudit(undefined, { ...d, body: { b: [2, { c: 2, d: 1 }], a: 1 } }).hash,
    );
    expect(canonicalJson({ b: 1, a: undefined, c: 'x' })).toBe('{"b":1,"c":"x"}');
    expect(() => canonicalJson({ x: Number.NaN })).toThrow();
  });

  it('accepts an intact chain and the empty chain', () => {
    const rows = chainOf(10);
    expect(verifyAuditRows(rows)).toEqual({ ok: true, count: 10, head: { seq: 10, hash: rows[9]!.hash } });
    expect(verifyAuditRows([])).toEqual({ ok: true, count: 0 });
  });

  it('names the modified, deleted and reordered entry', () => {
    const rows = chainOf(10);
    const edited = rows.map((r) => (r.seq === 4 ? { ...r, body: '{"i":99}' } : r));
    expect(verifyAuditRows(edited)).toEqual({ ok: false, seq: 4, problem: 'modified' });
    const actor = rows.map((r) => (r.seq === 7 ? { ...r, actor: 'mallory' } : r));
    expect(verifyAuditRows(actor)).toEqual({ ok: false, seq: 7, problem: 'modified' });
    const deleted = rows.filter((r) => r.seq !== 5);
    expect(verifyAuditRows(deleted)).toEqual({ ok: false, seq: 5, problem: 'deleted' });
    expect(verifyAuditRows(rows.slice(1))).toEqual({ ok: false, seq: 1, problem: 'deleted' });
    // swap content of 5 and 6, keeping the seq column in place
    const swapped = rows.map((r) => (r.seq === 5 ? { ...rows[5]!, seq: 5 } : r.seq === 6 ? { ...rows[4]!, seq: 6 } : r));
    expect(verifyAuditRows(swapped)).toEqual({ ok: false, seq: 5, problem: 'reordered' });
    // an entry rewritten with a fresh, self-consistent hash breaks the link of its successor
    const rehashed = [...rows];
    const forged = { ...rows[2]!, body: '{"i":-1}' };
    rehashed[2] = { ...forged, hash: rowHash(forged) };
    expect(verifyAuditRows(rehashed)).toEqual({ ok: false, seq: 4, problem: 'broken-link' });
  });

  it('detects a truncated tail only with a countersigned anchor', () => {
    const rows = chainOf(10);
    expect(verifyAuditRows(rows.slice(0, 8)).ok).toBe(true);
    expect(verifyAuditRows(rows.slice(0, 8), [{ seq: 10, hash: rows[9]!.hash }])).toEqual({ ok: false, seq: 10, problem: 'deleted' });
    expect(verifyAuditRows(rows, [{ seq: 10, hash: rows[9]!.hash }]).ok).toBe(true);
    expect(verifyAuditRows(rows, [{ seq: 3, hash: rows[4]!.hash }])).toEqual({ ok: false, seq: 3, problem: 'modified' });
  });
});

describe('verifyAuditRows (property): any single tamper is found at the right entry', () => {
  it('modify / delete / swap-adjacent at a random position', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 60 }), fc.nat(), fc.constantFrom('modify', 'delete', 'swap'), fc.string({ maxLength: 8 }), (n, pick, op, text) => {
        const rows = chainOf(n);
        const k = (pick % (op === 'swap' ? n - 1 : n)) + 1; // seq of the entry to tamper with
        let bad: AuditRow[];
        if (op === 'modify') bad = rows.map((r) => (r.seq === k ? { ...r, body: JSON.stringify({ i: -1, text }) } : r));
        else if (op === 'delete') bad = rows.filter((r) => r.seq !== k);
        else bad = rows.map((r) => (r.seq === k ? { ...rows[k]!, seq: k } : r.seq === k + 1 ? { ...rows[k - 1]!, seq: k + 1 } : r));
        const v = verifyAuditRows(bad);
        if (op === 'delete' && k === n) return v.ok === true; // a cut tail needs an anchor (tested above)
        const problem = op === 'modify' ? 'modified' : op === 'delete' ? 'deleted' : 'reordered';
        expect(v).toEqual({ ok: false, seq: k, problem });
        return true;
      }),
      { numRuns: 300 },
    );
  });
});

describe('audit log on SQLite: tampering directly in the database', () => {
  let dir: string;
  let removeDir: () => void;
  let file: string;
  let store: Store;
  let log: AuditLog;
  beforeEach(async () => {
    ({ dir, cleanup: removeDir } = tmpDir('kizuna-audit-'));
    file = join(dir, 'kizuna.db');
    store = await openSqliteStore(file);
    log = createAuditLog(store, { nodeId: 'JPN' });
    for (let i = 1; i <= 25; i++) await log.append('test.entry', 'tester', { i, note: `entry ${i}` });
  });
  afterEach(async () => {
    await store.close();
    removeDir();
  });

  /** A second connection, as an attacker with file access would have. */
  function tamper(sql: string[]): void {
    const db = new Database(file);
    try {
      db.transaction(() => sql.forEach((s) => db.exec(s)))();
    } finally {
      db.close();
    }
  }

  it('verifies an intact log, with pages smaller than the chain', async () => {
    const head = (await log.head())!;
    expect(head.seq).toBe(25);
    expect(await log.verify({ pageSize: 7 })).toEqual({ ok: true, count: 25, head: { seq: 25, hash: head.hash } });
  });

  it('edit of one row => modified at that seq', async () => {
    tamper([`UPDATE audit SET body = '{"i":12,"note":"nothing happened"}' WHERE seq = 12`]);
    expect(await log.verify({ pageSize: 7 })).toEqual({ ok: false, seq: 12, problem: 'modified' });
  });

  it('delete of one row => deleted at that seq', async () => {
    tamper(['DELETE FROM audit WHERE seq = 9']);
    expect(await log.verify({ pageSize: 7 })).toEqual({ ok: false, seq: 9, problem: 'deleted' });
  });

  it('delete and renumber => broken link at the first renumbered seq', async () => {
    tamper(['DELETE FROM audit WHERE seq = 9', 'UPDATE audit SET seq = -(seq - 1) WHERE seq > 9', 'UPDATE audit SET seq = -seq WHERE seq < 0']);
    expect(await log.verify({ pageSize: 7 })).toEqual({ ok: false, seq: 9, problem: 'broken-link' });
  });

  it('swap of two rows => reordered at the first of them (found across pages)', async () => {
    tamper(['UPDATE audit SET seq = -1 WHERE seq = 14', 'UPDATE audit SET seq = 14 WHERE seq = 15', 'UPDATE audit SET seq = 15 WHERE seq = -1']);
    expect(await log.verify({ pageSize: 14 })).toEqual({ ok: false, seq: 14, problem: 'reordered' });
  });

  it('truncated tail => deleted, evident from the head a peer countersigned', async () => {
    const head = (await log.head())!;
    // The peer records our head in ITS chain; we read it back as an anchor.
    const peerDir = tmpDir('kizuna-audit-peer-');
    const peerStore = await openSqliteStore(join(peerDir.dir, 'kizuna.db'));
    try {
      const peer = createAuditLog(peerStore, { nodeId: 'USA' });
      await peer.countersign('JPN', { seq: head.seq, hash: head.hash });
      const anchors = await peer.countersigned('JPN');
      expect(anchors).toEqual([{ seq: 25, hash: head.hash }]);
      expect(await peer.verify()).toMatchObject({ ok: true, count: 1 });
      tamper(['DELETE FROM audit WHERE seq >= 24']);
      expect((await log.verify()).ok).toBe(true); // the chain alone cannot show a cut tail
      expect(await log.verify({ anchors })).toEqual({ ok: false, seq: 25, problem: 'deleted' });
    } finally {
      await peerStore.close();
      peerDir.cleanup();
    }
  });

  it('countersign refuses a malformed head', async () => {
    await expect(log.countersign('USA', { seq: 1, hash: 'xyz' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('kizuna audit verify prints OK, then BROKEN with the seq, with exit codes 0 and 1', async () => {
    await store.close();
    const lines: string[] = [];
    expect(await auditVerify({ data: dir }, (l) => lines.push(l))).toBe(0);
    expect(lines[0]).toMatch(/^audit OK: 25 entries, head [0-9a-f]{64}$/);
    tamper([`UPDATE audit SET actor = 'someone-else' WHERE seq = 3`]);
    expect(await auditVerify({ store: file }, (l) => lines.push(l))).toBe(1);
    expect(lines[1]).toBe('audit BROKEN at seq 3: modified');
    expect(await auditVerify({ data: join(dir, 'missing') }, (l) => lines.push(l))).toBe(1);
    store = await openSqliteStore(file); // for afterEach
  });
});
