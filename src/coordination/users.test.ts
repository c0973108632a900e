import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../store/sqlite.js';
import type { Store } from '../store/types.js';
import { KizunaError } from '../util/errors.js';
import { createAuditLog, type AuditLog } from './audit.js';
import { COL } from './model.js';
import { registry } from './test-support.js';
import { checkPassword, createUserService, hashPassword, type UserService } from './users.js';

describe('user service (scrypt, sessions, API tokens)', () => {
  let dir: string;
  let store: Store;
  let audit: AuditLog;
  let users: UserService;
  let clock = 1_800_000_000_000;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kizuna-users-'));
    store = await openSqliteStore(join(dir, 'kizuna.db'));
    audit = createAuditLog(store, { nodeId: 'JPN' });
    users = createUserService(store, audit, { nation: 'JPN', registry, sessionTtlMs: 60_000, now: () => clock });
    await users.seed([
      { username: 'sato', password: 'correct horse', role: 'coordinator', displayName: '佐藤' },
      { username: 'ito', password: 'battery staple', role: 'viewer', clearance: 'HI' },
    ]);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function auditKinds(): Promise<string[]> {
    return (await store.auditRange(1, 1000)).map((r) => r.kind);
  }

  it('stores scrypt hashes, never the password, and seeding is idempotent', async () => {
    const doc = await store.getDoc<{ passwordHash: string }>(COL.user, 'sato');
    expect(doc!.body.passwordHash).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(JSON.stringify(doc)).not.toContain('correct horse');
    await users.seed([{ username: 'sato', password: 'another password', role: 'viewer' }]);
    expect(await users.verifyPassword('sato', 'correct horse')).toMatchObject({ role: 'coordinator' });
    expect(await users.verifyPassword('sato', 'another password')).toBeUndefined();
    expect((await users.list()).map((u) => u.username)).toEqual(['ito', 'sato']);
    await expect(users.seed([{ username: 'bad name!', password: 'x', role: 'viewer' }])).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });

  it('hash/check round trip, salted', async () => {
    const a = await hashPassword('pw');
    const b = await hashPassword('pw');
    expect(a).not.toBe(b);
    expect(await checkPassword('pw', a)).toBe(true);
    expect(await checkPassword('pW', a)).toBe(false);
    expect(await checkPassword('pw', 'md5$abc')).toBe(false);
  });

  it('login issues a session token that authenticates with the nation audience; audited', async () => {
    const s = await users.login('sato', 'correct horse');
    expect(s.user).toEqual({ username: 'sato', nation: 'JPN', role: 'coordinator', displayName: '佐藤' });
    expect(s.expiresAt).toBe(new Date(clock + 60_000).toISOString());
    const me = await users.authenticate(s.token);
    expect(me).toMatchObject({ username: 'sato', audience: { policy: 'JPN', nation: 'JPN', maxClassification: 'KIMITSU' } });
    // the token itself is not stored, only its digest
    const sessions = await store.listDocs(COL.session);
    expect(JSON.stringify(sessions)).not.toContain(s.token);
    expect(await auditKinds()).toContain('auth.login');
  });

  it('a user record clearance lowers the audience ceiling', async () => {
    const s = await users.login('ito', 'battery staple');
    expect((await users.authenticate(s.token))!.audience.maxClassification).toBe('HI');
  });

  it('unknown user and wrong password fail the same way, and both are audited', async () => {
    const errs: unknown[] = [];
    for (const [u, p] of [['sato', 'wrong'], ['nobody', 'correct horse']] as const) {
      try {
        await users.login(u, p);
      } catch (e) {
        errs.push(e);
      }
    }
    expect(errs).toHaveLength(2);
    for (const e of errs) {
      expect(e).toBeInstanceOf(KizunaError);
      expect((e as KizunaError).toPublic()).toEqual({ error: { code: 'UNAUTHENTICATED', message: 'authentication required' } });
    }
    expect((await auditKinds()).filter((k) => k === 'auth.login_failed')).toHaveLength(2);
  });

  it('sessions expire and logout revokes them', async () => {
    const s = await users.login('sato', 'correct horse');
    clock += 59_000;
    expect(await users.authenticate(s.token)).toBeDefined();
    clock += 2_000;
    expect(await users.authenticate(s.token)).toBeUndefined();
    const t = await users.login('sato', 'correct horse');
    await users.logout(t.token);
    expect(await users.authenticate(t.token)).toBeUndefined();
    expect(await users.authenticate('not-a-token-at-all-really')).toBeUndefined();
    expect(await auditKinds()).toContain('auth.logout');
  });

  it('API tokens do not expire until revoked', async () => {
    const { token } = await users.createApiToken('sato');
    clock += 365 * 86_400_000;
    expect(await users.authenticate(token)).toMatchObject({ username: 'sato' });
    await users.logout(token);
    expect(await users.authenticate(token)).toBeUndefined();
    await expect(users.createApiToken('nobody')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('the audit chain stays intact through all of it', async () => {
    await users.login('sato', 'correct horse');
    await users.login('sato', 'nope').catch(() => undefined);
    expect(await audit.verify()).toMatchObject({ ok: true });
  });
});
