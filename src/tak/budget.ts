import type net from 'node:net';
import type { Logger } from '../util/log.js';

export type Transport = 'tcp' | 'tls';

/**
 * Connection budgets of the streaming ports. Every accepted socket costs a file descriptor and some
 * memory before it has proved anything (a TLS handshake included), so sockets are admitted against:
 * - a global budget below the process's fd limit, so the web/API, Marti and federation ports (and the
 *   store's files) always find a descriptor;
 * - a cap per remote address and transport, so one address cannot take the whole budget;
 * - for plain TCP (unauthenticated), an idle timeout: a client from which nothing at all has been read
 *   for `idleTimeoutMs` is closed. TAK clients send well within it (ATAK pings after 15 s without
 *   traffic from the server, and reports its own position periodically).
 * Refusals are counted; each address is logged at most once per `refusalLogIntervalMs`, with the count
 * of refusals not logged since, so a flood cannot turn into a log flood.
 */
export interface ConnectionBudgetOptions {
  /** sockets open on both streaming ports together, handshakes included */
  maxConnections: number;
  maxPerAddress: Record<Transport, number>;
  /** plain TCP only; 0 = never */
  tcpIdleTimeoutMs: number;
  refusalLogIntervalMs: number;
}

export interface ConnectionBudgetStats {
  open: number;
  refusedPerAddress: number;
  refusedGlobal: number;
  idleClosed: number;
}

/** Addresses remembered for refusal logging; beyond this the oldest are forgotten (an address flood). */
const MAX_REFUSAL_ENTRIES = 10_000;

export class ConnectionBudget {
  readonly stats: ConnectionBudgetStats = { open: 0, refusedPerAddress: 0, refusedGlobal: 0, idleClosed: 0 };
  private readonly perAddress: Record<Transport, Map<string, number>> = { tcp: new Map(), tls: new Map() };
  private readonly refusals = new Map<string, { loggedAt: number; unlogged: number }>();
  /** plain-TCP sockets and when bytes last arrived from them */
  private readonly lastHeard = new Map<net.Socket, number>();
  /** every admitted socket, so shutdown can end those still in a handshake */
  private readonly sockets = new Set<net.Socket>();
  private sweepTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly options: ConnectionBudgetOptions,
    private readonly log: Logger,
  ) {
    const idle = options.tcpIdleTimeoutMs;
    if (idle > 0) {
      this.sweepTimer = setInterval(() => this.closeIdle(), Math.max(10, Math.min(30_000, Math.floor(idle / 4))));
      this.sweepTimer.unref();
    }
  }

  /** Admits a fresh socket (true) or destroys it and counts the refusal (false). */
  admit(socket: net.Socket, transport: Transport): boolean {
    const address = socket.remoteAddress ?? 'unknown';
    if (this.stats.open >= this.options.maxConnections) return this.refuse(socket, address, transport, 'global');
    const counts = this.perAddress[transport];
    const n = counts.get(address) ?? 0;
    if (n >= this.options.maxPerAddress[transport]) return this.refuse(socket, address, transport, 'per-address');
    counts.set(address, n + 1);
    this.stats.open++;
    this.sockets.add(socket);
    socket.once('close', () => this.release(socket, address, transport));
    if (transport === 'tcp' && this.sweepTimer) {
      this.lastHeard.set(socket, Date.now());
      socket.on('data', () => this.lastHeard.set(socket, Date.now()));
    }
    return true;
  }

  /** Stops the idle sweep and destroys every admitted socket (shutdown). */
  stop(): void {
    clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
    for (const s of this.sockets) s.destroy();
  }

  private release(socket: net.Socket, address: string, transport: Transport): void {
    this.stats.open--;
    this.sockets.delete(socket);
    this.lastHeard.delete(socket);
    const counts = this.perAddress[transport];
    const n = (counts.get(address) ?? 1) - 1;
    if (n > 0) counts.set(address, n);
    else counts.delete(address);
  }

  private refuse(socket: net.Socket, address: string, transport: Transport, reason: 'global' | 'per-address'): false {
    socket.destroy();
    if (reason === 'global') this.stats.refusedGlobal++;
    else this.stats.refusedPerAddress++;
    const now = Date.now();
    const seen = this.refusals.get(address);
    if (seen && now - seen.loggedAt < this.options.refusalLogIntervalMs) {
      seen.unlogged++;
      return false;
    }
    if (!seen && this.refusals.size >= MAX_REFUSAL_ENTRIES) this.forgetOldRefusals(now);
    this.log.warn(
      {
        code: 'RATE_LIMITED',
        address,
        transport,
        reason,
        open: this.stats.open,
        ...(reason === 'global' ? { max: this.options.maxConnections } : { maxPerAddress: this.options.maxPerAddress[transport] }),
        refusedSinceLastLog: (seen?.unlogged ?? 0) + 1,
      },
      'streaming connection refused: budget exhausted',
    );
    this.refusals.set(address, { loggedAt: now, unlogged: 0 });
    return false;
  }

  private forgetOldRefusals(now: number): void {
    for (const [address, r] of this.refusals) {
      if (now - r.loggedAt >= this.options.refusalLogIntervalMs) this.refusals.delete(address);
    }
    // Still full inside one interval: drop the oldest half (insertion order) rather than grow.
    if (this.refusals.size >= MAX_REFUSAL_ENTRIES) {
      let drop = this.refusals.size >> 1;
      for (const address of this.refusals.keys()) {
        if (drop-- <= 0) break;
        this.refusals.delete(address);
      }
    }
  }

  private closeIdle(): void {
    const cutoff = Date.now() - this.options.tcpIdleTimeoutMs;
    let closed = 0;
    for (const [socket, at] of this.lastHeard) {
      if (at > cutoff) continue;
      this.lastHeard.delete(socket);
      socket.destroy();
      closed++;
    }
    if (closed) {
      this.stats.idleClosed += closed;
      this.log.info({ closed, idleTimeoutMs: this.options.tcpIdleTimeoutMs }, 'closed plain-TCP clients that sent nothing');
    }
  }
}

/** Default global budget: the fd limit minus what the rest of the node needs. */
export function connectionBudgetFromFdLimit(softLimit: number | undefined, reservedFds: number, fallback: number): number {
  if (softLimit === undefined || !Number.isFinite(softLimit)) return fallback;
  return Math.max(1, softLimit - reservedFds);
}
