import { beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import WebSocket from 'ws';
import { join } from 'node:path';
import { SPAWN_HOOK_MS, useScaleOutNode } from '../support/scale-out.js';
import type { ChildNode } from '../support/child-node.js';
import { TestTakClient, sa } from '../support/tak-client.js';
import { sleep, waitFor } from '../support/node-harness.js';

/** Three `kizuna serve` processes of one nation on one PostgreSQL and one NATS JetStream. */
describe('scale-out: three node processes on PostgreSQL + NATS JetStream', () => {
  const scale = useScaleOutNode('scale');
  const { suffix } = scale;
  const procs: ChildNode[] = [];
  const clients: TestTakClient[] = [];
  scale.closeFirst({ close: () => clients.forEach((c) => c.close()) });

  beforeAll(async () => {
    // users live in the shared store: every process can authenticate every session
    const config = join(scale.dir, 'config.json');
    writeFileSync(config, JSON.stringify({ seedUsers: [{ username: 'jpn-coord', password: 'scale-test-pw', role: 'coordinator' }] }));
    const args = scale.serveArgs(config, scale.dir);
    // the first process creates the node's PKI and schema; the others join it
    procs.push(await scale.spawn(args));
    procs.push(...(await Promise.all([scale.spawn(args), scale.spawn(args)])));
  }, SPAWN_HOOK_MS);

  it('every client receives every other client’s event exactly once, whichever process it is on', async () => {
    for (const p of procs) for (let i = 0; i < 2; i++) clients.push(await TestTakClient.connect(p.ready.tcp));
    await sleep(300);
    clients.forEach((c, i) => c.send(sa(`MP-${i}`, `MP${i}`)));
    for (const [i, c] of clients.entries()) {
      for (let j = 0; j < clients.length; j++) {
        if (j === i) continue;
        await waitFor(() => c.byUid(`MP-${j}`).length > 0, `client ${i} got MP-${j}`, 10_000);
      }
    }
    await sleep(500);
    for (const [i, c] of clients.entries()) {
      for (let j = 0; j < clients.length; j++) expect(c.byUid(`MP-${j}`).length, `client ${i} ← MP-${j}`).toBe(j === i ? 0 : 1);
    }
  });

  it('a client joining any process gets the shared picture from PostgreSQL', async () => {
    const late = await TestTakClient.connect(procs[2]!.ready.tcp);
    clients.push(late);
    await late.waitForUid('MP-0');
    await late.waitForUid('MP-5');
  });

  it('a coordination change made on one process reaches a browser connected to another', async () => {
    const http = (i: number) => `http://127.0.0.1:${procs[i]!.ready.http}`;
    const login = await fetch(`${http(0)}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'jpn-coord', password: 'scale-test-pw' }) });
    expect(login.status).toBe(200);
    const { token } = (await login.json()) as { token: string };
    const frames: string[] = [];
    const ws = new WebSocket(`ws://127.0.0.1:${procs[2]!.ready.http}/api/ws?token=${encodeURIComponent(token)}`);
    ws.on('message', (d) => frames.push(d.toString()));
    await waitFor(() => frames.some((f) => f.includes('"t":"snapshot"')), 'snapshot on process 3');
    const title = `scale-out request ${suffix}`;
    const created = await fetch(`${http(0)}/api/requests`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ kind: 'hadr', title, description: 'made on process 1', nations: ['JPN'] }),
    });
    expect(created.status).toBe(200);
    await waitFor(() => frames.some((f) => f.includes('"t":"request"') && f.includes(title)), 'request pushed by process 3', 10_000);
    ws.close();
  });
});
