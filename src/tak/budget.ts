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

/** A budget below this many streaming sockets serves a handful of clients at most: worth a warning. */
export const MIN_USEFUL_CONNECTIONS = 256;

export interface ResolvedBudget {
  maxConnections: number;
  /** the reserve actually applied (the configured one, capped at a quarter of the limit) */
  reservedFds: number;
}

/**
 * Default global budget: the fd limit minus what the rest of the node needs. The reserve is capped at a
 * quarter of the soft limit: with a common soft limit of 1024 and the default reserve of 1024 the
 * uncapped difference was 0 (clamped to 1), a node that accepted one streaming client. A quarter still
 * leaves the web/API, Marti and federation ports hundreds of descriptors at that limit.
 */
export function connectionBudgetFromFdLimit(softLimit: number | undefined, reservedFds: number, fallback: number): ResolvedBudget {
  if (softLimit === undefined || !Number.isFinite(softLimit)) {
    return { maxConnections: fallback, reservedFds };
  }
  const reserve = Math.min(reservedFds, Math.floor(softLimit / 4));
  const maxConnections = Math.max(1, softLimit - reserve);
  return { maxConnections, reservedFds: reserve };
}

/**
 * The streaming budget for the node: `configured` (connections.maxConnections) when set, else derived
 * from the fd limit. Logs it, and warns with the keys and the OS limit to change when it is too small
 * to be useful, so an operator sees why clients are refused before they are.
 */
export function resolveConnectionBudget(
  configured: number,
  softLimit: number | undefined,
  reservedFds: number,
  log: Logger,
  fallback = 10_000,
): number {
  const derived = connectionBudgetFromFdLimit(softLimit, reservedFds, fallback);
  const maxConnections = configured || derived.maxConnections;
  const fields = { maxConnections, fdLimit: softLimit, reservedFds: derived.reservedFds, configuredReservedFds: reservedFds };
  log.info(fields, 'streaming connection budget');
  if (maxConnections < MIN_USEFUL_CONNECTIONS) {
    log.warn(
      { ...fields, minUseful: MIN_USEFUL_CONNECTIONS },
      'streaming connection budget is too small to be useful: raise the open-file limit (ulimit -n), ' +
        'lower connections.reservedFds, or set connections.maxConnections',
    );
  }
  return maxConnections;
}
