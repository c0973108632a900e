import { z } from 'zod';
import type { JWK } from 'jose';
import { audienceFor, bindingDigestOf, canonicalLabelJson, labelFromJson, verifyBatchBinding, verifyBinding } from '../labels/index.js';
import type { Audience, SecurityLabel } from '../labels/types.js';
import type { Doc, StoredEvent } from '../store/types.js';
import { timingSafeEqual } from 'node:crypto';
import { KizunaError, isKizunaError } from '../util/errors.js';
import type { FedDeps, FedObject } from './types.js';
import type { Envelope } from './wire.js';
import { chunkId, decodeChunkPayload } from './file-chunk.js';
import { OriginBindings, verifyOrigin, type OriginTrust } from './origin-binding.js';

/**
 * Receiver-side boundary checks (defence in depth, the sender's guard is not trusted):
 * binding signature with the peer's key, payload shape, originator label translated with OUR table
 * must equal the label the sender bound, and our guard must release it to our own nation.
 */

const LabelShape = z.object({ policy: z.string(), classification: z.string(), owner: z.string() }).loose();
const StoredEventSchema = z.object({
  id: z.string().min(1),
  origin: z.string().min(1),
  uid: z.string().min(1),
  type: z.string().min(1),
  callsign: z.string().optional(),
  time: z.number(),
  stale: z.number(),
  receivedAt: z.number(),
  label: LabelShape,
  xml: z.string().min(1),
});
const DocSchema = z.object({
  collection: z.string().min(1),
  id: z.string().min(1),
  version: z.number().int().positive(),
  label: LabelShape,
  body: z.unknown(),
  updatedAt: z.number(),
});

/** A received BatchBinding (protocol v3); `verified` memoises its one signature check per connection. */
export interface BatchRef {
  firstSeq: number;
  digests: Uint8Array[];
  jws: string;
  verified: boolean | undefined;
}

/** The envelope's own JWS when it has one; otherwise its digest at its place in a verified batch. */
function isBound(env: Envelope, wire: WireLabel, peerKey: JWK, batch: BatchRef | undefined): Promise<boolean> | boolean {
  if (env.bindingJws) return verifyBinding(peerKey, env.bindingJws, env.payload, wire.label);
  if (!batch) return false;
  const want = batch.digests[env.seq - batch.firstSeq];
  if (!want || want.length !== 32) return false;
  batch.verified ??= verifyBatchBinding(peerKey, batch.jws, batch.digests);
  return batch.verified && timingSafeEqual(bindingDigestOf(env.payload, wire.canonical), want);
}

/** the bound label (receiver's policy), validated, with its canonical JSON */
interface WireLabel {
  label: SecurityLabel;
  canonical: string;
}
/** an originator label, validated, with the canonical JSON of OUR translation of it */
interface OriginalLabel {
  label: SecurityLabel;
  mine: string;
}

/**
 * Small exact memo (cleared when full). Validation and translation are pure functions of the label and
 * the (immutable) registry, so equal inputs may share one result; sharing the label OBJECT also lets the
 * guard's per-object digest cache hit. The guard itself is still asked for every object (phases change).
 */
class Memo<V> {
  private readonly m = new Map<string, V>();
  constructor(private readonly max = 1024) {}
  get(k: string, make: () => V): V {
    let v = this.m.get(k);
    if (v === undefined) {
      v = make();
      if (this.m.size >= this.max) this.m.clear();
      this.m.set(k, v);
    }
    return v;
  }
}

export type CheckResult = { ok: true; obj: FedObject; label: SecurityLabel } | { ok: false; code: string; reason: string };

export class InboundChecker {
  private readonly own: Audience;
  private readonly ownPolicy: string;
  /** originator bindings of accepted tracks, passed on when this node relays them */
  readonly originBindings = new OriginBindings();
  private readonly trust = new Map<string, OriginTrust>();
  constructor(private readonly d: FedDeps) {
    this.own = audienceFor(d.registry, { nation: d.nation });
    this.ownPolicy = d.registry.policyOf(d.nation);
    for (const o of d.originators ?? []) this.trust.set(o.name, { nation: o.nation, publicJwk: o.publicJwk });
    for (const p of d.peers ?? []) if (p.publicJwk) this.trust.set(p.name, { nation: p.nation, publicJwk: p.publicJwk });
  }

  private readonly wireLabels = new Memo<WireLabel>();
  private readonly originals = new Memo<OriginalLabel>();

  /** `from` is the sending peer; without it (unit tests of the label checks) relay rules are not applied. */
  async check(env: Envelope, peerKey: JWK, batch?: BatchRef, from?: { peer: string; nation: string }): Promise<CheckResult> {
    const { registry, guard } = this.d;
    let wire: WireLabel;
    try {
      wire = this.wireLabels.get(env.labelJson, () => {
        const l = registry.validate(labelFromJson(env.labelJson));
        return { label: l, canonical: canonicalLabelJson(l) };
      });
    } catch (err) {
      return fail(err, 'LABEL_INVALID', 'label');
    }
    const label = wire.label;
    let bound = false;
    try {
      bound = await isBound(env, wire, peerKey, batch);
    } catch {
      bound = false;
    }
    if (!bound) return { ok: false, code: 'BINDING_INVALID', reason: 'binding' };

    let obj: FedObject;
    let raw: SecurityLabel;
    try {
      const json = (): unknown => JSON.parse(Buffer.from(env.payload).toString('utf8'));
      if (env.kind === 'cot') {
        const ev = StoredEventSchema.parse(json()) as unknown as StoredEvent;
        if (ev.origin !== env.origin || ev.id !== env.id) return { ok: false, code: 'FED_PROTOCOL', reason: 'id' };
        obj = { kind: 'cot', origin: env.origin, id: env.id, event: ev };
        raw = ev.label;
      } else if (env.kind === 'doc') {
        const doc = DocSchema.parse(json()) as unknown as Doc;
        obj = { kind: 'doc', origin: env.origin, id: env.id, doc };
        raw = doc.label;
      } else if (env.kind === 'file-chunk') {
        const { meta, data } = decodeChunkPayload(env.payload);
        if (env.id !== chunkId(meta)) return { ok: false, code: 'FED_PROTOCOL', reason: 'id' };
        obj = { kind: 'file-chunk', origin: env.origin, id: env.id, chunk: meta, data };
        raw = meta.label;
      } else {
        return { ok: false, code: 'FED_PROTOCOL', reason: 'kind' };
      }
    } catch (err) {
      return fail(err, 'FED_PROTOCOL', 'payload');
    }
    // Our own translation of the originator label must equal what the sender bound (docs/labels.md §2.3).
    let orig: OriginalLabel | undefined;
    let step: 'payload' | 'translate' = 'payload';
    try {
      orig = this.originals.get(JSON.stringify(raw), () => {
        step = 'payload';
        const l = registry.validate(raw);
        step = 'translate';
        return { label: l, mine: canonicalLabelJson(registry.translate(l, this.ownPolicy)) };
      });
    } catch (err) {
      return step === 'payload' ? fail(err, 'FED_PROTOCOL', 'payload') : fail(err, 'LABEL_UNMAPPABLE', 'translate');
    }
    if (orig.mine !== wire.canonical) return { ok: false, code: 'FED_REJECTED', reason: 'label-mismatch' };
    const original = orig.label;
    for (const l of [label, original]) {
      const dec = guard.decide(l, this.own);
      if (!dec.allow) return { ok: false, code: 'FED_REJECTED', reason: dec.reason };
    }
    if (from) {
      const relay = await this.checkOrigin(env, obj, original, peerKey, from);
      if (relay) return relay;
    }
    // a file is stored by the receiver under the label of ITS policy, the one the sender bound
    if (obj.kind === 'file-chunk') obj.received = label;
    return { ok: true, obj, label };
  }

  /**
   * Relay rule: an object whose origin is not the sending peer is accepted only when it is a track or a
   * coordination document, its originator is a node we hold a key for, the originator label is owned by
   * that node's nation, and the originator's binding over the object and that label verifies. (That the
   * label releases to us was decided above, on the originator label translated into our policy, never on
   * the relay's view.) A direct object's originator binding is verified too before it is kept for onward relay.
   */
  private async checkOrigin(env: Envelope, obj: FedObject, original: SecurityLabel, peerKey: JWK, from: { peer: string; nation: string }): Promise<CheckResult | undefined> {
    // the peer's key is authenticated by the link (pinned or from its Hello over mutual TLS)
    if (!this.trust.has(from.peer)) this.trust.set(from.peer, { nation: from.nation, publicJwk: peerKey });
    const relayed = env.origin !== from.peer;
    if (obj.kind === 'file-chunk') return relayed ? { ok: false, code: 'FED_REJECTED', reason: 'relay-kind' } : undefined;
    const signed = obj.kind === 'cot' ? obj.event : obj;
    if (!relayed) {
      if (!env.originBindingJws) return undefined;
      if (!(await verifyOrigin(peerKey, env.originBindingJws, signed))) return { ok: false, code: 'BINDING_INVALID', reason: 'origin-binding' };
      this.originBindings.set(env.origin, env.id, env.originBindingJws);
      return undefined;
    }
    const trust = this.trust.get(env.origin);
    if (!trust) return { ok: false, code: 'FED_REJECTED', reason: 'origin-unknown' };
    if (original.owner !== trust.nation) return { ok: false, code: 'FED_REJECTED', reason: 'origin-owner' };
    if (!env.originBindingJws || !(await verifyOrigin(trust.publicJwk, env.originBindingJws, signed))) {
      return { ok: false, code: 'BINDING_INVALID', reason: 'origin-binding' };
    }
    obj.originVerified = { node: env.origin, nation: trust.nation };
    this.originBindings.set(env.origin, env.id, env.originBindingJws);
    return undefined;
  }
}

function fail(err: unknown, fallback: string, reason: string): CheckResult {
  return { ok: false, code: isKizunaError(err) ? err.code : fallback, reason };
}

export function rejectsPermanently(err: unknown): boolean {
  return err instanceof KizunaError && err.status < 500;
}
