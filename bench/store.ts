/**
 * Store benchmark: appendEvents throughput and latest() over 10k uids, SQLite and PostgreSQL.
 * Baseline (measured in the same run): one transaction per event (coalescer off, maxEvents 1).
 * Run: npx tsx bench/store.ts   (PostgreSQL from KIZUNA_TEST_PG, default postgres://postgres@127.0.0.1:5432/test)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openPostgresStore } from '../src/store/postgres.js';
import { openSqliteStore } from '../src/store/sqlite.js';
import type { Store, StoredEvent } from '../src/store/types.js';
import { appendAdmitted } from '../test/support/admitted.js';

const PG_URL = process.env.KIZUNA_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';
const label = {
  policy: 'JPN',
  classification: 'UNCLASSIFIED',
  categories: [{ tagSet: 'Releasable To', type: 'permissive' as const, values: ['JPN', 'USA'] }],
  owner: 'JPN',
  createdAt: '2025-01-01T00:00:00Z',
};
let seq = 0;
/** ~600-byte events like a real PLI, spread over `uids` tracks. */
function events(n: number, uids: number): StoredEvent[] {
  return Array.from({ length: n }, () => {
    seq++;
    const t = 1_700_000_000_000 + seq;
    const uid = `ANDROID-${seq % uids}`;
    return {
      id: `bench-${seq}`,
      origin: 'JPN',
      uid,
      type: 'a-f-G-U-C',
      callsign: `CS-${seq % uids}`,
      time: t,
      stale: t + 3_600_000,
      receivedAt: t,
      label,
      xml: `<event version="2.0" uid="${uid}" type="a-f-G-U-C" how="m-g" time="x" start="x" stale="x"><point lat="35.6" lon="139.7" hae="10" ce="5" le="5"/><detail><contact callsign="CS"/>${'x'.repeat(400)}</detail></event>`,
    };
  });
}

interface Row {
  name: string;
  events: number;
  ms: number;
  baseline?: string;
}
const rows: Row[] = [];

/** `callers` concurrent appendEvents calls of `perCall` events each, in waves so memory stays flat. */
async function appendRun(store: Store, total: number, perCall: number, concurrency: number): Promise<number> {
  const start = performance.now();
  let done = 0;
  while (done < total) {
    const wave: Promise<string[]>[] = [];
    for (let c = 0; c < concurrency && done < total; c++, done += perCall) wave.push(appendAdmitted(store, events(perCall, 10_000)));
    await Promise.all(wave);
  }
  return performance.now() - start;
}

async function bench(name: string, open: () => Promise<Store>, total: number, perCall: number, concurrency: number, baseline?: string) {
  const store = await open();
  try {
    await appendRun(store, Math.min(total, 500), perCall, concurrency); // warm-up
    const ms = await appendRun(store, total, perCall, concurrency);
    rows.push({ name, events: total, ms, ...(baseline ? { baseline } : {}) });
  } finally {
    await store.close();
  }
}

async function latestBench(name: string, open: () => Promise<Store>) {
  const store = await open();
  try {
    // 10k distinct uids present in latest
    for (let i = 0; i < 10; i++) {
      await appendAdmitted(store, 
        Array.from({ length: 1000 }, (_, j) => ({ ...events(1, 1)[0]!, uid: `L-${i * 1000 + j}` })),
      );
    }
    const now = 1_700_000_000_000;
    await store.events.latest({ now }); // warm-up
    const reps = 10;
    const start = performance.now();
    let n = 0;
    for (let r = 0; r < reps; r++) n = (await store.events.latest({ now })).length;
    const ms = (performance.now() - start) / reps;
    rows.push({ name: `${name} latest() → ${n} uids`, events: n, ms });
  } finally {
    await store.close();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'kizuna-bench-'));
let f = 0;
const sqliteFile = () => join(dir, `b${f++}.db`);
const schemas: string[] = [];
const pgSchema = () => {
  const s = `kz_bench_${Date.now().toString(36)}_${schemas.length}`;
  schemas.push(s);
  return s;
};

try {
  const N = 20_000;
  await bench('sqlite: 1 event/txn, 64 concurrent callers (baseline)', () => openSqliteStore(sqliteFile(), { coalesce: { maxEvents: 1 } }), N, 1, 64);
  await bench('sqlite: 1 event/call, 64 callers, coalesced', () => openSqliteStore(sqliteFile()), N, 1, 64, 'sqlite: 1 event/txn, 64 concurrent callers (baseline)');
  await bench('sqlite: 500 events/call (explicit batch)', () => openSqliteStore(sqliteFile()), 100_000, 500, 1, 'sqlite: 1 event/txn, 64 concurrent callers (baseline)');
  await bench('sqlite synchronous=FULL: 1 event/txn', () => openSqliteStore(sqliteFile(), { synchronous: 'full', coalesce: { maxEvents: 1 } }), 5_000, 1, 64, 'sqlite: 1 event/txn, 64 concurrent callers (baseline)');
  await bench('sqlite synchronous=FULL: coalesced', () => openSqliteStore(sqliteFile(), { synchronous: 'full' }), N, 1, 64, 'sqlite synchronous=FULL: 1 event/txn');

  const pgBase = 'postgres: 1 event/txn, 64 callers (baseline)';
  await bench(pgBase, () => openPostgresStore(PG_URL, { schema: pgSchema(), coalesce: { maxEvents: 1 } }), 5_000, 1, 64);
  await bench('postgres: 1 event/call, 64 callers, coalesced', () => openPostgresStore(PG_URL, { schema: pgSchema() }), N, 1, 64, pgBase);
  await bench('postgres: 500 events/call (explicit batch)', () => openPostgresStore(PG_URL, { schema: pgSchema() }), 100_000, 500, 1, pgBase);

  await latestBench('sqlite', () => openSqliteStore(sqliteFile()));
  await latestBench('postgres', () => openPostgresStore(PG_URL, { schema: pgSchema() }));
} finally {
  rmSync(dir, { recursive: true, force: true });
  const admin = new pg.Pool({ connectionString: PG_URL, max: 1 });
  for (const s of schemas) await admin.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`).catch(() => undefined);
  await admin.end();
}

const rate = (r: Row) => (r.events / r.ms) * 1000;
const byName = new Map(rows.map((r) => [r.name, r]));
console.log('| case | events | time (ms) | events/s | × baseline |');
console.log('|---|---:|---:|---:|---:|');
for (const r of rows) {
  const base = r.baseline ? byName.get(r.baseline) : undefined;
  const ratio = base ? `${(rate(r) / rate(base)).toFixed(1)}×` : r.name.includes('latest') ? '' : '1.0×';
  const evs = r.name.includes('latest') ? `${r.events} rows` : String(r.events);
  const perSec = r.name.includes('latest') ? `${Math.round(rate(r)).toLocaleString('en-US')} rows/s` : Math.round(rate(r)).toLocaleString('en-US');
  console.log(`| ${r.name} | ${evs} | ${r.ms.toFixed(1)} | ${perSec} | ${ratio} |`);
}
console.log(`\nnode ${process.version}, ${new Date().toISOString()}`);
