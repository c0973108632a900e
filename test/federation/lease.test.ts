import { describe, expect, it } from 'vitest';
import { MemoryHub, createMemoryBus } from '../../src/bus/memory.js';
import { cotObject, label, originate, perTest, startNode, storedIds, waitFor, type TestNode } from './harness.js';

// Two processes of node jpn (one bus hub, one database): only the holder of lease fed-link:usa runs the
// link; the other still enqueues into the shared outbox, and takes over when the holder goes away.
describe('federation link lease across processes of one node', () => {
  const scope = perTest();

  it('one link per peer; the other process takes over', async () => {
    const { dir, JPN, USA, usa } = await scope.usaListening();
    const hub = new MemoryHub();
    const busA = createMemoryBus({ hub });
    const busB = createMemoryBus({ hub });
    const a: TestNode = await startNode({ id: JPN, dir, peers: [{ id: USA, port: usa.port }], bus: busA });
    const b: TestNode = await startNode({ id: JPN, dir, peers: [{ id: USA, port: usa.port }], bus: busB });
    scope.defer(() => b.close(), () => busA.close(), () => busB.close());
    await waitFor(() => a.fed.status()[0]!.state === 'connected', 'holder connected');
    expect(a.fed.status()[0]!.leaseHeld).toBe(true);
    expect(b.fed.status()[0]!).toMatchObject({ leaseHeld: false, state: 'down' });

    // Offered on the process without the link: delivered by the holder through the shared outbox.
    const viaB = cotObject('jpn', label({ policy: 'JPN', relTo: ['USA', 'JPN'] }));
    await originate(b, viaB);
    await waitFor(async () => (await storedIds(usa)).includes(`jpn:${viaB.id}`), 'delivered via holder');

    await a.close();
    await waitFor(() => b.fed.status()[0]!.state === 'connected', 'takeover', 20_000);
    expect(b.fed.status()[0]!.leaseHeld).toBe(true);
    const after = cotObject('jpn', label({ policy: 'JPN', relTo: ['USA', 'JPN'] }));
    await originate(b, after);
    await waitFor(async () => (await storedIds(usa)).includes(`jpn:${after.id}`), 'delivered after takeover');
    expect(usa.accepted.map((o) => o.id)).toEqual([viaB.id, after.id]);
  });
});
