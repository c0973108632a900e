import type { Audience, Decision, Labelled, SecurityLabel } from './types.js';
import type { Released, ReleasedCount } from './released.js';

/** Egress paths, recorded with every decision (audit, metrics). */
export type EgressPath =
  | 'tak'
  | 'rest'
  | 'ws'
  | 'federation'
  | 'history'
  | 'search'
  | 'count'
  | 'error'
  | 'log'
  | 'file';

export interface DecisionRecord {
  path: EgressPath;
  audienceKey: string;
  labelDigest: string;
  decision: Decision;
}

/**
 * The one release guard. The only producer of `Released<T>`; every way out of a node goes through it.
 * Implementation: src/labels/guard.ts (`createGuard`).
 */
export interface ReleaseGuard {
  /** Pure decision (cached by label digest × audience key × policy version). Missing label ⇒ deny. */
  decide(label: SecurityLabel | undefined, audience: Audience): Decision;
  /** Released (label translated into the audience's policy) or undefined when denied. */
  release<T>(item: Labelled<T>, audience: Audience, path: EgressPath): Released<T> | undefined;
  /** Filters a collection: only releasable items, in order. */
  releaseMany<T>(items: Iterable<Labelled<T>>, audience: Audience, path: EgressPath): Released<T>[];
  /** Counts only releasable items: a count never reveals that a denied object exists. */
  count<T>(items: Iterable<Labelled<T>>, audience: Audience): ReleasedCount;
  /** Combined (high-water) label of released items, for banners. */
  highWater(items: Iterable<Released<unknown>>): SecurityLabel | undefined;
  /** Stable key for an audience (cache key, encode-once grouping). */
  audienceKey(audience: Audience): string;
  /** Hook for audit: called for every denial (and every federation decision). */
  onDecision(listener: (rec: DecisionRecord) => void): void;
  /** Activates release rules (e.g. readiness phase "contingency" making extra categories releasable). */
  setPhaseRules(nation: string, phase: string): void;
}
