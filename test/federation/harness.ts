import { afterAll, afterEach, beforeAll } from 'vitest';
import tls from 'node:tls';
import { join } from 'node:path';
import {
  createGuard,
  generateBindingKeys,
  loadPolicies,
  makeLabel,
  type PolicyRegistry,
} from '../../src/labels/index.js';
import type { ReleaseGuard } from '../../src/labels/guard-types.js';
import type { SecurityLabel } from '../../src/labels/types.js';
import { createFederation, type FedObject, type Federation, type FedPeer } from '../../src/federation/index.js';
import { FrameReader, decodeFrame, encodeFrame, lengthPrefixed, type Frame } from '../../src/federation/wire.js';
import type { JWK } from 'jose';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { Store, StoredEvent } from '../../src/store/types.js';
import type { Bus } from '../../src/bus/types.js';
import { makeCa, makeNodeCert, type TestCa } from './pki.js';
import { appendAdmitted } from '../support/admitted.js';
import { tmpDir as makeTmpDir } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';
import { startProxy, type LinkProxy } from '../support/proxy.js';

/** Real nodes-in-a-process for federation tests: real TLS, real SQLite, real policies and guard. */
export const registry: PolicyRegistry = loadPolicies();

export interface NodeSpec {
  nodeId: string;
  nation: string;
}

export interface Identity extends NodeSpec {
  ca: TestCa;
  cert: { certPem: string; keyPem: string };
  binding: { privateJwk: JWK; publicJwk: JWK };
}

export async function makeIdentity(spec: NodeSpec, ca?: TestCa): Promise<Identity> {
  const c = ca ?? (await makeCa(spec.nation));
  return { ...spec, ca: c, cert: await makeNodeCert(c, spec), binding: await generateBindingKeys() };
}

/** The two identities most link tests use: 'jpn' < 'usa', so jpn dials and usa listens. */
export async function jpnAndUsa(): Promise<{ JPN: Identity; USA: Identity }> {
  return { JPN: await makeIdentity({ nodeId: 'jpn', nation: 'JPN' }), USA: await makeIdentity({ nodeId: 'usa', nation: 'USA' }) };
}

export interface TestNode {
  id: Identity;
  fed: Federation;
  store: Store;
  guard: ReleaseGuard;
  port: number;
  dbFile: string;
  /** objects handed to accept, in order */
  accepted: FedObject[];
  audits: { kind: string; body: Record<string, unknown> }[];
  close(): Promise<void>;
}

export const tmpDir = (): { dir: string; cleanup(): void } => makeTmpDir('kizuna-fed-');
export { waitFor };

/** The JPN–USA pair of a describe block; `jpn` is undefined when the fixture was asked for USA alone. */
export interface JpnUsaFixture {
  dir: string;
  JPN: Identity;
  USA: Identity;
  usa: TestNode;
  jpn: TestNode;
}

/**
 * The set-up most link tests share, registered as beforeAll/afterAll of the calling describe: USA listens for
 * JPN; unless `usaOnly` (the test plays JPN itself), the real JPN node dials it, and with `linkUp` the test
 * starts only once the link is connected. Read the fields inside hooks and tests (they are set in beforeAll).
 */
export function useJpnUsa(o: { usaOnly?: boolean; linkUp?: boolean } = {}): JpnUsaFixture {
  const t = tmpDir();
  const f = { dir: t.dir } as JpnUsaFixture;
  beforeAll(async () => {
    ({ JPN: f.JPN, USA: f.USA } = await jpnAndUsa());
    f.usa = await startNode({ id: f.USA, dir: t.dir, peers: [{ id: f.JPN, port: 0 }] });
    if (o.usaOnly) return;
    f.jpn = await startNode({ id: f.JPN, dir: t.dir, peers: [{ id: f.USA, port: f.usa.port }] });
    if (o.linkUp) await waitFor(() => f.jpn.fed.status()[0]!.state === 'connected', 'link up');
  });
  afterAll(async () => {
    await f.jpn?.close();
    await f.usa?.close();
    t.cleanup();
  });
  return f;
}

/** Resources of one test (temp dirs, nodes, proxies), released after it, newest first. */
export interface PerTest {
  tmpDir(): { dir: string };
  node(o: Parameters<typeof startNode>[0]): Promise<TestNode>;
  defer(...cleanups: (() => Promise<void> | void)[]): void;
  /** a fresh dir and the JPN and USA identities */
  identities(): Promise<{ dir: string; JPN: Identity; USA: Identity }>;
  /** the test's TCP proxy in front of `target()` (test/support/proxy.ts) */
  proxy(target: () => number): Promise<LinkProxy>;
  /** a fresh dir, the JPN and USA identities, and USA listening for JPN (`over`: more node options) */
  usaListening(over?: Partial<Parameters<typeof startNode>[0]>): Promise<{ dir: string; JPN: Identity; USA: Identity; usa: TestNode }>;
}

/** Registers the afterEach of the calling describe that releases what each test took through the returned scope. */
export function perTest(): PerTest {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  return {
    tmpDir() {
      const t = tmpDir();
      cleanups.push(t.cleanup);
      return t;
    },
    async node(o) {
      const n = await startNode(o);
      cleanups.push(() => n.close());
      return n;
    },
    defer(...more) {
      cleanups.push(...more);
    },
    async identities() {
      const { dir } = this.tmpDir();
      return { dir, ...(await jpnAndUsa()) };
    },
    async proxy(target) {
      const p = await startProxy(target);
      cleanups.push(() => p.close());
      return p;
    },
    async usaListening(over = {}) {
      const { dir, JPN, USA } = await this.identities();
      const usa = await this.node({ id: USA, dir, peers: [{ id: JPN, port: 0 }], ...over });
      return { dir, JPN, USA, usa };
    },
  };
}

/** The label most link tests send: JPN's HI, releasable to USA (and JPN). */
export const relUsa = (): SecurityLabel => label({ policy: 'JPN', classification: 'HI', relTo: ['USA', 'JPN'] });

/** peers: identity of the peer + where to dial it (port 0 when this node never dials it). */
export async function startNode(o: {
  id: Identity;
  dir: string;
  peers: { id: Identity; port: number; host?: string; caPem?: string }[];
  listenPort?: number;
  maxOutbox?: number;
  relay?: boolean;
  /** nodes not linked to this one whose relayed tracks it may accept (their binding keys) */
  originators?: Identity[];
  acceptHook?: (obj: FedObject) => Promise<void> | void;
  /** several "processes" of one node: same bus hub, same database file */
  bus?: Bus;
  /** outbox read batch / send window (tests default to small ones: 64 / 256) */
  limits?: { batch?: number; window?: number };
  /** link stall timeout (ms): work outstanding and nothing from the peer */
  stallMs?: number;
}): Promise<TestNode> {
  const dbFile = join(o.dir, `${o.id.nodeId}.db`);
  const store = await openSqliteStore(dbFile);
  const guard = createGuard(registry);
  const accepted: FedObject[] = [];
  const audits: TestNode['audits'] = [];
  const peers: FedPeer[] = o.peers.map((p) => ({
    name: p.id.nodeId,
    nation: p.id.nation,
    host: p.host ?? '127.0.0.1',
    port: p.port,
    caPem: p.caPem ?? p.id.ca.certPem,
    publicJwk: p.id.binding.publicJwk,
  }));
  let fed: Federation;
  fed = createFederation({
    nodeId: o.id.nodeId,
    nation: o.id.nation,
    registry,
    guard,
    store,
    ...(o.bus ? { bus: o.bus } : {}),
    tls: o.id.cert,
    peers,
    ...(o.originators ? { originators: o.originators.map((x) => ({ name: x.nodeId, nation: x.nation, publicJwk: x.binding.publicJwk })) } : {}),
    listen: { host: '127.0.0.1', port: o.listenPort ?? 0 },
    binding: o.id.binding,
    audit: async (kind, _actor, body) => {
      audits.push({ kind, body: body as Record<string, unknown> });
    },
    accept: async (obj, from) => {
      await o.acceptHook?.(obj);
      if (obj.kind === 'cot') {
        // Like the node: the append is the dedupe (origin+id), atomically with durability.
        const fresh = await appendAdmitted(store, [obj.event]);
        if (fresh.length) accepted.push(obj);
        // Like the node: relay what was new, never back to where it came from.
        if (fresh.length && o.relay !== false) await fed.offer(obj, from.peer);
      } else {
        accepted.push(obj);
      }
    },
    limits: { ...(o.maxOutbox ? { maxOutbox: o.maxOutbox } : {}), batch: o.limits?.batch ?? 64, window: o.limits?.window ?? 256 },
    backoff: { minMs: 20, maxMs: 200 },
    ...(o.stallMs ? { stallMs: o.stallMs } : {}),
  });
  const { port } = await fed.start();
  return {
    id: o.id,
    fed,
    store,
    guard,
    port: port!,
    dbFile,
    accepted,
    audits,
    async close() {
      await fed.close();
      await store.close();
    },
  };
}

let counter = 0;
export function label(o: { policy: string; classification?: string; relTo?: string[]; caveats?: string[]; owner?: string }): SecurityLabel {
  return makeLabel(registry, {
    policy: o.policy,
    classification: o.classification ?? 'UNCLASSIFIED',
    ...(o.relTo ? { relTo: o.relTo } : {}),
    ...(o.caveats ? { caveats: o.caveats } : {}),
    owner: o.owner ?? o.policy,
    createdAt: '2026-01-01T00:00:00.000Z',
  });
}

export function cotObject(origin: string, l: SecurityLabel, id?: string): FedObject & { kind: 'cot' } {
  const eid = id ?? `ev-${++counter}`;
  const now = Date.now();
  const event: StoredEvent = {
    id: eid,
    origin,
    uid: `uid-${eid}`,
    type: 'a-f-S-X',
    callsign: `ship-${eid}`,
    time: now,
    stale: now + 3_600_000,
    receivedAt: now,
    label: l,
    xml: `<event version="2.0" uid="uid-${eid}" type="a-f-S-X" how="m-g"><point lat="35" lon="139" hae="0" ce="9" le="9"/><detail/></event>`,
  };
  return { kind: 'cot', origin, id: eid, event };
}

/** Originates an event on a node: stored locally, then offered (what the node's ingest does). */
export async function originate(node: TestNode, obj: FedObject & { kind: 'cot' }): Promise<void> {
  await appendAdmitted(node.store, [obj.event]);
  await node.fed.offer(obj);
}


export async function storedIds(node: TestNode): Promise<string[]> {
  const evs = await node.store.events.latest({ now: 0, includeStale: true, limit: 100_000 });
  return evs.map((e) => `${e.origin}:${e.id}`).sort();
}

export { startProxy, type LinkProxy };

/** A hand-driven peer speaking the wire protocol, to send what an honest node never would. */
export async function rawPeer(o: { port: number; cert: { certPem: string; keyPem: string }; caPem: string }) {
  const sock = tls.connect({ host: '127.0.0.1', port: o.port, ca: o.caPem, cert: o.cert.certPem, key: o.cert.keyPem, checkServerIdentity: () => undefined });
  const frames: Frame[] = [];
  const reader = new FrameReader();
  sock.on('data', (c: Buffer) => reader.push(c).forEach((b) => frames.push(decodeFrame(b))));
  const closed = new Promise<void>((r) => sock.once('close', () => r()));
  sock.on('error', () => undefined);
  await new Promise<void>((ok, fail) => sock.once('secureConnect', ok).once('error', fail));
  return { sock, frames, closed, send: (f: Frame) => sock.write(lengthPrefixed(encodeFrame(f))) };
}
