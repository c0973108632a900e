import { KizunaError } from '../util/errors.js';
import { createMemoryBus } from './memory.js';
import { openNatsBus } from './nats.js';
import type { Bus } from './types.js';

/**
 * `nats://…` / `tls://…` ⇒ NATS JetStream bus for `node`; undefined, '' or 'memory' ⇒ in-process bus.
 * Anything else is a configuration error rather than a silent fall-back to a single-process bus.
 */
export async function openBus(spec: string | undefined, node: string): Promise<Bus> {
  if (spec === undefined || spec === '' || spec === 'memory') return createMemoryBus();
  if (/^(nats|tls):\/\//i.test(spec)) return openNatsBus(spec, { node });
  throw new KizunaError('CONFIG_INVALID', 'bus spec must be nats://… or empty');
}
