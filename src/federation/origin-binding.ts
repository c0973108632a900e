import type { JWK } from 'jose';
import { canonicalJson, signBinding, verifyBinding, type PolicyRegistry } from '../labels/index.js';
import type { SecurityLabel } from '../labels/types.js';
import type { StoredEvent } from '../store/types.js';

/**
 * The originator's binding travels with a relayed object (GSOMIA third-party rule, docs/labels.md §5.2, §7):
 * a node that is not linked to the originator accepts a relayed track only when the originator's own
 * signature binds the track to the originator's label, and that label releases to the receiving nation.
 * The relay cannot alter the track or its label without breaking that signature, so it can neither widen
 * nor lower what the owner released.
 *
 * What is signed is the hop-invariant core of the object: ids, times and the CoT XML, not the fields a
 * relay sets for itself (receivedAt). Only tracks (kind "cot") relay; every other kind stays bilateral.
 */
export function originCore(ev: StoredEvent): Uint8Array {
  return Buffer.from(
    canonicalJson({ kind: 'cot', origin: ev.origin, id: ev.id, uid: ev.uid, type: ev.type, time: ev.time, stale: ev.stale, xml: ev.xml }),
  );
}

export function signOrigin(privateJwk: JWK, ev: StoredEvent): Promise<string> {
  return signBinding(privateJwk, originCore(ev), ev.label);
}

/** false on any mismatch (never throws). */
export function verifyOrigin(publicJwk: JWK, jws: string, ev: StoredEvent): Promise<boolean> {
  return verifyBinding(publicJwk, jws, originCore(ev), ev.label);
}

/**
 * Whether an object offered to `peerNation` might be relayed further: its releasability names a nation
 * (after group expansion) other than the owner and the peer. Only then is the originator binding worth
 * its signature; an object a relay may not pass on needs none.
 */
export function mayTravelBeyond(registry: PolicyRegistry, label: SecurityLabel, peerNation: string): boolean {
  const def = registry.policy(label.policy);
  const rel = def ? label.categories.find((c) => c.tagSet === def.relTag) : undefined;
  if (!rel) return false;
  for (const n of registry.expandReleasability(label.policy, rel.values)) {
    if (n.length === 3 && n !== label.owner && n !== peerNation) return true;
  }
  return false;
}

/** A node whose binding key this node knows: its direct peers (pinned keys) and configured originators. */
export interface OriginTrust {
  nation: string;
  publicJwk: JWK;
}

/**
 * Originator bindings of objects this node accepted, by origin+id, so it can pass them on when it relays
 * the object. In memory and bounded: after a restart an old object is relayed without it and the next
 * node refuses it (fail closed), which only loses the relay of objects older than the restart.
 */
export class OriginBindings {
  private readonly m = new Map<string, string>();
  constructor(private readonly max = 100_000) {}
  set(origin: string, id: string, jws: string): void {
    const k = `${origin}:${id}`;
    this.m.delete(k);
    if (this.m.size >= this.max) this.m.delete(this.m.keys().next().value!);
    this.m.set(k, jws);
  }
  get(origin: string, id: string): string | undefined {
    return this.m.get(`${origin}:${id}`);
  }
}
