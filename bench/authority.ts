/**
 * Write authority cost: ingest throughput through the full pipeline (time bound → admit → SQLite append →
 * bus publish → local delivery) against the same steps with `admit` bypassed, in one run, alternating
 * A/B rounds; plus `admit` alone per call. Goal: ≤ 10% ingest cost.
 * Run: npx tsx bench/authority.ts [--events 20000] [--uids 200] [--rounds 3]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { admit, audienceFor, authorityContext, createGuard, loadPolicies, makeLabel, serializeLabelXml } from '../src/labels/index.js';
import { openSqliteStore } from '../src/store/sqlite.js';
import { openBus } from '../src/bus/open.js';
import { serializeCotXml } from '../src/cot/xml.js';
import type { CotEvent } from '../src/cot/model.js';
import { encodeBusEvent, HolderIndex, ingest, takClientActor, type IngestDeps } from '../src/pipeline/index.js';
import { createLabelCache } from '../src/node/label-cache.js';
import { appendAdmitted } from '../test/support/admitted.js';
import { numArg } from './args.js';

const EVENTS = numArg('events', 20_000);
const UIDS = numArg('uids', 200);
const ROUNDS = numArg('rounds', 3);
const CONCURRENCY = 200;

const registry = loadPolicies();
const guard = createGuard(registry);
const labels = createLabelCache(registry);
const label = makeLabel(registry, { policy: 'JPN', classification: 'UNCLASSIFIED', relTo: ['JPN', 'USA'], owner: 'JPN' });
const labelXml = serializeLabelXml(label);
const audience = audienceFor(registry, { nation: 'JPN' });
const clients = Array.from({ length: UIDS }, (_, i) => takClientActor({ nation: 'JPN', serial: `S${i}`, audience }));

function event(i: number): CotEvent {
  const now = new Date().toISOString();
  const u = i % UIDS;
  return {
    version: '2.0', uid: `ANDROID-${u}`, type: 'a-f-G-U-C', how: 'm-g', time: now, start: now,
    stale: new Date(Date.now() + 60_000).toISOString(), point: { lat: 35.6, lon: 139.7, hae: 10, ce: 5, le: 5 },
    detailXml: `<contact callsign="CS-${u}" endpoint="*:-1:stcp"/><__group name="Cyan" role="Team Member"/>`, callsign: `CS-${u}`, labelXml,
  };
}

async function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'kizuna-bench-auth-'));
  const store = await openSqliteStore(join(dir, 'k.db'));
  const bus = await openBus(undefined, 'JPN');
  const holders = new HolderIndex();
  const deps: IngestDeps = {
    nodeId: 'JPN', nation: 'JPN', registry, guard, store, bus, subject: 'bench.events', holders,
    parseLabel: (x) => labels.parse(x), labelXml: (l) => labels.xml(l),
    maxFutureSkewMs: 60_000, processId: 'bench', deliverLocal: (be) => holders.record(be.stored),
  };
  return { dir, store, bus, deps, close: async () => { await store.close(); await bus.close(); rmSync(dir, { recursive: true, force: true }); } };
}

/** The same steps as `ingest` with the authority taken out: the baseline. */
async function bypassed(deps: IngestDeps, ev: CotEvent): Promise<void> {
  const l = deps.parseLabel(ev.labelXml!, 'JPN');
  const cot = { ...ev, label: l };
  const now = Date.now();
  const stored = { id: randomUUID(), origin: 'JPN', uid: cot.uid, type: cot.type, callsign: cot.callsign!, time: Date.parse(cot.time), stale: Date.parse(cot.stale), receivedAt: now, label: l, xml: serializeCotXml(cot), originator: 'x' };
  await appendAdmitted(deps.store, [stored]);
  const be = { stored, cot, route: { destCallsigns: [], destUids: [] }, hops: [] };
  await deps.bus.publish(deps.subject, encodeBusEvent(be, 'bench'));
  deps.deliverLocal!(be);
}

async function run(mode: 'authority' | 'bypassed'): Promise<number> {
  const s = await setup();
  const t0 = performance.now();
  for (let i = 0; i < EVENTS; i += CONCURRENCY) {
    const wave: Promise<unknown>[] = [];
    for (let j = i; j < Math.min(EVENTS, i + CONCURRENCY); j++) {
      const ev = event(j);
      wave.push(mode === 'authority' ? ingest(s.deps, ev, { kind: 'tak', actor: clients[j % UIDS]!, defaultLabel: label, route: {} }) : bypassed(s.deps, ev));
    }
    await Promise.all(wave);
  }
  const rate = EVENTS / ((performance.now() - t0) / 1000);
  await s.close();
  return rate;
}

function admitAlone(): number {
  const ctx = authorityContext(registry, 'JPN', guard);
  const existing = { label, originator: 'cert:S1', origin: 'JPN' };
  const n = 500_000;
  const t0 = performance.now();
  let ok = 0;
  for (let i = 0; i < n; i++) if (admit(ctx, clients[1]!, existing, { op: 'write', label, defaultLabel: label, origin: 'JPN' }, (x) => x).ok) ok++;
  if (ok !== n) throw new Error('admit refused the benchmark write');
  return ((performance.now() - t0) * 1e6) / n;
}

const rows: Record<string, number[]> = { authority: [], bypassed: [] };
await run('bypassed'); // warm-up (JIT, page cache)
for (let r = 0; r < ROUNDS; r++) {
  rows.bypassed!.push(await run('bypassed'));
  rows.authority!.push(await run('authority'));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const base = median(rows.bypassed!);
console.log(`\nwrite authority: ${EVENTS} events over ${UIDS} uids, ${CONCURRENCY} concurrent, SQLite + in-process bus, ${ROUNDS} alternating rounds (node ${process.version})`);
console.log('| variant | events/s (median) | rounds | vs bypassed |');
console.log('|---|---:|---|---:|');
console.log(`| ingest, authority bypassed (baseline) | ${base.toFixed(0)} | ${rows.bypassed!.map((x) => x.toFixed(0)).join(', ')} | 1.00 |`);
const a = median(rows.authority!);
console.log(`| ingest through the write authority | ${a.toFixed(0)} | ${rows.authority!.map((x) => x.toFixed(0)).join(', ')} | ${(a / base).toFixed(2)} |`);
console.log(`| admit() alone (update of own track) | ${admitAlone().toFixed(0)} ns/call | | |`);
