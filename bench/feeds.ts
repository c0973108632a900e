/**
 * AIS feed throughput and memory, each against a baseline measured in the same run:
 * - decode: src/feeds (NMEA framing + checksum + multi-part + bit decoder) vs ais-stream-decoder 2.1.2
 *   (the registry's stream decoder) on the same sentences, and vs framing + checksum alone (the floor);
 * - the feed's own work (decode, merge, conflate, build CoT) with a publish that does nothing, vs decode only;
 * - decode + feed + batch ingest into a real node (SQLite store, in-process bus, the node's own feed wiring):
 *   sentences/s until every vessel is stored, 50,000 new vessels (worst case: a track stored per sentence)
 *   and 2,000 vessels reporting 25 times at 5 reports/s each, replayed on the stream's own clock (conflated
 *   to 1 s); vs decode alone and vs the node's per-event
 *   ingest of the same CoT (publishLocal, 256 in flight);
 * - a receiver network's stream (bench/ais-stream.ts: vessels/5 class A vessels reporting every 2–10 s, each
 *   report heard by 2–3 receivers, type 5 every 6 min) on its own clock, 1 s conflation, three ways
 *   alternated in one run: the defaults (latest row written at most every 15 s, history sampled 30 s), every
 *   update written (storeIntervalMs 0, history sampled) and every update in history too (both 0); with
 *   written latest rows and history rows per sentence. The feed's once-a-second work (writing a silent
 *   track's last live update) runs on the stream's clock, and the run ends once every live update is written;
 * - memory: heap held by 50,000 live vessel tracks (position + static data) in a feed's table.
 * Rates are per CPU second of this process (user + system: "per core", what a shared machine distorts least);
 * the store-on rows are given per wall-clock second too. Garbage is collected between phases, so one phase's
 * garbage is not billed to the next.
 * Run: npx tsx bench/feeds.ts [--vessels 50000] [--reports 25] [--stream-s 120] [--stream-rounds 2 (rounds of the three stream runs; 0: none)]
 *      (machine load varies; compare within one run)
 *      node --expose-gc --import tsx bench/feeds.ts ...   uses the runtime's own gc(); without it one is
 *      obtained through a V8 flag set at run time
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Transform } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import AisDecoderModule from 'ais-stream-decoder';
import { decodeAis } from '../src/feeds/ais.js';
import { Feed, type Publish } from '../src/feeds/feed.js';
import { FeedConfigSchema } from '../src/feeds/config.js';
import { MultipartAssembler, parseAisSentence } from '../src/feeds/nmea.js';
import { makeLabel } from '../src/labels/index.js';
import { parseConfig } from '../src/node/config.js';
import { startNode } from '../src/node/node.js';
import { type1, type5 } from '../test/support/ais-encode.js';
import { numArg } from './args.js';
import { receiverStream } from './ais-stream.js';

const VESSELS = numArg('vessels', 50_000);
const load0 = loadavg().map((l) => l.toFixed(2)).join(' ');
/** reports per vessel in the realistic store-on row */
const REPORTS = numArg('reports', 25);

const gc: () => void =
  (globalThis as { gc?: () => void }).gc ??
  (() => {
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  })();

function corpus(n: number): string[] {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const mmsi = 431_000_000 + i;
    lines.push(type1({ mmsi, lat: 20 + (i % 2000) / 100, lon: 120 + Math.floor(i / 2000) / 10, sog: 10 + (i % 20), cog: i % 360, heading: i % 360 }));
    if (i % 10 === 0) lines.push(...type5({ mmsi, imo: 9_000_000 + i, callsign: `JD${i % 10000}`, name: `VESSEL ${i}`, shipType: 70 + (i % 10), destination: 'TOKYO' }, String(i % 10)));
  }
  return lines;
}

const cpuSecondsSince = (c0: NodeJS.CpuUsage): number => {
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1e6;
};

/** items per CPU second of `fn`, run for at least `ms` of CPU time after one warm-up round */
function rate(items: number, fn: () => void, ms = 1500): number {
  fn();
  gc();
  let rounds = 0;
  const c0 = process.cpuUsage();
  let cpu = 0;
  do {
    fn();
    rounds++;
    cpu = cpuSecondsSince(c0);
  } while (cpu * 1000 < ms);
  return (rounds * items) / cpu;
}

/** ais-stream-decoder is CommonJS with `exports.default` */
const AisDecoder = ((AisDecoderModule as unknown as { default?: unknown }).default ?? AisDecoderModule) as new (o?: { silent?: boolean }) => Transform;

async function rateAsync(items: number, fn: () => Promise<void>, ms = 1500): Promise<number> {
  await fn();
  gc();
  let rounds = 0;
  const c0 = process.cpuUsage();
  let cpu = 0;
  do {
    await fn();
    rounds++;
    cpu = cpuSecondsSince(c0);
  } while (cpu * 1000 < ms);
  return (rounds * items) / cpu;
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const rows: string[][] = [];
const row = (what: string, unit: string, ours: number, baseName: string, base: number): void => {
  rows.push([what, unit, fmt(ours), baseName, fmt(base), `${(ours / base).toFixed(2)}×`]);
};

const sample = corpus(5_000);

// --- decode only ----------------------------------------------------------------------------------
let decoded = 0;
const ours = rate(sample.length, () => {
  const asm = new MultipartAssembler();
  for (const l of sample) {
    const s = parseAisSentence(l);
    if (!s.ok) continue;
    const p = asm.push(s.sentence);
    if (p && decodeAis(p).ok) decoded++;
  }
});
const floor = rate(sample.length, () => {
  for (const l of sample) if (parseAisSentence(l).ok) decoded++;
});
// the stream is drained to its end, so buffered work is counted
const theirs = await rateAsync(sample.length, async () => {
  const d = new AisDecoder({ silent: true });
  let n = 0;
  d.on('data', () => void n++);
  const done = new Promise<void>((r) => d.on('end', () => r()));
  for (const l of sample) d.write(l);
  d.end();
  await done;
  decoded += n;
});
row('AIS decode (types 1 + 5, 2-part), per CPU second', 'sentences/s', ours, 'ais-stream-decoder 2.1.2', theirs);
row('AIS decode vs framing + checksum only, per CPU second', 'sentences/s', ours, 'parseAisSentence only', floor);

// --- the feed's own work, publish a no-op ----------------------------------------------------------------
{
  const cfgFree = FeedConfigSchema.parse({ id: 'free', kind: 'ais', transport: 'udp', port: 0, label: { classification: 'U' }, maxMessagesPerSecond: 1e9, maxPublishPerSecond: 1e9, maxTracks: 1e6, minIntervalMs: 0 });
  const big = corpus(20_000);
  let built = 0;
  const f = new Feed(cfgFree, undefined as never, async (evs) => void (built += evs.length));
  // the event loop runs between rounds, as it does between socket reads
  const feedRate = await rateAsync(big.length, async () => {
    for (const l of big) f.onAisLine(l);
    await new Promise((r) => setImmediate(r));
  });
  await new Promise((r) => setTimeout(r, 50));
  row('decode + merge + conflate + CoT (no-op publish), per CPU second', 'sentences/s', feedRate, 'decode only (row 1)', ours);
  await f.close();
  if (built === 0) throw new Error('no CoT built');
}

// --- memory -----------------------------------------------------------------------------------------
gc();
const heap0 = process.memoryUsage().heapUsed;
const memFeed = new Feed(FeedConfigSchema.parse({ id: 'mem', kind: 'ais', transport: 'udp', port: 0, label: { classification: 'U' }, maxMessagesPerSecond: 1e9, maxPublishPerSecond: 1e9, maxTracks: VESSELS * 2, minIntervalMs: 3_600_000 }), undefined as never, async () => undefined);
for (const l of corpus(VESSELS)) memFeed.onAisLine(l);
gc();
const heap1 = process.memoryUsage().heapUsed;
rows.push([`heap for ${fmt(memFeed.status().tracks)} live vessel tracks`, 'MiB', ((heap1 - heap0) / 2 ** 20).toFixed(1), '', '', `${Math.round((heap1 - heap0) / memFeed.status().tracks)} B/track`]);
await memFeed.close();

// --- into a real node -----------------------------------------------------------------------------
const dir = mkdtempSync(join(tmpdir(), 'kizuna-bench-feeds-'));
const feedConfig = {
  id: 'bench',
  kind: 'ais',
  transport: 'udp',
  port: 0,
  label: { classification: 'UNCLASSIFIED', relTo: ['USA'] },
  maxMessagesPerSecond: 1e9,
  maxPublishPerSecond: 1e9,
  maxTracks: VESSELS * 2,
} as const;
const node = await startNode(
  parseConfig({ nation: 'JPN', dataDir: dir, host: '127.0.0.1', ports: { tcp: 0, tls: 0, http: 0, https: 0, enroll: 0, federation: 0 }, logLevel: 'warn', feeds: [feedConfig] }),
);
const cfg = FeedConfigSchema.parse(feedConfig);
const label = makeLabel(node.registry, { policy: 'JPN', classification: 'UNCLASSIFIED', relTo: ['USA'], owner: 'JPN' });
const nodeFeed = node.feeds.get('bench')!;

/**
 * Lines handed to the node's own feed (its real wiring: batch ingest into SQLite) as socket reads of 1,000
 * lines would be, until `expectPublished` track updates were ingested. Answers sentences per second of wall
 * time and per second of this process's CPU time (user + system: "per core", and what a loaded shared
 * machine distorts least).
 */
async function drive(lines: string[], expectPublished: number, feed: Feed = nodeFeed, tick?: (line: number) => void, settle?: () => void): Promise<{ wall: number; cpu: number }> {
  gc();
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < lines.length; i += 1000) {
    for (let j = i; j < Math.min(i + 1000, lines.length); j++) {
      tick?.(j);
      feed.onAisLine(lines[j]!);
    }
    await new Promise((r) => setImmediate(r));
  }
  settle?.();
  while (!feed.idle || feed.status().published < expectPublished) await new Promise((r) => setTimeout(r, 2));
  const cpu = process.cpuUsage(cpu0);
  return { wall: lines.length / ((performance.now() - start) / 1000), cpu: lines.length / ((cpu.user + cpu.system) / 1e6) };
}

// worst case: every sentence a vessel not seen before (one stored track per sentence but the type 5 parts)
const all = corpus(VESSELS);
const distinct = await drive(all, VESSELS);
// A receiver's usual stream: the same vessels report again and again (several stations hear each one),
// conflated to one update a second. The stream is replayed on its own clock (REPORTS_PER_S reports per
// vessel per second of stream time), so what is conflated does not depend on how fast a loaded machine
// happens to read it; the node's own publish (batch ingest into its SQLite store) takes the updates.
const BUSY = Math.max(1, Math.round(VESSELS / 25));
const REPORTS_PER_S = 5;
const revisits: string[] = [];
for (let k = 1; k <= REPORTS; k++) {
  for (let i = 0; i < BUSY; i++) revisits.push(type1({ mmsi: 432_000_000 + i, lat: 20 + (i % 2000) / 100 + k / 1000, lon: 121, sog: 12, cog: k, heading: k }));
}
let streamClock = Date.now();
const t0 = streamClock;
const nodePublish = (node.feeds as unknown as { o: { publish: Publish } }).o.publish;
/** rows the stream runs wrote: latest rows (with or without history) and history rows */
const written = { latest: 0, history: 0 };
const countingPublish: Publish = (events, l, id, w) => {
  for (const e of events) {
    if (w?.liveOnly?.has(e)) continue;
    written.latest++;
    if (!w?.storeOnly && !w?.latestOnly?.has(e)) written.history++;
  }
  return nodePublish(events, l, id, w);
};
/**
 * drive()'s `tick` and `settle` for a feed replayed on the stream's own clock: the stream time of line j,
 * the feed's once-a-second work on that clock, and at the end the stream moved past every interval (the
 * last updates leave, each silent track's last live update is written).
 */
function onStreamClock(feed: Feed, at: (j: number) => number): [(j: number) => void, () => void] {
  let nextTick = at(0) + 1000;
  const tick = (j: number) => {
    streamClock = at(j);
    while (streamClock >= nextTick) {
      feed.tick();
      nextTick += 1000;
    }
  };
  const settle = () => {
    streamClock += 1000;
    feed.tick();
    streamClock += Math.max(feed.config.storeIntervalMs, 1000);
    feed.tick();
  };
  return [tick, settle];
}
const busyFeed = new Feed({ ...cfg, id: 'busy', minIntervalMs: 1000 }, label, nodePublish, { now: () => streamClock });
const msPerLine = 1000 / (BUSY * REPORTS_PER_S);
// the last report of each vessel leaves when its interval is over: stream time moves on past it
const busy = await drive(revisits, 0, busyFeed, ...onStreamClock(busyFeed, (j) => t0 + j * msPerLine));
const busyStored = busyFeed.status().published;
const storedPerSentence = busyStored / revisits.length;
await busyFeed.close();

// A receiver network's stream, three ways alternated: defaults (A), every update written (B), every update
// in history too (C): A B C A B C …
const FLEET = Math.max(1, Math.round(VESSELS / 5));
const STREAM_S = numArg('stream-s', 120);
// rounds of A B C (0 skips the stream rows)
const STREAM_ROUNDS = numArg('stream-rounds', 2);
const WAYS = {
  defaults: { storeIntervalMs: 15_000, historyIntervalMs: 30_000 },
  'every update written': { storeIntervalMs: 0, historyIntervalMs: 30_000 },
  'every update in history': { storeIntervalMs: 0, historyIntervalMs: 0 },
} as const;
type Way = keyof typeof WAYS;
const sampling = Object.fromEntries(Object.keys(WAYS).map((w) => [w, { cpu: [] as number[], wall: [] as number[], sentences: 0, latest: 0, history: 0 }])) as Record<Way, { cpu: number[]; wall: number[]; sentences: number; latest: number; history: number }>;
let streamReports = 0;
for (let r = 0; r < STREAM_ROUNDS * 3; r++) {
  const which = (Object.keys(WAYS) as Way[])[r % 3]!;
  // new vessels every run: no run inherits another's tracks (or history marks, or write authority)
  const base = 440_000_000 + r * 1_000_000;
  const stream = receiverStream(FLEET, STREAM_S, base);
  streamReports = stream.reports;
  const s0 = (streamClock = Date.now());
  const f = new Feed({ ...cfg, id: `rx-${r}`, minIntervalMs: 1000, ...WAYS[which] }, label, countingPublish, { now: () => streamClock });
  written.latest = written.history = 0;
  const res = await drive(stream.lines, 0, f, ...onStreamClock(f, (j) => s0 + stream.at[j]!));
  const m = sampling[which];
  m.cpu.push(res.cpu);
  m.wall.push(res.wall);
  m.sentences += stream.lines.length;
  m.latest += written.latest;
  m.history += written.history;
  await f.close();
  console.log(`stream run ${r + 1}/${STREAM_ROUNDS * 3} (${which}): ${fmt(res.cpu)} sentences per CPU s, ${fmt(res.wall)} wall, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
}

// baseline: the same CoT as ready-made events through the node's per-event ingest (256 in flight)
const again: Parameters<typeof node.publishLocal>[0][] = [];
const probe = new Feed({ ...cfg, id: 'probe', minIntervalMs: 0 }, label, async (events) => void again.push(...events));
for (const l of all.slice(0, 20_000)) probe.onAisLine(l);
while (!probe.idle) await new Promise((r) => setTimeout(r, 2));
await probe.close();
for (const e of again) e.uid = `${e.uid}-b`;
gc();
const b0 = performance.now();
const cpuB0 = process.cpuUsage();
let next = 0;
await Promise.all(
  Array.from({ length: 256 }, async () => {
    while (next < again.length) await node.publishLocal(again[next++]!, label);
  }),
);
const cpuB = process.cpuUsage(cpuB0);
const ingestRate = { wall: again.length / ((performance.now() - b0) / 1000), cpu: again.length / ((cpuB.user + cpuB.system) / 1e6) };
const trackShare = VESSELS / all.length;
for (const k of ['cpu', 'wall'] as const) {
  const per = k === 'cpu' ? 'per CPU second' : 'wall clock';
  row(`decode + feed + batch ingest (SQLite), ${fmt(VESSELS)} new vessels, ${per}`, 'sentences/s', distinct[k], 'decode only (row 1)', ours);
  row(`  same, tracks stored, ${per}`, 'tracks/s', distinct[k] * trackShare, 'per-event ingest, same CoT (publishLocal, 256 in flight)', ingestRate[k]);
  row(`decode + feed + batch ingest (SQLite), ${fmt(BUSY)} vessels × ${REPORTS} reports at ${REPORTS_PER_S}/s each, 1 s conflation, ${per}`, 'sentences/s', busy[k], 'decode only (row 1)', ours);
}
rows.push([`  track updates per sentence in the ${fmt(BUSY)}-vessel run`, 'updates', storedPerSentence.toFixed(3), '', '', '']);
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const runsOf = (xs: number[]): string => xs.map(fmt).join(' / ');
const streamWhat = `receiver stream (${fmt(FLEET)} vessels every 2–10 s, 2–3 receivers, type 5 / 6 min, ${STREAM_S} s, ${fmt(streamReports)} reports), 1 s conflation`;
const d = sampling.defaults;
for (const k of STREAM_ROUNDS > 0 ? (['cpu', 'wall'] as const) : []) {
  const per = k === 'cpu' ? 'per CPU second' : 'wall clock';
  for (const other of ['every update written', 'every update in history'] as const) {
    row(`decode + feed + batch ingest (SQLite), ${streamWhat}, defaults (latest row ≤ every 15 s, history 30 s), ${per} (runs ${runsOf(d[k])})`, 'sentences/s', mean(d[k]), `${other} (runs ${runsOf(sampling[other][k])})`, mean(sampling[other][k]));
  }
}
for (const [name, m] of STREAM_ROUNDS > 0 ? Object.entries(sampling) : []) {
  rows.push([`  ${name}: latest rows / history rows written per sentence`, 'rows', `${(m.latest / m.sentences).toFixed(3)} / ${(m.history / m.sentences).toFixed(3)}`, '', '', '']);
}
await node.close();
rmSync(dir, { recursive: true, force: true });

console.log(`node ${process.version}, ${new Date().toISOString()}, load average at start ${load0} / end ${loadavg().map((l) => l.toFixed(2)).join(' ')}, decoded ${decoded > 0 ? 'ok' : 'none'}`);
console.log('| benchmark | unit | Kizuna | baseline | baseline value | ratio |');
console.log('|---|---|---:|---|---:|---:|');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
