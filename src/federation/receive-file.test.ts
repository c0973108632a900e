import { describe, expect, it } from 'vitest';
import { randomBytes, createHash } from 'node:crypto';
import { createGuard, generateBindingKeys, labelToJson, loadPolicies, makeLabel, signBinding, type SecurityLabel } from '../labels/index.js';
import { chunkId, encodeChunkPayload, FILE_CHUNK_BYTES, type FileChunkMeta } from './file-chunk.js';
import { InboundChecker } from './receive.js';
import type { FedDeps } from './types.js';

/**
 * The receiver's boundary check for file chunks (defence in depth: the sender's guard is not trusted):
 * binding over label + meta + bytes, the id must name the chunk, our own translation must match and our
 * guard must release the label to our nation; on success the chunk carries the label in OUR policy.
 */
const registry = loadPolicies();
const checker = new InboundChecker({ registry, guard: createGuard(registry), nation: 'USA' } as unknown as FedDeps);
const jpn = (relTo: string[]): SecurityLabel => makeLabel(registry, { policy: 'JPN', classification: 'UNCLASSIFIED', relTo, owner: 'JPN' });

async function envelope(label: SecurityLabel, o: { tamper?: boolean; id?: string; boundLabel?: SecurityLabel } = {}) {
  const keys = await generateBindingKeys();
  const data = randomBytes(1000);
  const meta: FileChunkMeta = { hash: createHash('sha256').update(data).digest('hex'), index: 0, total: 1, size: 1000, chunkBytes: FILE_CHUNK_BYTES, name: 'a.bin', mimeType: 'application/octet-stream', keywords: [], label };
  const payload = encodeChunkPayload(meta, data);
  const bound = o.boundLabel ?? registry.translate(label, 'USA');
  const jws = await signBinding(keys.privateJwk, payload, bound);
  if (o.tamper) payload[payload.length - 1] = payload[payload.length - 1]! ^ 1;
  return { env: { seq: 1, origin: 'JPN', id: o.id ?? chunkId(meta), kind: 'file-chunk', labelJson: labelToJson(bound), bindingJws: jws, payload }, key: keys.publicJwk, data };
}

describe('inbound file chunks', () => {
  it('a releasable chunk passes and carries the label in the receiver policy', async () => {
    const { env, key, data } = await envelope(jpn(['JPN', 'USA']));
    const r = await checker.check(env, key);
    expect(r.ok).toBe(true);
    if (!r.ok || r.obj.kind !== 'file-chunk') throw new Error('not a chunk');
    expect(r.obj.received?.policy).toBe('USA');
    expect(r.obj.chunk.label.policy).toBe('JPN');
    expect(Buffer.from(r.obj.data).equals(data)).toBe(true);
  });

  it('a JPN-only chunk is rejected even when the sender signed it', async () => {
    const { env, key } = await envelope(jpn(['JPN']));
    expect(await checker.check(env, key)).toMatchObject({ ok: false, code: 'FED_REJECTED' });
  });

  it('tampered bytes, a wrong id or a label other than our translation are rejected', async () => {
    const t = await envelope(jpn(['JPN', 'USA']), { tamper: true });
    expect(await checker.check(t.env, t.key)).toMatchObject({ ok: false, code: 'BINDING_INVALID' });
    const w = await envelope(jpn(['JPN', 'USA']), { id: 'file/other/0' });
    expect(await checker.check(w.env, w.key)).toMatchObject({ ok: false, code: 'FED_PROTOCOL' });
    const l = await envelope(jpn(['JPN', 'USA']), { boundLabel: makeLabel(registry, { policy: 'USA', classification: 'UNCLASSIFIED', relTo: ['USA', 'JPN', 'PHL'], owner: 'JPN' }) });
    expect(await checker.check(l.env, l.key)).toMatchObject({ ok: false, code: 'FED_REJECTED', reason: 'label-mismatch' });
  });
});
