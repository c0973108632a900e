import { afterEach, describe, expect, it } from 'vitest';
import { startTestNode, waitFor } from '../support/node-harness.js';
import { TestTakClient, sa } from '../support/tak-client.js';

type Node = Awaited<ReturnType<typeof startTestNode>>;
const TOKEN = 'metrics-token-0123456789abcdef';

async function scrape(node: Node, authorization?: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${node.ready.http}/metrics`, authorization ? { headers: { authorization } } : {});
  return { status: res.status, body: await res.text() };
}

/** Value of an unlabelled series in Prometheus text format. */
function value(body: string, name: string): number | undefined {
  const line = body.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.split(' ')[1]);
}

const PER_EVENT = ['kizuna_tak_received_total', 'kizuna_tak_delivered_total', 'kizuna_tak_withheld_total', 'kizuna_federation_outbox_depth', 'kizuna_tak_positions_skipped_total', 'kizuna_tak_positions_parked_total', 'kizuna_tak_positions_overdue_total', 'kizuna_tak_positions_sent_late_total', 'kizuna_tak_senders_paused_total'];
const RUNTIME = ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_gc_duration_seconds', 'nodejs_heap_size_used_bytes', 'kizuna_tak_clients'];

describe('/metrics (prom-client)', () => {
  let node: Node | undefined;
  let client: TestTakClient | undefined;
  afterEach(async () => {
    client?.socket.destroy();
    await node?.stop();
    node = undefined;
    client = undefined;
  });

  it('without metrics.token: process, GC and event-loop series, and no per-event counters an anonymous scraper could watch', async () => {
    node = await startTestNode({ nation: 'JPN' });
    client = await TestTakClient.connect(node.ready.tcp);
    client.send(sa('metrics-probe-1', 'PROBE'));
    await waitFor(() => node!.tak.stats.received >= 1, 'the event was received');
    const r = await scrape(node);
    expect(r.status).toBe(200);
    for (const name of RUNTIME) expect(r.body, name).toContain(`# TYPE ${name} `);
    for (const name of PER_EVENT) expect(r.body, name).not.toContain(name);
    expect(value(r.body, 'kizuna_tak_clients')).toBe(1);
  });

  it('with metrics.token: 401 without or with a wrong bearer token; the per-event series with it', async () => {
    node = await startTestNode({ nation: 'JPN', metrics: { token: TOKEN } });
    for (const auth of [undefined, 'Bearer wrong', `Bearer ${TOKEN}x`, TOKEN]) {
      const r = await scrape(node, auth);
      expect(r.status, String(auth)).toBe(401);
      expect(JSON.parse(r.body)).toEqual({ error: { code: 'UNAUTHENTICATED', message: 'authentication required' } });
    }
    const before = await scrape(node, `Bearer ${TOKEN}`);
    expect(before.status).toBe(200);
    for (const name of [...RUNTIME, ...PER_EVENT]) expect(before.body, name).toContain(`# TYPE ${name} `);
    expect(value(before.body, 'kizuna_tak_received_total')).toBe(0);

    client = await TestTakClient.connect(node.ready.tcp);
    client.send(sa('metrics-probe-2', 'PROBE'));
    await waitFor(async () => value((await scrape(node!, `Bearer ${TOKEN}`)).body, 'kizuna_tak_received_total') === 1, 'received counted');
  });

  it('refuses a metrics.token too short to be a secret', async () => {
    await expect(startTestNode({ nation: 'JPN', metrics: { token: 'short' } })).rejects.toThrow(/metrics.token must be at least 16 characters/);
  });
});
