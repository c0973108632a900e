import { describe, expect, it } from 'vitest';
import { FeedConfigSchema } from './config.js';
import { FeedManager, type FeedLeases } from './manager.js';
import { waitFor } from '../../test/support/node-harness.js';

/** Leases as a map of name → holder (the bus's leases are tested in src/bus). */
function sharedLeases() {
  const owners = new Map<string, string>();
  const of = (holder: string): FeedLeases => ({
    acquire: async (name) => {
      const cur = owners.get(name);
      if (cur !== undefined && cur !== holder) return false;
      owners.set(name, holder);
      return true;
    },
    release: async (name) => {
      if (owners.get(name) === holder) owners.delete(name);
    },
    renewMs: 20,
  });
  return { owners, of };
}

const feed = FeedConfigSchema.parse({ id: 'ais-1', kind: 'ais', transport: 'udp', port: 0, label: { classification: 'U' } });

function manager(leases: FeedLeases): FeedManager {
  return new FeedManager({
    publish: async () => 0,
    labelOf: () => ({}) as never,
    configured: [feed],
    leases,
  });
}

describe('FeedManager with leases (several processes of one node)', () => {
  it('runs a feed only in the lease holder; another takes over when it stops, and stands down when it loses the lease', async () => {
    const { owners, of } = sharedLeases();
    const a = manager(of('a'));
    const b = manager(of('b'));
    await a.start();
    await b.start();
    try {
      expect(a.status()[0]).toMatchObject({ id: 'ais-1' });
      expect(a.status()[0]!.standby).toBeUndefined();
      expect(a.status()[0]!.port).toBeGreaterThan(0);
      expect(b.status()[0]).toMatchObject({ standby: true });
      expect(b.status()[0]!.port).toBeUndefined();
      expect(b.metrics().find((m) => m.name === 'kizuna_feed_standby')!.value).toBe(1);

      await a.close(); // releases its lease
      await waitFor(() => b.status()[0]!.standby === undefined && b.status()[0]!.port !== undefined, 'b took the feed over');
      expect(owners.get('feed:ais-1')).toBe('b');

      owners.set('feed:ais-1', 'c'); // another process holds it now (b's renewal was missed)
      await waitFor(() => b.status()[0]!.standby === true, 'b stood down');
      expect(b.status()[0]!.port).toBeUndefined();
    } finally {
      await a.close();
      await b.close();
    }
  });
});
