import { beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureNodePki } from '../../src/certs/index.js';
import { getAs, SPAWN_HOOK_MS, useScaleOutNode } from '../support/scale-out.js';
import type { ChildNode } from '../support/child-node.js';
import { TestTakClient, sa } from '../support/tak-client.js';
import { sleep, startTestNode, waitFor } from '../support/node-harness.js';

const PASSWORD = 'kizuna-failover';

type Usa = Awaited<ReturnType<typeof startTestNode>>;
interface FedStatus {
  peer: string;
  state: string;
  leaseHeld: boolean;
  outboxDepth: number;
}

/** GET /api/federation/status of one process, as an operator of that node. */
async function fedStatus(httpPort: number): Promise<FedStatus> {
  const body = await getAs<FedStatus[] | { peers: FedStatus[] }>(httpPort, 'jpn-op', PASSWORD, '/api/federation/status');
  const list = Array.isArray(body) ? body : body.peers;
  if (list.length !== 1) throw new Error(`expected one peer, got ${JSON.stringify(body)}`);
  return list[0]!;
}

/**
 * Two `kizuna serve` processes of JPN on one PostgreSQL schema and one NATS JetStream, federated with
 * an embedded USA node. The process holding lease fed-link:USA is killed with SIGKILL while JPN clients
 * on the other process keep sending; the survivor takes the link over and resumes from the shared
 * outbox in PostgreSQL. A USA TAK client must see every event exactly once.
 */
describe('scale-out fail-over: kill -9 of the federation lease holder', () => {
  const scale = useScaleOutNode('fo');
  const { dir, nodeId: jpnId } = scale; // jpnId < "USA": the JPN side dials, USA listens
  const jpnDir = join(dir, 'jpn');
  let usa: Usa;
  let holder: ChildNode;
  let survivor: ChildNode;
  const clients: TestTakClient[] = [];
  scale.closeFirst({ close: () => clients.forEach((c) => c.close()) });
  scale.afterStop(async () => usa?.stop());

  beforeAll(async () => {
    const usaDir = join(dir, 'usa');
    const jpnPki = await ensureNodePki(jpnDir, { nation: 'JPN', nodeId: jpnId, hosts: ['localhost', '127.0.0.1'] });
    const usaPki = await ensureNodePki(usaDir, { nation: 'USA', nodeId: 'USA', hosts: ['localhost', '127.0.0.1'] });
    writeFileSync(join(dir, 'jpn-ca.pem'), jpnPki.caCertPem);
    writeFileSync(join(dir, 'usa-ca.pem'), usaPki.caCertPem);
    // USA never dials JPN (larger node id), so the port it is given for JPN is not used.
    usa = await startTestNode({
      nation: 'USA',
      nodeId: 'USA',
      dataDir: usaDir,
      peers: [{ name: jpnId, nation: 'JPN', host: '127.0.0.1', port: 1, caFile: join(dir, 'jpn-ca.pem') }],
    });
    const configFile = join(dir, 'jpn.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        peers: [{ name: 'USA', nation: 'USA', host: '127.0.0.1', port: usa.ready.federation, caFile: join(dir, 'usa-ca.pem') }],
        defaultLabel: { relTo: ['JPN', 'USA'] },
        seedUsers: [{ username: 'jpn-op', password: PASSWORD, role: 'operator' }],
      }),
    );
    const args = scale.serveArgs(configFile, jpnDir);
    // Sequential starts: the first one is alone when it takes the lease, so it is the holder.
    holder = await scale.spawn(args);
    await waitFor(async () => (await fedStatus(holder.ready.http)).state === 'connected', 'JPN holder linked to USA', 30_000);
    survivor = await scale.spawn(args);
  }, SPAWN_HOOK_MS);

  it('the survivor takes the link over; USA receives every event once', async () => {
    expect(await fedStatus(holder.ready.http)).toMatchObject({ leaseHeld: true, state: 'connected' });
    expect(await fedStatus(survivor.ready.http)).toMatchObject({ leaseHeld: false, state: 'down' });

    const watcher = await TestTakClient.connect(usa.ready.tcp);
    clients.push(watcher);
    const senders = [await TestTakClient.connect(survivor.ready.tcp), await TestTakClient.connect(survivor.ready.tcp)];
    clients.push(...senders);
    await sleep(300);

    // Unique uid per event: "exactly once" is a count per uid at the USA client.
    const sent: string[] = [];
    let n = 0;
    const sendRound = () => {
      for (const [k, s] of senders.entries()) {
        const uid = `FO-${k}-${n}`;
        s.send(sa(uid, uid));
        sent.push(uid);
      }
      n++;
    };
    const flowUntil = async (pred: () => boolean | Promise<boolean>, what: string, timeoutMs: number) => {
      const end = Date.now() + timeoutMs;
      while (!(await pred())) {
        if (Date.now() > end) throw new Error(`timed out: ${what}`);
        sendRound();
        await sleep(50);
      }
    };

    // Flowing through the holder before the kill.
    await flowUntil(() => watcher.events.some((e) => e.uid.startsWith('FO-')), 'first event at USA through the holder', 15_000);
    for (let i = 0; i < 10; i++) {
      sendRound();
      await sleep(50);
    }
    const beforeKill = sent.length;
    const atUsaBeforeKill = new Set(watcher.events.map((e) => e.uid)).size;
    holder.proc.kill('SIGKILL');
    await new Promise<void>((r) => (holder.proc.exitCode !== null || holder.proc.signalCode ? r() : holder.proc.once('exit', () => r())));
    expect(holder.proc.signalCode).toBe('SIGKILL');

    // Events keep flowing on the survivor while the lease expires and it takes the link over.
    await flowUntil(async () => {
      const s = await fedStatus(survivor.ready.http);
      return s.leaseHeld && s.state === 'connected';
    }, 'survivor holds the lease and is linked', 30_000);
    for (let i = 0; i < 10; i++) {
      sendRound();
      await sleep(50);
    }
    const last = sent.at(-1)!;
    await waitFor(() => watcher.byUid(last).length > 0, 'last event at USA', 20_000);
    await waitFor(() => sent.every((u) => watcher.byUid(u).length > 0), 'every event at USA', 20_000);
    await sleep(1000); // a late duplicate would arrive in this window

    const counts = new Map<string, number>();
    for (const e of watcher.events) if (e.uid.startsWith('FO-')) counts.set(e.uid, (counts.get(e.uid) ?? 0) + 1);
    const lost = sent.filter((u) => !counts.has(u));
    const duplicated = [...counts].filter(([, c]) => c > 1);
    expect(lost).toEqual([]);
    expect(duplicated).toEqual([]);
    expect(counts.size).toBe(sent.length);
    expect(watcher.errors).toEqual([]);
    // the kill happened mid-flow: events were sent on both sides of it, and not all had crossed
    expect(beforeKill).toBeGreaterThan(0);
    expect(sent.length).toBeGreaterThan(beforeKill);
    expect(atUsaBeforeKill).toBeLessThan(sent.length);

    // The USA store also holds each event once (idempotent by origin+id).
    const latest = await usa.store.events.latest({ now: Date.now() });
    const stored = latest.filter((e) => sent.includes(e.uid));
    expect(stored.length).toBe(sent.length);
    expect((await fedStatus(survivor.ready.http)).outboxDepth).toBe(0);
    console.log(`fail-over: ${sent.length} events sent (${beforeKill} before the kill), ${counts.size} at USA, 0 lost, 0 duplicated`);
  }, 120_000);
});
