import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestNode } from '../../test/support/node-harness.js';

describe('configuration changes are audited', () => {
  it('records config.changed on first start and on a changed start, not on an identical restart; no passwords', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kizuna-cfg-'));
    const seedUsers = [{ username: 'jpn-admin', password: 'secret-seed-pw', role: 'administrator' as const }];
    const kinds = async (n: Awaited<ReturnType<typeof startTestNode>>) => (await n.store.auditRange(0, 10_000)).filter((r) => r.kind === 'config.changed');
    try {
      let node = await startTestNode({ nation: 'JPN', dataDir: dir, seedUsers });
      expect(await kinds(node)).toHaveLength(1);
      await node.stop();
      node = await startTestNode({ nation: 'JPN', dataDir: dir, seedUsers });
      expect(await kinds(node)).toHaveLength(1);
      await node.stop();
      node = await startTestNode({ nation: 'JPN', dataDir: dir, seedUsers, defaultLabel: { relTo: ['JPN', 'USA'] } });
      const rows = await kinds(node);
      expect(rows).toHaveLength(2);
      const last = JSON.parse(rows[1]!.body) as { digest: string; previous: string };
      expect(last.previous).toBe((JSON.parse(rows[0]!.body) as { digest: string }).digest);
      for (const r of await node.store.auditRange(0, 10_000)) expect(r.body).not.toContain('secret-seed-pw');
      expect((await node.audit.verify()).ok).toBe(true);
      await node.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
