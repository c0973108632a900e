import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { KizunaError } from '../util/errors.js';

/** What the domain series read at scrape time (nothing is counted twice: the sources keep the counts). */
export interface MetricsSources {
  tak: { readonly clientCount: number; readonly stats: { readonly received: number; readonly delivered: number; readonly dropped: number } };
  federationStatus(): { peer: string; outboxDepth: number }[];
  /** `metrics.token`: when set, /metrics needs `Authorization: Bearer <token>` and adds the per-event series */
  token?: string | undefined;
  /** further per-event series (sensor feeds, write refusals), served only with the token */
  samples?(): Sample[];
  /** series that reveal nothing about protected objects (connection budgets), served to every scraper */
  openSamples?(): Sample[];
}

export interface Sample {
  name: string;
  help: string;
  type: 'gauge' | 'counter';
  value: number;
  labels?: Record<string, string>;
}

/** Prometheus text for samples read at scrape time (grouped by name, one HELP/TYPE each). */
function renderSamples(samples: Sample[]): string {
  const byName = new Map<string, Sample[]>();
  for (const x of samples) byName.set(x.name, [...(byName.get(x.name) ?? []), x]);
  const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
  let out = '';
  for (const [name, xs] of byName) {
    out += `# HELP ${name} ${xs[0]!.help}\n# TYPE ${name} ${xs[0]!.type}\n`;
    for (const x of xs) {
      const l = x.labels ? `{${Object.entries(x.labels).map(([k, v]) => `${k}="${esc(v)}"`).join(',')}}` : '';
      out += `${name}${l} ${x.value}\n`;
    }
  }
  return out;
}

/** A counter whose value is read from its source at scrape time. */
function sourcedCounter(registry: Registry, name: string, help: string, read: () => number): void {
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      this.reset();
      this.inc(read());
    },
  });
}

/**
 * Runtime series every scraper may see: process, GC, event-loop lag (prom-client's defaults) and the
 * number of connected TAK clients (also on /healthz). Nothing here moves per event.
 */
function publicRegistry(src: MetricsSources): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  new Gauge({
    name: 'kizuna_tak_clients',
    help: 'connected TAK clients',
    registers: [registry],
    collect() {
      this.set(src.tak.clientCount);
    },
  });
  return registry;
}

/**
 * Per-event series. They move when events arrive that a scraper may not be cleared to see (received,
 * withheld by the release guard, queued for a peer), so they tell that hidden things exist: token only.
 */
function eventRegistry(src: MetricsSources): Registry {
  const registry = new Registry();
  sourcedCounter(registry, 'kizuna_tak_received_total', 'events received from TAK clients', () => src.tak.stats.received);
  sourcedCounter(registry, 'kizuna_tak_delivered_total', 'events delivered to TAK clients', () => src.tak.stats.delivered);
  sourcedCounter(registry, 'kizuna_tak_withheld_total', 'deliveries withheld by the release guard', () => src.tak.stats.dropped);
  new Gauge({
    name: 'kizuna_federation_outbox_depth',
    help: 'federation outbox depth',
    labelNames: ['peer'],
    registers: [registry],
    collect() {
      this.reset();
      for (const p of src.federationStatus()) this.set({ peer: p.peer }, p.outboxDepth);
    },
  });
  return registry;
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/** GET /metrics (Prometheus text format). Without a configured token only the runtime series are served. */
export function registerMetrics(http: FastifyInstance, src: MetricsSources): void {
  const open = publicRegistry(src);
  const all = src.token ? Registry.merge([open, eventRegistry(src)]) : open;
  const expected = src.token ? digest(`Bearer ${src.token}`) : undefined;
  http.get('/metrics', async (req, reply) => {
    if (expected && !timingSafeEqual(digest(req.headers.authorization ?? ''), expected)) {
      const err = new KizunaError('UNAUTHENTICATED');
      return reply.code(err.status).header('www-authenticate', 'Bearer').send(err.toPublic());
    }
    const extra = renderSamples([...(src.openSamples?.() ?? []), ...(src.token && src.samples ? src.samples() : [])]);
    return reply.type(all.contentType).send((await all.metrics()) + extra);
  });
}
