import type { Logger } from '../util/log.js';
import { KizunaError } from '../util/errors.js';
import type { FedDeps, FedPeer } from './types.js';
import type { AuditHead } from './wire.js';

/**
 * The peer's audit chain heads (protocol v2) as they arrive: each new one is handed to the node for
 * countersigning; a head lower than the last one is recorded as evidence that the peer's chain was cut.
 */
export class PeerAuditHeads {
  /** the peer's last audit head handed to onPeerAuditHead (memory: a restart countersigns once more) */
  private peerAuditHead: AuditHead | undefined;

  constructor(
    private readonly peer: FedPeer,
    private readonly d: FedDeps,
    private readonly log: Logger,
  ) {}

  receive(head: AuditHead): void {
    if (!Number.isSafeInteger(head.seq) || head.seq < 1 || !/^[0-9a-f]{64}$/.test(head.hash)) {
      throw new KizunaError('FED_PROTOCOL', 'bad audit head');
    }
    const prev = this.peerAuditHead;
    if (prev && prev.seq === head.seq && prev.hash === head.hash) return;
    this.peerAuditHead = head;
    const from = { peer: this.peer.name, nation: this.peer.nation };
    if (prev && head.seq < prev.seq) {
      // A chain only grows: a lower head means the peer lost or cut its chain. Evidence, not an error.
      this.log.warn({ peer: from.peer, prev: prev.seq, now: head.seq }, 'peer audit chain went backwards');
      void this.d.audit('fed.audit_head_regressed', this.d.nodeId, { peer: from.peer, previous: prev, now: head }).catch(() => undefined);
    }
    this.d.onPeerAuditHead?.(from, head).catch((err: unknown) =>
      this.log.warn({ peer: from.peer, code: (err as { code?: string }).code ?? 'INTERNAL' }, 'countersigning the peer audit head failed'),
    );
  }
}
