/**
 * `npm run fuzz -- --runs N [--only cot-xml,xml-framer] [--seed S]`: runs every parser's fuzz target
 * for N generated inputs and prints, per target: inputs, refusals by code, crashes (anything but a
 * KizunaError with a code, or a stream that frames differently when split), hangs (> 100 ms on one
 * input in this process's CPU time, confirmed by re-timing), the slowest input, and the differential disagreements with fast-xml-parser by category.
 * Crashing and hanging inputs are written to test/fuzz/findings/ (kept out of git) for replay.
 * Exit code 1 when there was a crash or a hang.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { TARGETS } from './targets.js';

const HANG_MS = 100;
/** CPU time of this process in ms: other processes on the shared cores do not count against an input. */
export const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const runs = Number(arg('runs') ?? 10_000);
const only = arg('only')?.split(',');
const seed = Number(arg('seed') ?? Date.now() % 2 ** 31);
/** Stop a target after this long even if `runs` is not reached (the count actually run is printed). */
const maxSeconds = Number(arg('max-seconds') ?? Infinity);
const BATCH = 10_000;
const findings = join(dirname(fileURLToPath(import.meta.url)), 'findings');

interface Tally {
  inputs: number;
  refusals: Map<string, number>;
  crashes: number;
  hangs: number;
  /** over the limit once, under it when timed again (machine load, GC) */
  stalls: number;
  slowestMs: number;
  disagreements: Map<string, { count: number; example: string }>;
}

function keep(target: string, kind: string, input: unknown, detail: string): void {
  mkdirSync(findings, { recursive: true });
  const file = join(findings, `${target}-${kind}-${Date.now()}-${Math.floor(Math.random() * 1e6)}.json`);
  writeFileSync(file, JSON.stringify({ detail, input: fc.stringify(input) }, null, 1));
}

let bad = 0;
console.log(`fuzz: ${runs} inputs per target, seed ${seed}, node ${process.version}`);
for (const t of TARGETS) {
  if (only && !only.includes(t.name)) continue;
  const tally: Tally = { inputs: 0, refusals: new Map(), crashes: 0, hangs: 0, stalls: 0, slowestMs: 0, disagreements: new Map() };
  const started = performance.now();
  const property = fc.property(t.input, (input) => {
    tally.inputs++;
    const t0 = cpuMs();
    try {
      const code = t.run(input);
      tally.refusals.set(code || 'accepted', (tally.refusals.get(code || 'accepted') ?? 0) + 1);
    } catch (err) {
      tally.crashes++;
      keep(t.name, 'crash', input, String((err as Error).stack ?? err));
    }
    let ms = cpuMs() - t0;
    if (ms > HANG_MS) {
      // On 2 shared cores a GC or another process can stall any input: a hang is an input that
      // stays over the limit when timed again (best of 3), a stall is one that does not.
      for (let k = 0; k < 3 && ms > HANG_MS; k++) {
        const t1 = cpuMs();
        try {
          t.run(input);
        } catch {
          // already counted
        }
        ms = Math.min(ms, cpuMs() - t1);
      }
      if (ms > HANG_MS) {
        tally.hangs++;
        keep(t.name, 'hang', input, `${ms.toFixed(1)} ms`);
      } else {
        tally.stalls++;
      }
    }
    tally.slowestMs = Math.max(tally.slowestMs, ms);
    const why = t.differential?.(input);
    if (why !== undefined) {
      const d = tally.disagreements.get(why) ?? { count: 0, example: JSON.stringify(input).slice(0, 160) };
      d.count++;
      tally.disagreements.set(why, d);
    }
    return true;
  });
  // Batches with consecutive seeds, so a long run can report progress and stop at --max-seconds.
  for (let b = 0; tally.inputs < runs && (performance.now() - started) / 1000 < maxSeconds; b++) {
    fc.check(property, { numRuns: Math.min(BATCH, runs - tally.inputs), seed: seed + b });
    if (tally.inputs % 100_000 === 0) console.log(`   ${t.name}: ${tally.inputs} inputs, ${tally.crashes} crashes, ${tally.hangs} hangs`);
  }
  const secs = (performance.now() - started) / 1000;
  bad += tally.crashes + tally.hangs;
  console.log(`\n## ${t.name}: ${tally.inputs} inputs in ${secs.toFixed(1)} s; crashes ${tally.crashes}; hangs (>${HANG_MS} ms, best of 3) ${tally.hangs}; stalls (slow once only) ${tally.stalls}; slowest (best of 3) ${tally.slowestMs.toFixed(1)} ms`);
  console.log(`   outcomes: ${[...tally.refusals].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  for (const [why, d] of [...tally.disagreements].sort((a, b) => b[1].count - a[1].count)) {
    console.log(`   disagreement ×${d.count}: ${why}\n      e.g. ${d.example}`);
  }
}
process.exitCode = bad > 0 ? 1 : 0;
