import { beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import WebSocket from 'ws';
import { join } from 'node:path';
import { SPAWN_HOOK_MS, useScaleOutNode } from '../support/scale-out.js';
import type { ChildNode } from '../support/child-node.js';
import { TestTakClient, sa } from '../support/tak-client.js';
import { waitFor } from '../support/node-harness.js';
import { issueClientCert, loadNodePki, openRevocations } from '../../src/certs/index.js';

const PASSWORD = 'scale-revocation-pw';

/**
 * Revocation in scale-out: two `kizuna serve` processes of one node (PostgreSQL + NATS JetStream), each
 * with its own data directory (the second a copy of the first's PKI), so nothing but the bus can tell
 * process B what process A learned. The sessions live on B; the revocation happens on A. B's periodic
 * session check runs every 15 s and never re-reads A's revoked.json, so the waits below (5 s) are met
 * only through the bus announcement.
 */
describe('scale-out: a revocation on one process closes sessions held by another', () => {
  const scale = useScaleOutNode('revoke');
  const { suffix } = scale;
  const dirA = join(scale.dir, 'a');
  const dirB = join(scale.dir, 'b');
  let a: ChildNode;
  let b: ChildNode;
  const sockets: { close(): void }[] = [];
  scale.closeFirst({ close: () => sockets.forEach((s) => s.close()) });

  beforeAll(async () => {
    mkdirSync(dirA);
    const config = join(dirA, 'config.json');
    const users = ['admin', 'op-logout', 'op-disable'].map((u) => ({ username: u, password: PASSWORD, role: u === 'admin' ? 'administrator' : 'operator' }));
    writeFileSync(config, JSON.stringify({ seedUsers: users }));
    a = await scale.spawn(scale.serveArgs(config, dirA));
    cpSync(join(dirA, 'pki'), join(dirB, 'pki'), { recursive: true });
    b = await scale.spawn(scale.serveArgs(config, dirB));
  }, SPAWN_HOOK_MS);

  const api = async (node: ChildNode, method: string, path: string, token?: string, body?: unknown): Promise<Response> =>
    fetch(`http://127.0.0.1:${node.ready.http}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  const login = async (node: ChildNode, username: string): Promise<string> => {
    const res = await api(node, 'POST', '/api/auth/login', undefined, { username, password: PASSWORD });
    expect(res.status).toBe(200);
    return ((await res.json()) as { token: string }).token;
  };
  /** A live browser feed on `node`; `closed` turns true when the node closes it. */
  const feed = async (node: ChildNode, token: string) => {
    const state = { closed: false, snapshot: false };
    const ws = new WebSocket(`ws://127.0.0.1:${node.ready.http}/api/ws?token=${encodeURIComponent(token)}`);
    ws.on('message', (d) => {
      if (d.toString().includes('"t":"snapshot"')) state.snapshot = true;
    });
    ws.on('close', () => (state.closed = true));
    sockets.push(ws);
    await waitFor(() => state.snapshot, 'snapshot');
    return state;
  };
  type Issued = Awaited<ReturnType<typeof issueClientCert>>;
  const connect = async (node: ChildNode, issued: Issued) => {
    const c = await TestTakClient.connectTls(node.ready.tls, { key: issued.keyPem!, cert: issued.certPem, ca: loadNodePki(dirA).caCertPem });
    sockets.push({ close: () => c.close() });
    return c;
  };
  let seq = 0;
  /** A TLS TAK session on `node` under a fresh certificate for `name`, known to be live (a watcher saw its event). */
  const takClient = async (node: ChildNode, name: string, watcher?: TestTakClient) => {
    const issued = await issueClientCert(loadNodePki(dirA), { name, nation: 'JPN', groups: ['Cyan'], role: 'operator' });
    const c = await connect(node, issued);
    if (watcher) {
      const uid = `REVOKE-${suffix}-${seq++}`;
      c.send(sa(uid, name));
      await watcher.waitForUid(uid);
    }
    return { c, issued };
  };

  it('logout on A closes the same session’s WebSocket on B', async () => {
    const token = await login(a, 'op-logout');
    const other = await feed(b, await login(b, 'op-logout'));
    const f = await feed(b, token);
    expect((await api(a, 'POST', '/api/auth/logout', token, {})).status).toBe(200);
    await waitFor(() => f.closed, 'feed on B closed', 5_000);
    expect(other.closed).toBe(false);
  });

  it('disabling a user on A closes their WebSocket and TAK sessions on B', async () => {
    const f = await feed(b, await login(b, 'op-disable'));
    const bystander = await takClient(b, 'someone-else');
    const { c } = await takClient(b, 'op-disable', bystander.c);
    const admin = await login(a, 'admin');
    expect((await api(a, 'POST', '/api/users/op-disable/disabled', admin, { disabled: true })).status).toBe(200);
    await waitFor(() => f.closed && c.closed, 'feed and TAK session on B closed', 5_000);
    expect(bystander.c.closed).toBe(false);
  });

  it('a certificate revoked in A’s data directory closes its TLS session on B and is refused there', async () => {
    const watcher = await takClient(b, 'cert-watcher');
    const { c, issued } = await takClient(b, 'cert-user', watcher.c);
    // The CLI's way (`kizuna certs revoke`): written to A's revoked.json, which only A watches.
    const revocations = openRevocations(dirA);
    revocations.revoke(issued.serial);
    revocations.close();
    await waitFor(() => c.closed, 'TLS session on B closed', 5_000);
    // B now refuses the certificate at the handshake (it is closed without being served).
    const again = await connect(b, issued).catch(() => undefined);
    if (again) await waitFor(() => again.closed, 'new session on B refused', 5_000);
    expect(watcher.c.closed).toBe(false);
  });
});
