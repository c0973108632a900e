/**
 * Test and benchmark code that exercises the store itself (contract suite, benches) writes rows the write
 * authority never saw. This is the one place outside src/labels/authority.ts allowed to brand a value
 * (scripts/lint-imports.mjs); product code cannot import from test/.
 */
export function admittedForTest(v) {
    return v;
}
/** `store.events.appendEvents` for rows made by a test. */
export function appendAdmitted(store, events) {
    // not an array: handed on as it is, so the store's own input validation is what answers
    return store.events.appendEvents(Array.isArray(events) ? events.map((e) => admittedForTest(e)) : events);
}
//# sourceMappingURL=admitted.js.map