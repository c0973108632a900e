import type { SecurityLabel } from './types.js';

/**
 * The guard's output. Egress code (TAK writer, REST/WS responses, federation sender, history replay,
 * search, counts, error bodies, logs) accepts only `Released<T>`. The brand symbol is declared, never
 * exported as a value, so no module can build one by hand; `scripts/lint-imports.mjs` additionally
 * rejects any `as Released` cast outside src/labels/guard.ts.
 */
declare const releasedBrand: unique symbol;

export interface Released<T> {
  readonly [releasedBrand]: true;
  readonly value: T;
  /** The label as the audience sees it (translated into the audience's policy). */
  readonly label: SecurityLabel;
  /** Stable key of the audience the release was decided for (for encode-once caches). */
  readonly audienceKey: string;
}

/** A count or aggregate that only counted releasable objects. */
export type ReleasedCount = Released<number>;
