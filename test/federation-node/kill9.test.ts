import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { StoredEvent } from '../../src/store/types.js';
import { childApi, spawnNode, type ChildNode } from '../support/child-node.js';
import { sleep, waitFor } from '../support/node-harness.js';
import { sa, TestTakClient } from '../support/tak-client.js';
import { planCluster, writeConfigFile } from './cluster.js';

/**
 * kill -9 of real node processes (`kizuna serve` children) while events flow JPN → USA, each restarted
 * on the same data dir: every event JPN stored reaches USA exactly once (counted per uid and per id
 * in both SQLite files afterwards). A: the receiver is killed mid-stream (acks lost, resend); B: the
 * sender is killed with offers in flight (store→outbox crash window, closed by the offer journal);
 * C: both are killed with a full outbox on disk.
 */
const children: ChildNode[] = [];
let cluster: Awaited<ReturnType<typeof planCluster>> | undefined;

afterAll(async () => {
  // (ChildNode.stop waits for 'exit' unless exitCode is set, which stays null after a signal: skip the dead)
  for (const c of children) if (c.proc.exitCode === null && c.proc.signalCode === null) await c.stop('SIGKILL');
  cluster?.cleanup();
});

async function spawn(file: string): Promise<ChildNode> {
  const c = await spawnNode(['--config', file]);
  children.push(c);
  return c;
}

async function originEvents(dir: string, origin: string): Promise<{ latest: StoredEvent[]; history: Map<string, StoredEvent[]> }> {
  const store = await openSqliteStore(join(dir, 'kizuna.db'));
  try {
    const latest = (await store.events.latest({ now: 0, includeStale: true, limit: 1_000_000 })).filter((e) => e.origin === origin && e.uid.startsWith('K9-'));
    const history = new Map<string, StoredEvent[]>();
    for (const e of latest) history.set(e.uid, await store.events.history(e.uid, { limit: 100 }));
    return { latest, history };
  } finally {
    await store.close();
  }
}

/** Events K9-* the node currently holds (REST /api/tracks as its coordinator). */
async function storedOn(c: ChildNode): Promise<number> {
  return (await childApi<{ items: { uid: string }[] }>(c, 'coord', '/api/tracks')).items.filter((t) => t.uid.startsWith('K9-')).length;
}

async function status(c: ChildNode): Promise<{ peer: string; state: string; outboxDepth: number }[]> {
  return (await childApi<{ peers: { peer: string; state: string; outboxDepth: number }[] }>(c, 'operator', '/api/federation/status')).peers;
}

describe('kill -9 of federated node processes', () => {
  it('0 lost, 0 duplicated across a receiver kill and a sender kill', async () => {
    cluster = await planCluster([{ nation: 'JPN', relTo: ['JPN', 'USA'] }, { nation: 'USA' }]);
    const [jp, us] = cluster.nodes;
    const jpnFile = writeConfigFile(jp!);
    const usaFile = writeConfigFile(us!);
    let jpn = await spawn(jpnFile);
    let usa = await spawn(usaFile);
    await waitFor(async () => (await status(jpn))[0]!.state === 'connected', 'link up', 30_000);

    let tak = await TestTakClient.connect(jpn.ready.tcp);
    let sent = 0;
    const send = async (n: number) => {
      for (let i = 0; i < n; i++, sent++) {
        // tracks relayed by a gateway (no contact endpoint): none is the client's own SA, so none is removed
        // when the client disconnects (docs/write-authority.md rule 9)
        tak.send(sa(`K9-${sent}`, `unit-${sent}`, { stale: new Date(Date.now() + 600_000).toISOString(), detailXml: `<contact callsign="unit-${sent}"/>` }));
        if (i % 10 === 9) await sleep(5);
      }
    };

    // A: the receiver dies mid-stream; JPN keeps storing and queueing.
    await send(60);
    expect(await usa.stop('SIGKILL')).toBeNull();
    await send(60);
    usa = await spawn(usaFile);
    // B: the sender dies mid-stream, as soon as it has stored part of a batch (offers in flight).
    // (no wait for a count: the crash window is milliseconds wide, a REST round trip would let it close)
    await send(60);
    await sleep(50);
    expect(await jpn.stop('SIGKILL')).toBeNull();
    tak.close();
    jpn = await spawn(jpnFile);
    tak = await TestTakClient.connect(jpn.ready.tcp);
    // C: both die: USA first, then JPN with a full outbox for USA; both restart.
    const before = await storedOn(jpn);
    expect(await usa.stop('SIGKILL')).toBeNull();
    await send(30);
    await waitFor(async () => (await storedOn(jpn)) >= before + 30, 'JPN stored the batch', 30_000);
    expect(await jpn.stop('SIGKILL')).toBeNull();
    tak.close();
    usa = await spawn(usaFile);
    jpn = await spawn(jpnFile);
    tak = await TestTakClient.connect(jpn.ready.tcp);
    await send(30);
    await waitFor(async () => {
      const s = (await status(jpn))[0]!;
      return s.state === 'connected' && s.outboxDepth === 0;
    }, 'JPN outbox drained', 60_000);
    tak.close();
    await sleep(200);
    // Graceful stop so both SQLite files can be read as they are.
    await usa.stop('SIGTERM');
    await jpn.stop('SIGTERM');

    const src = await originEvents(jp!.dir, 'JPN');
    const dst = await originEvents(us!.dir, 'JPN');
    // Plain TAK TCP has no acks: what sat in JPN's socket buffer at its kill is gone at the source (only
    // the batch sent just before that kill); everything else the client sent was stored by JPN.
    const have = new Set(src.latest.map((e) => e.uid));
    const missingAtSource = Array.from({ length: sent }, (_, i) => `K9-${i}`).filter((u) => !have.has(u));
    expect(missingAtSource.filter((u) => { const n = Number(u.slice(3)); return n < 120 || n >= 180; })).toEqual([]);
    // 0 lost: every event JPN stored is on USA, with the same id; 0 duplicated: one history row per uid.
    expect(dst.latest.map((e) => `${e.uid}|${e.id}`).sort()).toEqual(src.latest.map((e) => `${e.uid}|${e.id}`).sort());
    // (the TAK server adds a t-x-d-d for the client's own uid when it disconnects: a different event)
    const allIds = (h: Map<string, StoredEvent[]>) => [...h.values()].flat().map((r) => `${r.uid}|${r.type}|${r.origin}:${r.id}`).sort();
    expect(allIds(dst.history)).toEqual(allIds(src.history));
    const dups = (h: Map<string, StoredEvent[]>) =>
      [...h].map(([uid, rows]) => [uid, rows.filter((r) => r.type !== 't-x-d-d')] as const).filter(([, rows]) => rows.length !== 1).map(([uid, rows]) => `${uid}: ${rows.map((r) => `${r.origin}:${r.id}@${r.receivedAt}`).join(', ')}`);
    expect(dups(dst.history)).toEqual([]);
    expect(dups(src.history)).toEqual([]);
    console.log(`kill -9: sent ${sent}, stored on JPN ${src.latest.length} (lost at the TAK socket: ${missingAtSource.length}), on USA ${dst.latest.length}, duplicates 0`);
  }, 480_000);
});
