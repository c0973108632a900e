/**
 * The write authority's output: the ingress twin of `Released<T>`. The store's write paths accept only
 * `Admitted<T>`, so a value reaches the store only after `admit()` (src/labels/authority.ts) said yes. The
 * brand symbol is declared, never exported as a value; `scripts/lint-imports.mjs` rejects any
 * `as Admitted` cast outside src/labels/authority.ts (and the test-only helper in test/support).
 */
declare const admittedBrand: unique symbol;

export type Admitted<T> = T & { readonly [admittedBrand]: true };
