import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { KizunaError } from '../util/errors.js';
import { CertName, GroupName, RoleName } from './names.js';
import { pkiDir, writeFileAtomic } from './pki.js';

/**
 * One-time enrollment tokens (the QR code's password). Only a SHA-256 of the token is stored.
 * A token stays usable for the read-only enrollment calls until it is consumed by a signed
 * certificate; after that it is refused everywhere.
 */
const TokenRecord = z.object({
  id: z.string(),
  tokenSha256: z.string(),
  name: CertName,
  groups: z.array(GroupName),
  role: RoleName,
  createdAt: z.string(),
  expiresAt: z.string(),
  usedAt: z.string().optional(),
});
export type TokenRecord = z.infer<typeof TokenRecord>;
const TokenFile = z.object({ tokens: z.array(TokenRecord) });

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

function file(dataDir: string): string {
  return join(pkiDir(dataDir), 'enroll-tokens.json');
}
function load(dataDir: string): TokenRecord[] {
  const f = file(dataDir);
  return existsSync(f) ? TokenFile.parse(JSON.parse(readFileSync(f, 'utf8'))).tokens : [];
}
function save(dataDir: string, tokens: TokenRecord[]): void {
  mkdirSync(pkiDir(dataDir), { recursive: true, mode: 0o700 });
  writeFileAtomic(file(dataDir), JSON.stringify({ tokens }, null, 1));
}

export function createEnrollToken(
  dataDir: string,
  o: { name: string; groups?: string[]; role?: string; ttlMs?: number; now?: number },
): { token: string; id: string; expiresAt: string } {
  const now = o.now ?? Date.now();
  const token = randomBytes(18).toString('base64url');
  const rec = TokenRecord.parse({
    id: randomBytes(6).toString('hex'),
    tokenSha256: sha256(token),
    name: o.name,
    groups: o.groups ?? ['__ANON__'],
    role: o.role ?? 'operator',
    createdAt: new Date(now).toISOString(),
    expiresAt: new Date(now + (o.ttlMs ?? 24 * 3_600_000)).toISOString(),
  });
  // expired and used tokens are pruned on every write
  const keep = load(dataDir).filter((t) => !t.usedAt && Date.parse(t.expiresAt) > now);
  save(dataDir, [...keep, rec]);
  return { token, id: rec.id, expiresAt: rec.expiresAt };
}

function find(dataDir: string, name: string, token: string): { all: TokenRecord[]; rec: TokenRecord } {
  const all = load(dataDir);
  const want = Buffer.from(sha256(token), 'hex');
  const rec = all.find((t) => t.name === name && timingSafeEqual(Buffer.from(t.tokenSha256, 'hex'), want));
  if (!rec) throw new KizunaError('TOKEN_INVALID', 'unknown token');
  return { all, rec };
}

/** The token record in any state (used, expired), or undefined when this is not a token of `name`. */
export function lookupEnrollToken(dataDir: string, name: string, token: string): TokenRecord | undefined {
  try {
    return find(dataDir, name, token).rec;
  } catch {
    return undefined;
  }
}

/** Valid (unused, unexpired) token for this user, or TOKEN_INVALID. Does not consume it. */
export function checkEnrollToken(dataDir: string, name: string, token: string, now = Date.now()): TokenRecord {
  const { rec } = find(dataDir, name, token);
  if (rec.usedAt) throw new KizunaError('TOKEN_INVALID', 'token already used');
  if (Date.parse(rec.expiresAt) <= now) throw new KizunaError('TOKEN_INVALID', 'token expired');
  return rec;
}

/** Marks the token used (exactly once; a second call throws TOKEN_INVALID). Synchronous: no interleaving in-process. */
export function consumeEnrollToken(dataDir: string, name: string, token: string, now = Date.now()): TokenRecord {
  const { all, rec } = find(dataDir, name, token);
  if (rec.usedAt) throw new KizunaError('TOKEN_INVALID', 'token already used');
  if (Date.parse(rec.expiresAt) <= now) throw new KizunaError('TOKEN_INVALID', 'token expired');
  const used = { ...rec, usedAt: new Date(now).toISOString() };
  save(dataDir, all.map((t) => (t.id === rec.id ? used : t)));
  return used;
}
