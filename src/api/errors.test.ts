import { afterEach, describe, expect, it } from 'vitest';
import { KizunaError } from '../util/errors.js';
import { startBench, type Bench } from './test-support.js';

let b: Bench | undefined;
afterEach(async () => {
  await b?.stop();
  b = undefined;
});

const newReq = { kind: 'rfi', title: 'err', description: '', nations: ['USA'], priority: 'routine' };

describe('one error table', () => {
  it('maps bad input to stable codes without echoing it', async () => {
    b = await startBench();
    const token = await b.login('coord');
    const badJson = await b.call('POST', '/api/requests', { token, raw: '{"kind": "secret-in-bad-json', headers: { 'content-type': 'application/json' } });
    expect(badJson.status).toBe(400);
    expect(badJson.json).toEqual({ error: { code: 'BAD_REQUEST', message: 'request is invalid' } });

    const invalid = await b.call('POST', '/api/requests', { token, body: { ...newReq, kind: 'secret-kind-value' } });
    expect(invalid.status).toBe(400);
    expect(invalid.json.error.code).toBe('BAD_REQUEST');
    expect(invalid.text).not.toContain('secret-kind-value');

    const query = await b.call('GET', '/api/requests?limit=abc', { token });
    expect(query.status).toBe(400);

    const big = await b.call('POST', '/api/chat/rooms/bilateral/messages', { token, body: { text: 'x'.repeat(300 * 1024) } });
    expect(big.status).toBe(413);
    expect(big.json).toEqual({ error: { code: 'PAYLOAD_TOO_LARGE', message: 'payload too large' } });

    // attachments above the coordination limit are refused and nothing is stored
    const before = (await b.call('GET', '/api/requests', { token })).json.items.length;
    const att = await b.call('POST', '/api/requests', {
      token,
      body: { ...newReq, attachments: [{ name: 'a.bin', mediaType: 'application/octet-stream', data: Buffer.alloc(200 * 1024).toString('base64') }] },
    });
    expect([400, 413]).toContain(att.status);
    expect((await b.call('GET', '/api/requests', { token })).json.items.length).toBe(before);

    const media = await b.call('POST', '/api/requests', { token, raw: 'kind=rfi', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(media.status).toBe(400);
    expect(media.json.error.code).toBe('BAD_REQUEST');
  });

  it('answers invalid transitions with CONFLICT and unknown API paths with NOT_FOUND', async () => {
    b = await startBench();
    const token = await b.login('coord');
    const created = await b.call('POST', '/api/requests', { token, body: newReq });
    const r = await b.call('POST', `/api/requests/${created.json.id}/execute`, { token, body: {} });
    expect(r.status).toBe(409);
    expect(r.json).toEqual({ error: { code: 'CONFLICT', message: 'state does not allow this action' } });
    const unknown = await b.call('GET', '/api/nothing-here', { token });
    expect(unknown.status).toBe(404);
    expect(unknown.json).toEqual({ error: { code: 'NOT_FOUND', message: 'not found' } });
  });

  it('turns unexpected failures into INTERNAL without their message', async () => {
    b = await startBench({
      tracks: {
        latest: async () => {
          throw new Error('db at /secret/path said TOP-SECRET-THING');
        },
        subscribe: () => () => undefined,
      },
      ingestCot: async () => {
        throw new KizunaError('COT_PARSE', 'detail with <secret-xml>');
      },
    });
    const token = await b.login('operator');
    const r = await b.call('GET', '/api/tracks', { token });
    expect(r.status).toBe(500);
    expect(r.json).toEqual({ error: { code: 'INTERNAL', message: 'internal error' } });
    expect(r.text).not.toContain('TOP-SECRET');
    const cot = await b.call('POST', '/api/cot', { token, body: { xml: '<event/>' } });
    expect(cot.status).toBe(400);
    expect(cot.json).toEqual({ error: { code: 'COT_PARSE', message: 'CoT event could not be parsed' } });
    expect(cot.text).not.toContain('secret-xml');
  });

  it('sizes the /api/cot body limit from the node\'s limits.maxEventBytes', async () => {
    const seen: number[] = [];
    b = await startBench({ maxEventBytes: 4096, ingestCot: async (xml) => void seen.push(xml.length) });
    const token = await b.login('operator');
    const fits = await b.call('POST', '/api/cot', { token, body: { xml: 'x'.repeat(4096) } });
    expect(fits.status).toBe(200);
    const big = await b.call('POST', '/api/cot', { token, body: { xml: 'x'.repeat(8 * 1024) } });
    expect(big.status).toBe(413);
    expect(big.json).toEqual({ error: { code: 'PAYLOAD_TOO_LARGE', message: 'payload too large' } });
    expect(seen).toEqual([4096]);
  });

  it('marks every API answer no-store', async () => {
    b = await startBench();
    const token = await b.login('viewer');
    const res = await fetch(`${b.base}/api/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.headers.get('cache-control')).toBe('no-store');
    const err = await fetch(`${b.base}/api/me`);
    expect(err.headers.get('cache-control')).toBe('no-store');
  });
});
