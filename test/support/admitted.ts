import type { Admitted } from '../../src/labels/admitted.js';
import type { AppendOptions, Store, StoredEvent } from '../../src/store/types.js';

/**
 * Test and benchmark code that exercises the store itself (contract suite, benches) writes rows the write
 * authority never saw. This is the one place outside src/labels/authority.ts allowed to brand a value
 * (scripts/lint-imports.mjs); product code cannot import from test/.
 */
export function admittedForTest<T>(v: T): Admitted<T> {
  return v as Admitted<T>;
}

/** `store.events.appendEvents` for rows made by a test. */
export function appendAdmitted(store: Pick<Store, 'events'>, events: readonly StoredEvent[], opts?: AppendOptions): Promise<string[]> {
  // not an array: handed on as it is, so the store's own input validation is what answers
  // (admittedForTest returns the same object, so a `latestOnly` set of the events still names them)
  return store.events.appendEvents(Array.isArray(events) ? events.map((e) => admittedForTest(e)) : (events as unknown as readonly Admitted<StoredEvent>[]), opts);
}
