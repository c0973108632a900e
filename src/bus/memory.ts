import type { Logger } from '../util/log.js';
import { KizunaError } from '../util/errors.js';
import { checkSubject, subjectMatches } from './subject.js';
import type { Bus, Subscription } from './types.js';

type Handler = (data: Uint8Array, subject: string) => void;

/**
 * What in-process buses share. One node process normally has one bus and one hub; tests create
 * several buses on one hub to play "several processes of one node".
 */
export class MemoryHub {
  readonly subs = new Set<{ pattern: string; handler: Handler; bus: object }>();
  readonly leases = new Map<string, { holder: string; expiresAt: number }>();
}

export interface MemoryBusOptions {
  hub?: MemoryHub;
  logger?: Pick<Logger, 'warn'>;
  /** Clock for lease expiry (tests). */
  now?: () => number;
}

/** Calls a handler; sync throws and async rejections are logged, never propagated to the publisher. */
export function deliver(handler: Handler, data: Uint8Array, subject: string, logger?: Pick<Logger, 'warn'>): void {
  try {
    const r = handler(data, subject) as unknown;
    if (r instanceof Promise) r.catch((err: unknown) => logger?.warn({ err, subject }, 'bus handler failed'));
  } catch (err) {
    logger?.warn({ err, subject }, 'bus handler failed');
  }
}

/** The embedded default bus: fan-out through queueMicrotask (never re-entrant into the publisher). */
export function createMemoryBus(opts: MemoryBusOptions = {}): Bus {
  const hub = opts.hub ?? new MemoryHub();
  const now = opts.now ?? Date.now;
  const self = {};
  let closed = false;
  const mine = new Set<{ pattern: string; handler: Handler; bus: object }>();
  const checkOpen = () => {
    if (closed) throw new KizunaError('BUS_FAILED', 'bus is closed');
  };
  const checkLease = (name: string, holder: string, ttlMs?: number) => {
    if (typeof name !== 'string' || name === '' || typeof holder !== 'string' || holder === '') {
      throw new KizunaError('BAD_REQUEST', 'lease name and holder must be non-empty strings');
    }
    if (ttlMs !== undefined && !(Number.isFinite(ttlMs) && ttlMs > 0)) {
      throw new KizunaError('BAD_REQUEST', 'lease ttl must be a positive number');
    }
  };

  return {
    kind: 'memory',
    async publish(subject, data) {
      checkOpen();
      checkSubject(subject, false);
      if (!(data instanceof Uint8Array)) throw new KizunaError('BAD_REQUEST', 'payload must be a Uint8Array');
      for (const sub of hub.subs) {
        if (!subjectMatches(sub.pattern, subject)) continue;
        queueMicrotask(() => {
          if (!hub.subs.has(sub)) return; // unsubscribed after publish, before delivery
          deliver(sub.handler, data, subject, opts.logger);
        });
      }
    },
    listeners(subject) {
      checkSubject(subject, false);
      let n = 0;
      for (const sub of hub.subs) if (subjectMatches(sub.pattern, subject)) n++;
      return n;
    },
    subscribe(subject, handler): Subscription {
      checkOpen();
      checkSubject(subject, true);
      const sub = { pattern: subject, handler, bus: self };
      hub.subs.add(sub);
      mine.add(sub);
      return {
        unsubscribe() {
          hub.subs.delete(sub);
          mine.delete(sub);
        },
        ready: Promise.resolve(),
      };
    },
    async acquireLease(name, holder, ttlMs) {
      checkOpen();
      checkLease(name, holder, ttlMs);
      const t = now();
      const cur = hub.leases.get(name);
      if (cur && cur.holder !== holder && cur.expiresAt > t) return false;
      hub.leases.set(name, { holder, expiresAt: t + ttlMs });
      return true;
    },
    async releaseLease(name, holder) {
      checkOpen();
      checkLease(name, holder);
      if (hub.leases.get(name)?.holder === holder) hub.leases.delete(name);
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const sub of mine) hub.subs.delete(sub);
      mine.clear();
    },
  };
}
