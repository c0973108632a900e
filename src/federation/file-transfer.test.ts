import { afterEach, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createGuard, loadPolicies, makeLabel, type SecurityLabel } from '../labels/index.js';
import { openFileStore, type FileStore } from '../marti/files/store.js';
import { KizunaError } from '../util/errors.js';
import { createFileTransfer, type FileTransfer } from './file-transfer.js';
import type { FedObject, PeerStatus } from './types.js';
import { admittedForTest } from '../../test/support/admitted.js';

/**
 * The chunk pump and reassembly without sockets (the two-node tests cover the wire): the sender never
 * has more than `window` chunks queued for a peer and continues after a restart from its persisted
 * position; the receiver takes chunks in any order, with duplicates, and makes a file visible once,
 * only when the whole SHA-256 matches; a mismatch leaves nothing behind.
 */
const registry = loadPolicies();
const guard = createGuard(registry);
const CHUNK = 16 * 1024;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
type Chunk = Extract<FedObject, { kind: 'file-chunk' }>;
const dirs: string[] = [];
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'kizuna-filefed-'));
  dirs.push(d);
  return d;
};
const jpnLabel = (relTo: string[]): SecurityLabel => makeLabel(registry, { policy: 'JPN', classification: 'UNCLASSIFIED', relTo, owner: 'JPN' });

/** A federation stand-in with one USA peer whose outbox the test drains by hand. */
function fakeFederation() {
  const queue: Chunk[] = [];
  const st = { maxDepth: 0, offered: [] as number[] };
  const status = (): PeerStatus[] => [
    { peer: 'USA', nation: 'USA', state: 'connected', outboxDepth: queue.length, lastAckSeq: 0, sent: 0, received: 0, rejected: 0, outboxFull: false, droppedWhileFull: 0, leaseHeld: true },
  ];
  return {
    queue,
    st,
    federation: {
      status,
      async offer(obj: FedObject, _cameFrom?: string, only?: string) {
        if (obj.kind !== 'file-chunk' || only !== 'USA') throw new Error('unexpected offer');
        queue.push(obj);
        st.offered.push(obj.chunk.index);
        st.maxDepth = Math.max(st.maxDepth, queue.length);
        return ['USA'];
      },
    },
  };
}

async function sender(dir: string, files: FileStore, fed: ReturnType<typeof fakeFederation>, audits: { kind: string; body: unknown }[] = []) {
  const t = createFileTransfer({
    nodeId: 'JPN',
    nation: 'JPN',
    registry,
    guard,
    federation: fed.federation,
    files,
    dir,
    audit: async (kind, _a, body) => void audits.push({ kind, body }),
    chunkBytes: CHUNK,
    window: 4,
    pollMs: 5,
  });
  closers.push(() => t.close());
  t.start();
  return t;
}

function receiver(dir: string, files: FileStore, audits: { kind: string; body: unknown }[] = []): FileTransfer {
  const fed = fakeFederation();
  const t = createFileTransfer({ nodeId: 'USA', nation: 'USA', registry, guard, federation: fed.federation, files, dir, audit: async (kind, _a, body) => void audits.push({ kind, body }), chunkBytes: CHUNK });
  closers.push(() => t.close());
  return t;
}

async function storeFile(files: FileStore, data: Buffer, label: SecurityLabel) {
  const { hash, size } = await files.ingest(Readable.from([data]), { limit: data.length, overLimit: () => new KizunaError('PAYLOAD_TOO_LARGE') });
  return files.addRecord(admittedForTest({ hash, size, name: 'f.bin', mimeType: 'application/octet-stream', keywords: [], tool: 'public', submitter: 'taro', submitterNation: 'JPN', creatorUid: '', label }));
}

const asReceived = (c: Chunk): Chunk => ({ ...c, received: registry.translate(c.chunk.label, 'USA') });
const from = { peer: 'JPN', nation: 'JPN' };

async function drain(fed: ReturnType<typeof fakeFederation>, into: Chunk[], until: () => boolean): Promise<void> {
  // a slow consumer: one item per few ms, so a pump that ignored its window would run far ahead
  for (let i = 0; i < 20_000 && !until(); i++) {
    await new Promise((r) => setTimeout(r, 3));
    const c = fed.queue.shift();
    if (c) into.push(c);
  }
}

describe('file transfer: sender pump', () => {
  it('never queues more than the window for a peer, sends every chunk once in order, withholds what the guard refuses', async () => {
    const root = tmp();
    const files = openFileStore(join(root, 'jpn'));
    const fed = fakeFederation();
    const audits: { kind: string; body: unknown }[] = [];
    const t = await sender(join(root, 'jpn-fed'), files, fed, audits);
    const data = randomBytes(40 * CHUNK + 123);
    const rec = await storeFile(files, data, jpnLabel(['JPN', 'USA']));
    expect(await t.send(rec)).toEqual(['USA']);
    const got: Chunk[] = [];
    await drain(fed, got, () => got.length === 41);
    expect(got.map((c) => c.chunk.index)).toEqual([...Array(41).keys()]);
    expect(fed.st.maxDepth).toBeLessThanOrEqual(4);
    expect(Buffer.concat(got.map((c) => c.data)).equals(data)).toBe(true);

    const secret = await storeFile(files, randomBytes(1000), jpnLabel(['JPN']));
    expect(await t.send(secret)).toEqual([]);
    expect(audits.some((a) => a.kind === 'fed.withheld' && (a.body as { id: string }).id === `file/${secret.hash}`)).toBe(true);
    await new Promise((r) => setTimeout(r, 50));
    expect(fed.queue).toEqual([]);
  });

  it('continues after a restart from the persisted position (no chunk skipped)', async () => {
    const root = tmp();
    const files = openFileStore(join(root, 'jpn'));
    const fed = fakeFederation();
    const t1 = await sender(join(root, 'jpn-fed'), files, fed);
    const data = randomBytes(20 * CHUNK);
    await t1.send(await storeFile(files, data, jpnLabel(['JPN', 'USA'])));
    const got: Chunk[] = [];
    await drain(fed, got, () => got.length >= 6);
    await t1.close();
    // what was still queued stays in the (persistent) outbox: hand it over too
    got.push(...fed.queue.splice(0));
    const before = fed.st.offered.length;
    await sender(join(root, 'jpn-fed'), files, fed);
    await drain(fed, got, () => new Set(got.map((c) => c.chunk.index)).size === 20);
    const resumedFrom = fed.st.offered[before];
    expect(resumedFrom).toBe(before); // next index after the last one enqueued, not 0
    const byIndex = new Map(got.map((c) => [c.chunk.index, c.data]));
    expect(Buffer.concat([...Array(20).keys()].map((i) => byIndex.get(i)!)).equals(data)).toBe(true);
  });
  it('drops a transfer whose content disappeared (audited), without a retry loop', async () => {
    const root = tmp();
    const files = openFileStore(join(root, 'jpn'));
    const fed = fakeFederation();
    const audits: { kind: string; body: unknown }[] = [];
    const rec = await storeFile(files, randomBytes(5 * CHUNK), jpnLabel(['JPN', 'USA']));
    rmSync(files.contentPath(rec.hash));
    const t = await sender(join(root, 'jpn-fed'), files, fed, audits);
    await t.send(rec);
    for (let i = 0; i < 200 && !audits.some((a) => a.kind === 'fed.file.abandoned'); i++) await new Promise((r) => setTimeout(r, 5));
    expect(audits.filter((a) => a.kind === 'fed.file.abandoned')).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 50));
    expect(audits.filter((a) => a.kind === 'fed.file.abandoned')).toHaveLength(1);
    expect(fed.st.offered).toEqual([]);
  });
});

describe('file transfer: receiver', () => {
  async function chunksOf(data: Buffer, label = jpnLabel(['JPN', 'USA'])): Promise<Chunk[]> {
    const root = tmp();
    const files = openFileStore(join(root, 'jpn'));
    const fed = fakeFederation();
    const t = await sender(join(root, 'jpn-fed'), files, fed);
    await t.send(await storeFile(files, data, label));
    const got: Chunk[] = [];
    const total = Math.ceil(data.length / CHUNK);
    await drain(fed, got, () => got.length === total);
    return got;
  }

  it('takes chunks out of order and duplicated, makes the file visible once with the translated label', async () => {
    const data = randomBytes(10 * CHUNK + 7);
    const chunks = await chunksOf(data);
    const dir = tmp();
    const files = openFileStore(dir);
    const audits: { kind: string; body: unknown }[] = [];
    const r = receiver(join(dir, 'fed'), files, audits);
    const order = [...chunks].reverse();
    order.splice(3, 0, chunks[2]!, chunks[9]!); // duplicates before completion
    const partial = order.slice(0, 6);
    await Promise.all(partial.map((c) => r.receive(asReceived(c), from)));
    expect(files.byHash(sha(data))).toEqual([]); // nothing visible before the whole hash is verified
    await Promise.all(order.slice(6).map((c) => r.receive(asReceived(c), from)));
    // a replay after completion is a no-op
    await Promise.all(chunks.map((c) => r.receive(asReceived(c), from)));
    const recs = files.byHash(sha(data));
    expect(recs).toHaveLength(1);
    expect(recs[0]!.origin).toBe('JPN');
    expect(recs[0]!.label.policy).toBe('USA');
    expect(readFileSync(files.contentPath(sha(data))).equals(data)).toBe(true);
    expect(audits.filter((a) => a.kind === 'fed.file.received')).toHaveLength(1);
    expect(readdirSync(join(dir, 'fed', 'incoming'))).toEqual([]);
  });

  it('a file whose bytes do not match its hash never becomes visible and leaves nothing behind', async () => {
    const data = randomBytes(3 * CHUNK);
    const chunks = await chunksOf(data);
    const bad = Buffer.from(chunks[1]!.data);
    bad[5] = bad[5]! ^ 0xff;
    chunks[1] = { ...chunks[1]!, data: bad };
    const dir = tmp();
    const files = openFileStore(dir);
    const audits: { kind: string; body: unknown }[] = [];
    const r = receiver(join(dir, 'fed'), files, audits);
    await r.receive(asReceived(chunks[0]!), from);
    await r.receive(asReceived(chunks[1]!), from);
    await expect(r.receive(asReceived(chunks[2]!), from)).rejects.toMatchObject({ code: 'HASH_MISMATCH' });
    expect(files.byHash(sha(data))).toEqual([]);
    expect(existsSync(files.contentPath(sha(data)))).toBe(false);
    expect(readdirSync(join(dir, 'fed', 'incoming'))).toEqual([]);
    expect(audits.some((a) => a.kind === 'fed.file.rejected')).toBe(true);
  });

  it('refuses a chunk without a boundary-checked label', async () => {
    const chunks = await chunksOf(randomBytes(100));
    const dir = tmp();
    const r = receiver(join(dir, 'fed'), openFileStore(dir));
    await expect(r.receive(chunks[0]!, from)).rejects.toMatchObject({ code: 'FED_REJECTED' });
  });
});
