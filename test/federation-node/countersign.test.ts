import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { auditVerify } from '../../src/cli/audit.js';
import { federationAnchors } from '../../src/cli/federation.js';
import { rowHash } from '../../src/coordination/audit.js';
import { repoRoot } from '../cot/fixtures.js';
import type { KizunaNode } from '../../src/node/node.js';
import { sa } from '../support/tak-client.js';
import { waitFor } from '../support/node-harness.js';
import { jpnLabel, planCluster, useLinkedPair } from './cluster.js';

/**
 * Issue 6: each node sends its audit chain head over the federation link (protocol v2 AuditHead) and
 * the peer records it in its OWN chain (audit.countersign). After that, JPN cannot truncate or
 * consistently rewrite its chain up to a countersigned entry without `audit verify --anchors` failing
 * at that entry — which the chain alone cannot show.
 */
let cluster: Awaited<ReturnType<typeof planCluster>>;
let jpn: KizunaNode | undefined;
let usa: KizunaNode | undefined;
let anchored: { seq: number; hash: string };
let anchorsFile: string;

function snapshotDb(dir: string, to: string): string {
  mkdirSync(to, { recursive: true });
  for (const ext of ['', '-wal', '-shm']) if (existsSync(join(dir, `kizuna.db${ext}`))) copyFileSync(join(dir, `kizuna.db${ext}`), join(to, `kizuna.db${ext}`));
  return to;
}

async function verifyLine(data: string, anchors?: string): Promise<{ code: number; line: string }> {
  const lines: string[] = [];
  const code = await auditVerify({ data, ...(anchors ? { anchors } : {}) }, (l) => lines.push(l));
  return { code, line: lines.join('\n') };
}

useLinkedPair([{ nation: 'JPN' }, { nation: 'USA' }], {}, (p) => ({ cluster, jpn, usa } = p));

describe('audit countersigning over the federation link', () => {
  it('each side records the other side’s head in its own chain', async () => {
    // Audited activity on JPN: withheld (owner-only) events leave fed.withheld entries.
    for (let i = 0; i < 3; i++) await jpn!.publishLocal(sa(`JPN-own-${i}`, `own-${i}`), jpnLabel(jpn!.registry, ['JPN']));
    await waitFor(async () => ((await jpn!.audit.head())?.seq ?? 0) >= 3, 'JPN audit entries');
    const head = (await jpn!.audit.head())!;
    anchored = { seq: head.seq, hash: head.hash };
    expect(await jpn!.federation.announceAuditHead()).toEqual(['USA']);
    await waitFor(async () => (await usa!.audit.countersigned('JPN')).some((a) => a.seq === anchored.seq && a.hash === anchored.hash), 'USA countersigned the JPN head', 20_000);
    // the countersignature is an entry of USA's own (intact) chain
    expect((await usa!.audit.verify()).ok).toBe(true);
    // announcing the same head again is not recorded twice
    const before = (await usa!.audit.countersigned('JPN')).length;
    await jpn!.federation.announceAuditHead();
    await usa!.federation.announceAuditHead(); // and the other direction
    await waitFor(async () => (await jpn!.audit.countersigned('USA')).length > 0, 'JPN countersigned the USA head', 20_000);
    const after = await usa!.audit.countersigned('JPN');
    // JPN's head may have moved (it countersigned USA): at most that one new head was added
    expect(after.length - before).toBeLessThanOrEqual(1);
    expect(new Set(after.map((a) => `${a.seq}:${a.hash}`)).size).toBe(after.length);
  }, 60_000);

  it('after tampering with JPN’s chain, `audit verify --anchors` (anchors from USA) fails at the anchored entry', async () => {
    await jpn!.close();
    await usa!.close();
    const jpnDir = cluster.nodes[0]!.dir;
    jpn = usa = undefined;

    // The anchors, as an operator gets them from USA's node.
    const out: string[] = [];
    expect(await federationAnchors({ peer: 'JPN', data: cluster.nodes[1]!.dir }, (l) => out.push(l))).toBe(0);
    const anchors = JSON.parse(out.join('')) as { seq: number; hash: string }[];
    expect(anchors).toContainEqual(anchored);
    anchorsFile = join(cluster.root, 'jpn-anchors.json');
    writeFileSync(anchorsFile, JSON.stringify(anchors));

    // Untouched: intact with and without anchors.
    expect((await verifyLine(jpnDir)).code).toBe(0);
    expect(await verifyLine(jpnDir, anchorsFile)).toMatchObject({ code: 0 });

    // (1) Truncation: JPN drops the anchored entry and everything after it. The chain alone looks fine.
    const cut = snapshotDb(jpnDir, join(cluster.root, 'jpn-cut'));
    const db1 = new Database(join(cut, 'kizuna.db'));
    db1.prepare('DELETE FROM audit WHERE seq >= ?').run(anchored.seq);
    db1.close();
    expect((await verifyLine(cut)).code).toBe(0);
    expect(await verifyLine(cut, anchorsFile)).toEqual({ code: 1, line: `audit BROKEN at seq ${anchored.seq}: deleted` });

    // (2) Consistent rewrite: the anchored entry's body is changed and every hash from there on recomputed.
    const rew = snapshotDb(jpnDir, join(cluster.root, 'jpn-rewrite'));
    const db2 = new Database(join(rew, 'kizuna.db'));
    const rows = db2.prepare('SELECT seq, ts, kind, actor, body, prev_hash AS prevHash, hash FROM audit WHERE seq >= ? ORDER BY seq').all(anchored.seq - 1) as {
      seq: number; ts: string; kind: string; actor: string; body: string; prevHash: string; hash: string;
    }[];
    let prev = rows[0]!.hash;
    const upd = db2.prepare('UPDATE audit SET body = ?, prev_hash = ?, hash = ? WHERE seq = ?');
    for (const r of rows.slice(1)) {
      const body = r.seq === anchored.seq ? JSON.stringify({ rewritten: true }) : r.body;
      const hash = rowHash({ prevHash: prev, ts: r.ts, kind: r.kind, actor: r.actor, body });
      upd.run(body, prev, hash, r.seq);
      prev = hash;
    }
    db2.close();
    expect((await verifyLine(rew)).code).toBe(0); // self-consistent: the chain alone cannot tell
    expect(await verifyLine(rew, anchorsFile)).toEqual({ code: 1, line: `audit BROKEN at seq ${anchored.seq}: modified` });
  }, 60_000);

  it('the CLI (`kizuna audit verify --anchors`, `kizuna federation anchors`) runs end to end', async () => {
    const run = (args: string[]) =>
      promisify(execFile)(process.execPath, ['--import', 'tsx', join(repoRoot, 'src/cli/main.ts'), ...args], { cwd: repoRoot }).then(
        (r) => ({ code: 0, out: r.stdout }),
        (e: { code: number; stdout: string }) => ({ code: e.code, out: e.stdout }),
      );
    const a = await run(['federation', 'anchors', 'JPN', '--data', cluster.nodes[1]!.dir]);
    expect(a.code).toBe(0);
    expect(JSON.parse(a.out)).toContainEqual(anchored);
    const v = await run(['audit', 'verify', '--data', join(cluster.root, 'jpn-cut'), '--anchors', anchorsFile]);
    expect(v).toEqual({ code: 1, out: `audit BROKEN at seq ${anchored.seq}: deleted\n` });
  }, 60_000);
});
