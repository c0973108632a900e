import type { Logger } from '../util/log.js';
import type { FedDeps, FedPeer } from './types.js';
import type { Conn, LinkOptions } from './link-conn.js';
import { drainOrClose, outboxFrames } from './link-frames.js';

const RESUME_LOW_WATER = 0.8;

/** What the sender needs of its link: the peer, the current connection, whether this process holds it. */
export interface SenderLink {
  readonly peer: FedPeer;
  current(): Conn | undefined;
  leaseHeld(): boolean;
}

/**
 * The sending half of a peer link: the persistent outbox's accounting (depth, full with hysteresis),
 * a window of unacknowledged frames pumped from the store, and durable, coalesced acks.
 */
export class LinkSender {
  private lastSent = 0;
  lastAck = 0;
  lastAckAt: number | undefined;
  private ackWrite: Promise<void> = Promise.resolve();
  private pumping = false;
  private pumpAgain = false;
  depth = 0;
  /** highest outbox seq known assigned (lower bound when other processes enqueue too) */
  private lastAssigned = 0;
  outboxFull = false;
  droppedWhileFull = 0;

  sent = 0;

  constructor(
    private readonly link: SenderLink,
    private readonly d: FedDeps,
    private readonly o: LinkOptions,
    private readonly log: Logger,
  ) {}

  async init(): Promise<void> {
    this.lastAck = await this.d.store.outbox.acked(this.link.peer.name);
    this.lastSent = this.lastAck;
    this.depth = await this.d.store.outbox.depth(this.link.peer.name);
    this.lastAssigned = this.lastAck + this.depth;
    this.outboxFull = this.depth >= this.o.maxOutbox;
  }

  /** True when this peer may take `n` more items; flips `outboxFull` with hysteresis. */
  admit(n: number): boolean {
    if (this.outboxFull) {
      this.droppedWhileFull += n;
      return false;
    }
    if (this.depth + n > this.o.maxOutbox) {
      this.outboxFull = true;
      this.droppedWhileFull += n;
      this.log.warn({ peer: this.link.peer.name, depth: this.depth, max: this.o.maxOutbox }, 'federation outbox full');
      void this.d
        .audit('fed.outbox_full', this.d.nodeId, { peer: this.link.peer.name, depth: this.depth, max: this.o.maxOutbox })
        .catch(() => undefined);
      return false;
    }
    return true;
  }

  /**
   * More waiting than one send window, or (on the process that sends) no live link: the peer is not
   * keeping up, so a newer position may replace its queued one instead of queueing behind it. A process
   * that does not hold the link's lease only knows the depth (refreshed with the lease).
   */
  get backedUp(): boolean {
    return this.depth > this.o.window || (this.link.leaseHeld() && !this.link.current()?.helloAcked);
  }

  enqueued(n: number): void {
    this.depth += n;
    this.lastAssigned += n;
    this.pump();
  }

  onAck(seq: number): void {
    if (seq <= this.lastAck) return;
    if (seq > this.lastSent && this.link.current()?.helloAcked) this.lastSent = seq;
    this.lastAck = seq;
    this.lastAckAt = Date.now();
    const peer = this.link.peer.name;
    // Serialised, coalesced durable acks: the newest ack covers all before it.
    this.ackWrite = this.ackWrite
      .then(async () => {
        if (seq < this.lastAck) return;
        await this.d.store.outbox.ack(peer, seq);
        this.depth = await this.d.store.outbox.depth(peer);
        if (this.outboxFull && this.depth <= this.o.maxOutbox * RESUME_LOW_WATER) {
          this.outboxFull = false;
          this.log.info({ peer, depth: this.depth }, 'federation outbox drained; enqueuing resumed');
          await this.d.audit('fed.outbox_resumed', this.d.nodeId, { peer, depth: this.depth });
        }
      })
      .catch((err) => this.log.warn({ peer, err: (err as Error).message }, 'federation ack write failed'));
    this.pump();
  }

  pump(): void {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    const conn = this.link.current();
    if (!conn || !conn.helloAcked) return;
    this.pumping = true;
    void this.pumpLoop(conn)
      .catch((err) => this.log.warn({ peer: this.link.peer.name, err: (err as Error).message }, 'federation send failed'))
      .finally(() => {
        this.pumping = false;
        if (this.pumpAgain) {
          this.pumpAgain = false;
          this.pump();
        }
      });
  }

  private async pumpLoop(conn: Conn): Promise<void> {
    for (;;) {
      this.pumpAgain = false;
      const room = this.o.window - (this.lastSent - this.lastAck);
      if (room <= 0 || this.link.current() !== conn) return;
      const items = await this.d.store.outbox.pending(this.link.peer.name, this.lastSent, Math.min(room, this.o.batch));
      if (this.link.current() !== conn || !items.length) return;
      const frames = await outboxFrames(conn, this.d.binding.privateJwk, items);
      if (this.link.current() !== conn) return;
      conn.sock.cork();
      let ok = true;
      for (const fr of frames) ok = conn.sock.write(fr);
      conn.sock.uncork();
      this.lastSent = items[items.length - 1]!.seq;
      this.sent += items.length;
      if (!ok) await drainOrClose(conn.sock);
    }
  }

  /** True while frames are sent and not yet acknowledged (the watchdog expects an answer). */
  get owesAcks(): boolean {
    return this.lastSent > this.lastAck;
  }

  /**
   * Resend from what is known delivered: frames in flight on the old link may be lost; the peer may
   * also have accepted more than we durably recorded (acks lost with the old link).
   * A resume point beyond anything we ever assigned comes from an older incarnation of our outbox
   * (e.g. our database was replaced): ignore it and resend from our own durable ack; markSeen dedupes.
   */
  resume(resumeAfterSeq: number): void {
    const trusted = resumeAfterSeq <= this.lastAssigned ? resumeAfterSeq : this.lastAck;
    this.lastSent = Math.max(this.lastAck, trusted);
    if (trusted > this.lastAck) this.onAck(trusted);
    this.pump();
  }

  /** Resolves once the durable ack writes queued so far are done. */
  async settled(): Promise<void> {
    await this.ackWrite.catch(() => undefined);
  }
}
