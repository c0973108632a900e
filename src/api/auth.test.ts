import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBench, type Bench } from './test-support.js';

let b: Bench;
beforeAll(async () => {
  b = await startBench();
});
afterAll(async () => b.stop());

describe('login and sessions', () => {
  it('logs in with scrypt-checked password and returns the public user only', async () => {
    const r = await b.call('POST', '/api/auth/login', { body: { username: 'coord', password: 'pw-coord' } });
    expect(r.status).toBe(200);
    expect(r.json.user).toEqual({ username: 'coord', nation: 'JPN', role: 'coordinator' });
    expect(typeof r.json.token).toBe('string');
    expect(Number.isNaN(Date.parse(r.json.expiresAt))).toBe(false);
    expect(r.text).not.toContain('audience');
    const me = await b.call('GET', '/api/me', { token: r.json.token });
    expect(me.status).toBe(200);
    expect(me.json).toEqual({ username: 'coord', nation: 'JPN', role: 'coordinator' });
  });

  it('answers a wrong password and an unknown user identically, without echoing input', async () => {
    const bad = await b.call('POST', '/api/auth/login', { body: { username: 'coord', password: 'wrong-secret-123' } });
    const unknown = await b.call('POST', '/api/auth/login', { body: { username: 'nobody-xyz', password: 'wrong-secret-123' } });
    expect(bad.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(bad.text).toBe(unknown.text);
    expect(bad.json).toEqual({ error: { code: 'UNAUTHENTICATED', message: 'authentication required' } });
    expect(bad.text).not.toContain('wrong-secret');
    expect(unknown.text).not.toContain('nobody-xyz');
  });

  it('rejects missing, malformed and unknown tokens the same way', async () => {
    const none = await b.call('GET', '/api/me');
    const malformed = await b.call('GET', '/api/me', { headers: { authorization: 'Basic abc' } });
    const unknown = await b.call('GET', '/api/me', { token: 'x'.repeat(43) });
    for (const r of [none, malformed, unknown]) {
      expect(r.status).toBe(401);
      expect(r.json.error.code).toBe('UNAUTHENTICATED');
    }
    expect(none.text).toBe(unknown.text);
  });

  it('does not accept the token in the query string for REST', async () => {
    const token = await b.login('viewer');
    const r = await b.call('GET', `/api/me?token=${token}`);
    expect(r.status).toBe(401);
  });

  it('logout kills the token', async () => {
    const token = await b.login('operator');
    expect((await b.call('GET', '/api/me', { token })).status).toBe(200);
    const out = await b.call('POST', '/api/auth/logout', { token, body: {} });
    expect(out.status).toBe(200);
    expect(out.json).toEqual({ ok: true });
    expect((await b.call('GET', '/api/me', { token })).status).toBe(401);
  });

  it('rejects an invalid login body with BAD_REQUEST', async () => {
    const r = await b.call('POST', '/api/auth/login', { body: { username: 'coord', password: 42, extra: 'hidden-value' } });
    expect(r.status).toBe(400);
    expect(r.json).toEqual({ error: { code: 'BAD_REQUEST', message: 'request is invalid' } });
    expect(r.text).not.toContain('hidden-value');
  });
});
