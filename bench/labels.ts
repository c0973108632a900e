/**
 * Label engine throughput (`npx tsx bench/labels.ts`), each with a baseline from the same run:
 * - guard decisions: uncached guard (cacheSize 0: validate + translate + decide every time) = baseline,
 *   vs the cached guard (label identity -> digest, audience key, Map lookup);
 * - 4774 XML parse / serialise, JSON to/from, labelDigest, combine of 2 labels.
 * Numbers vary with machine load; compare ratios.
 */
import { cpus, loadavg } from 'node:os';
import {
  audienceFor,
  combineLabels,
  createGuard,
  labelDigest,
  labelFromJson,
  labelToJson,
  loadPolicies,
  makeLabel,
  parseLabelXml,
  serializeLabelXml,
  type Audience,
  type SecurityLabel,
} from '../src/labels/index.js';

const registry = loadPolicies();
const levels = registry.classifications('USA');
const relSets = [['JPN'], ['JPN', 'GBR'], [], ['FVEY'], ['NATO', 'JPN']];
const labels: SecurityLabel[] = [];
for (let i = 0; i < 1000; i++) {
  labels.push(
    makeLabel(registry, {
      policy: i % 3 === 0 ? 'JPN' : 'USA',
      classification: i % 3 === 0 ? registry.classifications('JPN')[i % 4]! : levels[i % 4]!,
      owner: i % 3 === 0 ? 'JPN' : 'USA',
      relTo: relSets[i % relSets.length]!,
      ...(i % 7 === 0 ? { caveats: ['KIZUNA-OPS'] } : {}),
      createdAt: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
    }),
  );
}
const audiences: Audience[] = [
  audienceFor(registry, { nation: 'JPN' }),
  audienceFor(registry, { nation: 'USA', maxClassification: 'SECRET' }),
  audienceFor(registry, { nation: 'PHL' }),
  audienceFor(registry, { nation: 'JPN', held: { Caveat: ['KIZUNA-OPS'] } }),
];

function rate(ops: number, fn: () => void, ms = 1000): number {
  fn();
  let n = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < ms) {
    fn();
    n += ops;
    elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  }
  return (n / elapsed) * 1000;
}

let sink = 0;
const decideAll = (g: ReturnType<typeof createGuard>) => () => {
  for (const a of audiences) for (const l of labels) if (g.decide(l, a).allow) sink++;
};
const perRound = labels.length * audiences.length;
const uncached = rate(perRound, decideAll(createGuard(registry, { cacheSize: 0 })));
const cachedGuard = createGuard(registry);
const cached = rate(perRound, decideAll(cachedGuard));
const xmls = labels.map((l) => serializeLabelXml(l));
const jsons = labels.map((l) => labelToJson(l));
const rows: [string, number, number | undefined][] = [
  ['guard.decide uncached (baseline)', uncached, 1],
  ['guard.decide cached', cached, cached / uncached],
  ['parseLabelXml (4774 XML → label)', rate(labels.length, () => xmls.forEach((x) => (sink += parseLabelXml(x).categories.length))), undefined],
  ['serializeLabelXml', rate(labels.length, () => labels.forEach((l) => (sink += serializeLabelXml(l).length))), undefined],
  ['labelFromJson (zod)', rate(labels.length, () => jsons.forEach((j) => (sink += labelFromJson(j).categories.length))), undefined],
  ['labelToJson (canonical)', rate(labels.length, () => labels.forEach((l) => (sink += labelToJson(l).length))), undefined],
  ['labelDigest (sha-256 of canonical JSON)', rate(labels.length, () => labels.forEach((l) => (sink += labelDigest(l).length))), undefined],
  ['combineLabels (2 labels)', rate(labels.length - 1, () => { for (let i = 1; i < labels.length; i++) sink += combineLabels(registry, [labels[i - 1]!, labels[i]!]).categories.length; }), undefined],
];

console.log(`labels bench: node ${process.version}, ${cpus().length} cpus (${cpus()[0]?.model ?? '?'}), load ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
console.log(`${labels.length} labels × ${audiences.length} audiences; cache stats ${JSON.stringify(cachedGuard.stats())}`);
console.log('| case | ops/s | × baseline |');
console.log('|---|---:|---:|');
for (const [name, r, x] of rows) console.log(`| ${name} | ${Math.round(r).toLocaleString('en-US')} | ${x === undefined ? '' : `${x.toFixed(1)}×`} |`);
if (sink < 0) console.log(sink);
