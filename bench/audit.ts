/**
 * Audit benchmark: append throughput (one entry per transaction, and batched), and the time to verify
 * a 1M-entry chain from SQLite (streaming, O(1) memory) and in memory.
 * Baseline (same run): the same inserts into the same table without hashing (raw prepared statement),
 * so the table shows what the chain itself costs.
 * Run: npx tsx bench/audit.ts   (KIZUNA_BENCH_AUDIT_N=1000000 entries for the verify case)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openSqliteStore } from '../src/store/sqlite.js';
import { chainAudit, createAuditLog, verifyAuditRows } from '../src/coordination/index.js';
import type { AuditDraft, AuditRow } from '../src/store/types.js';

const N = Number(process.env.KIZUNA_BENCH_AUDIT_N ?? 1_000_000);
const SINGLE = Number(process.env.KIZUNA_BENCH_AUDIT_SINGLE ?? 20_000);
const BATCH = 1000;

const rows: { case: string; n: number; ms: number; unit: string }[] = [];
function record(name: string, n: number, ms: number, unit = 'entries/s'): void {
  rows.push({ case: name, n, ms, unit });
  console.error(`${name}: ${n} in ${ms.toFixed(0)} ms`);
}
/** A realistic entry: a release decision as the guard reports it. */
function draft(i: number): AuditDraft {
  return {
    ts: new Date(1_800_000_000_000 + i).toISOString(),
    kind: i % 10 === 0 ? 'request.concur' : 'release.denied',
    actor: i % 10 === 0 ? 'jpn-coordinator' : 'guard',
    body: { path: 'tak', audience: 'USA/SECRET', label: 'a3f9c2e1d4b5a6c7', reason: 'DENY_RELEASABILITY', n: i },
  };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'kizuna-bench-audit-'));
  try {
    // 1. pure hashing
    let t = performance.now();
    let prev: AuditRow | undefined;
    for (let i = 0; i < 200_000; i++) prev = chainAudit(prev, draft(i));
    record('chainAudit only (sha256 + canonical JSON, no I/O)', 200_000, performance.now() - t);

    // 2. baseline: raw insert, one transaction per row, no hashing
    const raw = new Database(join(dir, 'raw.db'));
    raw.pragma('journal_mode = WAL');
    raw.pragma('synchronous = NORMAL');
    raw.exec('CREATE TABLE audit (seq INTEGER PRIMARY KEY, ts TEXT, kind TEXT, actor TEXT, body TEXT, prev_hash TEXT, hash TEXT)');
    const ins = raw.prepare('INSERT INTO audit VALUES (?,?,?,?,?,?,?)');
    t = performance.now();
    for (let i = 1; i <= SINGLE; i++) {
      const d = draft(i);
      ins.run(i, d.ts, d.kind, d.actor, JSON.stringify(d.body), '0'.repeat(64), '0'.repeat(64));
    }
    record('baseline: raw INSERT, 1 row/txn, no chain', SINGLE, performance.now() - t);
    raw.close();

    // 3. audit.append: one entry per transaction (head read + hash + insert)
    const store = await openSqliteStore(join(dir, 'audit.db'));
    const log = createAuditLog(store, { nodeId: 'JPN' });
    t = performance.now();
    for (let i = 0; i < SINGLE; i++) {
      const d = draft(i);
      await log.append(d.kind, d.actor, d.body);
    }
    record('audit.append, 1 entry/txn', SINGLE, performance.now() - t);

    // 4. batched appends up to N
    t = performance.now();
    let done = SINGLE;
    while (done < N) {
      const n = Math.min(BATCH, N - done);
      await store.commit({ audit: Array.from({ length: n }, (_, k) => draft(done + k)), chain: chainAudit });
      done += n;
    }
    record(`store.commit, ${BATCH} entries/txn`, N - SINGLE, performance.now() - t);

    // 5. verify N entries from SQLite (streaming, pages of 10k)
    t = performance.now();
    const v = await log.verify();
    const verifyMs = performance.now() - t;
    if (!v.ok || v.count !== N) throw new Error(`verify failed: ${JSON.stringify(v)}`);
    record(`verify ${N.toLocaleString('en')} entries from SQLite (streaming)`, N, verifyMs);

    // 6. verify in memory (read all, then verifyAuditRows)
    t = performance.now();
    const all: AuditRow[] = [];
    for (let from = 1; ; ) {
      const page = await store.auditRange(from, 50_000);
      all.push(...page);
      if (page.length < 50_000) break;
      from = page[page.length - 1]!.seq + 1;
    }
    const readMs = performance.now() - t;
    t = performance.now();
    const v2 = verifyAuditRows(all);
    if (!v2.ok) throw new Error('in-memory verify failed');
    record(`verifyAuditRows ${N.toLocaleString('en')} rows in memory (after ${readMs.toFixed(0)} ms read)`, N, performance.now() - t);
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log('| case | entries | time (ms) | rate |');
  console.log('|---|---:|---:|---:|');
  for (const r of rows) {
    console.log(`| ${r.case} | ${r.n.toLocaleString('en')} | ${r.ms.toFixed(0)} | ${Math.round((r.n / r.ms) * 1000).toLocaleString('en')} ${r.unit} |`);
  }
}

await main();
