import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { issueClientCert } from '../../src/certs/index.js';
import { labelToJson } from '../../src/labels/index.js';
import type { KizunaNode } from '../../src/node/node.js';
import { request, type Identity, type Resp } from '../../src/marti/test-support.js';
import { waitFor } from '../support/node-harness.js';
import { startProxy } from '../support/proxy.js';
import { auditRows, jpnLabel, planCluster, startPlanned } from './cluster.js';

/**
 * Labelled files across federation between two real nodes: uploaded over the Marti HTTPS API
 * with a client certificate on JPN, chunked through the federation outbox, re-checked, reassembled,
 * hash-verified and served on USA by /Marti/sync/content only to those the USA guard allows.
 */
const MB = 1024 * 1024;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function identity(node: KizunaNode, name: string): Promise<Identity> {
  const c = await issueClientCert(node.pki, { name, nation: node.config.nation, groups: ['Cyan'], role: 'operator' });
  return { key: c.keyPem!, cert: c.certPem };
}

function upload(node: KizunaNode, id: Identity, data: Buffer, name: string, relTo: string[]): Promise<Resp> {
  return request(node.ready.https, {
    method: 'POST',
    path: `/Marti/sync/upload?name=${encodeURIComponent(name)}&hash=${sha(data)}`,
    ca: node.pki.caCertPem,
    id,
    headers: { 'content-type': 'application/octet-stream', 'x-kizuna-label': labelToJson(jpnLabel(node.registry, relTo)) },
    body: data,
  });
}

const content = (node: KizunaNode, id: Identity, hash: string) => request(node.ready.https, { path: `/Marti/sync/content?hash=${hash}`, ca: node.pki.caCertPem, id });
const search = async (node: KizunaNode, id: Identity) =>
  JSON.parse((await request(node.ready.https, { path: '/Marti/sync/search', ca: node.pki.caCertPem, id })).body.toString()) as { results: { Hash: string }[] };
type StoredRecord = { hash: string; origin?: string; label: { policy: string; relTo?: string[] } };
const records = (node: KizunaNode): StoredRecord[] => {
  const f = join(node.config.dataDir, 'marti', 'files.json');
  return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as { records: StoredRecord[] }).records : [];
};

describe('labelled files across federation (two real nodes)', () => {
  let cluster: Awaited<ReturnType<typeof planCluster>>;
  let jpn: KizunaNode;
  let usa: KizunaNode;
  let taro: Identity;
  let sam: Identity;

  beforeAll(async () => {
    cluster = await planCluster([{ nation: 'JPN' }, { nation: 'USA' }]);
    jpn = await startPlanned(cluster.nodes[0]!);
    usa = await startPlanned(cluster.nodes[1]!);
    taro = await identity(jpn, 'taro');
    sam = await identity(usa, 'sam');
    await waitFor(() => jpn.federation.status()[0]!.state === 'connected', 'link up', 20_000);
  }, 120_000);
  afterAll(async () => {
    await usa?.close();
    await jpn?.close();
    cluster?.cleanup();
  });

  it('a REL TO USA,JPN file uploaded on JPN becomes downloadable on USA with the same hash and a USA label', async () => {
    const data = randomBytes(600 * 1024); // 3 chunks
    expect((await upload(jpn, taro, data, 'route.kmz', ['JPN', 'USA'])).status).toBe(200);
    await waitFor(() => records(usa).some((r) => r.hash === sha(data)), 'file on USA', 30_000);
    const got = await content(usa, sam, sha(data));
    expect(got.status).toBe(200);
    expect(sha(got.body)).toBe(sha(data));
    expect(got.headers['content-disposition']).toContain('route.kmz');
    expect((await search(usa, sam)).results.map((r) => r.Hash)).toContain(sha(data));
    const rec = records(usa).find((r) => r.hash === sha(data))!;
    expect(rec.origin).toBe('JPN');
    expect(rec.label.policy).toBe('USA'); // translated into the receiver's policy
    await waitFor(async () => (await auditRows(usa, 'fed.file.received')).some((r) => r.body.hash === sha(data)), 'received audit');
    expect((await auditRows(usa, 'fed.file.received')).filter((r) => r.body.hash === sha(data))).toHaveLength(1);
  }, 60_000);

  it('a JPN-only file never appears on USA: store, search, content (404 same as a missing hash)', async () => {
    const secret = randomBytes(300 * 1024);
    const marker = randomBytes(10 * 1024);
    expect((await upload(jpn, taro, secret, 'jpn-only.bin', ['JPN'])).status).toBe(200);
    expect((await upload(jpn, taro, marker, 'marker.bin', ['JPN', 'USA'])).status).toBe(200);
    // files go to a peer in upload order: once the marker is there, the restricted one had its chance
    await waitFor(() => records(usa).some((r) => r.hash === sha(marker)), 'marker on USA', 30_000);
    expect((await content(jpn, taro, sha(secret))).status).toBe(200); // it exists on JPN
    expect(records(usa).some((r) => r.hash === sha(secret))).toBe(false);
    expect(readdirSync(join(usa.config.dataDir, 'marti', 'content'))).not.toContain(sha(secret));
    expect((await search(usa, sam)).results.map((r) => r.Hash)).not.toContain(sha(secret));
    const denied = await content(usa, sam, sha(secret));
    const missing = await content(usa, sam, sha(randomBytes(8)));
    expect(denied.status).toBe(404);
    expect(denied.body.toString()).toBe(missing.body.toString());
    const withheld = await auditRows(jpn, 'fed.withheld');
    expect(withheld.some((r) => r.body.kind === 'file' && r.body.id === `file/${sha(secret)}` && r.body.peer === 'USA')).toBe(true);
  }, 60_000);
});

describe('a multi-chunk file survives a link cut mid-transfer', () => {
  it('3 MB: cut after ~1 MB, resumes from the last acknowledged chunk, arrives intact once', async () => {
    const cluster = await planCluster([{ nation: 'JPN', relTo: ['JPN', 'USA'] }, { nation: 'USA' }]);
    const [pj, pu] = cluster.nodes as [(typeof cluster.nodes)[0], (typeof cluster.nodes)[0]];
    const proxy = await startProxy(() => pu.fedPort);
    // JPN dials USA (smaller node id) through the proxy
    const jpnPeers = (pj.config.peers ?? []).map((p) => ({ ...p, port: proxy.port }));
    const usa = await startPlanned(pu);
    const jpn = await startPlanned(pj, { peers: jpnPeers });
    try {
      const taro = await identity(jpn, 'taro');
      const sam = await identity(usa, 'sam');
      await waitFor(() => jpn.federation.status()[0]!.state === 'connected', 'link up', 20_000);
      proxy.choke(1 * MB);
      const data = randomBytes(3 * MB); // 12 chunks of 256 KiB
      expect((await upload(jpn, taro, data, 'big.bin', ['JPN', 'USA'])).status).toBe(200);
      await waitFor(() => proxy.cuts > 0, 'link cut mid-transfer', 30_000);
      // part of the file arrived and is held back: nothing visible before the whole hash is verified
      const incoming = join(usa.config.dataDir, 'federation-files', 'incoming');
      await waitFor(() => readdirSync(incoming).some((f) => f.endsWith('.json')), 'partial transfer recorded', 10_000);
      const part = JSON.parse(readFileSync(join(incoming, readdirSync(incoming).find((f) => f.endsWith('.json'))!), 'utf8')) as { have: number[]; total: number };
      expect(part.total).toBe(12);
      expect(part.have.length).toBeGreaterThan(0);
      expect(part.have.length).toBeLessThan(12);
      expect(records(usa).some((r) => r.hash === sha(data))).toBe(false);
      expect((await content(usa, sam, sha(data))).status).toBe(404);

      proxy.resume();
      await waitFor(() => records(usa).some((r) => r.hash === sha(data)), 'file on USA after the cut', 60_000);
      const got = await content(usa, sam, sha(data));
      expect(got.status).toBe(200);
      expect(got.body.equals(data)).toBe(true);
      expect(records(usa).filter((r) => r.hash === sha(data))).toHaveLength(1);
      await waitFor(async () => (await auditRows(usa, 'fed.file.received')).some((r) => r.body.hash === sha(data)), 'received audit');
      expect((await auditRows(usa, 'fed.file.received')).filter((r) => r.body.hash === sha(data))).toHaveLength(1);
      expect(readdirSync(incoming).filter((f) => !f.endsWith('.tmp'))).toEqual([]);
      await waitFor(() => jpn.federation.status()[0]!.outboxDepth === 0, 'outbox drained', 30_000);
      await waitFor(async () => (await auditRows(jpn, 'fed.file.enqueued')).length > 0, 'sent audit');
      expect((await auditRows(jpn, 'fed.file.enqueued')).filter((r) => r.body.hash === sha(data))).toHaveLength(1);
    } finally {
      await jpn.close();
      await usa.close();
      await proxy.close();
      cluster.cleanup();
    }
  }, 120_000);
});
