import type { JWK } from 'jose';
import { canonicalJson, signBinding, verifyBinding, type PolicyRegistry } from '../labels/index.js';
import type { SecurityLabel } from '../labels/types.js';
import type { StoredEvent } from '../store/types.js';
import type { FedObject } from './types.js';

/**
 * The originator's binding travels with a relayed object (GSOMIA third-party rule, docs/labels.md §5.2, §7):
 * a node that is not linked to the originator accepts a relayed track or coordination document only when
 * the originator's own signature binds it to the originator's label, and that label releases to the
 * receiving nation. The relay cannot alter the object or its label without breaking that signature, so it
 * can neither widen nor lower what the owner released.
 *
 * What is signed is the hop-invariant core of the object: ids, times and content, not the fields a relay
 * sets for itself (an event's receivedAt). Tracks (kind "cot") and coordination documents relay; file
 * chunks stay bilateral.
 */
export type Relayable = StoredEvent | Extract<FedObject, { kind: 'doc' }>;

function isDoc(o: Relayable): o is Extract<FedObject, { kind: 'doc' }> {
  return (o as { kind?: unknown }).kind === 'doc';
}

export function originCore(o: Relayable): Uint8Array {
  if (isDoc(o)) {
    const d = o.doc;
    return Buffer.from(canonicalJson({ kind: 'doc', origin: o.origin, id: o.id, collection: d.collection, docId: d.id, version: d.version, body: d.body ?? null, updatedAt: d.updatedAt }));
  }
  const ev = o;
  return Buffer.from(
    canonicalJson({ kind: 'cot', origin: ev.origin, id: ev.id, uid: ev.uid, type: ev.type, time: ev.time, stale: ev.stale, xml: ev.xml }),
  );
}

const labelOf = (o: Relayable): SecurityLabel => (isDoc(o) ? o.doc.label : o.label);

export function signOrigin(privateJwk: JWK, o: Relayable): Promise<string> {
  return signBinding(privateJwk, originCore(o), labelOf(o));
}

/** false on any mismatch (never throws). */
export async function verifyOrigin(publicJwk: JWK, jws: string, o: Relayable): Promise<boolean> {
  try {
    return await verifyBinding(publicJwk, jws, originCore(o), labelOf(o));
  } catch {
    return false;
  }
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
