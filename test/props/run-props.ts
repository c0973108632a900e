/**
 * `npm run test:props -- --runs 1000000 [--seed N] [--only substring]`: runs the label property suite
 * (test/props/properties.ts) at scale and prints counts and results; exit 1 on any failure.
 */
import { cpus } from 'node:os';
import { labelProperties } from './properties.js';
import { authorityProperties } from './authority-properties.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const runs = Number(arg('runs') ?? 10_000);
const seed = arg('seed') !== undefined ? Number(arg('seed')) : Date.now() % 2 ** 31;
const only = arg('only');
if (!Number.isInteger(runs) || runs <= 0) throw new Error('--runs must be a positive integer');

console.log(`label properties: runs=${runs} seed=${seed} node=${process.version} cpus=${cpus().length}`);
let failed = 0;
const t0 = Date.now();
for (const p of [...labelProperties(), ...authorityProperties()]) {
  if (only && !p.name.includes(only)) continue;
  const start = Date.now();
  try {
    p.run(runs, seed);
    const stats = Object.entries(p.stats).map(([k, v]) => `${k}=${v}`).join(' ');
    console.log(`PASS ${p.name}: ${runs} runs in ${((Date.now() - start) / 1000).toFixed(1)} s ${stats}`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${p.name}: ${(e as Error).message.split('\n').slice(0, 4).join(' | ')}`);
  }
}
console.log(`${failed === 0 ? 'ALL PASSED' : `${failed} FAILED`} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
process.exit(failed === 0 ? 0 : 1);
