import { randomUUID, type X509Certificate } from 'node:crypto';
import tls from 'node:tls';
import type { JWK } from 'jose';
import type { Logger } from '../util/log.js';
import { KizunaError } from '../util/errors.js';
import { peerCertRefusal } from './peer-cert.js';
import type { InboundChecker } from './receive.js';
import { LinkWatchdog } from './link-watchdog.js';
import type { FedDeps, FedPeer, LinkState, PeerStatus } from './types.js';
import type { Conn, LinkOptions } from './link-conn.js';
import { LinkReceiver } from './link-receiver.js';
import { PeerAuditHeads } from './link-audit-head.js';
import { LinkSender } from './link-sender.js';
import { FrameReader, SUPPORTED_VERSIONS, chooseVersion, decodeFrame, encodeFrame, lengthPrefixed, type AuditHead, type Frame } from './wire.js';

export type { LinkOptions } from './link-conn.js';

/**
 * One federation link to one peer, over ONE mutually authenticated TLS connection that carries both
 * directions. Sender: persistent outbox (store.outbox) with seq; a window of unacked frames; resend
 * from max(our durable ack, the peer's resume_after_seq) after every (re)connect. Receiver: checks,
 * dedupe (markSeen), accept, and only then Ack — nothing acknowledged can be lost.
 */
export class PeerLink {
  state: LinkState = 'down';
  private conn: Conn | undefined;
  private running = false;
  private closed = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private backoff: number;
  private untrustedReported = false;

  private readonly sender: LinkSender;
  private readonly receiver: LinkReceiver;
  private readonly auditHeads: PeerAuditHeads;
  leaseHeld: boolean;

  constructor(
    readonly peer: FedPeer,
    private readonly d: FedDeps,
    checker: InboundChecker,
    private readonly o: LinkOptions,
    private readonly log: Logger,
  ) {
    this.backoff = o.backoffMin;
    this.receiver = new LinkReceiver(
      { peer, isCurrent: (conn) => this.conn === conn, write: (conn, frame) => this.write(conn, frame), drop: (why) => this.drop(why) },
      d,
      checker,
      log,
    );
    this.auditHeads = new PeerAuditHeads(peer, d, log);
    this.sender = new LinkSender({ peer, current: () => this.conn, leaseHeld: () => this.leaseHeld }, d, o, log);
    this.leaseHeld = !d.bus;
    this.watchdog = new LinkWatchdog(
      o.stallMs,
      () => {
        const c = this.conn;
        return c && { conn: c, owed: !c.helloAcked || !c.helloFromPeer || this.sender.owesAcks };
      },
      (why) => {
        this.log.warn({ peer: this.peer.name, why }, 'federation link stalled; redialling');
        this.drop('stalled');
      },
    );
  }

  private readonly watchdog: LinkWatchdog;

  status(): PeerStatus {
    const s: PeerStatus = {
      peer: this.peer.name,
      nation: this.peer.nation,
      state: this.state,
      outboxDepth: this.sender.depth,
      lastAckSeq: this.sender.lastAck,
      sent: this.sender.sent,
      received: this.receiver.received,
      rejected: this.receiver.rejected,
      outboxFull: this.sender.outboxFull,
      droppedWhileFull: this.sender.droppedWhileFull,
      leaseHeld: this.leaseHeld,
    };
    if (this.sender.lastAckAt !== undefined) s.lastAckAt = this.sender.lastAckAt;
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
    await this.sender.settled();
  }

  get isRunning(): boolean {
    return this.running;
  }

  // ---- outbox accounting (called by the federation on enqueue): see LinkSender ------------------

  /** Outbox depth as last known (the federation refreshes it while another process holds the link). */
  get depth(): number {
    return this.sender.depth;
  }
  set depth(n: number) {
    this.sender.depth = n;
  }

  get outboxFull(): boolean {
    return this.sender.outboxFull;
  }

  /** True when this peer may take `n` more items; flips `outboxFull` with hysteresis. */
  admit(n: number): boolean {
    return this.sender.admit(n);
  }

  /** See LinkSender.backedUp. */
  get backedUp(): boolean {
    return this.sender.backedUp;
  }

  enqueued(n: number): void {
    this.sender.enqueued(n);
  }

  pump(): void {
    this.sender.pump();
  }

  async init(): Promise<void> {
    await this.sender.init();
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
    return peerCertRefusal(this.peer, cert, authorized);
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
      this.write(conn, { helloAck: { chosenVersion: version, resumeAfterSeq: this.receiver.inboundAcked } });
      return;
    }
    if ('helloAck' in f) {
      if (!SUPPORTED_VERSIONS.includes(f.helloAck.chosenVersion)) throw new KizunaError('FED_PROTOCOL', 'unsupported version');
      const resume = f.helloAck.resumeAfterSeq;
      conn.helloAcked = true;
      conn.ackVersion = f.helloAck.chosenVersion;
      this.state = 'connected';
      this.backoff = this.o.backoffMin;
      this.sender.resume(resume);
      this.onConnected?.();
      return;
    }
    if ('envelope' in f) {
      if (!conn.helloFromPeer) throw new KizunaError('FED_PROTOCOL', 'envelope before hello');
      this.receiver.enqueue(conn, f.envelope);
      return;
    }
    if ('ack' in f) {
      this.sender.onAck(f.ack.seq);
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
      this.auditHeads.receive(f.auditHead);
      return;
    }
    this.log.warn({ peer: this.peer.name, code: f.error.code, seq: f.error.seq }, 'federation peer reported an error');
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

}

export function newHolderId(nodeId: string): string {
  return `${nodeId}:${process.pid}:${randomUUID()}`;
}
