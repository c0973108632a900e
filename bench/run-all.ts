/**
 * `npm run bench`: every benchmark in turn, each in its own process (so one's heap and sockets do not
 * disturb the next), printing its own table with its in-run baseline. `--only labels,cot` picks some.
 * The numbers recorded in BENCHMARKS.md come from these commands.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const ALL: [name: string, args: string[]][] = [
  ['labels', []],
  ['cot', []],
  ['parsers', []],
  ['store', []],
  ['audit', []],
  ['api', []],
  ['web-track-store', []],
  ['feeds', ['--vessels', '50000']],
  ['fanout', ['--clients', '100,250,500,1000', '--rate', '1', '--seconds', '10', '--mix', '10', '--stuck', '10']],
  ['federation', []],
  ['scale', []],
  ['render', ['--tracks', '0,200,2000', '--seconds', '30', '--pan']],
];
const i = process.argv.indexOf('--only');
const only = i >= 0 ? new Set(process.argv[i + 1]!.split(',')) : undefined;
let failed = 0;
for (const [name, args] of ALL) {
  if (only && !only.has(name)) continue;
  process.stdout.write(`\n### bench/${name}.ts ${args.join(' ')}\n`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(here, `${name}.ts`), ...args], { stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    process.stdout.write(`bench/${name}.ts exited with ${r.status ?? r.signal}\n`);
  }
}
process.exitCode = failed ? 1 : 0;
