/**
 * Federation benchmark: labelled CoT events/s across ONE link (jpn → usa) with the full path — guard
 * decision + label translation + Ed25519 binding sign on the sender, persistent outbox, TLS, binding
 * verify + label re-check + markSeen + accept (SQLite append) + acks on the receiver — and latency
 * (offer → accepted) p50/p99.
 * Baseline (same run): the same TLS link, framing, outbox enqueue/ack and receiver markSeen + append,
 * without guard, label checks or binding. Ratio = full / baseline.
 * Run: npx tsx bench/federation.ts [events]   (FED_RELTO=USA,JPN,PHL for trilateral labels)
 */
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { openSqliteStore } from '../src/store/sqlite.js';
import { FrameReader, decodeFrame, encodeEnvelopeBody, encodeFrame, envelopeFrame, lengthPrefixed } from '../src/federation/wire.js';
import { cotObject, label, makeIdentity, startNode, tmpDir, waitFor } from '../test/federation/harness.js';
import { appendAdmitted } from '../test/support/admitted.js';

const N = Number(process.argv[2] ?? 20_000);
/** outbox batch / window of the federation under test: the production defaults unless given (env) */
const LIMITS = { batch: Number(process.env.FED_BATCH ?? 256), window: Number(process.env.FED_WINDOW ?? 1024) };
/** REL TO of the benchmark events (FED_RELTO=USA,JPN,PHL: releasable beyond the peer, so the originator's
 * binding is signed and verified per object on top of the link binding) */
const REL_TO = (process.env.FED_RELTO ?? 'USA,JPN').split(',');
const pct = (xs: number[], p: number) => xs.sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

async function full(): Promise<{ rate: number; p50: number; p99: number }> {
  const t = tmpDir();
  const JPN = await makeIdentity({ nodeId: 'jpn', nation: 'JPN' });
  const USA = await makeIdentity({ nodeId: 'usa', nation: 'USA' });
  const offeredAt = new Map<string, number>();
  const lat: number[] = [];
  const usa = await startNode({
    id: USA, dir: t.dir, peers: [{ id: JPN, port: 0 }], relay: false, limits: LIMITS,
    acceptHook: (o) => void lat.push(performance.now() - offeredAt.get(o.id)!),
  });
  const jpn = await startNode({ id: JPN, dir: t.dir, peers: [{ id: USA, port: usa.port }], limits: LIMITS });
  await waitFor(() => jpn.fed.status()[0]!.state === 'connected', 'link');
  const l = label({ policy: 'JPN', classification: 'HI', relTo: REL_TO });
  const objs = Array.from({ length: N }, () => cotObject('jpn', l));
  const t0 = performance.now();
  for (let i = 0; i < N; i += 500) {
    await Promise.all(objs.slice(i, i + 500).map((o) => (offeredAt.set(o.id, performance.now()), jpn.fed.offer(o))));
  }
  await waitFor(() => usa.accepted.length === N, 'all accepted', 600_000);
  const secs = (performance.now() - t0) / 1000;
  await jpn.close();
  await usa.close();
  t.cleanup();
  return { rate: N / secs, p50: pct(lat, 50), p99: pct(lat, 99) };
}

async function baseline(): Promise<{ rate: number; p50: number; p99: number }> {
  const t = tmpDir();
  const JPN = await makeIdentity({ nodeId: 'jpn', nation: 'JPN' });
  const USA = await makeIdentity({ nodeId: 'usa', nation: 'USA' });
  const sender = await openSqliteStore(join(t.dir, 'b-jpn.db'));
  const receiver = await openSqliteStore(join(t.dir, 'b-usa.db'));
  const lat: number[] = [];
  const offeredAt = new Map<string, number>();
  let accepted = 0;
  const server = tls.createServer({ cert: USA.cert.certPem, key: USA.cert.keyPem, ca: JPN.ca.certPem, requestCert: true, rejectUnauthorized: true }, (sock) => {
    const reader = new FrameReader();
    let chain = Promise.resolve();
    sock.on('data', (c: Buffer) => {
      const envs = reader.push(c).map(decodeFrame).flatMap((f) => ('envelope' in f ? [f.envelope] : []));
      if (!envs.length) return;
      chain = chain.then(async () => {
        const fresh = new Set(await receiver.outbox.markSeen(envs.map((e) => `${e.origin}:${e.id}`)));
        const evs = envs.filter((e) => fresh.has(`${e.origin}:${e.id}`)).map((e) => JSON.parse(Buffer.from(e.payload).toString()));
        await appendAdmitted(receiver, evs);
        for (const e of envs) lat.push(performance.now() - offeredAt.get(e.id)!);
        accepted += envs.length;
        sock.write(lengthPrefixed(encodeFrame({ ack: { seq: envs[envs.length - 1]!.seq } })));
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const sock = tls.connect({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, ca: USA.ca.certPem, cert: JPN.cert.certPem, key: JPN.cert.keyPem, checkServerIdentity: () => undefined });
  await new Promise<void>((r) => sock.once('secureConnect', r));
  let acked = 0;
  let sent = 0;
  const reader = new FrameReader();
  let wake = () => undefined as void;
  sock.on('data', (c: Buffer) => {
    for (const f of reader.push(c).map(decodeFrame)) if ('ack' in f) { acked = f.ack.seq; void sender.outbox.ack('usa', acked); wake(); }
  });
  const l = label({ policy: 'JPN', classification: 'HI', relTo: REL_TO });
  const objs = Array.from({ length: N }, () => cotObject('jpn', l));
  const t0 = performance.now();
  const pumpDone = (async () => {
    while (sent < N) {
      if (sent - acked >= LIMITS.window) { await new Promise<void>((r) => (wake = r)); continue; }
      const items = await sender.outbox.pending('usa', sent, LIMITS.batch);
      if (!items.length) { await new Promise((r) => setImmediate(r)); continue; }
      sock.cork();
      for (const it of items) sock.write(envelopeFrame(it.seq, it.payload));
      sock.uncork();
      sent = items[items.length - 1]!.seq;
    }
  })();
  for (let i = 0; i < N; i += 500) {
    const batch = objs.slice(i, i + 500);
    for (const o of batch) offeredAt.set(o.id, performance.now());
    await sender.outbox.enqueue('usa', batch.map((o) => {
      const payload = new TextEncoder().encode(JSON.stringify(o.event));
      return { key: `jpn:${o.id}`, payload: encodeEnvelopeBody({ origin: 'jpn', id: o.id, kind: 'cot', labelJson: '', bindingJws: '', payload }) };
    }));
  }
  await pumpDone;
  await waitFor(() => accepted === N, 'baseline all accepted', 600_000);
  const secs = (performance.now() - t0) / 1000;
  sock.destroy();
  await new Promise<void>((r) => server.close(() => r()));
  await sender.close();
  await receiver.close();
  t.cleanup();
  return { rate: N / secs, p50: pct(lat, 50), p99: pct(lat, 99) };
}

// FED_ONLY=full skips the baseline (for profiling the full path alone)
const none = { rate: NaN, p50: NaN, p99: NaN };
const b = process.env.FED_ONLY === 'full' ? none : await baseline();
const f = await full();
const row = (name: string, r: { rate: number; p50: number; p99: number }) =>
  `| ${name} | ${N} | ${Math.round(r.rate).toLocaleString('en')} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} |`;
console.log(`batch ${LIMITS.batch}, window ${LIMITS.window}`);
console.log('| run | events | events/s | p50 ms | p99 ms |\n|---|---|---|---|---|');
console.log(row('full (guard + translate + binding + checks + acks)', f));
console.log(row('baseline (TLS + outbox + acks + markSeen + append)', b));
console.log(`ratio full/baseline: ${(f.rate / b.rate).toFixed(2)}`);
