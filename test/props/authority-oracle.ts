import type { Audience, SecurityLabel } from '../../src/labels/index.js';
import type { Oracle } from './oracle.js';

/**
 * An independent reference for the write authority, written from the README's "Write authority" rules. It
 * shares no code with src/labels/authority.ts: visibility comes from the reference release oracle, and
 * "widens" is decided semantically (is there an audience that may see the new label but not the old one?)
 * instead of by comparing categories.
 */
export interface RefActor {
  kind: 'client' | 'user' | 'peer' | 'node';
  identity: string;
  nation: string;
  audience: Audience;
  moderator: boolean;
}
export interface RefExisting {
  label: SecurityLabel;
  originator: string;
  origin: string;
  tombstone: boolean;
}
export interface RefIncoming {
  op: 'write' | 'delete' | 'relabel';
  label: SecurityLabel | undefined;
  defaultLabel: SecurityLabel;
  origin: string;
  relayed: boolean;
}
export interface RefNode {
  nation: string;
  policy: string;
  /** other policies the node's own writers may label in (policy file `alsoWrites`) */
  alsoWrites: string[];
  /** classifications of the node policy, lowest first; caveat values of the node policy */
  levels: string[];
  caveats: string[];
}

export type RefOutcome = { ok: true; label: SecurityLabel } | { ok: false };

export class AuthorityOracle {
  constructor(private readonly release: Oracle) {}

  private sees(label: SecurityLabel, a: Audience): boolean {
    return this.release.allow(label, a);
  }

  /** Some audience of the node's policy may read `next` but not `prev` (classification, caveats, REL TO). */
  widens(node: RefNode, next: SecurityLabel, prev: SecurityLabel): boolean {
    // the documented rule compares within one policy: a change of policy is an explicit re-label
    if (next.policy !== prev.policy) return true;
    const rel = (l: SecurityLabel) => l.categories.find((c) => c.tagSet === 'Releasable To')?.values ?? [l.owner];
    const cav = (l: SecurityLabel) => l.categories.find((c) => c.tagSet === 'Caveat')?.values ?? [];
    const nations = [...new Set([...rel(next), ...rel(prev), next.owner, prev.owner, 'KOR', 'GBR', 'AUS', 'CAN', 'PHL', 'USA', 'JPN'])].filter((n) => /^[A-Z]{3}$/.test(n));
    const all = node.caveats;
    const holdings = [[], all, ...all.map((c) => all.filter((x) => x !== c)), ...[...new Set([...cav(next), ...cav(prev)])].map((c) => [c])];
    // group values (NATO, FVEY, …) are releasability an audience may hold besides its own nation
    const groups = [...new Set([...rel(next), ...rel(prev)])].filter((v) => !/^[A-Z]{3}$/.test(v));
    const memberships = [[], ...groups.map((g) => [g])];
    for (const nation of nations) {
      for (const level of node.levels) {
        for (const held of holdings) {
          for (const rels of memberships) {
            const a: Audience = { policy: node.policy, nation, maxClassification: level, held: { Caveat: held, 'Releasable To': rels } };
            if (this.sees(next, a) && !this.sees(prev, a)) return true;
          }
        }
      }
    }
    return false;
  }

  private mayChange(actor: RefActor, e: RefExisting, inc: RefIncoming): boolean {
    if (actor.kind === 'peer') return e.origin === inc.origin && (e.originator === `node:${inc.origin}` || e.originator === `peer:${actor.nation}`);
    if (e.originator === actor.identity) return true;
    if (e.originator === '' && e.label.owner === actor.nation) return true;
    // users with a moderating role, and the node itself acting for its nation (deadline escalation)
    return (actor.kind === 'user' || actor.kind === 'node') && actor.moderator && e.label.owner === actor.nation;
  }

  private shapeOk(node: RefNode, actor: RefActor, l: SecurityLabel, inc: RefIncoming): boolean {
    if (actor.kind === 'peer') {
      if (l.owner === node.nation || l.owner === 'MULTI') return false;
      return inc.relayed || l.owner === actor.nation;
    }
    if (!(l.policy === node.policy || node.alsoWrites.includes(l.policy)) || actor.nation !== node.nation) return false;
    if (l.owner === 'MULTI') return (l.contributors ?? []).includes(actor.nation);
    return l.owner === actor.nation;
  }

  decide(node: RefNode, actor: RefActor, e: RefExisting | undefined, inc: RefIncoming): RefOutcome {
    const live = e !== undefined && !e.tombstone;
    const visible = live && this.sees(e.label, actor.audience);
    if (inc.op === 'delete') {
      return e && visible && this.mayChange(actor, e, inc) ? { ok: true, label: e.label } : { ok: false };
    }
    const l = inc.label ?? (live ? e.label : inc.defaultLabel);
    if (!this.shapeOk(node, actor, l, inc) || !this.sees(l, actor.audience)) return { ok: false };
    if (!e) return { ok: true, label: l };
    if (!(e.tombstone || visible) || !this.mayChange(actor, e, inc)) return { ok: false };
    if (actor.kind === 'peer') return { ok: true, label: l };
    if (inc.op === 'relabel') return actor.kind === 'user' && actor.moderator && e.label.owner === node.nation ? { ok: true, label: l } : { ok: false };
    if (!e.tombstone && l !== e.label && this.widens(node, l, e.label)) return { ok: false };
    return { ok: true, label: l };
  }
}
