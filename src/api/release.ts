import { labelDigest, labelView, type PolicyRegistry } from '../labels/index.js';
import type { EgressPath, ReleaseGuard } from '../labels/guard-types.js';
import type { Released } from '../labels/released.js';
import type { Audience, Labelled, SecurityLabel } from '../labels/types.js';
import { KizunaError } from '../util/errors.js';
import type { LabelView } from './contract.js';

/**
 * Release, or answer exactly as if the object did not exist: a denied object and a missing one are
 * indistinguishable to the caller (same status, same body).
 */
export function releaseOrNotFound<T>(
  guard: ReleaseGuard,
  item: Labelled<T> | undefined,
  audience: Audience,
  path: EgressPath,
): Released<T> {
  const r = item ? guard.release(item, audience, path) : undefined;
  if (!r) throw new KizunaError('NOT_FOUND');
  return r;
}

/** Renders released labels for the wire, memoised by label digest × registry version (labels repeat a lot). */
export function labelViews(registry: PolicyRegistry): (label: SecurityLabel) => LabelView {
  const cache = new Map<string, LabelView>();
  return (label) => {
    const key = labelDigest(label);
    let v = cache.get(key);
    if (!v) {
      v = labelView(registry, label);
      if (cache.size > 10_000) cache.clear();
      cache.set(key, v);
    }
    return v;
  };
}
