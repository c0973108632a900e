/**
 * `npx tsx test/fuzz/replay.ts [files…]`: re-runs saved findings (default: all of test/fuzz/findings)
 * through their target and prints the outcome and the best of 3 CPU times (this process only, so a
 * loaded machine does not turn a fast input into a "hang").
 */
import { readFileSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TARGETS } from './targets.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'findings');
const files = process.argv.length > 2 ? process.argv.slice(2) : readdirSync(dir).map((f) => join(dir, f));
const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
let over = 0;
for (const file of files.sort()) {
  const target = TARGETS.find((t) => basename(file).startsWith(`${t.name}-`));
  if (!target) continue;
  const { input } = JSON.parse(readFileSync(file, 'utf8')) as { input: string };
  // fc.stringify output: a JS expression using Buffer.from / arrays / strings only
  const value = new Function('Buffer', `return ${input};`)(Buffer) as never;
  let best = Infinity;
  let outcome = '';
  for (let k = 0; k < 3; k++) {
    const t0 = cpuMs();
    try {
      outcome = target.run(value) || 'accepted';
    } catch (err) {
      outcome = `CRASH ${String(err).slice(0, 120)}`;
    }
    best = Math.min(best, cpuMs() - t0);
  }
  if (best > 100 || outcome.startsWith('CRASH')) over++;
  console.log(`${basename(file)}: ${outcome}, ${best.toFixed(1)} ms CPU (best of 3)`);
}
console.log(`${files.length} findings, ${over} still over 100 ms CPU or crashing`);
process.exitCode = over > 0 ? 1 : 0;
