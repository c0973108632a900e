import { createHash } from 'node:crypto';
import { combineLabels } from './algebra.js';
import { labelDigest } from './canonical.js';
import { compileAudience, decideCompiled, type CompiledAudience, type DecideResult } from './decide.js';
import type { DecisionRecord, EgressPath, ReleaseGuard } from './guard-types.js';
import type { Released, ReleasedCount } from './released.js';
import type { PolicyRegistry } from './registry.js';
import { DecisionReason, type Audience, type Decision, type Labelled, type SecurityLabel } from './types.js';

export interface GuardOptions {
  /** Max cached decisions; the cache is cleared when full (bounded memory). Default 100 000. 0 disables it. */
  cacheSize?: number;
  /** Initial readiness phases by nation, e.g. { JPN: 'contingency' }. */
  phases?: Record<string, string>;
}

export interface KizunaGuard extends ReleaseGuard {
  /** Cache statistics (benchmarks, metrics). */
  stats(): { hits: number; misses: number; size: number; generation: number };
  /** Current phases by nation. */
  phases(): Record<string, string>;
}

interface Entry {
  decision: Decision;
  label: SecurityLabel | undefined;
}
interface AudienceInfo {
  key: string;
  compiled: CompiledAudience | undefined;
}

/**
 * Deep-freezes what the cache is keyed on by identity: labels and audiences are values; mutating one
 * after a decision would make a cached answer stale, so it must fail loudly instead (ESM is strict).
 */
function freezeLabel(l: SecurityLabel): void {
  if (Object.isFrozen(l)) return;
  for (const c of l.categories ?? []) {
    Object.freeze(c.values);
    Object.freeze(c);
  }
  Object.freeze(l.categories);
  if (l.contributors) Object.freeze(l.contributors);
  if (l.originator) Object.freeze(l.originator);
  Object.freeze(l);
}

function freezeAudience(a: Audience): void {
  if (Object.isFrozen(a)) return;
  for (const v of Object.values(a.held ?? {})) Object.freeze(v);
  Object.freeze(a.held);
  Object.freeze(a);
}

/**
 * The one release guard. The only place a `Released<T>` is created (scripts/lint-imports.mjs enforces
 * it). Decisions are cached by audience key × label digest; the cache generation changes with the
 * registry version (a new registry needs a new guard) and every phase change.
 */
export function createGuard(registry: PolicyRegistry, opts: GuardOptions = {}): KizunaGuard {
  const max = opts.cacheSize ?? 100_000;
  const cache = new Map<string, Map<string, Entry>>();
  let size = 0;
  let hits = 0;
  let misses = 0;
  let generation = 0;
  const phases = new Map<string, string>(Object.entries(opts.phases ?? {}).map(([n, p]) => [n.toUpperCase(), p]));
  const listeners: ((rec: DecisionRecord) => void)[] = [];
  const digests = new WeakMap<object, string>();
  const audiences = new WeakMap<object, AudienceInfo>();

  const digestOf = (label: SecurityLabel | undefined): string => {
    if (label === undefined || label === null || typeof label !== 'object') return 'none';
    let d = digests.get(label);
    if (d === undefined) {
      try {
        d = labelDigest(label);
      } catch {
        d = 'unreadable';
      }
      freezeLabel(label);
      digests.set(label, d);
    }
    return d;
  };

  const audienceInfo = (audience: Audience): AudienceInfo => {
    if (audience === null || typeof audience !== 'object') return { key: 'invalid', compiled: undefined };
    let info = audiences.get(audience);
    if (info === undefined) {
      const compiled = compileAudience(registry, audience);
      const basis = compiled
        ? [compiled.policy, compiled.nation, compiled.ceiling, ...[...compiled.held].sort(([a], [b]) => (a < b ? -1 : 1)).map(([t, v]) => `${t}=${[...v].sort().join(',')}`)].join('|')
        : `invalid|${JSON.stringify(audience)}`;
      info = { key: createHash('sha256').update(basis).digest('base64url').slice(0, 22), compiled };
      freezeAudience(audience);
      audiences.set(audience, info);
    }
    return info;
  };

  const grants = (owner: string, aud: CompiledAudience): Map<string, Set<string>> | undefined => {
    const phase = phases.get(owner);
    if (phase === undefined) return undefined;
    let ownerPolicy: string;
    try {
      ownerPolicy = registry.policyOf(owner);
    } catch {
      return undefined;
    }
    let out: Map<string, Set<string>> | undefined;
    for (const r of registry.phaseRules) {
      if (r.nation !== owner || r.phase !== phase || !r.to.includes(aud.nation)) continue;
      for (const v of r.values) {
        const m = registry.mapValue(ownerPolicy, aud.policy, r.tagSet, v);
        if (!m) continue; // an unmappable grant is simply not granted
        out ??= new Map();
        const set = out.get(m.tagSet) ?? new Set<string>();
        set.add(m.value);
        out.set(m.tagSet, set);
      }
    }
    return out;
  };

  const decideFull = (label: SecurityLabel | undefined, audience: Audience): { entry: Entry; digest: string; audKey: string } => {
    const digest = digestOf(label);
    const aud = audienceInfo(audience);
    let byLabel = cache.get(aud.key);
    const hit = byLabel?.get(digest);
    if (hit !== undefined) {
      hits++;
      return { entry: hit, digest, audKey: aud.key };
    }
    misses++;
    let r: DecideResult;
    try {
      r = decideCompiled(registry, label, aud.compiled, grants);
    } catch {
      r = { decision: { allow: false, reason: DecisionReason.INVALID_LABEL } };
    }
    if (r.label) freezeLabel(r.label);
    const entry: Entry = { decision: r.decision, label: r.label };
    if (max > 0 && digest !== 'none' && digest !== 'unreadable') {
      if (size >= max) {
        cache.clear();
        size = 0;
      }
      if (!byLabel) {
        byLabel = new Map();
        cache.set(aud.key, byLabel);
      }
      byLabel.set(digest, entry);
      size++;
    }
    return { entry, digest, audKey: aud.key };
  };

  const notify = (rec: DecisionRecord): void => {
    for (const l of listeners) l(rec);
  };

  const releaseOne = <T>(item: Labelled<T>, audience: Audience, path: EgressPath): Released<T> | undefined => {
    const { entry, digest, audKey } = decideFull(item?.label, audience);
    if (!entry.decision.allow || entry.label === undefined) {
      notify({ path, audienceKey: audKey, labelDigest: digest, decision: entry.decision });
      return undefined;
    }
    if (path === 'federation') notify({ path, audienceKey: audKey, labelDigest: digest, decision: entry.decision });
    // The one sanctioned cast: the brand is only ever attached here, after an allow decision.
    return Object.freeze({ value: item.value, label: entry.label, audienceKey: audKey }) as unknown as Released<T>;
  };

  const highWater = (items: Iterable<Released<unknown>>): SecurityLabel | undefined => {
    const labels = [...items].map((i) => i.label);
    return labels.length === 0 ? undefined : combineLabels(registry, labels);
  };

  const guard: KizunaGuard = {
    decide(label, audience) {
      return decideFull(label, audience).entry.decision;
    },
    release: releaseOne,
    releaseMany(items, audience, path) {
      const out = [];
      for (const item of items) {
        const r = releaseOne(item, audience, path);
        if (r !== undefined) out.push(r);
      }
      return out;
    },
    count(items, audience) {
      const released: Released<unknown>[] = [];
      for (const item of items) {
        const r = releaseOne(item, audience, 'count');
        if (r !== undefined) released.push(r);
      }
      const aud = audienceInfo(audience);
      let label: SecurityLabel | undefined;
      try {
        label = highWater(released);
      } catch {
        label = undefined;
      }
      // Zero items (or no common label): the lowest level, owner-only for the audience's own nation.
      if (label === undefined && aud.compiled) {
        const def = registry.policy(aud.compiled.policy)!;
        label = {
          policy: def.id,
          classification: def.classifications[0]!.name,
          categories: [],
          owner: aud.compiled.nation,
          createdAt: new Date(0).toISOString(),
        };
      }
      return Object.freeze({ value: released.length, label, audienceKey: aud.key }) as unknown as ReleasedCount;
    },
    highWater,
    audienceKey(audience) {
      return audienceInfo(audience).key;
    },
    onDecision(listener) {
      listeners.push(listener);
    },
    setPhaseRules(nation, phase) {
      const n = nation.toUpperCase();
      if (phases.get(n) === phase) return;
      phases.set(n, phase);
      generation++;
      cache.clear();
      size = 0;
    },
    stats() {
      return { hits, misses, size, generation };
    },
    phases() {
      return Object.fromEntries(phases);
    },
  };
  return guard;
}
