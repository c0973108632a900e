import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { z } from 'zod';
import { KizunaError } from '../util/errors.js';
import type { Audience } from '../labels/types.js';
import { admitNodeRecord } from '../labels/index.js';
import type { DocPut, Store } from '../store/types.js';
import type { AuditLog } from './audit.js';
import { chainAudit } from './audit.js';
import { COL, ROLES, type Role, type UserView } from './model.js';
import { audienceOf, localLabel, type RegistryLike } from './registry.js';
import { LoginThrottle, type LoginThrottleConfig, type ThrottleEvent } from './login-throttle.js';

export type SessionUser = UserView & { audience: Audience };

interface UserBody {
  username: string;
  nation: string;
  role: Role;
  displayName?: string;
  /** classification ceiling; default: the highest of the nation's policy */
  clearance?: string;
  /** scrypt$N$r$p$salt(b64)$hash(b64) */
  passwordHash: string;
  createdAt: string;
  /** a disabled user cannot log in, and every token of theirs stops working */
  disabled?: boolean;
}

interface SessionBody {
  username: string;
  kind: 'session' | 'api';
  expiresAt: number | null;
  revoked: boolean;
}

/**
 * A session, token or user stopped being valid. Holders of live sessions (the WebSocket hub, the TAK
 * server) listen and close them at once instead of finding out at their next periodic check.
 * Other processes of the node hear of it on the bus (src/node/revocation-relay.ts → notifySibling).
 */
export type Revocation = { kind: 'token'; username: string } | { kind: 'user'; username: string };

/** `sibling`: the revocation was committed by another process of this node (announce it no further). */
export interface RevocationInfo {
  sibling: boolean;
}

/** Where a password attempt came from: the throttle keys on the address, the audit records both. */
export interface LoginSource {
  address?: string;
  /** 'api' (REST login) or 'marti' (basic auth on the enrollment port) */
  via?: string;
}

export interface UserService {
  seed(users: { username: string; password: string; role: Role; displayName?: string; clearance?: string }[]): Promise<void>;
  /** Throws UNAUTHENTICATED, or LOGIN_THROTTLED (with retryAfterS) while the username or address is locked out. */
  login(username: string, password: string, from?: LoginSource): Promise<{ token: string; expiresAt: string; user: UserView }>;
  authenticate(token: string): Promise<SessionUser | undefined>;
  logout(token: string): Promise<void>;
  /** Throttled like login (throws LOGIN_THROTTLED); a failure is audited by the caller, a lockout here. */
  verifyPassword(username: string, password: string, from?: LoginSource): Promise<UserView | undefined>;
  /** A long-lived bearer token for machines (no expiry until revoked with logout). */
  createApiToken(username: string): Promise<{ token: string }>;
  list(): Promise<UserView[]>;
  /** SessionUser for a known user (e.g. a client certificate mapped to a user). */
  sessionUser(username: string): Promise<SessionUser | undefined>;
  /** Disables (or re-enables) a user: login refused, every token invalid; audited. NOT_FOUND for an unknown user. */
  setDisabled(username: string, disabled: boolean, actor: string): Promise<void>;
  /** Called after a logout/token revocation or a user is disabled (committed); returns unsubscribe. */
  onRevoked(fn: (r: Revocation, info: RevocationInfo) => void): () => void;
  /** Another process of this node committed `r`: live sessions held here are re-checked at once. */
  notifySibling(r: Revocation): void;
}

const Username = z.string().regex(/^[A-Za-z0-9._@-]{1,64}$/, 'username is invalid');
const Password = z.string().min(1).max(1024);
const SeedSchema = z.array(
  z.object({
    username: Username,
    password: Password,
    role: z.enum(ROLES),
    displayName: z.string().max(200).optional(),
    clearance: z.string().max(64).optional(),
  }),
);

// scrypt cost: N=2^15, r=8, p=1 (OWASP minimum is 2^17 for r=8 with 1 thread-second budgets; 2^15 keeps
// login well under 100 ms on the shared 2-core box while staying memory-hard at 32 MiB).
const KDF = { N: 1 << 15, r: 8, p: 1, keylen: 32 };
const maxmem = 64 * 1024 * 1024;

function scrypt(password: string, salt: Buffer, keylen: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCb(password.normalize('NFKC'), salt, keylen, { ...opts, maxmem }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, KDF.keylen, { N: KDF.N, r: KDF.r, p: KDF.p });
  return `scrypt$${KDF.N}$${KDF.r}$${KDF.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function checkPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const expected = Buffer.from(parts[5]!, 'base64');
  const key = await scrypt(password, Buffer.from(parts[4]!, 'base64'), expected.length, { N, r, p });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** Only a digest of a token is stored: a copy of the store does not yield usable tokens. */
function tokenId(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function view(u: UserBody): UserView {
  const v: UserView = { username: u.username, nation: u.nation, role: u.role };
  if (u.displayName !== undefined) v.displayName = u.displayName;
  return v;
}

export function createUserService(
  store: Store,
  audit: AuditLog,
  o: { nation: string; sessionTtlMs?: number; registry?: RegistryLike; now?: () => number; loginThrottle?: Partial<LoginThrottleConfig> },
): UserService {
  const ttl = o.sessionTtlMs ?? 8 * 3_600_000;
  const now = o.now ?? Date.now;
  // per process: several processes of one node each allow the configured failures
  const throttle = new LoginThrottle(o.loginThrottle, now);
  let registryP: Promise<RegistryLike> | undefined;
  // The default registry is the node's policy files; loaded lazily so tests may inject their own.
  const registry = (): Promise<RegistryLike> =>
    (registryP ??= o.registry
      ? Promise.resolve(o.registry)
      : import('../labels/index.js').then((m) => (m as unknown as { loadPolicies(): RegistryLike }).loadPolicies()));
  // A fixed hash so an unknown username costs the same scrypt work as a wrong password.
  let dummyHash: Promise<string> | undefined;

  const revokedListeners = new Set<(r: Revocation, info: RevocationInfo) => void>();
  const revoked = (r: Revocation, info: RevocationInfo = { sibling: false }): void => {
    for (const fn of revokedListeners) fn(r, info);
  };

  /** An enabled user (a disabled one is as good as unknown everywhere it is looked up). */
  async function getUser(username: string): Promise<UserBody | undefined> {
    if (!Username.safeParse(username).success) return undefined;
    const u = (await store.getDoc<UserBody>(COL.user, username))?.body;
    return u && !u.disabled ? u : undefined;
  }

  async function verify(username: string, password: string): Promise<UserBody | undefined> {
    if (typeof password !== 'string' || password.length > 1024) return undefined;
    const u = await getUser(String(username));
    dummyHash ??= hashPassword('not-a-password');
    const ok = await checkPassword(password, u?.passwordHash ?? (await dummyHash));
    return ok && u ? u : undefined;
  }

  /** Audit bodies name the attempt (username as typed, address), never the password. */
  function attemptFields(username: string, from: LoginSource | undefined): Record<string, string> {
    return { username: String(username).slice(0, 64), ...(from?.address ? { address: from.address } : {}), via: from?.via ?? 'api' };
  }

  function throttleDrafts(events: ThrottleEvent[], username: string, from: LoginSource | undefined) {
    return events.map((e) => {
      const base = { key: e.key.type, ...attemptFields(username, from), until: new Date(e.until).toISOString() };
      return e.kind === 'locked'
        ? audit.draft('auth.login_locked', 'system', { ...base, failures: e.failures, level: e.level, lockoutMs: e.lockoutMs, refusedInPrevious: e.refusedInPrevious })
        : audit.draft('auth.login_throttled', 'system', base);
    });
  }

  /** verify() behind the throttle; with `auditFailure` the failure entry shares one commit with a lockout it starts. */
  async function throttledVerify(username: string, password: string, from: LoginSource | undefined, auditFailure: boolean): Promise<UserBody | undefined> {
    const started = throttle.begin(throttle.keysFor(String(username), from?.address));
    if (!started.ok) {
      // one entry per lockout (the first refusal); later refusals are only counted, in the next lockout's entry
      if (started.events.length) await store.commit({ audit: throttleDrafts(started.events, username, from), chain: chainAudit });
      throw new KizunaError('LOGIN_THROTTLED', undefined, { retryAfterS: Math.ceil(started.retryAfterMs / 1000) });
    }
    let u: UserBody | undefined;
    try {
      u = await verify(username, password);
    } catch (e) {
      started.attempt.abandon();
      throw e;
    }
    if (u) {
      started.attempt.succeed();
      return u;
    }
    const drafts = [
      ...(auditFailure ? [audit.draft('auth.login_failed', 'anonymous', attemptFields(username, from))] : []),
      ...throttleDrafts(started.attempt.fail(), username, from),
    ];
    if (drafts.length) await store.commit({ audit: drafts, chain: chainAudit });
    return undefined;
  }

  async function sessionUser(u: UserBody): Promise<SessionUser> {
    return { ...view(u), audience: audienceOf(await registry(), u.nation, u.clearance) };
  }

  /** Accounts and sessions are the node's own records: owned by its nation, in its policy. */
  const nodeRecord = <T extends DocPut>(reg: RegistryLike, put: T) => admitNodeRecord({ nation: o.nation, policy: reg.policyOf(o.nation) }, put);

  async function issue(u: UserBody, kind: SessionBody['kind'], expiresAt: number | null, auditKind: string) {
    const token = randomBytes(32).toString('base64url');
    const reg = await registry();
    const body: SessionBody = { username: u.username, kind, expiresAt, revoked: false };
    await store.commit({
      docs: [nodeRecord(reg, { collection: COL.session, id: tokenId(token), label: localLabel(reg, o.nation, now()), body, expectedVersion: 0 })],
      audit: [audit.draft(auditKind, u.username, { username: u.username, kind })],
      chain: chainAudit,
    });
    return token;
  }

  return {
    async seed(users) {
      const parsed = SeedSchema.safeParse(users);
      if (!parsed.success) throw new KizunaError('CONFIG_INVALID', 'seed users are invalid');
      const reg = await registry();
      for (const s of parsed.data) {
        if (await store.getDoc(COL.user, s.username)) continue; // idempotent: never overwrites a password
        if (s.clearance !== undefined) reg.rank(reg.policyOf(o.nation), s.clearance);
        const body: UserBody = {
          username: s.username,
          nation: o.nation,
          role: s.role,
          passwordHash: await hashPassword(s.password),
          createdAt: new Date(now()).toISOString(),
        };
        if (s.displayName !== undefined) body.displayName = s.displayName;
        if (s.clearance !== undefined) body.clearance = s.clearance;
        try {
          await store.commit({
            docs: [nodeRecord(reg, { collection: COL.user, id: s.username, label: localLabel(reg, o.nation, now()), body, expectedVersion: 0 })],
            audit: [audit.draft('user.created', 'system', { username: s.username, role: s.role })],
            chain: chainAudit,
          });
        } catch (e) {
          // Two processes seeding at once: the other one won, which is what idempotent means.
          if (!(e instanceof KizunaError && e.code === 'CONFLICT')) throw e;
        }
      }
    },

    async login(username, password, from) {
      const u = await throttledVerify(username, password, from, true);
      if (!u) throw new KizunaError('UNAUTHENTICATED');
      const expiresAt = now() + ttl;
      const token = await issue(u, 'session', expiresAt, 'auth.login');
      return { token, expiresAt: new Date(expiresAt).toISOString(), user: view(u) };
    },

    async authenticate(token) {
      if (typeof token !== 'string' || token.length < 16 || token.length > 256) return undefined;
      const s = (await store.getDoc<SessionBody>(COL.session, tokenId(token)))?.body;
      if (!s || s.revoked || (s.expiresAt !== null && s.expiresAt <= now())) return undefined;
      const u = await getUser(s.username);
      return u ? sessionUser(u) : undefined;
    },

    async logout(token) {
      if (typeof token !== 'string') return;
      const doc = await store.getDoc<SessionBody>(COL.session, tokenId(token));
      if (!doc || doc.body.revoked) return;
      await store.commit({
        docs: [nodeRecord(await registry(), { collection: COL.session, id: doc.id, label: doc.label, body: { ...doc.body, revoked: true }, expectedVersion: doc.version })],
        audit: [audit.draft('auth.logout', doc.body.username, { username: doc.body.username, kind: doc.body.kind })],
        chain: chainAudit,
      });
      revoked({ kind: 'token', username: doc.body.username });
    },

    async verifyPassword(username, password, from) {
      const u = await throttledVerify(username, password, from, false);
      return u ? view(u) : undefined;
    },

    async createApiToken(username) {
      const u = await getUser(username);
      if (!u) throw new KizunaError('NOT_FOUND');
      return { token: await issue(u, 'api', null, 'auth.api_token') };
    },

    async list() {
      const out: UserView[] = [];
      let after: string | undefined;
      for (;;) {
        const page = await store.listDocs<UserBody>(COL.user, { limit: 1000, ...(after ? { after } : {}) });
        out.push(...page.map((d) => view(d.body)));
        if (page.length < 1000) return out;
        after = page[page.length - 1]!.id;
      }
    },

    async sessionUser(username) {
      const u = await getUser(username);
      return u ? sessionUser(u) : undefined;
    },

    async setDisabled(username, disabled, actor) {
      const doc = Username.safeParse(username).success ? await store.getDoc<UserBody>(COL.user, username) : undefined;
      if (!doc) throw new KizunaError('NOT_FOUND');
      if (Boolean(doc.body.disabled) === disabled) return;
      const body: UserBody = { ...doc.body };
      if (disabled) body.disabled = true;
      else delete body.disabled;
      await store.commit({
        docs: [nodeRecord(await registry(), { collection: COL.user, id: doc.id, label: doc.label, body, expectedVersion: doc.version })],
        audit: [audit.draft(disabled ? 'user.disabled' : 'user.enabled', actor, { username })],
        chain: chainAudit,
      });
      if (disabled) revoked({ kind: 'user', username });
    },

    onRevoked(fn) {
      revokedListeners.add(fn);
      return () => revokedListeners.delete(fn);
    },

    notifySibling(r) {
      revoked(r, { sibling: true });
    },
  };
}
