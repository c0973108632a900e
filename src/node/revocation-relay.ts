import type { Bus, Subscription } from '../bus/types.js';
import type { Revocations } from '../certs/index.js';
import type { Revocation, UserService } from '../coordination/index.js';
import type { Logger } from '../util/log.js';
import { nodeSubject } from '../bus/subject.js';
import { isFromProcess } from '../pipeline/index.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

/** What travels on `kizuna.<node>.revocations`: a user/token revocation, or a certificate serial. */
type RevocationMessage = { user: Revocation } | { serial: string };

/**
 * Scale-out: each process holds its own WebSocket and TAK sessions, so a logout, token revocation,
 * user disable or certificate revocation one process learns of is announced on the node's bus, and
 * every other process closes the sessions it holds at once (without it they found out at their next
 * periodic session check, 15 s, or, for a certificate revoked in another data directory, never).
 * A process announces only what it learned itself, so an announcement is never echoed.
 */
export function relayRevocations(o: { bus: Bus; nodeId: string; processId: string; users: UserService; revocations: Revocations; log: Logger }): Subscription {
  const subject = nodeSubject(o.nodeId, 'revocations');
  const announce = (m: RevocationMessage): void => {
    o.bus.publish(subject, enc.encode(o.processId + '\n' + JSON.stringify(m))).catch((err: unknown) => {
      o.log.warn({ code: (err as { code?: string }).code ?? 'BUS_FAILED' }, 'revocation not announced to sibling processes');
    });
  };
  const offUsers = o.users.onRevoked((user, info) => {
    if (!info.sibling) announce({ user });
  });
  const offCerts = o.revocations.onRevoke((serial, info) => {
    if (!info.sibling) announce({ serial });
  });
  const sub = o.bus.subscribe(subject, (data) => {
    if (isFromProcess(data, o.processId)) return;
    const m = parseMessage(dec.decode(data.subarray(data.indexOf(0x0a) + 1)));
    if (m === undefined) {
      o.log.warn({ code: 'BUS_FAILED' }, 'unreadable revocation announcement ignored');
    } else if ('serial' in m) {
      o.revocations.noteSiblingRevocation(m.serial);
    } else {
      o.users.notifySibling(m.user);
    }
  });
  return {
    ...(sub.ready ? { ready: sub.ready } : {}),
    unsubscribe() {
      offUsers();
      offCerts();
      sub.unsubscribe();
    },
  };
}

function parseMessage(text: string): RevocationMessage | undefined {
  try {
    const m = JSON.parse(text) as { user?: { kind?: unknown; username?: unknown }; serial?: unknown };
    if (typeof m.serial === 'string') return { serial: m.serial };
    const u = m.user;
    if (u && (u.kind === 'token' || u.kind === 'user') && typeof u.username === 'string') return { user: { kind: u.kind, username: u.username } };
  } catch {
    // fall through: not JSON
  }
  return undefined;
}
