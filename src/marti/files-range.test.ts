import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IncomingHttpHeaders } from 'node:http';
import { labelToJson } from '../labels/index.js';
import { errorCode, type Identity, type Resp, type TestNode } from './test-support.js';
import { sha256hex, startMartiNode, type MartiNode } from '../../test/support/marti.js';

let node: TestNode;
let ca: string;
let api: MartiNode<string>['api'];
let usa: Identity;
let jpn: Identity;
/** a file both may read, and one only USA may read (NOFORN) */
let shared: { hash: string; bytes: Buffer };
let usaOnly: { hash: string; bytes: Buffer };


async function upload(data: Buffer, name: string, label?: string) {
  const r = await api({ method: 'POST', path: `/Marti/sync/upload?name=${name}`, ca, id: usa, headers: { 'content-type': 'application/octet-stream', ...(label ? { 'x-kizuna-label': label } : {}) }, body: data });
  expect(r.status).toBe(200);
  const hash = sha256hex(data);
  // compare against the bytes the node actually stored, not only what we sent
  const bytes = readFileSync(join(node.dir, 'marti', 'content', hash));
  expect(bytes.equals(data)).toBe(true);
  return { hash, bytes };
}

beforeAll(async () => {
  ({ node, ca, api, ids: { usa, jpn } } = await startMartiNode({ usa: ['sam', 'USA'], jpn: ['taro', 'JPN'] }));
  shared = await upload(randomBytes(1_000_003), 'shared.bin');
  usaOnly = await upload(randomBytes(77_777), 'usa-only.bin', labelToJson(node.label({ classification: 'SECRET', caveats: ['NOFORN'] })));
}, 60_000);
afterAll(async () => node?.close());

const get = (hash: string, id: Identity, range?: string, extra: Record<string, string> = {}) =>
  api({ path: `/Marti/sync/content?hash=${hash}`, ca, id, headers: { ...(range !== undefined ? { range } : {}), ...extra } });

describe('GET /Marti/sync/content with Range', () => {
  it('bytes=a-b, bytes=a- and bytes=-n return 206 with exactly those bytes of the stored file', async () => {
    const size = shared.bytes.length;
    const cases: [string, number, number][] = [
      ['bytes=0-0', 0, 0],
      ['bytes=100-65636', 100, 65636],
      ['bytes=999000-', 999000, size - 1],
      ['bytes=-1234', size - 1234, size - 1],
      ['bytes=500000-99999999', 500000, size - 1],
      ['bytes=-5000000', 0, size - 1],
    ];
    for (const [h, start, end] of cases) {
      const r = await get(shared.hash, jpn, h);
      expect(r.status, h).toBe(206);
      expect(r.headers['content-range'], h).toBe(`bytes ${start}-${end}/${size}`);
      expect(r.headers['content-length'], h).toBe(String(end - start + 1));
      expect(r.headers['accept-ranges'], h).toBe('bytes');
      expect(r.body.equals(shared.bytes.subarray(start, end + 1)), h).toBe(true);
    }
  });

  it('pieces fetched by range reassemble into the file (a resumed download)', async () => {
    const size = shared.bytes.length;
    const parts: Buffer[] = [];
    for (let at = 0; at < size; at += 300_000) parts.push((await get(shared.hash, usa, `bytes=${at}-${Math.min(at + 300_000, size) - 1}`)).body);
    expect(sha256hex(Buffer.concat(parts))).toBe(shared.hash);
  });

  it('416 with Content-Range bytes */size for a range past the end or a zero-length suffix', async () => {
    for (const h of [`bytes=${shared.bytes.length}-`, `bytes=${shared.bytes.length + 10}-${shared.bytes.length + 20}`, 'bytes=-0']) {
      const r = await get(shared.hash, jpn, h);
      expect(r.status, h).toBe(416);
      expect(r.headers['content-range'], h).toBe(`bytes */${shared.bytes.length}`);
      expect(errorCode(r), h).toBe('RANGE_NOT_SATISFIABLE');
      expect(r.headers['content-disposition'], h).toBeUndefined();
    }
  });

  it('multi-range, malformed and other-unit headers get the whole file with 200', async () => {
    for (const h of ['bytes=0-1,5-9', 'bytes=9-2', 'bytes=abc', 'pages=1-2', 'bytes=']) {
      const r = await get(shared.hash, jpn, h);
      expect(r.status, h).toBe(200);
      expect(r.headers['content-range'], h).toBeUndefined();
      expect(r.headers['accept-ranges'], h).toBe('bytes');
      expect(r.body.equals(shared.bytes), h).toBe(true);
    }
  });

  it('If-Range: the hash ETag honours the range, any other validator gets the whole file; HEAD ignores Range', async () => {
    const plain = await get(shared.hash, usa);
    expect(plain.headers.etag).toBe(`"${shared.hash}"`);
    expect((await get(shared.hash, usa, 'bytes=0-9', { 'if-range': `"${shared.hash}"` })).status).toBe(206);
    const stale = await get(shared.hash, usa, 'bytes=0-9', { 'if-range': '"something-else"' });
    expect(stale.status).toBe(200);
    expect(stale.body.equals(shared.bytes)).toBe(true);
    const head = await api({ method: 'HEAD', path: `/Marti/sync/content?hash=${shared.hash}`, ca, id: usa, headers: { range: 'bytes=0-9' } });
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe(String(shared.bytes.length));
    expect(head.headers['content-range']).toBeUndefined();
  });

  it('a file the caller may not see answers a Range request exactly like a missing hash (no size in Content-Range)', async () => {
    const missing = '0'.repeat(64);
    // the USA reader gets the range, so the file and the range are real
    const mine = await get(usaOnly.hash, usa, 'bytes=10-19');
    expect(mine.status).toBe(206);
    expect(mine.body.equals(usaOnly.bytes.subarray(10, 20))).toBe(true);
    const without = (h: IncomingHttpHeaders) => Object.fromEntries(Object.entries(h).filter(([k]) => k !== 'date'));
    const same = (a: Resp, b: Resp, what: string) => {
      expect(a.status, what).toBe(404);
      expect(a.status, what).toBe(b.status);
      expect(a.body.equals(b.body), what).toBe(true);
      expect(without(a.headers), what).toEqual(without(b.headers));
      expect(a.headers['content-range'], what).toBeUndefined();
    };
    for (const h of ['bytes=10-19', 'bytes=-5', `bytes=${usaOnly.bytes.length}-`, 'bytes=999999999-', 'bytes=0-1,3-4', undefined]) {
      const denied = await get(usaOnly.hash, jpn, h);
      const absent = await get(missing, jpn, h);
      same(denied, absent, String(h));
    }
    const uidOf = async () => {
      const s = JSON.parse((await api({ path: '/Marti/sync/search', ca, id: usa })).body.toString()) as { results: { Hash: string; UID: string }[] };
      return s.results.find((r) => r.Hash === usaOnly.hash)!.UID;
    };
    const uid = await uidOf();
    same(
      await api({ path: `/Marti/sync/content?uid=${uid}`, ca, id: jpn, headers: { range: `bytes=${usaOnly.bytes.length}-` } }),
      await api({ path: '/Marti/sync/content?uid=no-such-uid', ca, id: jpn, headers: { range: `bytes=${usaOnly.bytes.length}-` } }),
      'by uid',
    );
  });
});
