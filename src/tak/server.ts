import net from 'node:net';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import type { ReleaseGuard } from '../labels/guard-types.js';
import type { Released } from '../labels/released.js';
import type { CotEvent } from '../cot/model.js';
import type { StoredEvent } from '../store/types.js';
import type { Logger } from '../util/log.js';
import { TakConnection, type ClientIdentity, type ConnectionLimits } from './connection.js';
import { isAddressedTo, type RouteInfo } from './routing.js';
import { EncodedEvent } from './encoded-event.js';
import { ReplayCache } from './replay-cache.js';
import { DELETE, deleteTarget, departureOf, isBroadcastSa, isControlType, isOwnSa, isSituationalAwareness } from './control.js';
import { ConnectionBudget, type ConnectionBudgetOptions, type ConnectionBudgetStats } from './budget.js';
import { InboundGate, type InboundGateStats } from './inbound-gate.js';
import { AgeHistogram, FanoutQueue, type FanoutQueueStats } from './fanout-queue.js';

/** ordered traffic waiting this long without a break: new input is held back, until HOLD_MS */
const HOLD_AFTER_MS = 250;
const HOLD_MS = 2000;

/** What the node hands the streaming server to deliver: a stored, labelled event plus its routing. */
export interface Delivery {
  stored: StoredEvent;
  cot: CotEvent;
  route: RouteInfo;
  /** the event serialised by `serializeCotXml`, when the caller already has it (not serialised again) */
  xml?: string;
}

export interface TakServerDeps {
  processId: string;
  guard: ReleaseGuard;
  logger: Logger;
  limits: ConnectionLimits;
  /** node pipeline: label, check, store, publish. Rejections are logged by the pipeline. */
  ingest(ev: CotEvent, from: TakConnection): Promise<void>;
  /** latest non-stale events, for the picture a client receives on connect */
  latest(): Promise<StoredEvent[]>;
  /** identity of a plain-TCP client (no certificate) */
  anonymousIdentity(): ClientIdentity;
  /** identity from a verified client certificate; undefined ⇒ refuse */
  certificateIdentity(socket: tls.TLSSocket): ClientIdentity | undefined;
  /** parse a stored event for delivery (replay) */
  parseStored(ev: StoredEvent): CotEvent;
  tls?: tls.TlsOptions & { handshakeTimeoutMs?: number };
  /** connection budgets of both streaming ports (see budget.ts); none = unbounded */
  budget?: ConnectionBudgetOptions;
  /**
   * inbound shedding (see inbound-gate.ts): behind = oldest running ingest older than maxLagMs (250);
   * then minInFlight (16) run; never more than maxInFlight (1024); senders pause past maxQueued (4096)
   */
  inbound?: { maxInFlight?: number; minInFlight?: number; maxLagMs?: number; maxQueued?: number };
  /**
   * fan-out schedule (see fanout-queue.ts): sliceMs (10) of fan-out per event-loop turn; a waiting position
   * not replaced within maxWaitMs (3000) goes before the others; while behind (work ready behindMs, 100, and
   * a slice ran out of time) a position older than maxAgeMs (500; 0 = never) is parked unless its uid was never
   * shown or not for 10 s
   */
  fanout?: { sliceMs?: number; maxWaitMs?: number; maxAgeMs?: number; behindMs?: number };
}

export interface TakServerStats {
  clients: number;
  delivered: number;
  dropped: number;
  received: number;
  /** positions not fanned out because a newer one from the same client was already read */
  superseded: number;
}

/**
 * Streaming CoT server (TCP and TLS). Release is decided once per distinct audience and each event is
 * encoded at most once per wire format (labels travel unchanged inside the event, so the bytes are the
 * same for every audience that may receive it).
 */
export class TakServer {
  private readonly conns = new Map<string, TakConnection>();
  private tcp: net.Server | undefined;
  private tlsServer: tls.Server | undefined;
  /** listens for the TLS port: admits raw sockets against the budget before the TLS server sees them */
  private tlsFront: net.Server | undefined;
  private budget: ConnectionBudget | undefined;
  readonly stats: TakServerStats = { clients: 0, delivered: 0, dropped: 0, received: 0, superseded: 0 };
  /** uid → the newest broadcast position read from a client of this process and still in the pipeline */
  private readonly newestSa = new Map<string, InFlightSa>();

  /** Events read from clients wait here while the pipeline is behind; positions conflate per uid. */
  private readonly inbound: InboundGate<TakConnection>;
  /** departures the server made up itself: a refusal is expected (nothing stored yet) and not logged */
  private readonly departures = new WeakSet<CotEvent>();
  /** Stored events wait here for their fan-out, in slices; waiting positions conflate per uid. */
  private readonly fanout: FanoutQueue<Queued>;
  private lastAccepted = 0;
  /** age of broadcast positions when their fan-out starts (now − the position's own time) */
  readonly fanoutAges = new AgeHistogram();

  constructor(private readonly deps: TakServerDeps) {
    // Positions need no hold: under overload they conflate and park in the fan-out queue, so what is sent is
    // fresh. Ordered traffic (chat, alerts, deletes) cannot be skipped: once it has waited HOLD_AFTER_MS
    // without a break (the fan-out is behind, not just running this turn's work), new input waits in the gate
    // until it has drained, so ingest and fan-out take turns and flooding senders are paused. Other sources
    // (federation, API) also feed the fan-out: after HOLD_MS without a break the gate goes on anyway.
    // (Holding on any backlog, positions included, added up to HOLD_MS to every position's age under overload.)
    this.fanout = new FanoutQueue<Queued>({
      run: (d) => this.deliverNow(d),
      sliceMs: deps.fanout?.sliceMs ?? 10,
      maxWaitMs: deps.fanout?.maxWaitMs ?? 3000,
      maxAgeMs: deps.fanout?.maxAgeMs ?? 500,
      behindMs: deps.fanout?.behindMs ?? 100,
      onSlice: () => {
        if (this.fanout.fixedWaiting === 0 || this.fanout.orderedBusyMs() >= HOLD_MS) this.inbound.poke();
      },
    });
    this.inbound = new InboundGate<TakConnection>({
      ingest: (ev, conn) => this.ingestNow(ev, conn),
      maxInFlight: deps.inbound?.maxInFlight ?? 1024,
      minInFlight: deps.inbound?.minInFlight ?? 16,
      maxLagMs: deps.inbound?.maxLagMs ?? 250,
      maxQueued: deps.inbound?.maxQueued ?? 4096,
      held: () => {
        const busy = this.fanout.orderedBusyMs();
        return busy >= HOLD_AFTER_MS && busy < HOLD_MS;
      },
      senderId: (c) => c.id,
      pause: (c) => c.socket.pause(),
      resume: (c) => {
        if (!c.isClosed) c.socket.resume();
      },
    });
  }

  /** positions skipped before fan-out (replaced while waiting), overdue positions delivered */
  get fanoutStats(): Readonly<FanoutQueueStats> {
    return this.fanout.stats;
  }

  /** positions conflated before ingest, events that waited, senders paused */
  get inboundStats(): Readonly<InboundGateStats> {
    return this.inbound.stats;
  }

  async listen(opts: { host: string; tcpPort?: number; tlsPort?: number }): Promise<{ tcp?: number; tls?: number }> {
    const out: { tcp?: number; tls?: number } = {};
    const budget = this.deps.budget ? new ConnectionBudget(this.deps.budget, this.deps.logger) : undefined;
    this.budget = budget;
    if (opts.tcpPort !== undefined) {
      this.tcp = net.createServer((s) => {
        if (budget && !budget.admit(s, 'tcp')) return;
        this.accept(s, this.deps.anonymousIdentity());
      });
      out.tcp = await listenOn(this.tcp, opts.host, opts.tcpPort);
    }
    if (opts.tlsPort !== undefined && this.deps.tls) {
      const { handshakeTimeoutMs = 10_000, ...tlsOpts } = this.deps.tls;
      this.tlsServer = tls.createServer({ ...tlsOpts, requestCert: true, rejectUnauthorized: true, handshakeTimeout: handshakeTimeoutMs }, (s) => {
        const id = this.deps.certificateIdentity(s);
        if (!id) {
          this.deps.logger.warn({ code: 'FORBIDDEN' }, 'TLS client without a usable identity refused');
          s.destroy();
          return;
        }
        this.accept(s, id);
      });
      // With a listener attached Node leaves the socket open: a handshake timeout or failure must close it here.
      this.tlsServer.on('tlsClientError', (err, socket) => {
        this.deps.logger.info({ code: (err as NodeJS.ErrnoException).code }, 'TLS handshake failed');
        socket.destroy();
      });
      // A handshake costs CPU and a descriptor before the peer has proved anything: count it from the
      // first byte by admitting raw sockets here and handing them to the (non-listening) TLS server.
      const tlsServer = this.tlsServer;
      this.tlsFront = net.createServer((raw) => {
        if (budget && !budget.admit(raw, 'tls')) return;
        tlsServer.emit('connection', raw);
      });
      out.tls = await listenOn(this.tlsFront, opts.host, opts.tlsPort);
    }
    return out;
  }

  /** open sockets and refusals of the streaming ports; undefined without a budget */
  get budgetStats(): Readonly<ConnectionBudgetStats> | undefined {
    return this.budget?.stats;
  }

  get clientCount(): number {
    return this.conns.size;
  }

  connections(): Iterable<TakConnection> {
    return this.conns.values();
  }

  /** Drops live connections whose certificate serial was revoked. */
  dropSerial(serial: string): number {
    let n = 0;
    for (const c of this.conns.values()) {
      if (c.identity.serial === serial) {
        c.close('certificate revoked');
        c.socket.destroy();
        n++;
      }
    }
    return n;
  }

  private accept(socket: net.Socket, identity: ClientIdentity): void {
    const conn = new TakConnection(socket, identity, this.deps.limits, {
      onEvent: (c, ev) => this.onEvent(c, ev),
      onClose: (c, reason) => this.onClose(c, reason),
    }, this.deps.logger);
    this.conns.set(conn.id, conn);
    this.lastAccepted = conn.order;
    this.stats.clients = this.conns.size;
    this.deps.logger.info({ conn: conn.id, nation: identity.nation, name: identity.name }, 'client connected');
    void this.replay(conn).then(() => conn.offerProtocol());
  }

  /** Stored events parsed and encoded once for every replay (never a per-connection re-parse). */
  private readonly replayCache = new ReplayCache((e) => this.deps.parseStored(e));

  /** On connect: the current, non-stale, releasable picture (docs/tak-protocol.md §2.4). */
  private async replay(conn: TakConnection): Promise<void> {
    try {
      const latest = await this.deps.latest();
      const released = this.deps.guard.releaseMany(
        latest.map((e) => ({ label: e.label, value: e })),
        conn.identity.audience,
        'history',
      );
      for (const r of released) {
        if (conn.isClosed) return;
        const enc = this.replayCache.encoded(r.value);
        const out = this.deps.guard.release({ label: r.value.label, value: enc }, conn.identity.audience, 'history');
        if (out) conn.send(out);
      }
    } catch (err) {
      this.deps.logger.error({ conn: conn.id, err }, 'replay failed');
    }
  }

  private onEvent(conn: TakConnection, ev: CotEvent): void {
    this.stats.received++;
    if (isControlType(ev.type)) return;
    // pytak's start-up hello: a t-x-d-d without a link; not a real delete.
    if (ev.type === DELETE && !deleteTarget(ev.detailXml)) return;
    // A client's own uid is the uid of its own SA (the event naming its contact endpoint or TAK version),
    // learned once: a gateway relaying many tracks never turns one of them into "itself".
    if (conn.uid === undefined ? isOwnSa(ev) : ev.uid === conn.uid && isSituationalAwareness(ev.type)) {
      conn.uid = ev.uid;
      if (ev.callsign) conn.callsign = ev.callsign;
      conn.lastSa = ev;
    }
    this.inbound.submit(ev, conn);
  }

  private ingestNow(ev: CotEvent, conn: TakConnection): Promise<void> {
    const inFlight = this.trackNewest(ev, conn);
    return this.deps.ingest(ev, conn).then(
      () => this.settle(inFlight),
      (err) => {
        this.settle(inFlight);
        if (this.departures.has(ev)) return;
        this.deps.logger.warn({ conn: conn.id, code: (err as { code?: string }).code ?? 'INTERNAL' }, 'event rejected');
      },
    );
  }

  /**
   * When the node falls behind, a client's newer position can be read before its older one is fanned
   * out; the older one is then skipped for everyone (late positions are worse than skipped ones). Only a
   * client's own broadcast positions supersede each other, so nobody can suppress another sender's.
   */
  private trackNewest(ev: CotEvent, conn: TakConnection): InFlightSa | undefined {
    if (!ev.uid || !isBroadcastSa(ev)) return undefined;
    // a time ahead of now is stored clamped (write authority): compare as the store will see it
    const sa: InFlightSa = { uid: ev.uid, conn: conn.id, time: Math.min(Date.parse(ev.time), Date.now()) };
    if (!Number.isFinite(sa.time)) return undefined;
    this.newestSa.set(ev.uid, sa);
    return sa;
  }

  private settle(sa: InFlightSa | undefined): void {
    if (sa && this.newestSa.get(sa.uid) === sa) this.newestSa.delete(sa.uid);
  }

  private superseded(d: Delivery): boolean {
    if (d.route.sourceProcess !== this.deps.processId || d.route.sourceConn === undefined) return false;
    const newer = this.newestSa.get(d.stored.uid);
    if (!newer || newer.conn !== d.route.sourceConn || newer.time <= d.stored.time) return false;
    return isBroadcastSa(d.cot, d.route);
  }

  private onClose(conn: TakConnection, reason: string): void {
    this.conns.delete(conn.id);
    this.inbound.forget(conn);
    this.stats.clients = this.conns.size;
    this.deps.logger.info({ conn: conn.id, reason }, 'client disconnected');
    const sa = conn.lastSa;
    // On shutdown every client leaves at once: announcing each departure to the others is O(n²) work
    // for clients that are disconnected anyway.
    // Only the client's own SA uid is removed; the pipeline stores the delete as a tombstone of that uid
    // with the label the SA was stored with.
    if (sa && !this.closing) {
      const gone = departureOf(sa);
      // behind the client's own queued events, so its last position cannot overtake its departure
      this.departures.add(gone);
      this.inbound.submit(gone, conn);
    }
  }

  /** Fan-out of one stored event to the clients of this process: queued, written in the next slices. */
  deliver(d: Delivery): void {
    // no client now: nobody to write to, and a client accepted later gets the event from its replay
    if (this.conns.size === 0) return;
    const { uid } = d.stored;
    // clients accepted from now on get this event from their replay (the store has it), not from here
    const q: Queued = { d, acceptedUpTo: this.lastAccepted };
    if (uid && isBroadcastSa(d.cot, d.route)) {
      this.fanout.pushPosition(q, { uid, sender: `${d.route.sourceProcess ?? ''}/${d.route.sourceConn ?? ''}`, time: d.stored.time });
    } else {
      this.fanout.pushOrdered(q, [uid, d.cot.type === DELETE ? deleteTarget(d.cot.detailXml) : undefined]);
    }
  }

  private deliverNow({ d, acceptedUpTo }: Queued): void {
    if (this.newestSa.size && this.superseded(d)) {
      this.stats.superseded++;
      return;
    }
    if (this.conns.size === 0) return;
    if (d.route.sourceConn !== undefined && isBroadcastSa(d.cot, d.route)) this.fanoutAges.record(Date.now() - d.stored.time);
    const { guard } = this.deps;
    const enc = new EncodedEvent(d.cot, d.xml);
    const item = { label: d.stored.label, value: enc };
    // one decision per distinct audience; undefined = denied
    const decided = new Map<string, Released<EncodedEvent> | undefined>();
    for (const conn of this.conns.values()) {
      if (conn.order > acceptedUpTo) continue;
      if (!isAddressedTo(d.route, this.deps.processId, { id: conn.id, uid: conn.uid, callsign: conn.callsign, groups: conn.groups })) continue;
      const key = conn.identity.audienceKey;
      if (!decided.has(key)) decided.set(key, guard.release(item, conn.identity.audience, 'tak'));
      const released = decided.get(key);
      if (!released) {
        this.stats.dropped++;
        continue;
      }
      conn.send(released);
      this.stats.delivered++;
    }
  }

  private closing = false;

  async close(): Promise<void> {
    this.closing = true;
    for (const c of this.conns.values()) {
      c.close('server shutting down');
      c.socket.destroy();
    }
    this.budget?.stop();
    await Promise.all([closeServer(this.tcp), closeServer(this.tlsFront)]);
  }
}

interface Queued {
  d: Delivery;
  /** order of the last client accepted when the event was queued */
  acceptedUpTo: number;
}

interface InFlightSa {
  uid: string;
  conn: string;
  /** the position's own time (ms) */
  time: number;
}

function listenOn(server: net.Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(s: net.Server | undefined): Promise<void> {
  return new Promise((resolve) => (s ? s.close(() => resolve()) : resolve()));
}
