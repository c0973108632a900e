import { afterEach, describe, expect, it } from 'vitest';
import { createAuditLog } from '../coordination/index.js';
import { startBench, type Bench } from './test-support.js';

let b: Bench | undefined;
afterEach(async () => {
  await b?.stop();
  b = undefined;
});

const login = (username: string, password: string, headers?: Record<string, string>) =>
  b!.call('POST', '/api/auth/login', { body: { username, password }, ...(headers ? { headers } : {}) });

async function auditRows(): Promise<{ kind: string; actor: string; body: any }[]> {
  return (await b!.store.auditRange(1, 10_000)).map((r) => ({ kind: r.kind, actor: r.actor, body: JSON.parse(r.body) }));
}

describe('login brute-force throttle (REST)', () => {
  it('5 wrong passwords lock the username: the 6th gets 429 even with the right one; unknown users alike; the lockout passes', async () => {
    let clock = Date.now();
    b = await startBench({}, { now: () => clock });
    for (let i = 0; i < 5; i++) expect((await login('coord', `guess-secret-${i}`)).status).toBe(401);
    const locked = await login('coord', 'pw-coord');
    expect(locked.status).toBe(429);
    expect(locked.json).toEqual({ error: { code: 'LOGIN_THROTTLED', message: 'too many failed logins; try again later' } });
    expect(locked.headers.get('retry-after')).toBe('30');
    // more refusals in the same lockout: still 429, no more audit entries (checked below)
    clock += 10_000;
    const again = await login('coord', 'pw-coord');
    expect(again.status).toBe(429);
    expect(again.headers.get('retry-after')).toBe('20');
    expect((await login('coord', 'guess-secret-x')).status).toBe(429);

    // an unknown user is throttled the same way: same status, body and Retry-After
    for (let i = 0; i < 5; i++) expect((await login('nobody-xyz', `guess-secret-${i}`)).status).toBe(401);
    const unknown = await login('nobody-xyz', 'pw-coord');
    expect(unknown.status).toBe(429);
    expect(unknown.text).toBe(locked.text);
    expect(unknown.headers.get('retry-after')).toBe('30');
    expect(unknown.text).not.toContain('nobody-xyz');

    // other users are not affected (10 failures from this address are below its limit of 20)
    expect((await login('viewer', 'pw-viewer')).status).toBe(200);

    clock += 20_000; // 30 s after the lockout began
    const ok = await login('coord', 'pw-coord');
    expect(ok.status).toBe(200);
    expect((await b.call('GET', '/api/me', { token: ok.json.token })).json.username).toBe('coord');
    // the success reset the username: a wrong password is a plain 401 again, not a renewed lockout
    expect((await login('coord', 'guess-secret-y')).status).toBe(401);
    expect((await login('nobody-xyz', 'x')).status).toBe(429); // 'nobody-xyz' is still locked (locked later)

    const rows = await auditRows();
    const failed = rows.filter((r) => r.kind === 'auth.login_failed');
    expect(failed).toHaveLength(11);
    expect(failed[0]).toEqual({ kind: 'auth.login_failed', actor: 'anonymous', body: { username: 'coord', address: '127.0.0.1', via: 'api' } });
    const lockRows = rows.filter((r) => r.kind === 'auth.login_locked');
    expect(lockRows.map((r) => r.body.username)).toEqual(['coord', 'nobody-xyz']);
    expect(lockRows[0]!.body).toMatchObject({ key: 'user', address: '127.0.0.1', failures: 5, level: 1, lockoutMs: 30_000, refusedInPrevious: 0 });
    // one entry per lockout for the refused attempts, not one per request (coord was refused 3 times)
    const throttled = rows.filter((r) => r.kind === 'auth.login_throttled');
    expect(throttled.map((r) => r.body.username)).toEqual(['coord', 'nobody-xyz']);
    // the lockout entry directly follows the failure that started it
    const iLock = rows.findIndex((r) => r.kind === 'auth.login_locked');
    expect(rows[iLock - 1]).toMatchObject({ kind: 'auth.login_failed', body: { username: 'coord' } });
    const all = JSON.stringify(rows);
    expect(all).not.toContain('guess-secret');
    expect(all).not.toContain('pw-coord');
    expect(await createAuditLog(b.store, { nodeId: 'JPN' }).verify()).toMatchObject({ ok: true });
  });

  it('throttles a client address across usernames; X-Forwarded-For is not trusted', async () => {
    b = await startBench({}, { loginThrottle: { maxFailuresPerAddress: 3 } });
    for (const u of ['spray-a', 'spray-b', 'coord']) expect((await login(u, 'Winter2026!')).status).toBe(401);
    const r = await login('viewer', 'pw-viewer', { 'x-forwarded-for': '198.51.100.9' });
    expect(r.status).toBe(429);
    expect(r.json.error.code).toBe('LOGIN_THROTTLED');
    expect(Number(r.headers.get('retry-after'))).toBe(30);
    const lock = (await auditRows()).find((x) => x.kind === 'auth.login_locked');
    expect(lock?.body).toMatchObject({ key: 'address', address: '127.0.0.1', username: 'coord', failures: 3 });
  });
});
