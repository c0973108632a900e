/**
 * Child process for the kill -9 durability test: appends events forever (several concurrent callers
 * per round, so the write coalescer is exercised) and prints "acked N" once the first N events are
 * acknowledged. The parent kills it with SIGKILL at a random point and checks every acked event.
 */
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { StoredEvent } from '../../src/store/types.js';
import { appendAdmitted } from '../support/admitted.js';

const file = process.argv[2];
if (!file) throw new Error('usage: sqlite-durability-child.ts FILE');
const store = await openSqliteStore(file);
const label = { policy: 'JPN', classification: 'UNCLASSIFIED', categories: [], owner: 'JPN', createdAt: '2025-01-01T00:00:00Z' };
const event = (n: number): StoredEvent => ({
  id: `d-${n}`,
  origin: 'JPN',
  uid: `u-${n}`,
  type: 'a-f-G',
  time: 1_700_000_000_000 + n,
  stale: 1_700_000_000_000 + n + 60_000,
  receivedAt: Date.now(),
  label,
  xml: `<event uid="u-${n}"/>`,
});

let next = 1;
for (;;) {
  const calls: Promise<string[]>[] = [];
  for (let c = 0; c < 4; c++) {
    const batch = Array.from({ length: 25 }, () => event(next++));
    calls.push(appendAdmitted(store, batch));
  }
  await Promise.all(calls);
  process.stdout.write(`acked ${next - 1}\n`);
}
