import { connect, createInbox, type Msg, type NatsConnection, type Subscription as NatsSubscription } from '@nats-io/transport-node';
import {
  DeliverPolicy,
  DiscardPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  StorageType,
  jetstream,
  jetstreamManager,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
} from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import type { Logger } from '../util/log.js';
import { KizunaError } from '../util/errors.js';
import { deliver } from './memory.js';
import { checkSubject, encodeToken, nodeSubjectPrefix } from './subject.js';
import type { Bus, Subscription } from './types.js';

export interface NatsBusOptions {
  /** Node id; the stream holds `kizuna.<node>.>`. */
  node: string;
  /** Stream name (default `KIZUNA_<node>`). */
  stream?: string;
  /** Stream limits: messages older than this are dropped (default 1 h: the bus is live fan-out, not storage). */
  maxAgeMs?: number;
  /** Stream limits: oldest messages are dropped beyond this size (default 256 MiB). */
  maxBytes?: number;
  logger?: Pick<Logger, 'warn'>;
}

/** Messages requested per pull; refilled at 75 % (the client's default threshold). */
const PULL_BATCH = 1000;

/** A publish not acknowledged by JetStream within this time fails (the client's default request timeout). */
const ACK_TIMEOUT_MS = 5000;

const ms2ns = (ms: number): number => Math.round(ms * 1_000_000);

export function natsStreamName(node: string): string {
  return `KIZUNA_${encodeToken(node)}`;
}

export function natsLeaseBucket(node: string): string {
  return `kizuna_leases_${encodeToken(node)}`;
}

function busError(e: unknown, what: string): KizunaError {
  return e instanceof KizunaError ? e : new KizunaError('BUS_FAILED', what, { cause: e });
}

function isWrongLastSequence(e: unknown): boolean {
  return (
    e instanceof JetStreamApiError &&
    (e.code === JetStreamApiCodes.StreamWrongLastSequence || e.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown)
  );
}

interface LeaseValue {
  holder: string;
  expiresAt: number;
}

/**
 * The scale-out bus: one JetStream stream per node (publish resolves on the JetStream ack), live
 * subscriptions through ordered ephemeral consumers delivering new messages only, and leases in a
 * KV bucket where compare-and-set on the key's revision makes exactly one holder win.
 */
export async function openNatsBus(url: string, opts: NatsBusOptions): Promise<Bus> {
  if (typeof opts?.node !== 'string' || opts.node === '') throw new KizunaError('CONFIG_INVALID', 'bus node id is empty');
  const prefix = nodeSubjectPrefix(opts.node);
  const stream = opts.stream ?? natsStreamName(opts.node);
  let nc: NatsConnection;
  try {
    // noAsyncTraces: otherwise every request (each publish ack) builds two Error objects with stacks up front.
    nc = await connect({ servers: url, name: `kizuna-${opts.node}`, maxReconnectAttempts: -1, noAsyncTraces: true });
  } catch (e) {
    throw busError(e, `cannot connect to NATS`);
  }
  try {
    const jsm = await jetstreamManager(nc);
    await ensureStream(jsm, stream, prefix, opts);
    const js = jetstream(nc);
    const kv = await new Kvm(nc).create(natsLeaseBucket(opts.node), { history: 1, ttl: 24 * 3600_000 });
    return new NatsBus(nc, js, kv, stream, prefix, opts.logger);
  } catch (e) {
    await nc.close().catch(() => undefined);
    throw busError(e, 'cannot set up JetStream stream / lease bucket');
  }
}

async function ensureStream(jsm: JetStreamManager, name: string, prefix: string, opts: NatsBusOptions): Promise<void> {
  const config = {
    name,
    subjects: [`${prefix}>`],
    max_age: ms2ns(opts.maxAgeMs ?? 3600_000),
    max_bytes: opts.maxBytes ?? 256 * 1024 * 1024,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
  };
  try {
    await jsm.streams.add(config);
  } catch (e) {
    // Another process created it first (possibly with other limits): using it as it is is fine.
    try {
      await jsm.streams.info(name);
    } catch {
      throw e;
    }
  }
}

class NatsBus implements Bus {
  readonly kind = 'nats' as const;
  private closed = false;
  private readonly live = new Set<() => void>();
  private readonly ackInbox: string;
  private readonly ackSub: NatsSubscription;
  private ackSeq = 0;
  private readonly acks = new Map<string, { resolve(): void; reject(e: Error): void; at: number }>();
  private readonly ackSweep: NodeJS.Timeout;

  constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly kv: KV,
    private readonly stream: string,
    private readonly prefix: string,
    private readonly logger?: Pick<Logger, 'warn'>,
  ) {
    this.ackInbox = createInbox();
    this.ackSub = nc.subscribe(`${this.ackInbox}.*`, {
      callback: (err, m) => (err ? this.logger?.warn({ err }, 'publish ack inbox failed') : this.onAck(m)),
    });
    this.ackSweep = setInterval(() => this.expireAcks(Date.now()), 1000);
    this.ackSweep.unref();
  }

  private checkOpen(): void {
    if (this.closed) throw new KizunaError('BUS_FAILED', 'bus is closed');
  }

  /** Only the node's own subjects exist in its stream; anything else is a caller bug. */
  private checkOwn(subject: string, wildcards: boolean): void {
    checkSubject(subject, wildcards);
    if (!subject.startsWith(this.prefix)) {
      throw new KizunaError('BAD_REQUEST', `subject must start with ${this.prefix}`);
    }
  }

  async publish(subject: string, data: Uint8Array): Promise<void> {
    this.checkOpen();
    this.checkOwn(subject, false);
    if (!(data instanceof Uint8Array)) throw new KizunaError('BAD_REQUEST', 'payload must be a Uint8Array');
    const id = String(++this.ackSeq);
    const acked = new Promise<void>((resolve, reject) => this.acks.set(id, { resolve, reject, at: Date.now() }));
    try {
      this.nc.publish(subject, data, { reply: `${this.ackInbox}.${id}` });
    } catch (e) {
      this.acks.delete(id);
      throw busError(e, 'publish failed');
    }
    return acked;
  }

  /**
   * JetStream's answer to one publish. One wildcard inbox and one sweep timer serve every publish,
   * instead of the client's request() which per publish arms a timer and builds Error objects.
   */
  private onAck(m: Msg): void {
    const id = m.subject.slice(this.ackInbox.length + 1);
    const pending = this.acks.get(id);
    if (!pending) return; // timed out already
    this.acks.delete(id);
    if (m.data.length === 0 && m.headers?.code === 503) {
      pending.reject(new KizunaError('BUS_FAILED', 'publish was not acknowledged: no JetStream stream for the subject'));
      return;
    }
    let ack: { stream?: string; error?: { code?: number; description?: string } };
    try {
      ack = m.json();
    } catch (e) {
      pending.reject(busError(e, 'publish was not acknowledged: unreadable ack'));
      return;
    }
    if (ack.error || !ack.stream) {
      pending.reject(new KizunaError('BUS_FAILED', `publish was not acknowledged: ${ack.error?.description ?? 'invalid ack'}`));
      return;
    }
    pending.resolve();
  }

  private expireAcks(now: number): void {
    for (const [id, p] of this.acks) {
      if (now - p.at < ACK_TIMEOUT_MS) break; // insertion order is publish order
      this.acks.delete(id);
      p.reject(new KizunaError('BUS_FAILED', 'publish was not acknowledged in time'));
    }
  }

  subscribe(subject: string, handler: (data: Uint8Array, subject: string) => void): Subscription {
    this.checkOpen();
    this.checkOwn(subject, true);
    let stopped = false;
    let messages: ConsumerMessages | undefined;
    const stop = () => {
      stopped = true;
      this.live.delete(stop);
      messages?.stop();
    };
    this.live.add(stop);
    const ready = (async () => {
      // The server-side consumer exists when get() resolves: DeliverPolicy.New counts from then.
      const consumer = await this.js.consumers.get(this.stream, {
        filter_subjects: subject,
        deliver_policy: DeliverPolicy.New,
        inactive_threshold: 60_000,
      });
      // Callback delivery (no async iterator: one promise less per message) and larger pull batches:
      // the default (100, refilled at 75) sends a pull request every 25 messages.
      const iter = await consumer.consume({
        max_messages: PULL_BATCH,
        callback: (m) => deliver(handler, m.data, m.subject, this.logger),
      });
      messages = iter;
      if (stopped) {
        iter.stop();
        return;
      }
      void iter
        .closed()
        .then((err) => {
          if (err && !stopped) this.logger?.warn({ err, subject }, 'bus subscription ended');
        })
        // Ordered consumers are ephemeral; deleting now rather than waiting for inactivity.
        .finally(() => consumer.delete().catch(() => undefined));
    })().catch((e: unknown) => {
      this.live.delete(stop);
      throw busError(e, 'subscription could not be created');
    });
    // A caller that never awaits `ready` must not produce an unhandled rejection; failures are logged.
    ready.catch((err: unknown) => this.logger?.warn({ err, subject }, 'bus subscription failed'));
    return { unsubscribe: stop, ready };
  }

  private checkLease(name: string, holder: string): string {
    if (typeof name !== 'string' || name === '' || typeof holder !== 'string' || holder === '') {
      throw new KizunaError('BAD_REQUEST', 'lease name and holder must be non-empty strings');
    }
    return encodeToken(name);
  }

  private parse(value: Uint8Array): LeaseValue | undefined {
    try {
      const v = JSON.parse(new TextDecoder().decode(value)) as LeaseValue;
      return typeof v.holder === 'string' && typeof v.expiresAt === 'number' ? v : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Compare-and-set on the key revision: of several processes racing, exactly one write succeeds.
   * Expiry compares the holder's wall-clock deadline with ours (processes of one node share NTP).
   */
  async acquireLease(name: string, holder: string, ttlMs: number): Promise<boolean> {
    this.checkOpen();
    const key = this.checkLease(name, holder);
    if (!(Number.isFinite(ttlMs) && ttlMs > 0)) throw new KizunaError('BAD_REQUEST', 'lease ttl must be a positive number');
    try {
      const now = Date.now();
      const value = new TextEncoder().encode(JSON.stringify({ holder, expiresAt: now + ttlMs } satisfies LeaseValue));
      const cur = await this.kv.get(key);
      const held = cur && cur.operation === 'PUT' ? this.parse(cur.value) : undefined;
      try {
        if (!cur || !held) {
          if (cur && cur.operation === 'PUT') await this.kv.update(key, value, cur.revision); // unreadable value
          else await this.kv.create(key, value);
          return true;
        }
        if (held.holder !== holder && held.expiresAt > now) return false;
        await this.kv.update(key, value, cur.revision);
        return true;
      } catch (e) {
        if (isWrongLastSequence(e)) return false; // someone else wrote first
        throw e;
      }
    } catch (e) {
      throw busError(e, 'lease acquire failed');
    }
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    this.checkOpen();
    const key = this.checkLease(name, holder);
    try {
      const cur = await this.kv.get(key);
      if (!cur || cur.operation !== 'PUT' || this.parse(cur.value)?.holder !== holder) return;
      await this.kv.delete(key, { previousSeq: cur.revision });
    } catch (e) {
      if (isWrongLastSequence(e)) return; // taken over meanwhile: nothing of ours to release
      throw busError(e, 'lease release failed');
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const stop of [...this.live]) stop();
    // drain delivers the acks already on their way; whatever is left after it was never confirmed
    await this.nc.drain().catch(() => this.nc.close());
    clearInterval(this.ackSweep); // the ack inbox was drained with the connection
    for (const p of this.acks.values()) p.reject(new KizunaError('BUS_FAILED', 'bus closed before the publish was acknowledged'));
    this.acks.clear();
  }
}
