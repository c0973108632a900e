import { describe, expect, it } from 'vitest';
import { cotObject, originate, perTest, relUsa, startNode, storedIds, waitFor, type TestNode } from './harness.js';

describe('federation faults: 0 lost, 0 duplicated', () => {
  const scope = perTest();

  it('survives the link being cut mid-stream, repeatedly', async () => {
    const { dir, JPN, USA, usa } = await scope.usaListening();
    const proxy = await scope.proxy(() => usa.port);
    const jpn = await scope.node({ id: JPN, dir, peers: [{ id: USA, port: proxy.port }] });

    const N = 1500;
    const objs = Array.from({ length: N }, () => cotObject('jpn', relUsa()));
    let cuts = 0;
    for (let i = 0; i < N; i += 100) {
      await Promise.all(objs.slice(i, i + 100).map((o) => originate(jpn, o)));
      // Cut while frames and acks are in flight.
      if (i % 300 === 0) {
        await waitFor(() => usa.accepted.length > i / 2, 'some progress');
        proxy.cut();
        cuts++;
      }
    }
    await waitFor(async () => (await storedIds(usa)).length === N, `all ${N} events on USA`, 60_000);
    await waitFor(() => jpn.fed.status()[0]!.outboxDepth === 0, 'outbox drained', 30_000);
    expect(cuts).toBeGreaterThanOrEqual(4);
    const ids = usa.accepted.map((o) => o.id);
    expect(new Set(ids).size).toBe(N); // accept called once per object: 0 duplicated
    expect(ids.length).toBe(N);
    expect((await storedIds(usa)).sort()).toEqual(objs.map((o) => `jpn:${o.id}`).sort()); // 0 lost
  });

  it('resumes after both sides restart on the same SQLite files (store-and-forward)', async () => {
    const { dir, JPN, USA } = await scope.identities();
    let usa: TestNode = await startNode({ id: USA, dir, peers: [{ id: JPN, port: 0 }] });
    const usaPort = usa.port;
    let jpn: TestNode = await startNode({ id: JPN, dir, peers: [{ id: USA, port: usaPort }] });
    const first = Array.from({ length: 200 }, () => cotObject('jpn', relUsa()));
    await Promise.all(first.map((o) => originate(jpn, o)));
    await waitFor(() => usa.accepted.length >= 50, 'partial delivery');
    // Receiver goes away mid-stream; the sender keeps enqueuing while it is away.
    await usa.close();
    const second = Array.from({ length: 200 }, () => cotObject('jpn', relUsa()));
    await Promise.all(second.map((o) => originate(jpn, o)));
    expect(jpn.fed.status()[0]!.outboxDepth).toBeGreaterThan(0);
    // Sender restarts too: its outbox is in its SQLite file.
    await jpn.close();
    const seenBefore = usa.accepted.map((o) => o.id);
    usa = await startNode({ id: USA, dir, peers: [{ id: JPN, port: 0 }], listenPort: usaPort });
    jpn = await startNode({ id: JPN, dir, peers: [{ id: USA, port: usaPort }] });
    scope.defer(() => jpn.close(), () => usa.close());
    const all = [...first, ...second].map((o) => `jpn:${o.id}`).sort();
    await waitFor(async () => (await storedIds(usa)).length === all.length, 'all 400 on USA', 60_000);
    await waitFor(() => jpn.fed.status()[0]!.outboxDepth === 0, 'outbox drained');
    expect(await storedIds(usa)).toEqual(all);
    const acceptedTwice = [...seenBefore, ...usa.accepted.map((o) => o.id)];
    expect(new Set(acceptedTwice).size).toBe(acceptedTwice.length); // nothing accepted twice across the restart
  });

  it('bounds the outbox while a peer is away, tells the operator, and resumes when drained', async () => {
    const { dir, JPN, USA } = await scope.identities();
    // A port with nobody listening yet: reserve one by starting and stopping USA.
    const probe = await startNode({ id: USA, dir, peers: [{ id: JPN, port: 0 }] });
    const usaPort = probe.port;
    await probe.close();
    const jpn = await scope.node({ id: JPN, dir, peers: [{ id: USA, port: usaPort }], maxOutbox: 10 });
    const objs = Array.from({ length: 15 }, () => cotObject('jpn', relUsa()));
    for (const o of objs) await originate(jpn, o);
    let s = jpn.fed.status()[0]!;
    expect(s).toMatchObject({ outboxFull: true, outboxDepth: 10, droppedWhileFull: 5 });
    expect(s.state).not.toBe('connected');
    expect(jpn.audits.filter((a) => a.kind === 'fed.outbox_full')).toHaveLength(1);
    const usa = await scope.node({ id: USA, dir, peers: [{ id: JPN, port: 0 }], listenPort: usaPort });
    await waitFor(() => jpn.fed.status()[0]!.outboxFull === false, 'outbox resumed');
    s = jpn.fed.status()[0]!;
    expect(s.outboxDepth).toBe(0);
    expect((await storedIds(usa)).length).toBe(10);
    expect(jpn.audits.filter((a) => a.kind === 'fed.outbox_resumed')).toHaveLength(1);
    const later = cotObject('jpn', relUsa());
    await originate(jpn, later);
    await waitFor(async () => (await storedIds(usa)).includes(`jpn:${later.id}`), 'enqueuing resumed');
  });
});
