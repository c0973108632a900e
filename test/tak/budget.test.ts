import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestNode, waitFor } from '../support/node-harness.js';
import { TestTakClient, sa } from '../support/tak-client.js';

/**
 * Connection budgets of the streaming ports: one address cannot hold more than its cap on either port,
 * all streaming sockets together stay under the global budget, a plain-TCP client that sends nothing is
 * closed after the idle timeout while one that sends is kept, and the HTTP API answers throughout.
 */
type Node = Awaited<ReturnType<typeof startTestNode>>;

/** A raw socket and a promise of its close (by the server). */
async function raw(port: number): Promise<{ sock: net.Socket; closed: Promise<void>; isClosed(): boolean }> {
  const sock = net.connect(port, '127.0.0.1');
  let done = false;
  const closed = new Promise<void>((r) => sock.once('close', () => r()));
  void closed.then(() => (done = true));
  sock.on('error', () => undefined);
  sock.resume(); // read (and discard) what the server sends, or its close is never seen
  await new Promise<void>((ok, fail) => sock.once('connect', ok).once('error', fail));
  return { sock, closed, isClosed: () => done };
}

async function healthy(node: Node): Promise<boolean> {
  const r = await fetch(`http://127.0.0.1:${node.ready.http}/healthz`);
  return r.ok && ((await r.json()) as { ok: boolean }).ok;
}

async function metric(node: Node, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${node.ready.http}/metrics`)).text();
  const m = text.match(new RegExp(`^${name} (\\d+)$`, 'm'));
  if (!m) throw new Error(`metric ${name} missing`);
  return Number(m[1]);
}

describe('streaming connection budgets', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  const track = <T extends { sock: net.Socket }>(x: T): T => {
    cleanups.push(() => void x.sock.destroy());
    return x;
  };

  it('refuses idle connections from one address beyond its cap on TCP and TLS; the HTTP API still answers', async () => {
    const node = await startTestNode({ connections: { maxPerAddressTcp: 5, maxPerAddressTls: 3, tcpIdleTimeoutMs: 0 } });
    cleanups.push(() => node.stop());
    const kept = [];
    for (let i = 0; i < 5; i++) kept.push(track(await raw(node.ready.tcp)));
    for (let i = 0; i < 3; i++) kept.push(track(await raw(node.ready.tls))); // no handshake: counted from the first byte
    await waitFor(() => node.tak.clientCount === 5, 'five plain-TCP clients');
    const extra = [];
    for (let i = 0; i < 40; i++) extra.push(track(await raw(i % 2 ? node.ready.tcp : node.ready.tls)));
    await Promise.all(extra.map((x) => x.closed));
    expect(kept.some((x) => x.isClosed())).toBe(false);
    expect(node.tak.clientCount).toBe(5);
    expect(await healthy(node)).toBe(true);
    expect(await metric(node, 'kizuna_tak_refused_per_address_total')).toBe(40);
    expect(await metric(node, 'kizuna_tak_sockets')).toBe(8);
    // Room is given back when a client leaves.
    kept[0]!.sock.destroy();
    await waitFor(() => node.tak.clientCount === 4, 'one client gone');
    const again = track(await raw(node.ready.tcp));
    await waitFor(() => node.tak.clientCount === 5, 'the freed place taken');
    expect(again.isClosed()).toBe(false);
  });

  it('keeps all streaming sockets under the global budget', async () => {
    const node = await startTestNode({ connections: { maxConnections: 6, maxPerAddressTcp: 100, maxPerAddressTls: 100, tcpIdleTimeoutMs: 0 } });
    cleanups.push(() => node.stop());
    const kept = [];
    for (let i = 0; i < 6; i++) kept.push(track(await raw(i < 4 ? node.ready.tcp : node.ready.tls)));
    await waitFor(async () => (await metric(node, 'kizuna_tak_sockets')) === 6, 'six sockets admitted');
    const extra = [];
    for (let i = 0; i < 10; i++) extra.push(track(await raw(i % 2 ? node.ready.tcp : node.ready.tls)));
    await Promise.all(extra.map((x) => x.closed));
    expect(kept.some((x) => x.isClosed())).toBe(false);
    expect(await metric(node, 'kizuna_tak_refused_budget_total')).toBe(10);
    expect(await healthy(node)).toBe(true);
  });

  it('closes a plain-TCP client that sends nothing after the idle timeout and keeps one that sends', async () => {
    const node = await startTestNode({ connections: { tcpIdleTimeoutMs: 1500 } });
    cleanups.push(() => node.stop());
    const silent = track(await raw(node.ready.tcp));
    const talker = await TestTakClient.connect(node.ready.tcp);
    cleanups.push(() => talker.close());
    // A TAK client's keep-alive: a ping well within the timeout (ATAK pings after 15 s of silence).
    const ping = () => talker.send({ ...sa('talker', 'talker'), type: 't-x-c-t', detailXml: '' });
    ping();
    const pinger = setInterval(ping, 100);
    cleanups.push(() => clearInterval(pinger));
    await silent.closed;
    expect(talker.closed).toBe(false);
    expect(await metric(node, 'kizuna_tak_idle_closed_total')).toBeGreaterThanOrEqual(1);
    expect(await healthy(node)).toBe(true);
  });
});
