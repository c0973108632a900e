import { afterEach, describe, expect, it } from 'vitest';
import { openFeed, startBench, waitFor, type Bench } from './test-support.js';

/**
 * Revocation is immediate: logout, revoking an API token and disabling a user close that session's live
 * WebSocket at once, driven by the user service's event. The periodic session check is set to an hour
 * here, so only the event can close the socket in time for these tests.
 */
let b: Bench | undefined;
afterEach(async () => {
  await b?.stop();
  b = undefined;
});

const HOUR = 3_600_000;

async function liveFeed(bench: Bench, token: string) {
  const f = await openFeed(bench, token);
  await waitFor(() => f.msgs().some((m) => m.t === 'snapshot'), 'snapshot');
  return f;
}

describe('revocation closes live WebSocket sessions at once', () => {
  it('logout closes the socket of that session and only that one', async () => {
    b = await startBench({ ws: { sessionCheckMs: HOUR } });
    const token = await b.login('viewer');
    const other = await liveFeed(b, await b.login('viewer'));
    const f = await liveFeed(b, token);
    await b.call('POST', '/api/auth/logout', { token, body: {} });
    expect(await f.closed).toBe(4001);
    expect(f.msgs().at(-1)).toEqual({ t: 'expired' });
    expect(other.ws.readyState).toBe(other.ws.OPEN);
    other.ws.close();
  });

  it('revoking an API token closes the socket opened with it', async () => {
    b = await startBench({ ws: { sessionCheckMs: HOUR } });
    const { token } = await b.users.createApiToken('operator');
    const f = await liveFeed(b, token);
    // API tokens are revoked like sessions: POST /api/auth/logout with the token itself.
    expect((await b.call('POST', '/api/auth/logout', { token, body: {} })).status).toBe(200);
    expect(await f.closed).toBe(4001);
    expect((await b.call('GET', '/api/me', { token })).status).toBe(401);
  });

  it('disabling a user closes every socket of theirs; they cannot log in until re-enabled', async () => {
    b = await startBench({ ws: { sessionCheckMs: HOUR } });
    const admin = await b.login('admin');
    const a = await liveFeed(b, await b.login('operator'));
    const { token: apiToken } = await b.users.createApiToken('operator');
    const c = await liveFeed(b, apiToken);
    const res = await b.call('POST', '/api/users/operator/disabled', { token: admin, body: { disabled: true } });
    expect(res.status).toBe(200);
    expect(await Promise.all([a.closed, c.closed])).toEqual([4001, 4001]);
    expect((await b.call('POST', '/api/auth/login', { body: { username: 'operator', password: 'pw-operator' } })).status).toBe(401);
    expect((await b.call('GET', '/api/me', { token: apiToken })).status).toBe(401);
    // only an administrator may do it, and an unknown user looks like any other missing thing
    expect((await b.call('POST', '/api/users/admin/disabled', { token: await b.login('coord'), body: { disabled: true } })).status).toBe(403);
    expect((await b.call('POST', '/api/users/nobody/disabled', { token: admin, body: { disabled: true } })).status).toBe(404);
    await b.call('POST', '/api/users/operator/disabled', { token: admin, body: { disabled: false } });
    expect((await b.call('POST', '/api/auth/login', { body: { username: 'operator', password: 'pw-operator' } })).status).toBe(200);
  });
});
