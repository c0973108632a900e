import { afterAll, describe, expect, it } from 'vitest';
import { createFederation, type AuditHead, type Federation } from '../../src/federation/index.js';
import type { Frame } from '../../src/federation/wire.js';
import { createGuard } from '../../src/labels/index.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { jpnAndUsa, rawPeer, registry, tmpDir, waitFor } from './harness.js';

/**
 * Protocol v2 (AuditHead) next to v1: versions are negotiated per link (highest common); a v1 peer never
 * receives an AuditHead and may not send one; a v2 peer's heads reach onPeerAuditHead once per change,
 * and a head going backwards is audited as evidence.
 */

const t = tmpDir();
let fed: Federation | undefined;
afterAll(async () => {
  await fed?.close();
  t.cleanup();
});

describe('federation protocol versions and audit heads', () => {
  it('v1 peers get v1 and no audit heads; v2 peers exchange heads', async () => {
    const { JPN, USA } = await jpnAndUsa();
    const store = await openSqliteStore(`${t.dir}/usa.db`);
    const ownHead: AuditHead = { seq: 7, hash: 'a'.repeat(64) };
    const received: { peer: string; head: AuditHead }[] = [];
    const audits: { kind: string; body: unknown }[] = [];
    fed = createFederation({
      nodeId: 'usa',
      nation: 'USA',
      registry,
      guard: createGuard(registry),
      store,
      tls: USA.cert,
      peers: [{ name: 'jpn', nation: 'JPN', host: '127.0.0.1', port: 0, caPem: JPN.ca.certPem, publicJwk: JPN.binding.publicJwk }],
      listen: { host: '127.0.0.1', port: 0 },
      binding: USA.binding,
      audit: async (kind, _a, body) => void audits.push({ kind, body }),
      accept: async () => undefined,
      auditHead: async () => ownHead,
      onPeerAuditHead: async (from, head) => void received.push({ peer: from.peer, head }),
    });
    const { port } = await fed.start();
    const hello = (versions: number[]): Frame => ({
      hello: { protocolVersions: versions, nodeId: 'jpn', nation: 'JPN', bindingPublicJwk: JSON.stringify(JPN.binding.publicJwk) },
    });

    // v1 peer
    const v1 = await rawPeer({ port: port!, cert: JPN.cert, caPem: USA.ca.certPem });
    v1.send(hello([1]));
    await waitFor(() => v1.frames.some((f) => 'helloAck' in f), 'v1 hello ack');
    expect(v1.frames.find((f) => 'helloAck' in f)).toMatchObject({ helloAck: { chosenVersion: 1 } });
    v1.send({ helloAck: { chosenVersion: 1, resumeAfterSeq: 0 } });
    await waitFor(() => fed!.status()[0]!.state === 'connected', 'v1 connected');
    expect(await fed.announceAuditHead()).toEqual([]);
    expect(v1.frames.some((f) => 'auditHead' in f)).toBe(false);
    v1.send({ auditHead: { seq: 1, hash: 'b'.repeat(64) } }); // not part of v1
    await v1.closed;
    expect(v1.frames.some((f) => 'error' in f && f.error.code === 'FED_PROTOCOL')).toBe(true);
    expect(received).toEqual([]);

    // v2 peer
    const v2 = await rawPeer({ port: port!, cert: JPN.cert, caPem: USA.ca.certPem });
    v2.send(hello([1, 2, 9]));
    await waitFor(() => v2.frames.some((f) => 'helloAck' in f), 'v2 hello ack');
    expect(v2.frames.find((f) => 'helloAck' in f)).toMatchObject({ helloAck: { chosenVersion: 2 } });
    v2.send({ helloAck: { chosenVersion: 2, resumeAfterSeq: 0 } });
    // on connect, our head goes out unasked; and on demand
    await waitFor(() => v2.frames.some((f) => 'auditHead' in f), 'head announced on connect');
    expect(v2.frames.find((f) => 'auditHead' in f)).toEqual({ auditHead: ownHead });
    expect(await fed.announceAuditHead()).toEqual(['jpn']);

    const h1 = { seq: 10, hash: 'c'.repeat(64) };
    v2.send({ auditHead: h1 });
    v2.send({ auditHead: h1 }); // unchanged: not countersigned again
    const h0 = { seq: 4, hash: 'd'.repeat(64) };
    v2.send({ auditHead: h0 }); // backwards: recorded and audited as evidence
    await waitFor(() => received.length === 2, 'two distinct heads');
    expect(received).toEqual([{ peer: 'jpn', head: h1 }, { peer: 'jpn', head: h0 }]);
    await waitFor(() => audits.some((a) => a.kind === 'fed.audit_head_regressed'), 'regression audited');
    v2.send({ auditHead: { seq: 11, hash: 'not-hex' } });
    await v2.closed;
    expect(received).toHaveLength(2);
    await fed.close();
    fed = undefined;
    await store.close();
  }, 30_000);
});
