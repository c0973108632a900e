import type { Logger } from '../util/log.js';
import type { KizunaError } from '../util/errors.js';
import type { InboundChecker } from './receive.js';
import { rejectsPermanently } from './receive.js';
import type { FedDeps, FedPeer } from './types.js';
import type { Conn } from './link-conn.js';
import type { Envelope, Frame } from './wire.js';

/** What the receiver needs of its link: the current connection, writing a frame on it, dropping it. */
export interface ReceiverLink {
  readonly peer: FedPeer;
  isCurrent(conn: Conn): boolean;
  write(conn: Conn, frame: Frame): void;
  drop(why: string): void;
}

/**
 * The receiving half of a peer link: checks each envelope, hands it to the node's accept, and acks a
 * seq only once everything up to it is durable (or permanently rejected). A failed accept drops the
 * link unacknowledged so the peer resends.
 */
export class LinkReceiver {
  /** highest seq from this peer accepted and acked (memory; markSeen makes replays harmless) */
  inboundAcked = 0;
  received = 0;
  rejected = 0;
  private readonly retryKeys = new Set<string>();

  constructor(
    private readonly link: ReceiverLink,
    private readonly d: FedDeps,
    private readonly checker: InboundChecker,
    private readonly log: Logger,
  ) {}

  private get peer(): FedPeer {
    return this.link.peer;
  }

  /** Queues an envelope that arrived on `conn` (with the batch binding in force) and starts the loop. */
  enqueue(conn: Conn, env: Envelope): void {
    const b = conn.batch;
    const covered = b && env.seq >= b.firstSeq && env.seq < b.firstSeq + b.digests.length;
    conn.inbox.push({ env, batch: covered ? b : undefined });
    if (!conn.receiving) conn.receiving = this.receiveLoop(conn);
  }

  private async receiveLoop(conn: Conn): Promise<void> {
    try {
      while (conn.inbox.length && this.link.isCurrent(conn)) {
        const batch = conn.inbox.splice(0, conn.inbox.length);
        const ackSeq = await this.receiveBatch(conn, batch);
        if (ackSeq === undefined) return;
        this.inboundAcked = Math.max(this.inboundAcked, ackSeq);
        this.link.write(conn, { ack: { seq: ackSeq } });
      }
    } finally {
      conn.receiving = undefined;
      if (conn.inbox.length && this.link.isCurrent(conn)) conn.receiving = this.receiveLoop(conn);
    }
  }

  /** Processes envelopes in order; returns the seq to acknowledge, or undefined when the link must drop. */
  private async receiveBatch(conn: Conn, inbound: Conn['inbox']): Promise<number | undefined> {
    const key = conn.peerKey!;
    const from = { peer: this.peer.name, nation: this.peer.nation };
    const batch = inbound.map((x) => x.env);
    const checks = await Promise.all(inbound.map((x) => this.checker.check(x.env, key, x.batch, from)));
    const okKeys = checks.flatMap((c) => (c.ok ? [`${c.obj.origin}:${c.obj.id}`] : []));
    // Dedupe happens in accept itself (the node's event append and applyRemote are idempotent by
    // origin+id), inside the same transaction that makes the object durable: marking keys seen first
    // would lose an object if the process died between the two commits. Within a batch, once is enough.
    const fresh = new Set(okKeys);
    // Accepts of one batch start together, in order, so the node's store can coalesce their commits;
    // results are still consumed in order and the ack never passes an unaccepted seq.
    const started = checks.map((c) => {
      if (!c.ok) return undefined;
      const k = `${c.obj.origin}:${c.obj.id}`;
      if (!fresh.delete(k)) return undefined;
      const p = this.d.accept(c.obj, from).then(() => undefined, (err: unknown) => err ?? new Error('accept failed'));
      return { k, p };
    });
    let acked: number | undefined;
    for (let i = 0; i < batch.length; i++) {
      const env = batch[i]!;
      const c = checks[i]!;
      this.received++;
      if (!c.ok) {
        await this.reject(conn, env, c.code, c.reason);
      } else {
        const k = `${c.obj.origin}:${c.obj.id}`;
        const s = started[i];
        if (s) {
          const err = await s.p;
          if (err !== undefined) {
            if (!rejectsPermanently(err)) {
              // Not durable: drop the link without acking so the sender resends.
              this.retryKeys.add(k);
              this.log.warn({ peer: this.peer.name, seq: env.seq }, 'federation accept failed; link dropped');
              if (acked !== undefined) this.link.write(conn, { ack: { seq: acked } });
              if (this.link.isCurrent(conn)) this.link.drop('accept-failed');
              for (const x of started.slice(i + 1)) {
                const e = x ? await x.p : undefined;
                if (x && e !== undefined && !rejectsPermanently(e)) this.retryKeys.add(x.k);
              }
              return undefined;
            }
            await this.reject(conn, env, (err as KizunaError).code, 'accept');
          }
        } else if (this.retryKeys.delete(k)) {
          try {
            await this.d.accept(c.obj, from);
          } catch {
            this.retryKeys.add(k);
            if (this.link.isCurrent(conn)) this.link.drop('accept-failed');
            return undefined;
          }
        }
      }
      acked = env.seq;
    }
    return acked;
  }

  private async reject(conn: Conn, env: Envelope, code: string, reason: string): Promise<void> {
    this.rejected++;
    this.log.warn({ peer: this.peer.name, seq: env.seq, code, reason }, 'federation object rejected');
    await this.d.audit('fed.rejected', this.d.nodeId, {
      peer: this.peer.name,
      nation: this.peer.nation,
      seq: env.seq,
      origin: env.origin,
      id: env.id,
      kind: env.kind,
      code,
      reason,
    });
    this.link.write(conn, { error: { code, seq: env.seq } });
  }
}
