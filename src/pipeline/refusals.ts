import type { WriteActor, WriteRefusal } from '../labels/index.js';

export interface RefusalRecord {
  actor: WriteActor;
  code: WriteRefusal;
  op: 'write' | 'delete' | 'relabel';
  /** named only when the actor may see the object (or nothing holds the uid) */
  uid?: string;
  path: string;
}

export interface RefusalAuditOptions {
  append(kind: string, actor: string, body: unknown): Promise<void>;
  now?: () => number;
  /** entries per actor per window before the rest are only counted */
  perWindow?: number;
  windowMs?: number;
}

/**
 * Every refusal reaches the audit chain, but a hostile client must not turn the chain into its own
 * amplifier: per actor, the first `perWindow` refusals of a window are written one by one and the rest as
 * one summary (`write.refused.suppressed` with the count) when that actor's window rolls over.
 */
export function createRefusalAudit(o: RefusalAuditOptions): { record(r: RefusalRecord): void; flush(): Promise<void> } {
  const now = o.now ?? Date.now;
  const perWindow = o.perWindow ?? 10;
  const windowMs = o.windowMs ?? 10_000;
  const windows = new Map<string, { start: number; n: number; suppressed: number }>();
  const pending = new Set<Promise<void>>();
  const write = (kind: string, actor: string, body: unknown) => {
    const p = o.append(kind, actor, body).catch(() => undefined).finally(() => pending.delete(p));
    pending.add(p);
  };
  const summarise = (actor: string, w: { suppressed: number; start: number }) => {
    if (w.suppressed > 0) write('write.refused.suppressed', actor, { count: w.suppressed, since: new Date(w.start).toISOString() });
  };
  return {
    record(r) {
      const key = r.actor.identity;
      const t = now();
      let w = windows.get(key);
      if (!w || t - w.start >= windowMs) {
        if (w) summarise(key, w);
        w = { start: t, n: 0, suppressed: 0 };
        windows.set(key, w);
        // bounded: a flood of distinct identities (anonymous ones share one) cannot grow this without end
        if (windows.size > 10_000) windows.clear();
      }
      if (++w.n > perWindow) {
        w.suppressed++;
        return;
      }
      write('write.refused', key, { code: r.code, op: r.op, path: r.path, kind: r.actor.kind, ...(r.uid !== undefined ? { uid: r.uid } : {}) });
    },
    async flush() {
      for (const [key, w] of windows) summarise(key, w);
      windows.clear();
      await Promise.all([...pending]);
    },
  };
}
