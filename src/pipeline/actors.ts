import type { WriteActor } from '../labels/index.js';
import type { Audience } from '../labels/types.js';

/**
 * One constructor per kind of writer, so every ingress names its actor the same way. The identity is what
 * later decides who may change an object, so it must be stable across reconnects and never chosen by input.
 */

/** A TAK client: its certificate serial, or (plain TCP, lab use) the one anonymous identity of its nation. */
export function takClientActor(id: { nation: string; serial?: string; audience: Audience }): WriteActor {
  return {
    kind: 'client',
    identity: id.serial ? `cert:${id.serial}` : `anon:${id.nation}`,
    nation: id.nation,
    audience: id.audience,
  };
}

const MODERATOR_ROLES = new Set(['coordinator', 'administrator']);

/** A REST or Marti user; coordinators and administrators moderate their own nation's objects. */
export function userActor(u: { username: string; nation: string; role?: string; audience: Audience }): WriteActor {
  return {
    kind: 'user',
    identity: `user:${u.username}`,
    nation: u.nation,
    audience: u.audience,
    moderator: u.role !== undefined && MODERATOR_ROLES.has(u.role),
  };
}

/** A federated peer node (nation from its certificate). */
export function peerActor(nation: string, audience: Audience): WriteActor {
  return { kind: 'peer', identity: `peer:${nation}`, nation, audience };
}

/** This node's own sources: the demo scenario, sensor feeds (`feed:<id>`), the chat bridge. */
export function nodeActor(identity: string, nation: string, audience: Audience): WriteActor {
  return { kind: 'node', identity, nation, audience };
}
