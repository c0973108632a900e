import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { once } from 'node:events';
import * as https from 'node:https';
import { labelToJson, loadPolicies, makeLabel } from '../labels/index.js';
import { errorCode, multipart, type Identity, type TestNode } from './test-support.js';
import { sha256hex, startMartiNode, type MartiNode, type MartiRequest } from '../../test/support/marti.js';

const MB = 1024 * 1024;
let node: TestNode;
let ca: string;
let api: MartiNode<string>['api'];
let usa: Identity;
let jpn: Identity;
let jpn2: Identity;
let usa2: Identity;
beforeAll(async () => {
  const people = { usa: ['sam', 'USA'], jpn: ['taro', 'JPN'], jpn2: ['hanako', 'JPN'], usa2: ['ann', 'USA'] } as const;
  ({ node, ca, api, ids: { usa, jpn, jpn2, usa2 } } = await startMartiNode(people, { maxUploadBytes: 300 * MB, userQuotaBytes: 1024 * MB }));
}, 60_000);
afterAll(async () => node?.close());

const contentFiles = () => readdirSync(join(node.dir, 'marti', 'content'));
const tmpFiles = () => readdirSync(join(node.dir, 'marti', 'tmp'));

async function missionUpload(id: Identity, data: Buffer, name: string, extra: Record<string, string> = {}) {
  const boundary = '----kizuna' + randomBytes(6).toString('hex');
  return api({
    method: 'POST',
    path: `/Marti/sync/missionupload?hash=${sha256hex(data)}&filename=${encodeURIComponent(name)}&creatorUid=ANDROID-x`,
    ca,
    id,
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, ...extra },
    body: multipart(boundary, name, data),
  });
}

describe('data packages: upload, query, download, search', () => {
  it('missionupload (multipart) stores by SHA-256; missionquery, content and search find it', async () => {
    const data = randomBytes(100_000);
    const up = await missionUpload(usa, data, 'pkg one.zip');
    expect(up.status).toBe(200);
    expect(up.body.toString()).toBe(`https://localhost:${node.servers.httpsPort}/Marti/sync/content?hash=${sha256hex(data)}`);
    const q = await api({ path: `/Marti/sync/missionquery?hash=${sha256hex(data)}`, ca, id: usa });
    expect(q.status).toBe(200);
    const got = await api({ path: `/Marti/sync/content?hash=${sha256hex(data)}`, ca, id: jpn });
    expect(got.status).toBe(200);
    expect(got.body.equals(data)).toBe(true);
    expect(got.headers['content-type']).toBe('application/x-zip-compressed');
    expect(got.headers['content-disposition']).toContain('filename="pkg one.zip"');
    const head = await api({ method: 'HEAD', path: `/Marti/sync/content?hash=${sha256hex(data)}`, ca, id: usa });
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe(String(data.length));
    const s = JSON.parse((await api({ path: '/Marti/sync/search?keywords=missionpackage', ca, id: jpn }).then((r) => r.body)).toString());
    const entry = s.results.find((r: { Hash: string }) => r.Hash === sha256hex(data));
    expect(entry).toMatchObject({ Name: 'pkg one.zip', SubmissionUser: 'sam', CreatorUid: 'ANDROID-x', Size: data.length, Keywords: ['missionpackage'] });
    expect(Number.isInteger(entry.PrimaryKey)).toBe(true);
    expect(typeof entry.UID).toBe('string');
    expect(entry.SubmissionDateTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(s.resultCount).toBe(s.results.length);
  });

  it('upload (raw body, iTAK) answers the metadata JSON; tool=private hides it from others\' search but not by hash', async () => {
    const data = Buffer.from('hello from iTAK');
    const up = await api({ method: 'POST', path: '/Marti/sync/upload?name=note.txt&keywords=a,b&CreatorUid=iOS-1', ca, id: usa2, headers: { 'content-type': 'text/plain' }, body: data });
    expect(up.status).toBe(200);
    expect(JSON.parse(up.body.toString())).toMatchObject({ Hash: sha256hex(data), Name: 'note.txt', Keywords: ['a', 'b'], MIMEType: 'text/plain', CreatorUid: 'iOS-1' });
    const put = await api({ method: 'PUT', path: `/Marti/api/sync/metadata/${sha256hex(data)}/tool`, ca, id: usa2, headers: { 'content-type': 'text/plain' }, body: 'private' });
    expect(put.status).toBe(200);
    const listed = async (id: Identity) =>
      (JSON.parse((await api({ path: '/Marti/sync/search?keywords=a', ca, id })).body.toString()) as { results: { Hash: string }[] }).results.some((r) => r.Hash === sha256hex(data));
    expect(await listed(usa2)).toBe(true);
    expect(await listed(jpn2)).toBe(false);
    expect((await api({ path: `/Marti/sync/content?hash=${sha256hex(data)}`, ca, id: jpn2 })).status).toBe(200);
    const bad = await api({ method: 'PUT', path: `/Marti/api/sync/metadata/${sha256hex(data)}/tool`, ca, id: usa2, headers: { 'content-type': 'text/plain' }, body: 'secret' });
    expect(errorCode(bad)).toBe('BAD_REQUEST');
  });

  it('a USA-only file is never downloadable, listed, queried or counted for a JPN user: same 404 as a missing hash', async () => {
    const data = randomBytes(5000);
    const noforn = labelToJson(node.label({ classification: 'SECRET', caveats: ['NOFORN'] }));
    const up = await missionUpload(usa, data, 'usa-only.zip', { 'x-kizuna-label': noforn });
    expect(up.status).toBe(200);
    const missing = await api({ path: `/Marti/sync/content?hash=${'0'.repeat(64)}`, ca, id: jpn });
    const denied = await api({ path: `/Marti/sync/content?hash=${sha256hex(data)}`, ca, id: jpn });
    expect(missing.status).toBe(404);
    expect(denied.status).toBe(404);
    expect(denied.body.equals(missing.body)).toBe(true);
    expect((await api({ method: 'HEAD', path: `/Marti/sync/content?hash=${sha256hex(data)}`, ca, id: jpn })).status).toBe(404);
    expect((await api({ path: `/Marti/sync/missionquery?hash=${sha256hex(data)}`, ca, id: jpn })).status).toBe(404);
    const jpnSearch = JSON.parse((await api({ path: '/Marti/sync/search', ca, id: jpn })).body.toString());
    const usaSearch = JSON.parse((await api({ path: '/Marti/sync/search', ca, id: usa })).body.toString());
    expect(jpnSearch.results.some((r: { Hash: string }) => r.Hash === sha256hex(data))).toBe(false);
    expect(usaSearch.results.some((r: { Hash: string }) => r.Hash === sha256hex(data))).toBe(true);
    expect(jpnSearch.resultCount).toBe(jpnSearch.results.length);
    // hanako sees exactly what sam sees except the USA-only record (neither sees ann's private note)
    const otherJpn = JSON.parse((await api({ path: '/Marti/sync/search', ca, id: jpn2 })).body.toString());
    expect(otherJpn.resultCount).toBe(usaSearch.resultCount - 1);
    expect((await api({ method: 'PUT', path: `/Marti/api/sync/metadata/${sha256hex(data)}/tool`, ca, id: jpn, body: 'public', headers: { 'content-type': 'text/plain' } })).status).toBe(404);
    // the same bytes uploaded by JPN under their own label do not unlock the USA record
    expect((await api({ path: `/Marti/sync/content?hash=${sha256hex(data)}`, ca, id: usa })).status).toBe(200);
    // an uploader cannot label above what they may read
    const up2 = await missionUpload(jpn, randomBytes(10), 'x.zip', { 'x-kizuna-label': noforn });
    expect(errorCode(up2)).toBe('FORBIDDEN');
  });

  it('the write authority decides an upload label: never another owner, never a foreign policy, nothing stored on refusal', async () => {
    const before = contentFiles().length;
    const jpnOwned = labelToJson(makeLabel(loadPolicies(), { policy: 'JPN', classification: 'UNCLASSIFIED', relTo: ['JPN', 'USA'], owner: 'JPN' }));
    const claimJpn = await missionUpload(usa, randomBytes(64), 'claim.zip', { 'x-kizuna-label': jpnOwned });
    expect(errorCode(claimJpn)).toBe('FORBIDDEN');
    const usaPolicyJpnOwner = JSON.stringify({ ...JSON.parse(labelToJson(node.label({ relTo: ['USA', 'JPN'] }))), owner: 'JPN' });
    expect(errorCode(await missionUpload(usa, randomBytes(64), 'claim2.zip', { 'x-kizuna-label': usaPolicyJpnOwner }))).toBe('FORBIDDEN');
    // a certificate naming another nation writes nothing on this node (a misissue; read access stays the guard's)
    expect(errorCode(await missionUpload(jpn, randomBytes(64), 'foreign.zip'))).toBe('FORBIDDEN');
    expect(contentFiles().length).toBe(before);
    expect(tmpFiles()).toEqual([]);
  });

  it('the file-share CoT (b-f-t-r) is published with the file\'s label and a directed marti/dest', async () => {
    const data = randomBytes(300);
    await missionUpload(usa, data, 'share.zip');
    const r = await api({ method: 'POST', path: `/Marti/api/kizuna/files/${sha256hex(data)}/share`, ca, id: usa, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ callsigns: ['TARO'], senderUid: 'ANDROID-sam' }) });
    expect(r.status).toBe(202);
    const p = node.published.at(-1)!;
    expect(p.xml).toContain('type="b-f-t-r"');
    expect(p.xml).toContain(`sha256="${sha256hex(data)}"`);
    expect(p.xml).toContain(`senderUrl="https://localhost:${node.servers.httpsPort}/Marti/sync/content?hash=${sha256hex(data)}"`);
    expect(p.xml).toContain('<marti><dest callsign="TARO"/></marti>');
    const { createdAt: _a, ...got } = p.label;
    const { createdAt: _b, ...want } = node.deps.defaultLabel();
    expect(got).toEqual(want);
  });
});

describe('bad uploads: coded errors and nothing left behind', () => {
  it('refuses path tricks in names (query or multipart part)', async () => {
    const before = contentFiles().length;
    for (const name of ['../evil.zip', '..\\evil.zip', 'a/b.zip', '/etc/passwd', 'x\u0000.zip']) {
      const r = await api({ method: 'POST', path: `/Marti/sync/upload?name=${encodeURIComponent(name)}`, ca, id: usa, body: 'data' });
      expect(r.status).toBe(400);
      expect(errorCode(r)).toBe('FILENAME_INVALID');
    }
    const boundary = 'b0undary';
    const r = await api({ method: 'POST', path: '/Marti/sync/missionupload', ca, id: usa, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, body: multipart(boundary, '../../x.zip', randomBytes(100)) });
    expect(errorCode(r)).toBe('FILENAME_INVALID');
    expect(contentFiles().length).toBe(before);
    expect(tmpFiles()).toEqual([]);
  });

  it('refuses a malformed hash and a hash that does not match the bytes', async () => {
    expect(errorCode(await api({ path: '/Marti/sync/content?hash=../../etc/passwd', ca, id: usa }))).toBe('BAD_REQUEST');
    expect(errorCode(await api({ path: '/Marti/sync/content', ca, id: usa }))).toBe('BAD_REQUEST');
    const before = contentFiles().length;
    const data = randomBytes(1000);
    const r = await api({ method: 'POST', path: `/Marti/sync/upload?name=m.bin&hash=${sha256hex(Buffer.from('other'))}`, ca, id: usa, body: data });
    expect(r.status).toBe(400);
    expect(errorCode(r)).toBe('HASH_MISMATCH');
    expect(contentFiles().length).toBe(before);
    expect(tmpFiles()).toEqual([]);
  });

  it('refuses a truncated multipart body and a body over the size limit', async () => {
    const { node: small, api: smallApi, ids } = await startMartiNode({ uma: ['uma', 'USA'] }, { maxUploadBytes: 64 * 1024, userQuotaBytes: 100 * 1024 });
    try {
      const call = (o: Omit<MartiRequest, 'ca'>) => smallApi({ ...o, ca: small.pki.caCertPem, id: ids.uma });
      const boundary = 'xyz';
      const whole = multipart(boundary, 'cut.zip', randomBytes(10_000));
      const cut = await call({ method: 'POST', path: '/Marti/sync/missionupload', headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, body: whole.subarray(0, whole.length - 30) });
      expect(cut.status).toBe(400);
      expect(errorCode(cut)).toBe('UPLOAD_INCOMPLETE');

      // streamed without a length, so the limit is hit mid-stream
      const big = await call({ method: 'POST', path: '/Marti/sync/upload?name=big.bin', body: Readable.from((function* () { for (let i = 0; i < 10; i++) yield randomBytes(16 * 1024); })()) });
      expect(big.status).toBe(413);
      expect(errorCode(big)).toBe('PAYLOAD_TOO_LARGE');

      // quota: 2 x 60 KiB fits the per-file limit but not the 100 KiB quota
      expect((await call({ method: 'POST', path: '/Marti/sync/upload?name=q1.bin', body: randomBytes(60 * 1024) })).status).toBe(200);
      const q2 = await call({ method: 'POST', path: '/Marti/sync/upload?name=q2.bin', body: randomBytes(60 * 1024) });
      expect(errorCode(q2)).toBe('QUOTA_EXCEEDED');
      expect(readdirSync(join(small.dir, 'marti', 'content'))).toHaveLength(1);
      // temp files of refused uploads are removed when their streams end (asynchronously): poll briefly
      for (let i = 0; i < 100 && readdirSync(join(small.dir, 'marti', 'tmp')).length > 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(readdirSync(join(small.dir, 'marti', 'tmp'))).toEqual([]);
    } finally {
      await small.close();
    }
  });

  it('a client that disconnects mid-upload leaves no partial file', async () => {
    const before = contentFiles().length;
    const req = https.request({ host: '127.0.0.1', port: node.servers.httpsPort, method: 'POST', path: '/Marti/sync/upload?name=gone.bin', ca, key: usa.key, cert: usa.cert, servername: 'localhost', headers: { 'content-length': 10 * MB }, agent: false });
    req.on('error', () => {});
    req.write(randomBytes(256 * 1024));
    await once(req, 'socket');
    // wait until the server has created its temp file, then vanish
    while (tmpFiles().length === 0) await new Promise((r) => setTimeout(r, 10));
    req.destroy();
    while (tmpFiles().length > 0) await new Promise((r) => setTimeout(r, 10));
    expect(contentFiles().length).toBe(before);
  });
});

describe('large files', () => {
  it('200 MB upload and download stream with flat memory and an identical hash', async () => {
    const size = 200 * MB;
    const chunk = randomBytes(MB);
    const expected = createHash('sha256');
    for (let i = 0; i < 200; i++) expected.update(chunk);
    const hash = expected.digest('hex');
    global.gc?.();
    const rss0 = process.memoryUsage().rss;
    let peak = rss0;
    const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    try {
      const up = await api({
        method: 'POST',
        path: `/Marti/sync/upload?name=big.bin&hash=${hash}`,
        ca,
        id: usa,
        headers: { 'content-length': size, 'content-type': 'application/octet-stream' },
        body: Readable.from((function* () { for (let i = 0; i < 200; i++) yield chunk; })()),
      });
      expect(up.status).toBe(200);
      // download, hashing as it streams (never buffered)
      const got = await new Promise<{ hash: string; bytes: number }>((resolve, reject) => {
        const h = createHash('sha256');
        let bytes = 0;
        https
          .get({ host: '127.0.0.1', port: node.servers.httpsPort, path: `/Marti/sync/content?hash=${hash}`, ca, key: usa.key, cert: usa.cert, servername: 'localhost', agent: false }, (res) => {
            res.on('data', (c: Buffer) => {
              bytes += c.length;
              h.update(c);
            });
            res.on('end', () => resolve({ hash: h.digest('hex'), bytes }));
            res.on('error', reject);
          })
          .on('error', reject);
      });
      expect(got).toEqual({ hash, bytes: size });
    } finally {
      clearInterval(sample);
    }
    const growthMb = (peak - rss0) / MB;
    console.log(`[rss] 200 MB upload+download: rss before ${(rss0 / MB).toFixed(0)} MB, peak ${(peak / MB).toFixed(0)} MB, growth ${growthMb.toFixed(0)} MB`);
    expect(growthMb).toBeLessThan(100);
  }, 120_000);
});
