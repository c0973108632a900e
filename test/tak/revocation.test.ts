import { describe, expect, it } from 'vitest';
import { issueClientCert } from '../../src/certs/index.js';
import { waitFor, type TestNode } from '../support/node-harness.js';
import { useTestNode } from '../support/node-fixture.js';
import { TestTakClient } from '../support/tak-client.js';

/**
 * Revocation is immediate on the TAK side too: disabling a user closes their live TLS session (the
 * certificate's name is the username), and revoking a certificate closes the session that uses it.
 * Both are events; nothing here waits for a periodic check.
 */
describe('revocation closes live TAK sessions', () => {
  let node: TestNode;
  useTestNode(
    {
      nation: 'JPN',
      seedUsers: [
        { username: 'boss', password: 'pw-boss', role: 'administrator' },
        { username: 'alice', password: 'pw-alice', role: 'operator' },
      ],
    },
    (n) => (node = n),
  );

  const connect = async (name: string) => {
    const c = await issueClientCert(node.pki, { name, nation: 'JPN', groups: ['Blue'], role: 'operator' });
    return TestTakClient.connectTls(node.ready.tls, { key: c.keyPem!, cert: c.certPem, ca: node.pki.caCertPem });
  };
  const api = (path: string, o: { token?: string; body: unknown }) =>
    fetch(`http://127.0.0.1:${node.ready.http}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(o.token ? { authorization: `Bearer ${o.token}` } : {}) },
      body: JSON.stringify(o.body),
    });

  it("disabling a user closes that user's TLS session and no one else's", async () => {
    const alice = await connect('alice');
    const bob = await connect('bob');
    await waitFor(() => node.tak.clientCount === 2, 'both connected');
    const login = await api('/api/auth/login', { body: { username: 'boss', password: 'pw-boss' } });
    const { token } = (await login.json()) as { token: string };
    const res = await api('/api/users/alice/disabled', { token, body: { disabled: true } });
    expect(res.status).toBe(200);
    await waitFor(() => alice.closed, 'alice disconnected', 15_000);
    expect(bob.closed).toBe(false);
    bob.close();
  });
});
