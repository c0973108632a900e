import { beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { getAs, SPAWN_HOOK_MS, useScaleOutNode } from '../support/scale-out.js';
import type { ChildNode } from '../support/child-node.js';
import { TestTakClient } from '../support/tak-client.js';
import { waitFor } from '../support/node-harness.js';
import { type1 } from '../support/ais-encode.js';

const PASSWORD = 'kizuna-feed-lease';

interface FeedRow {
  config: { id: string };
  status: { standby?: boolean; connected: boolean; messages: number };
}

/** GET /api/admin/feeds of one process, as an administrator of the node. */
async function feedStatus(c: ChildNode): Promise<FeedRow['status']> {
  const { feeds } = await getAs<{ feeds: FeedRow[] }>(c.ready.http, 'jpn-admin', PASSWORD, '/api/admin/feeds');
  return feeds.find((f) => f.config.id === 'ais-shared')!.status;
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** One NMEA line to the feed's TCP port; false when nothing listens there (yet). */
function sendAis(port: number, line: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => s.end(`${line}\r\n`, () => resolve(true)));
    s.once('error', () => resolve(false));
  });
}

/**
 * Two `kizuna serve` processes of one node (one PostgreSQL schema, one NATS JetStream) with the same AIS
 * feed, a TCP server on one fixed port: exactly one process binds it and ingests (the lease holder), the
 * other stands by; when the holder is killed with SIGKILL the other takes the feed over.
 */
describe('scale-out: one process runs each feed', () => {
  const scale = useScaleOutNode('feed', 'JPN-feed');
  let first: ChildNode;
  let second: ChildNode;
  let port = 0;
  let tak: TestTakClient | undefined;
  scale.closeFirst({ close: () => tak?.close() });

  beforeAll(async () => {
    port = await freePort();
    const configFile = join(scale.dir, 'jpn.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        seedUsers: [{ username: 'jpn-admin', password: PASSWORD, role: 'administrator' }],
        feeds: [{ id: 'ais-shared', kind: 'ais', transport: 'tcp-server', port, label: { classification: 'UNCLASSIFIED', relTo: ['USA'] } }],
      }),
    );
    // the first is alone when it takes the lease; the second would fail to bind the same port if it ran the feed too
    first = await scale.spawn(scale.serveArgs(configFile, join(scale.dir, 'a')));
    second = await scale.spawn(scale.serveArgs(configFile, join(scale.dir, 'b')));
  }, SPAWN_HOOK_MS);

  it('the lease holder runs the feed, the other stands by and takes over after a kill -9', async () => {
    expect((await feedStatus(first)).standby).toBeUndefined();
    expect((await feedStatus(second)).standby).toBe(true);

    // a TAK client of the standby process sees what the holder ingests (delivered over the bus)
    tak = await TestTakClient.connect(second.ready.tcp);
    expect(await sendAis(port, type1({ mmsi: 431200001, lat: 34.1, lon: 131.1 }))).toBe(true);
    await tak.waitForUid('MMSI-431200001', 20_000);
    await waitFor(async () => (await feedStatus(first)).messages === 1, 'the holder read the line');
    expect((await feedStatus(second)).messages).toBe(0);

    first.proc.kill('SIGKILL');
    await new Promise<void>((r) => (first.proc.exitCode !== null || first.proc.signalCode ? r() : first.proc.once('exit', () => r())));
    await waitFor(async () => (await feedStatus(second)).standby === undefined, 'the survivor took the feed over', 30_000);
    await waitFor(() => sendAis(port, type1({ mmsi: 431200002, lat: 34.2, lon: 131.2 })), 'the survivor listens on the feed port', 10_000);
    await tak.waitForUid('MMSI-431200002', 20_000);
    expect((await feedStatus(second)).messages).toBeGreaterThanOrEqual(1);
  }, 120_000);
});
