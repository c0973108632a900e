import { admit, authorityContext, audienceFor, type AuthorityContext, type ReleaseGuard, type PolicyRegistry, type SecurityLabel, type WriteActor } from '../../labels/index.js';
import type { Admitted } from '../../labels/index.js';
import { KizunaError } from '../../util/errors.js';
import type { MissionChangeRow, MissionItemRow, MissionRow } from '../../store/missions-types.js';
import type { Caller } from './access.js';
import type { ChangeBody, Mission, MissionDeps } from './model.js';
import { changeCot } from './shapes.js';

/**
 * Every mission write asks the write authority. Content, uids and log entries are written by the caller
 * (their labels: owned by the caller's nation, within its clearance, never widened); subscriptions,
 * invitations and change records are the node's own bookkeeping about a mission the caller may see,
 * written by the node under the mission's (or the item's) label.
 */
export class MissionWrites {
  readonly ctx: AuthorityContext;
  private readonly nodeActor: WriteActor;

  constructor(
    private readonly o: { nodeId: string; nation: string; guard: ReleaseGuard; registry: PolicyRegistry; defaultLabel: () => SecurityLabel; deps: MissionDeps },
  ) {
    this.ctx = authorityContext(o.registry, o.nation, o.guard);
    this.nodeActor = { kind: 'node', identity: `node:${o.nodeId}`, nation: o.nation, audience: audienceFor(o.registry, { nation: o.nation }) };
  }

  actor(who: Caller): WriteActor {
    return { kind: 'client', identity: who.identity, nation: who.nation, audience: who.audience };
  }

  private decide<T>(actor: WriteActor, existing: { label: SecurityLabel; originator: string } | undefined, op: 'write' | 'delete', label: SecurityLabel | undefined, build: (l: SecurityLabel, originator: string) => T): Admitted<T> {
    const r = admit(this.ctx, actor, existing && { ...existing, origin: this.o.nodeId }, { op, label, defaultLabel: this.o.defaultLabel(), origin: this.o.nodeId }, build);
    if (!r.ok) throw new KizunaError('FORBIDDEN', 'write refused', { cause: r.code });
    return r.value;
  }

  mission(who: Caller, existing: Mission | undefined, label: SecurityLabel | undefined, build: (l: SecurityLabel, originator: string) => MissionRow): Admitted<MissionRow> {
    return this.decide(this.actor(who), existing, 'write', label, build);
  }

  deleteMission(who: Caller, m: Mission): Admitted<MissionRow> {
    return this.decide(this.actor(who), m, 'delete', undefined, () => m);
  }

  item<B>(who: Caller, existing: MissionItemRow | undefined, label: SecurityLabel | undefined, build: (l: SecurityLabel, originator: string) => MissionItemRow<B>): Admitted<MissionItemRow> {
    return this.decide<MissionItemRow>(this.actor(who), existing, 'write', label, build);
  }

  deleteItem(who: Caller, existing: MissionItemRow): Admitted<MissionItemRow> {
    return this.decide(this.actor(who), existing, 'delete', undefined, () => existing);
  }

  /** node bookkeeping (subscriptions, invitations) labelled like the mission */
  bookkeeping<B>(existing: MissionItemRow | undefined, missionLabel: SecurityLabel, build: (l: SecurityLabel, originator: string) => MissionItemRow<B>): Admitted<MissionItemRow> {
    // a partner's mission: the node keeps its own records about it under its own default label
    const label = missionLabel.owner === this.o.nation ? missionLabel : this.o.defaultLabel();
    return this.decide<MissionItemRow>(this.nodeActor, existing, 'write', existing?.label ?? label, build);
  }

  removeBookkeeping(existing: MissionItemRow): Admitted<MissionItemRow> {
    return this.decide(this.nodeActor, existing, 'delete', undefined, () => existing);
  }

  /**
   * Records a change under its own label and streams it (t-x-m-c) to the mission's subscribers; each
   * subscriber's connection gets it only if the guard releases the change's label to it.
   */
  async change(m: Mission, label: SecurityLabel, body: ChangeBody, at = Date.now(), peer?: WriteActor): Promise<void> {
    // a peer's item: the record of its change is the peer's write too (this node never writes what it does not own)
    const actor = peer ?? this.nodeActor;
    const origin = peer ? 'peer' : this.o.nodeId;
    const r = admit(this.ctx, actor, undefined, { op: 'write', label, defaultLabel: label, origin }, (l): Omit<MissionChangeRow, 'seq'> => ({ mission: m.guid, label: l, body, at }));
    if (!r.ok) throw new KizunaError('FORBIDDEN', 'write refused', { cause: r.code });
    const row = r.value;
    await this.o.deps.store.appendChange(row);
    const to = await this.subscriberUids(m);
    if (to.length) this.o.deps.notify(changeCot(m, body, at), label, to);
  }

  async subscriberUids(m: Mission): Promise<string[]> {
    return (await this.o.deps.store.items(m.guid, 'subscription')).map((s) => s.key);
  }
}
