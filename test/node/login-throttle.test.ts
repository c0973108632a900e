import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LOGIN_THROTTLE } from '../../src/coordination/index.js';
import { parseConfig } from '../../src/node/config.js';
import { basic, request } from '../../src/marti/test-support.js';
import { startTestNode } from '../support/node-harness.js';

type Node = Awaited<ReturnType<typeof startTestNode>>;
let node: Node;
beforeAll(async () => {
  node = await startTestNode({
    seedUsers: [{ username: 'kate', password: 'pw-kate-1', role: 'operator' }],
    loginThrottle: { maxFailures: 2, lockoutMs: 60_000 },
  });
});
afterAll(async () => node?.stop());

const restLogin = (username: string, password: string) =>
  fetch(`http://127.0.0.1:${node.ready.http}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
const martiConfig = (username: string, password: string) =>
  request(node.ready.enroll, { path: '/Marti/api/tls/config', ca: node.pki.caCertPem, headers: { authorization: basic(username, password) } });

describe('login throttle on a real node', () => {
  it('config defaults are the throttle defaults', () => {
    expect(parseConfig({ nation: 'JPN', dataDir: '/nonexistent' }).loginThrottle).toEqual(DEFAULT_LOGIN_THROTTLE);
  });

  it('REST login and basic auth on the enrollment port share one count; the lockout answers 429 with Retry-After on both', async () => {
    expect((await restLogin('kate', 'guess-secret-1')).status).toBe(401);
    const wrong = await martiConfig('kate', 'guess-secret-2');
    expect(wrong.status).toBe(401);
    expect(wrong.headers['www-authenticate']).toMatch(/^Basic/);

    const marti = await martiConfig('kate', 'pw-kate-1');
    expect(marti.status).toBe(429);
    expect(JSON.parse(marti.body.toString())).toEqual({ error: { code: 'LOGIN_THROTTLED', message: 'too many failed logins; try again later' } });
    expect(marti.headers['retry-after']).toBe('60');
    expect(marti.headers['www-authenticate']).toBeUndefined();

    const rest = await restLogin('kate', 'pw-kate-1');
    expect(rest.status).toBe(429);
    expect(Number(rest.headers.get('retry-after'))).toBeGreaterThan(55);

    const rows = (await node.store.auditRange(1, 10_000)).map((r) => ({ kind: r.kind, body: JSON.parse(r.body) }));
    expect(rows.filter((r) => r.kind === 'auth.login_locked').map((r) => r.body)).toEqual([
      expect.objectContaining({ key: 'user', username: 'kate', via: 'marti', failures: 2, lockoutMs: 60_000 }),
    ]);
    expect(rows.filter((r) => r.kind === 'auth.login_throttled').map((r) => r.body.via)).toEqual(['marti']);
    expect(rows.some((r) => r.kind === 'cert.enroll.denied')).toBe(true);
    expect(JSON.stringify(rows)).not.toMatch(/guess-secret|pw-kate/);
  });
});
