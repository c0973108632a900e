import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { labelToJson } from '../labels/index.js';
import { errorCode, type Identity, type TestNode } from './test-support.js';
import { sha256hex, startMartiNode, type MartiNode } from '../../test/support/marti.js';

/** Metadata writes (TAK Server's metadata API) through the write authority; hidden answers like missing. */
let node: TestNode;
let ca: string;
let api: MartiNode<string>['api'];
let sam: Identity;
let ann: Identity;
let taro: Identity;
beforeAll(async () => {
  ({ node, ca, api, ids: { sam, ann, taro } } = await startMartiNode({ sam: ['sam', 'USA'], ann: ['ann', 'USA'], taro: ['taro', 'JPN'] }));
}, 60_000);
afterAll(async () => node?.close());

const upload = (id: Identity, data: Buffer, label?: string) =>
  api({ method: 'POST', path: '/Marti/sync/upload?name=f.txt&keywords=k', ca, id, headers: { 'content-type': 'text/plain', ...(label ? { 'x-kizuna-label': label } : {}) }, body: data });
const put = (id: Identity, hash: string, field: string, body: string, type = 'text/plain') =>
  api({ method: 'PUT', path: `/Marti/api/sync/metadata/${hash}/${field}`, ca, id, headers: { 'content-type': type }, body: Buffer.from(body) });
const record = async (id: Identity, hash: string) =>
  (JSON.parse((await api({ path: '/Marti/sync/search', ca, id })).body.toString()) as { results: { Hash: string; Tool: string; Keywords: string[]; MIMEType: string }[] }).results.find((r) => r.Hash === hash);

describe('Marti metadata through the write authority', () => {
  it('the submitter changes tool, mimetype and keywords (TAK Server routes); other fields are 400', async () => {
    const data = randomBytes(100);
    expect((await upload(sam, data)).status).toBe(200);
    const h = sha256hex(data);
    expect((await put(sam, h, 'keywords', JSON.stringify(['alpha', 'bravo']), 'application/json')).status).toBe(200);
    expect((await put(sam, h, 'mimetype', 'application/zip')).status).toBe(200);
    expect((await put(sam, h, 'Tool', 'public')).status).toBe(200);
    expect(await record(sam, h)).toMatchObject({ Keywords: ['alpha', 'bravo'], MIMEType: 'application/zip', Tool: 'public' });
    expect(errorCode(await put(sam, h, 'name', 'x'))).toBe('BAD_REQUEST');
    expect(errorCode(await put(sam, h, 'keywords', '{"a":1}', 'application/json'))).toBe('BAD_REQUEST');
  });

  it('another user of the same nation cannot change a file he can see (it used to answer 200 and do nothing)', async () => {
    const data = randomBytes(100);
    await upload(sam, data);
    const h = sha256hex(data);
    for (const [field, body] of [['tool', 'private'], ['keywords', '["owned"]'], ['mimetype', 'text/html']] as const) {
      expect(errorCode(await put(ann, h, field, body))).toBe('FORBIDDEN');
    }
    expect(await record(sam, h)).toMatchObject({ Keywords: ['k'], Tool: 'public', MIMEType: 'text/plain' });
    expect(node.audits.some((a) => a.kind === 'write.refused' && a.actor === 'ann')).toBe(true);
  });

  it('a user of another nation cannot change a file released to him', async () => {
    const data = randomBytes(100);
    await upload(sam, data, labelToJson(node.label({ relTo: ['USA', 'JPN'] })));
    const h = sha256hex(data);
    expect((await api({ path: `/Marti/sync/content?hash=${h}`, ca, id: taro })).status).toBe(200);
    expect(errorCode(await put(taro, h, 'keywords', '["x"]'))).toBe('FORBIDDEN');
    expect((await record(sam, h))!.Keywords).toEqual(['k']);
  });

  it('a hidden file answers every metadata write exactly like a missing hash', async () => {
    const data = randomBytes(100);
    await upload(sam, data, labelToJson(node.label({ classification: 'SECRET', caveats: ['NOFORN'] })));
    const h = sha256hex(data);
    const missing = '0'.repeat(64);
    for (const [field, body] of [['tool', 'private'], ['keywords', '["x"]'], ['mimetype', 'text/html']] as const) {
      const hidden = await put(taro, h, field, body);
      const none = await put(taro, missing, field, body);
      expect(hidden.status).toBe(404);
      expect(hidden.status).toBe(none.status);
      expect(hidden.body.equals(none.body)).toBe(true);
    }
    expect(await record(sam, h)).toMatchObject({ Keywords: ['k'], Tool: 'public' });
  });
});
