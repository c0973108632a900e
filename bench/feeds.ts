/**
 * AIS feed throughput and memory, each against a baseline measured in the same run:
 * - decode: src/feeds (NMEA framing + checksum + multi-part + bit decoder) vs ais-stream-decoder 2.1.2
 *   (the registry's stream decoder) on the same sentences, and vs framing + checksum alone (the floor);
 * - the feed's own work (decode, merge, conflate, build CoT) with a publish that does nothing, vs decode only;
 * - decode + track table + ingest into a real node (SQLite store, in-process bus): tracks/s until every
 *   vessel is stored, vs the node's own ingest of the same CoT with the same concurrency (256 in flight);
 * - memory: heap held by 50,000 live vessel tracks (position + static data) in a feed's table.
 * Run: npx tsx bench/feeds.ts [--vessels 50000]   (machine load varies; compare within one run)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Transform } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import AisDecoderModule from 'ais-stream-decoder';
import { decodeAis } from '../src/feeds/ais.js';
import { Feed } from '../src/feeds/feed.js';
import { FeedConfigSchema } from '../src/feeds/config.js';
import { MultipartAssembler, parseAisSentence } from '../src/feeds/nmea.js';
import { makeLabel } from '../src/labels/index.js';
import { parseConfig } from '../src/node/config.js';
import { startNode } from '../src/node/node.js';
import { type1, type5 } from '../test/support/ais-encode.js';

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const VESSELS = arg('vessels', 50_000);

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function corpus(n: number): string[] {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const mmsi = 431_000_000 + i;
    lines.push(type1({ mmsi, lat: 20 + (i % 2000) / 100, lon: 120 + Math.floor(i / 2000) / 10, sog: 10 + (i % 20), cog: i % 360, heading: i % 360 }));
    if (i % 10 === 0) lines.push(...type5({ mmsi, imo: 9_000_000 + i, callsign: `JD${i % 10000}`, name: `VESSEL ${i}`, shipType: 70 + (i % 10), destination: 'TOKYO' }, String(i % 10)));
  }
  return lines;
}

function rate(items: number, fn: () => void, ms = 1500): number {
  fn();
  let rounds = 0;
  const start = performance.now();
  let elapsed = 0;
  do {
    fn();
    rounds++;
    elapsed = performance.now() - start;
  } while (elapsed < ms);
  return (rounds * items) / (elapsed / 1000);
}

/** ais-stream-decoder is CommonJS with `exports.default` */
const AisDecoder = ((AisDecoderModule as unknown as { default?: unknown }).default ?? AisDecoderModule) as new (o?: { silent?: boolean }) => Transform;

async function rateAsync(items: number, fn: () => Promise<void>, ms = 1500): Promise<number> {
  await fn();
  let rounds = 0;
  const start = performance.now();
  let elapsed = 0;
  do {
    await fn();
    rounds++;
    elapsed = performance.now() - start;
  } while (elapsed < ms);
  return (rounds * items) / (elapsed / 1000);
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
row('AIS decode (types 1 + 5, 2-part)', 'sentences/s', ours, 'ais-stream-decoder 2.1.2', theirs);
row('AIS decode vs framing + checksum only', 'sentences/s', ours, 'parseAisSentence only', floor);

// --- the feed's own work, publish a no-op ----------------------------------------------------------------
{
  const cfgFree = FeedConfigSchema.parse({ id: 'free', kind: 'ais', transport: 'udp', port: 0, label: { classification: 'U' }, maxMessagesPerSecond: 1e9, maxPublishPerSecond: 1e9, maxTracks: 1e6, minIntervalMs: 0 });
  const big = corpus(20_000);
  let built = 0;
  const f = new Feed(cfgFree, undefined as never, async (ev) => void (built += ev.uid.length > 0 ? 1 : 0));
  // the event loop runs between rounds, as it does between socket reads
  const feedRate = await rateAsync(big.length, async () => {
    for (const l of big) f.onAisLine(l);
    await new Promise((r) => setImmediate(r));
  });
  await new Promise((r) => setTimeout(r, 50));
  row('decode + merge + conflate + CoT (no-op publish)', 'sentences/s', feedRate, 'decode only (row 1)', ours);
  await f.close();
  if (built === 0) throw new Error('no CoT built');
}

// --- into a real node -----------------------------------------------------------------------------
const dir = mkdtempSync(join(tmpdir(), 'kizuna-bench-feeds-'));
const node = await startNode(parseConfig({ nation: 'JPN', dataDir: dir, host: '127.0.0.1', ports: { tcp: 0, tls: 0, http: 0, https: 0, enroll: 0, federation: 0 }, logLevel: 'warn' }));
const all = corpus(VESSELS);
const cfg = FeedConfigSchema.parse({
  id: 'bench',
  kind: 'ais',
  transport: 'udp',
  port: 0,
  label: { classification: 'UNCLASSIFIED', relTo: ['USA'] },
  maxMessagesPerSecond: 1e9,
  maxPublishPerSecond: 1e9,
  maxTracks: VESSELS * 2,
});
const label = makeLabel(node.registry, { policy: 'JPN', classification: 'UNCLASSIFIED', relTo: ['USA'], owner: 'JPN' });
let captured: Parameters<typeof node.publishLocal>[0][] = [];
const feed = new Feed(cfg, label, async (ev, l) => {
  captured.push(ev);
  await node.publishLocal(ev, l);
});
const t0 = performance.now();
for (const l of all) feed.onAisLine(l);
while (!feed.idle || feed.status().published < VESSELS) await new Promise((r) => setTimeout(r, 5));
const tIngested = performance.now();
const pipelineRate = all.length / ((tIngested - t0) / 1000);
const tracksRate = VESSELS / ((tIngested - t0) / 1000);
// baseline: the same tracks as ready-made CoT through the node's ingest (new uids: the first set is stored)
const again = captured.map((e) => ({ ...e, uid: `${e.uid}-b`, labelXml: undefined }));
captured = [];
const b0 = performance.now();
let next = 0;
await Promise.all(
  Array.from({ length: 256 }, async () => {
    while (next < again.length) await node.publishLocal(again[next++]!, label);
  }),
);
const ingestRate = again.length / ((performance.now() - b0) / 1000);
row(`decode + table + ingest (SQLite), until ${fmt(VESSELS)} tracks stored`, 'tracks/s', tracksRate, 'publishLocal, same CoT, 256 in flight', ingestRate);
rows.push(['  same run in sentences', 'sentences/s', fmt(pipelineRate), '', '', '']);
await feed.close();
await node.close();
rmSync(dir, { recursive: true, force: true });

// --- memory -----------------------------------------------------------------------------------------
gc();
const heap0 = process.memoryUsage().heapUsed;
const memFeed = new Feed({ ...cfg, id: 'mem', minIntervalMs: 3_600_000 }, label, async () => undefined);
for (const l of corpus(VESSELS)) memFeed.onAisLine(l);
gc();
const heap1 = process.memoryUsage().heapUsed;
rows.push([`heap for ${fmt(memFeed.status().tracks)} live vessel tracks`, 'MiB', ((heap1 - heap0) / 2 ** 20).toFixed(1), '', '', `${Math.round((heap1 - heap0) / memFeed.status().tracks)} B/track`]);
await memFeed.close();

console.log(`node ${process.version}, ${new Date().toISOString().slice(0, 10)}, decoded ${decoded > 0 ? 'ok' : 'none'}`);
console.log('| benchmark | unit | Kizuna | baseline | baseline value | ratio |');
console.log('|---|---|---:|---|---:|---:|');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
