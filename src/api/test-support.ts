/** Test bench for the API: real fastify on port 0, real SQLite in a tmp dir, real guard, users, coordination. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { WebSocket } from 'ws';
import { createGuard, loadPolicies, makeLabel, serializeLabelXml, type PolicyRegistry, type ReleaseGuard, type SecurityLabel } from '../labels/index.js';
import { openSqliteStore } from '../store/sqlite.js';
import type { Store, StoredEvent } from '../store/types.js';
import { createAuditLog, createCoordination, createUserService, type Coordination, type LoginThrottleConfig, type UserService } from '../coordination/index.js';
import { apiHandle, registerApi, type ApiDeps, type TrackChange, type TrackFeed } from './index.js';
import { appendAdmitted } from '../../test/support/admitted.js';

export const USERS = [
  { username: 'viewer', password: 'pw-viewer', role: 'viewer' as const },
  { username: 'operator', password: 'pw-operator', role: 'operator' as const },
  { username: 'coord', password: 'pw-coord', role: 'coordinator' as const },
  { username: 'admin', password: 'pw-admin', role: 'administrator' as const },
  /** an operator cleared only to HI (the lowest JPN classified level) */
  { username: 'lowop', password: 'pw-lowop', role: 'operator' as const, clearance: 'HI' },
];

/** In-memory feed over the store: what the node's ingest pipeline does, minus TAK. */
export class TestFeed implements TrackFeed {
  private readonly fns = new Set<(c: TrackChange) => void>();
  constructor(private readonly store: Store) {}
  latest(): Promise<StoredEvent[]> {
    return this.store.events.latest({ now: Date.now() });
  }
  subscribe(fn: (c: TrackChange) => void): () => void {
    this.fns.add(fn);
    return () => this.fns.delete(fn);
  }
  async publish(e: StoredEvent): Promise<void> {
    await appendAdmitted(this.store, [e]);
    for (const fn of this.fns) fn({ kind: 'event', event: e });
  }
  async remove(uid: string, label: SecurityLabel): Promise<void> {
    await this.store.events.deleteUid(uid);
    for (const fn of this.fns) fn({ kind: 'delete', uid, label });
  }
}

export function cotXml(o: { uid: string; type?: string; callsign?: string; lat?: number; lon?: number; remarks?: string; label?: SecurityLabel; staleMs?: number }): string {
  const now = new Date();
  const stale = new Date(now.getTime() + (o.staleMs ?? 600_000));
  const detail = [
    `<contact callsign="${o.callsign ?? o.uid}"/>`,
    `<track course="90.5" speed="12.25"/>`,
    o.remarks ? `<remarks>${o.remarks}</remarks>` : '',
    o.label ? serializeLabelXml(o.label) : '',
  ].join('');
  return (
    `<?xml version="1.0" encoding="UTF-8"?><event version="2.0" uid="${o.uid}" type="${o.type ?? 'a-f-G-U-C'}" how="m-g" ` +
    `time="${now.toISOString()}" start="${now.toISOString()}" stale="${stale.toISOString()}">` +
    `<point lat="${o.lat ?? 35.6}" lon="${o.lon ?? 139.7}" hae="10" ce="5" le="5"/><detail>${detail}</detail></event>`
  );
}

export function storedEvent(o: { uid: string; label: SecurityLabel; origin?: string; type?: string; callsign?: string; remarks?: string }): StoredEvent {
  const now = Date.now();
  return {
    id: randomUUID(),
    origin: o.origin ?? 'JPN',
    uid: o.uid,
    type: o.type ?? 'a-f-G-U-C',
    callsign: o.callsign ?? o.uid,
    time: now,
    stale: now + 600_000,
    receivedAt: now,
    label: o.label,
    xml: cotXml({ ...o }),
  };
}

export interface Bench {
  dir: string;
  app: FastifyInstance;
  base: string;
  wsBase: string;
  registry: PolicyRegistry;
  guard: ReleaseGuard;
  store: Store;
  users: UserService;
  coordination: Coordination;
  feed: TestFeed;
  labels: Record<'jpnHi' | 'jpnGokuhi' | 'jpnUnclass' | 'usaOnly' | 'usaRelJpn', SecurityLabel>;
  login(username: string): Promise<string>;
  call(method: string, path: string, o?: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> }): Promise<{ status: number; text: string; json: any; headers: Headers }>;
  stop(): Promise<void>;
}

/** `opts.now` is the users' clock (sessions, login throttle); `opts.loginThrottle` overrides its defaults. */
export async function startBench(over: Partial<ApiDeps> = {}, opts: { now?: () => number; loginThrottle?: Partial<LoginThrottleConfig> } = {}): Promise<Bench> {
  const dir = mkdtempSync(join(tmpdir(), 'kizuna-api-'));
  const store = await openSqliteStore(join(dir, 'kizuna.db'));
  const registry = loadPolicies();
  const guard = createGuard(registry);
  const audit = createAuditLog(store, { nodeId: 'JPN' });
  const users = createUserService(store, audit, { nation: 'JPN', registry, ...opts });
  await users.seed(USERS);
  const coordination = createCoordination({ nodeId: 'JPN', nation: 'JPN', store, registry, audit, guard });
  const feed = new TestFeed(store);
  const app = Fastify({ logger: false });
  await registerApi(app, {
    nodeId: 'JPN',
    nation: 'JPN',
    registry,
    guard,
    store,
    users,
    coordination,
    tracks: feed,
    federationStatus: () => [{ peer: 'USA', connected: false, outboxDepth: 0 }],
    ingestCot: async () => undefined,
    ...over,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as { port: number }).port;
  const base = `http://127.0.0.1:${port}`;
  const labels = {
    jpnUnclass: makeLabel(registry, { policy: 'JPN', classification: 'UNCLASSIFIED', relTo: ['USA'], owner: 'JPN' }),
    jpnHi: makeLabel(registry, { policy: 'JPN', classification: 'HI', relTo: ['USA'], owner: 'JPN' }),
    jpnGokuhi: makeLabel(registry, { policy: 'JPN', classification: 'GOKUHI', relTo: ['USA'], owner: 'JPN' }),
    usaOnly: makeLabel(registry, { policy: 'USA', classification: 'SECRET', caveats: ['NOFORN'], owner: 'USA' }),
    usaRelJpn: makeLabel(registry, { policy: 'USA', classification: 'CONFIDENTIAL', relTo: ['JPN'], owner: 'USA' }),
  };
  const call: Bench['call'] = async (method, path, o = {}) => {
    const headers: Record<string, string> = { ...(o.headers ?? {}) };
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    let body: string | undefined;
    if (o.raw !== undefined) body = o.raw;
    else if (o.body !== undefined) body = JSON.stringify(o.body);
    if (body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
    const res = await fetch(base + path, { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, text, json, headers: res.headers };
  };
  return {
    dir,
    app,
    base,
    wsBase: base.replace('http', 'ws'),
    registry,
    guard,
    store,
    users,
    coordination,
    feed,
    labels,
    call,
    async login(username) {
      const u = USERS.find((x) => x.username === username)!;
      const r = await call('POST', '/api/auth/login', { body: { username, password: u.password } });
      if (r.status !== 200) throw new Error(`login ${username}: ${r.status}`);
      return r.json.token as string;
    },
    async stop() {
      await app.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A WebSocket client that records every raw frame. */
export async function openFeed(b: Bench, token: string): Promise<{ ws: WebSocket; frames: string[]; msgs: () => any[]; closed: Promise<number> }> {
  const ws = new WebSocket(`${b.wsBase}/api/ws?token=${encodeURIComponent(token)}`);
  const frames: string[] = [];
  ws.on('message', (d) => frames.push(d.toString()));
  const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return { ws, frames, msgs: () => frames.flatMap((f) => [JSON.parse(f)].flat()), closed };
}

export { waitFor } from '../../test/support/wait.js';

export { apiHandle };
