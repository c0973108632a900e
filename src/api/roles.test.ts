import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasRole } from './auth.js';
import type { Role } from './schemas.js';
import { apiHandle, startBench, type Bench } from './test-support.js';

const ROLES: Role[] = ['viewer', 'operator', 'coordinator', 'administrator'];
const USER_OF: Record<Role, string> = { viewer: 'viewer', operator: 'operator', coordinator: 'coord', administrator: 'admin' };

let b: Bench;
const tokens = {} as Record<Role, string>;
let requestId: string;
beforeAll(async () => {
  b = await startBench();
  for (const r of ROLES) tokens[r] = await b.login(USER_OF[r]);
  const created = await b.call('POST', '/api/requests', {
    token: tokens.operator,
    body: { kind: 'rfi', title: 'role check', description: '', nations: ['USA'], priority: 'routine', label: { classification: 'HI', relTo: ['USA'] } },
  });
  expect(created.status).toBe(200);
  requestId = created.json.id;
});
afterAll(async () => b.stop());

/** Concrete URL for a route pattern: real ids so that authorised calls reach the handler. */
function urlOf(pattern: string): string {
  return pattern.replace(':id', pattern.startsWith('/api/chat') ? 'bilateral' : pattern.startsWith('/api/posture') ? 'no-such-proposal' : requestId).replace(':uid', 'no-such-uid');
}

describe('every route is authorised by role', () => {
  it('every non-public route answers 401 without a token, before looking at the body', async () => {
    const routes = apiHandle(b.app)!.routes.filter((r) => r.auth !== 'public');
    expect(routes.length).toBeGreaterThan(15);
    for (const r of routes) {
      const plain = await b.call(r.method, urlOf(r.url), r.method === 'GET' ? {} : { body: { junk: true } });
      expect(plain.status, `${r.method} ${r.url}`).toBe(401);
      expect(plain.json.error.code).toBe('UNAUTHENTICATED');
    }
  });

  it('every route refuses roles below its minimum with 403 and lets the minimum role through', async () => {
    // logout would end the sessions the sweep uses; it is covered in auth.test.ts
    const routes = apiHandle(b.app)!.routes.filter((r) => r.auth !== 'public' && r.url !== '/api/auth/logout');
    let refused = 0;
    let allowed = 0;
    for (const r of routes) {
      for (const role of ROLES) {
        // side-effect routes get an empty body: an allowed role then fails validation/state (400/404/409), never 401/403
        const res = await b.call(r.method, urlOf(r.url), { token: tokens[role], ...(r.method === 'GET' ? {} : { body: {} }) });
        const label = `${role} ${r.method} ${r.url} -> ${res.status} ${res.text.slice(0, 80)}`;
        if (hasRole(role, r.auth as Role)) {
          expect([200, 400, 404, 409], label).toContain(res.status);
          allowed++;
        } else {
          expect(res.status, label).toBe(403);
          expect(res.json).toEqual({ error: { code: 'FORBIDDEN', message: 'not permitted' } });
          refused++;
        }
      }
    }
    expect(refused).toBeGreaterThan(20);
    expect(allowed).toBeGreaterThan(40);
  });

  it('a viewer cannot concur, an operator cannot concur, a coordinator can', async () => {
    const fresh = await b.call('POST', '/api/requests', {
      token: tokens.operator,
      body: { kind: 'isr', title: 'concurrence', description: '', nations: ['USA'], priority: 'routine' },
    });
    const path = `/api/requests/${fresh.json.id}`;
    expect((await b.call('POST', `${path}/submit`, { token: tokens.operator, body: {} })).status).toBe(200);
    expect((await b.call('POST', `${path}/concur`, { token: tokens.viewer, body: {} })).status).toBe(403);
    expect((await b.call('POST', `${path}/concur`, { token: tokens.operator, body: {} })).status).toBe(403);
    const ok = await b.call('POST', `${path}/concur`, { token: tokens.coordinator, body: { comment: 'JPN concurs' } });
    expect(ok.status).toBe(200);
    expect(ok.json.concurrence.find((c: { nation: string }) => c.nation === 'JPN')).toMatchObject({ nation: 'JPN', decision: 'concur', by: 'coord' });
    expect(ok.json.concurrence.find((c: { nation: string }) => c.nation === 'USA')).toMatchObject({ decision: 'pending' });
    expect(ok.json.status).toBe('in_review');
  });

  it('public routes need no token', async () => {
    expect((await b.call('GET', '/api/openapi.json')).status).toBe(200);
  });
});
