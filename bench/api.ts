/**
 * API throughput with the guard on: list and create requests/s, track list, over real HTTP on loopback
 * (fastify + SQLite + guard + coordination, as in a node). Baseline: a bare fastify route answering the
 * same pre-serialised list body (no auth, no store, no guard) in the same run.
 * Run: npx tsx bench/api.ts
 */
import Fastify from 'fastify';
import { startBench, storedEvent } from '../src/api/test-support.js';

const DURATION_MS = Number(process.env.BENCH_MS ?? 3000);
const CONCURRENCY = 16;

async function load(fn: () => Promise<void>): Promise<{ n: number; ms: number }> {
  const end = performance.now() + DURATION_MS;
  const t0 = performance.now();
  let n = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < end) {
        await fn();
        n++;
      }
    }),
  );
  return { n, ms: performance.now() - t0 };
}

async function ok(res: Response): Promise<void> {
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
}

const b = await startBench();
const admin = await b.login('admin');
const lowop = await b.login('lowop');
const auth = (t: string) => ({ authorization: `Bearer ${t}` });
const json = (t: string) => ({ ...auth(t), 'content-type': 'application/json' });

// 300 requests: 2/3 HI, 1/3 GOKUHI (withheld from the HI-cleared user); 2,000 tracks likewise
for (let i = 0; i < 300; i++) {
  await b.call('POST', '/api/requests', {
    token: admin,
    body: { kind: 'isr', title: `request ${i}`, description: 'd'.repeat(200), nations: ['USA'], priority: 'routine', label: { classification: i % 3 === 0 ? 'GOKUHI' : 'HI' } },
  });
}
for (let i = 0; i < 2000; i++) await b.feed.publish(storedEvent({ uid: `t-${i}`, label: i % 3 === 0 ? b.labels.jpnGokuhi : b.labels.jpnHi }));

const listBody = (await b.call('GET', '/api/requests?limit=50', { token: admin })).text;
const base = Fastify({ logger: false });
base.get('/list', async (_req, reply) => reply.type('application/json').send(listBody));
await base.listen({ host: '127.0.0.1', port: 0 });
const baseUrl = `http://127.0.0.1:${(base.server.address() as { port: number }).port}`;

const rows: [string, { n: number; ms: number }][] = [];
rows.push(['baseline: bare fastify, same 50-item body pre-serialised', await load(async () => ok(await fetch(`${baseUrl}/list`)))]);
rows.push(['GET /api/requests?limit=50 (full clearance)', await load(async () => ok(await fetch(`${b.base}/api/requests?limit=50`, { headers: auth(admin) })))]);
rows.push(['GET /api/requests?limit=50 (HI-cleared: 1/3 withheld)', await load(async () => ok(await fetch(`${b.base}/api/requests?limit=50`, { headers: auth(lowop) })))]);
let i = 0;
rows.push([
  'POST /api/requests (create, audited, one transaction)',
  await load(async () =>
    ok(
      await fetch(`${b.base}/api/requests`, {
        method: 'POST',
        headers: json(admin),
        body: JSON.stringify({ kind: 'rfi', title: `bench ${i++}`, description: '', nations: ['USA'], priority: 'routine', label: { classification: 'HI' } }),
      }),
    ),
  ),
]);
rows.push(['GET /api/tracks?limit=100 (2,000 tracks, full clearance)', await load(async () => ok(await fetch(`${b.base}/api/tracks?limit=100`, { headers: auth(admin) })))]);

const baseRate = (rows[0]![1].n * 1000) / rows[0]![1].ms;
console.log(`| case | requests | time (ms) | requests/s | × baseline |`);
console.log(`|---|---:|---:|---:|---:|`);
for (const [name, r] of rows) {
  const rate = (r.n * 1000) / r.ms;
  console.log(`| ${name} | ${r.n} | ${r.ms.toFixed(0)} | ${Math.round(rate).toLocaleString('en-US')} | ${(rate / baseRate).toFixed(2)}× |`);
}
await base.close();
await b.stop();
