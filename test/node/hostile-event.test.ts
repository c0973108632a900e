import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestNode, waitFor } from '../support/node-harness.js';
import { TestTakClient } from '../support/tak-client.js';
import { attrsOnEvent, attrsOnRemarks } from '../support/hostile-xml.js';

type Node = Awaited<ReturnType<typeof startTestNode>>;

/**
 * One event with 60,000 distinct attributes froze a node for 9-22 s, and every new client's replay
 * froze it again. The node must keep answering /healthz throughout. The watchdog is generous: the
 * fixed parser handles the event in tens of milliseconds, the old one needed seconds per parse and
 * parsed it once on ingest and once more per connecting client.
 */
const WATCHDOG_MS = 3000;

const watchers: { stop(): Promise<number> }[] = [];

/** Polls /healthz back to back; `stop()` gives the longest time the node took to answer one. */
function watchHealth(port: number): { stop(): Promise<number> } {
  let running = true;
  let worst = 0;
  const loop = (async () => {
    while (running) {
      const t0 = performance.now();
      try {
        const res = await fetch(`http://127.0.0.1:${port}/healthz`);
        if (res.status !== 200) throw new Error(`/healthz answered ${res.status}`);
        await res.arrayBuffer();
      } catch (err) {
        if (running) throw err;
        return; // the node was stopped under a watcher that outlived its test
      }
      worst = Math.max(worst, performance.now() - t0);
    }
  })();
  const w = {
    async stop() {
      running = false;
      await loop;
      return worst;
    },
  };
  watchers.push(w);
  return w;
}

describe('a hostile event does not freeze the node (real node, port 0)', () => {
  let node: Node;
  const clients: TestTakClient[] = [];
  beforeAll(async () => {
    node = await startTestNode({ nation: 'JPN' });
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await Promise.allSettled(watchers.map((w) => w.stop()));
    await node?.stop();
  });

  for (const [where, make] of [['<remarks>', attrsOnRemarks], ['<event>', attrsOnEvent]] as const) {
    it(`60,000 attributes on ${where}: /healthz answers while it is ingested and while new clients replay it`, async () => {
      const uid = `hostile-${where.slice(1, -1)}`;
      const now = Date.now();
      const xml = make(60_000)
        .replace('uid="hostile-1"', `uid="${uid}"`)
        .replace(/ time="[^"]*" start="[^"]*" stale="[^"]*"/, ` time="${new Date(now).toISOString()}" start="${new Date(now).toISOString()}" stale="${new Date(now + 3_600_000).toISOString()}"`);
      expect(xml.length).toBeGreaterThan(600_000);
      const watch = watchHealth(node.ready.http);
      try {
        await ingestAndReplay(xml, uid);
      } finally {
        expect(await watch.stop()).toBeLessThan(WATCHDOG_MS);
      }
    }, 180_000);
  }

  async function ingestAndReplay(xml: string, uid: string): Promise<void> {
      const sender = await TestTakClient.connect(node.ready.tcp);
      clients.push(sender);
      sender.sendXml(xml);
      await waitFor(async () => (await node.store.events.getLatest(uid)) !== undefined, `${uid} stored`, 60_000);
      for (let k = 0; k < 3; k++) {
        const late = await TestTakClient.connect(node.ready.tcp);
        clients.push(late);
        const got = await late.waitForUid(uid, 60_000);
        expect(got.uid).toBe(uid);
      }
  }
});
