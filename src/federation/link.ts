import { randomUUID, type X509Certificate } from 'node:crypto';
import tls from 'node:tls';
import type { JWK } from 'jose';
import type { Logger } from '../util/log.js';
import { KizunaError } from '../util/errors.js';
import { certIdentity, issuedBy } from './peer-cert.js';
import { labelFromJson, signBatchBinding, signBinding } from '../labels/index.js';
import { InboundChecker, rejectsPermanently, type BatchRef } from './receive.js';
import { LinkWatchdog, type WatchedConn } from './link-watchdog.js';
import type { FedDeps, FedPeer, LinkState, PeerStatus } from './types.js';
import {
  FrameReader,
  SUPPORTED_VERSIONS,
  chooseVersion,
  decodeFrame,
  encodeFrame,
  decodeStoredEnvelope,
  envelopeBodyParts,
  envelopeFrame,
  lengthPrefixed,
  withBindingJws,
  type AuditHead,
  type Envelope,
  type Frame,
} from './wire.js';

/**
 * One federation link to one peer, over ONE mutually authenticated TLS connection that carries both
 * directions. Sender: persistent outbox (store.outbox) with seq; a window of unacked frames; resend
 * from max(our durable ack, the peer's resume_after_seq) after every (re)connect. Receiver: checks,
 * dedupe (markSeen), accept, and only then Ack — nothing acknowledged can be lost.
 */
export interface LinkOptions {
  batch: number;
  window: number;
  maxOutbox: number;
  backoffMin: number;
  backoffMax: number;
  /** see FedDeps.stallMs */
  stallMs: number;
  /** this side dials the peer (the other waits for our connection) */
  dialer: boolean;
}

interface Conn extends WatchedConn {
  sock: tls.TLSSocket;
  helloFromPeer: boolean;
  helloAcked: boolean;
  peerKey?: JWK;
  /** protocol version chosen for this connection (highest common), set on the peer's Hello */
  version: number;
  /** version the peer chose in its HelloAck (what it will accept from us) */
  ackVersion: number;
  /** inbound envelopes waiting for the receive loop, with the batch binding in force when they arrived */
  inbox: { env: Envelope; batch: BatchRef | undefined }[];
  /** the last BatchBinding received (v3) */
  batch: BatchRef | undefined;
  receiving: Promise<void> | undefined;
}

const RESUME_LOW_WATER = 0.8;

export class PeerLink {
  state: LinkState = 'down';
  private conn: Conn | undefined;
  private running = false;
  private closed = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private backoff: number;
  private untrustedReported = false;

  // sender
  private lastSent = 0;
  private lastAck = 0;
  private lastAckAt: number | undefined;
  private ackWrite: Promise<void> = Promise.resolve();
  private pumping = false;
  private pumpAgain = false;
  depth = 0;
  /** highest outbox seq known assigned (lower bound when other processes enqueue too) */
  private lastAssigned = 0;
  outboxFull = false;
  droppedWhileFull = 0;

  // receiver: highest seq from this peer accepted and acked (memory; markSeen makes replays harmless)
  private inboundAcked = 0;
  /** the peer's last audit head handed to onPeerAuditHead (memory: a restart countersigns once more) */
  private peerAuditHead: AuditHead | undefined;

  private sent = 0;
  private received = 0;
  private rejected = 0;
  leaseHeld: boolean;

  constructor(
    readonly peer: FedPeer,
    private readonly d: FedDeps,
    private readonly checker: InboundChecker,
    private readonly o: LinkOptions,
    private readonly log: Logger,
  ) {
    this.backoff = o.backoffMin;
    this.leaseHeld = !d.bus;
    this.watchdog = new LinkWatchdog(
      o.stallMs,
      () => {
        const c = this.conn;
        return c && { conn: c, owed: !c.helloAcked || !c.helloFromPeer || this.lastSent > this.lastAck };
      },
      (why) => {
        this.log.warn({ peer: this.peer.name, why }, 'federation link stalled; redialling');
        this.drop('stalled');
      },
    );
  }

  private readonly watchdog: LinkWatchdog;

  async init(): Promise<void> {
    this.lastAck = await this.d.store.outbox.acked(this.peer.name);
    this.lastSent = this.lastAck;
    this.depth = await this.d.store.outbox.depth(this.peer.name);
    this.lastAssigned = this.lastAck + this.depth;
    this.outboxFull = this.depth >= this.o.maxOutbox;
  }

  status(): PeerStatus {
    const s: PeerStatus = {
      peer: this.peer.name,
      nation: this.peer.nation,
      state: this.state,
      outboxDepth: this.depth,
      lastAckSeq: this.lastAck,
      sent: this.sent,
      received: this.received,
      rejected: this.rejected,
      outboxFull: this.outboxFull,
      droppedWhileFull: this.droppedWhileFull,
      leaseHeld: this.leaseHeld,
    };
    if (this.lastAckAt !== undefined) s.lastAckAt = this.lastAckAt;
    return s;
  }

  /** Starts running the link (this process holds it). */
  run(): void {
    if (this.running || this.closed) return;
    this.running = true;
    this.leaseHeld = true;
    // Other processes of the node may enqueue into the shared store: poll while we hold the link.
    this.pollTimer = setInterval(() => this.pump(), 500);
    this.pollTimer.unref();
    this.watchdog.start();
    if (this.o.dialer) this.dial();
  }

  /** Stops running the link (lease lost or close). */
  stop(): void {
    this.running = false;
    this.leaseHeld = !this.d.bus ? !this.closed : false;
    clearInterval(this.pollTimer);
    clearTimeout(this.reconnectTimer);
    this.watchdog.stop();
    this.drop('stopped');
  }

  async close(): Promise<void> {
    this.closed = true;
    const c = this.conn;
    this.stop();
    await c?.receiving?.catch(() => undefined);
    await this.ackWrite.catch(() => undefined);
  }

  get isRunning(): boolean {
    return this.running;
  }

  // ---- outbox accounting (called by the federation on enqueue) --------------------------------

  /** True when this peer may take `n` more items; flips `outboxFull` with hysteresis. */
  admit(n: number): boolean {
    if (this.outboxFull) {
      this.droppedWhileFull += n;
      return false;
    }
    if (this.depth + n > this.o.maxOutbox) {
      this.outboxFull = true;
      this.droppedWhileFull += n;
      this.log.warn({ peer: this.peer.name, depth: this.depth, max: this.o.maxOutbox }, 'federation outbox full');
      void this.d
        .audit('fed.outbox_full', this.d.nodeId, { peer: this.peer.name, depth: this.depth, max: this.o.maxOutbox })
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
    return this.depth > this.o.window || (this.leaseHeld && !this.conn?.helloAcked);
  }

  enqueued(n: number): void {
    this.depth += n;
    this.lastAssigned += n;
    this.pump();
  }

  // ---- connections ------------------------------------------------------------------------------

  private dial(): void {
    if (!this.running || this.conn) return;
    this.state = 'connecting';
    const { host, port, caPem } = this.peer;
    const sock = tls.connect({
      host,
      port,
      ca: caPem,
      cert: this.d.tls.certPem,
      key: this.d.tls.keyPem,
      // Identity is checked below from SAN/O against the configured peer, not from the host name.
      checkServerIdentity: () => undefined,
      ...(/^[\d.]+$|:/.test(host) ? {} : { servername: host }),
    });
    let attached = false;
    // A path that stalls during the TLS handshake never errors: give up and redial.
    sock.setTimeout(this.o.stallMs, () => sock.destroy());
    sock.once('secureConnect', () => {
      sock.setTimeout(0);
      const refused = this.verifyPeerCert(sock.getPeerX509Certificate(), sock.authorized);
      if (refused) {
        void this.refuse(sock, refused, sock.remoteAddress);
        return;
      }
      attached = true;
      this.untrustedReported = false;
      this.attach(sock);
    });
    sock.on('error', (err: NodeJS.ErrnoException) => {
      if (attached) return; // handled by attach's close handler
      if (!this.untrustedReported && /CERT|SIGNATURE|SELF_SIGNED|ISSUER/.test(err.code ?? '')) {
        this.untrustedReported = true;
        void this.d
          .audit('fed.untrusted', this.d.nodeId, { peer: this.peer.name, code: 'FED_UNTRUSTED_PEER', reason: err.code })
          .catch(() => undefined);
      }
      this.log.debug({ peer: this.peer.name, code: err.code }, 'federation dial failed');
    });
    sock.once('close', () => {
      if (!attached) this.scheduleReconnect();
    });
  }

  private scheduleReconnect(): void {
    if (!this.running || !this.o.dialer || this.closed) return;
    this.state = 'connecting';
    clearTimeout(this.reconnectTimer);
    const wait = this.backoff;
    this.backoff = Math.min(this.o.backoffMax, this.backoff * 2);
    this.reconnectTimer = setTimeout(() => this.dial(), wait);
    this.reconnectTimer.unref();
  }

  /** Returns a refusal reason, or undefined when the certificate names exactly this peer, issued by its CA. */
  verifyPeerCert(cert: X509Certificate | undefined, authorized: boolean): string | undefined {
    if (!cert || !authorized) return 'untrusted-ca';
    if (!issuedBy(cert, this.peer.caPem)) return 'wrong-ca';
    const id = certIdentity(cert);
    if (id.nodeId !== this.peer.name) return 'node-mismatch';
    if (id.nation !== this.peer.nation) return 'nation-mismatch';
    return undefined;
  }

  async refuse(sock: tls.TLSSocket, reason: string, remote: string | undefined): Promise<void> {
    sock.destroy();
    this.log.warn({ peer: this.peer.name, reason }, 'federation peer refused');
    await this.d
      .audit('fed.untrusted', this.d.nodeId, { peer: this.peer.name, code: 'FED_UNTRUSTED_PEER', reason, remote })
      .catch(() => undefined);
  }

  /** An authenticated socket for this peer (dialled or accepted): it replaces any previous one. */
  attach(sock: tls.TLSSocket): void {
    if (!this.running) {
      sock.destroy();
      return;
    }
    this.drop('replaced');
    const now = Date.now();
    const conn: Conn = { attachedAt: now, lastHeardAt: now, sock, helloFromPeer: false, helloAcked: false, version: 0, ackVersion: 0, inbox: [], batch: undefined, receiving: undefined };
    this.conn = conn;
    this.state = 'connecting';
    sock.setNoDelay(true);
    sock.setKeepAlive(true, 30_000);
    const reader = new FrameReader();
    sock.on('data', (chunk: Buffer) => {
      if (this.conn !== conn) return;
      conn.lastHeardAt = Date.now();
      try {
        for (const body of reader.push(chunk)) this.onFrame(conn, decodeFrame(body));
      } catch (err) {
        this.protocolError(conn, err);
      }
    });
    sock.on('error', (err: NodeJS.ErrnoException) => this.log.debug({ peer: this.peer.name, code: err.code }, 'federation socket error'));
    sock.once('close', () => {
      if (this.conn === conn) {
        this.conn = undefined;
        this.state = this.running && this.o.dialer ? 'connecting' : 'down';
        this.scheduleReconnect();
      }
    });
    this.write(conn, {
      hello: {
        protocolVersions: [...SUPPORTED_VERSIONS],
        nodeId: this.d.nodeId,
        nation: this.d.nation,
        bindingPublicJwk: JSON.stringify(this.d.binding.publicJwk),
      },
    });
  }

  /**
   * Ends the current connection. Every cause but a replacement ends in backoff and a redial (on the
   * dialing side): the close handler cannot do it, because by the time it runs this.conn is no longer c.
   */
  private drop(why: string): void {
    const c = this.conn;
    if (!c) return;
    this.conn = undefined;
    this.log.debug({ peer: this.peer.name, why }, 'federation link dropped');
    c.sock.destroy();
    this.state = 'down';
    if (why !== 'replaced') this.scheduleReconnect();
  }

  private protocolError(conn: Conn, err: unknown): void {
    const code = err instanceof KizunaError ? err.code : 'FED_PROTOCOL';
    this.log.warn({ peer: this.peer.name, code }, 'federation protocol error');
    this.write(conn, { error: { code, seq: 0 } });
    conn.sock.end();
    if (this.conn === conn) this.drop('protocol');
  }

  private write(conn: Conn, frame: Frame): void {
    if (this.conn !== conn || conn.sock.destroyed) return;
    conn.sock.write(lengthPrefixed(encodeFrame(frame)));
  }

  private onFrame(conn: Conn, f: Frame): void {
    if ('hello' in f) {
      const h = f.hello;
      if (h.nodeId !== this.peer.name || h.nation !== this.peer.nation) {
        throw new KizunaError('FED_UNTRUSTED_PEER', 'hello does not match the certificate');
      }
      const version = chooseVersion(h.protocolVersions);
      if (version === undefined) throw new KizunaError('FED_PROTOCOL', 'no common version');
      let key: JWK;
      try {
        key = this.peer.publicJwk ?? (JSON.parse(h.bindingPublicJwk) as JWK);
      } catch (err) {
        throw new KizunaError('FED_PROTOCOL', 'bad binding key', { cause: err });
      }
      conn.peerKey = key;
      conn.helloFromPeer = true;
      conn.version = version;
      this.write(conn, { helloAck: { chosenVersion: version, resumeAfterSeq: this.inboundAcked } });
      return;
    }
    if ('helloAck' in f) {
      if (!SUPPORTED_VERSIONS.includes(f.helloAck.chosenVersion)) throw new KizunaError('FED_PROTOCOL', 'unsupported version');
      const resume = f.helloAck.resumeAfterSeq;
      conn.helloAcked = true;
      conn.ackVersion = f.helloAck.chosenVersion;
      this.state = 'connected';
      this.backoff = this.o.backoffMin;
      // Resend from what is known delivered: frames in flight on the old link may be lost; the peer may
      // also have accepted more than we durably recorded (acks lost with the old link).
      // A resume point beyond anything we ever assigned comes from an older incarnation of our outbox
      // (e.g. our database was replaced): ignore it and resend from our own durable ack; markSeen dedupes.
      const trusted = resume <= this.lastAssigned ? resume : this.lastAck;
      this.lastSent = Math.max(this.lastAck, trusted);
      if (trusted > this.lastAck) this.onAck(trusted);
      this.pump();
      this.onConnected?.();
      return;
    }
    if ('envelope' in f) {
      if (!conn.helloFromPeer) throw new KizunaError('FED_PROTOCOL', 'envelope before hello');
      const b = conn.batch;
      const covered = b && f.envelope.seq >= b.firstSeq && f.envelope.seq < b.firstSeq + b.digests.length;
      conn.inbox.push({ env: f.envelope, batch: covered ? b : undefined });
      if (!conn.receiving) conn.receiving = this.receiveLoop(conn);
      return;
    }
    if ('ack' in f) {
      this.onAck(f.ack.seq);
      return;
    }
    if ('batchBinding' in f) {
      if (!conn.helloFromPeer || conn.version < 3) throw new KizunaError('FED_PROTOCOL', 'batch binding outside version 3');
      const { firstSeq, digests, jws } = f.batchBinding;
      if (!Number.isSafeInteger(firstSeq) || firstSeq < 1 || !digests.length) throw new KizunaError('FED_PROTOCOL', 'bad batch binding');
      // Verified lazily, once, by the first envelope that needs it (see InboundChecker).
      conn.batch = { firstSeq, digests, jws, verified: undefined };
      return;
    }
    if ('auditHead' in f) {
      if (!conn.helloFromPeer || conn.version < 2) throw new KizunaError('FED_PROTOCOL', 'audit head outside version 2');
      this.onPeerAuditHead(f.auditHead);
      return;
    }
    this.log.warn({ peer: this.peer.name, code: f.error.code, seq: f.error.seq }, 'federation peer reported an error');
  }

  // ---- receiver -----------------------------------------------------------------------------------

  private async receiveLoop(conn: Conn): Promise<void> {
    try {
      while (conn.inbox.length && this.conn === conn) {
        const batch = conn.inbox.splice(0, conn.inbox.length);
        const ackSeq = await this.receiveBatch(conn, batch);
        if (ackSeq === undefined) return;
        this.inboundAcked = Math.max(this.inboundAcked, ackSeq);
        this.write(conn, { ack: { seq: ackSeq } });
      }
    } finally {
      conn.receiving = undefined;
      if (conn.inbox.length && this.conn === conn) conn.receiving = this.receiveLoop(conn);
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
              if (acked !== undefined) this.write(conn, { ack: { seq: acked } });
              if (this.conn === conn) this.drop('accept-failed');
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
            if (this.conn === conn) this.drop('accept-failed');
            return undefined;
          }
        }
      }
      acked = env.seq;
    }
    return acked;
  }

  private readonly retryKeys = new Set<string>();

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
    this.write(conn, { error: { code, seq: env.seq } });
  }

  // ---- audit heads (protocol v2) --------------------------------------------------------------------

  /** set by the federation: called after each handshake (announce our audit head) */
  onConnected: (() => void) | undefined;

  /** Sends our audit head on the live link; false when there is none or the peer speaks only v1. */
  sendAuditHead(head: AuditHead): boolean {
    const conn = this.conn;
    if (!conn || !conn.helloAcked || !conn.helloFromPeer || conn.version < 2) return false;
    this.write(conn, { auditHead: head });
    return true;
  }

  private onPeerAuditHead(head: AuditHead): void {
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

  // ---- sender -------------------------------------------------------------------------------------

  private onAck(seq: number): void {
    if (seq <= this.lastAck) return;
    if (seq > this.lastSent && this.conn?.helloAcked) this.lastSent = seq;
    this.lastAck = seq;
    this.lastAckAt = Date.now();
    const peer = this.peer.name;
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

  private async framesFor(conn: Conn, items: { seq: number; payload: Uint8Array }[]): Promise<Uint8Array[]> {
    const priv = this.d.binding.privateJwk;
    const stored = items.map((it) => ({ seq: it.seq, ...decodeStoredEnvelope(it.payload) }));
    const frames: Uint8Array[] = [];
    if (conn.version >= 3 && conn.ackVersion >= 3) {
      for (const run of consecutiveRuns(stored)) {
        const digests = run.map((x) => x.digest ?? new Uint8Array(0));
        if (digests.some((x) => x.length)) {
          frames.push(lengthPrefixed(encodeFrame({ batchBinding: { firstSeq: run[0]!.seq, digests, jws: signBatchBinding(priv, digests) } })));
        }
        for (const x of run) frames.push(envelopeFrame(x.seq, x.body));
      }
      return frames;
    }
    for (const x of stored) {
      if (!x.digest) {
        frames.push(envelopeFrame(x.seq, x.body));
        continue;
      }
      const { labelJson, payload } = envelopeBodyParts(x.body);
      const jws = await signBinding(priv, payload, labelFromJson(labelJson));
      frames.push(envelopeFrame(x.seq, withBindingJws(x.body, jws)));
    }
    return frames;
  }

  pump(): void {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    const conn = this.conn;
    if (!conn || !conn.helloAcked) return;
    this.pumping = true;
    void this.pumpLoop(conn)
      .catch((err) => this.log.warn({ peer: this.peer.name, err: (err as Error).message }, 'federation send failed'))
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
      if (room <= 0 || this.conn !== conn) return;
      const items = await this.d.store.outbox.pending(this.peer.name, this.lastSent, Math.min(room, this.o.batch));
      if (this.conn !== conn || !items.length) return;
      const frames = await this.framesFor(conn, items);
      if (this.conn !== conn) return;
      conn.sock.cork();
      let ok = true;
      for (const fr of frames) ok = conn.sock.write(fr);
      conn.sock.uncork();
      this.lastSent = items[items.length - 1]!.seq;
      this.sent += items.length;
      if (!ok) await drainOrClose(conn.sock);
    }
  }
}

/**
 * Wire frames for outbox items. v3 (both sides): one BatchBinding over the digests of each run of
 * consecutive seqs, then the envelopes without their own JWS. v1/v2: each envelope signed on its own.
 * Legacy rows (already signed) go as they are in both cases.
 */
function consecutiveRuns<T extends { seq: number }>(items: T[]): T[][] {
  const runs: T[][] = [];
  for (const it of items) {
    const run = runs[runs.length - 1];
    if (run && run[run.length - 1]!.seq + 1 === it.seq) run.push(it);
    else runs.push([it]);
  }
  return runs;
}

function drainOrClose(sock: tls.TLSSocket): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      sock.off('drain', done).off('close', done);
      resolve();
    };
    sock.on('drain', done).on('close', done);
  });
}

export function newHolderId(nodeId: string): string {
  return `${nodeId}:${process.pid}:${randomUUID()}`;
}
