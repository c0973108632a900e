import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEnrollToken } from '../certs/index.js';
import { startTestNode, type TestNode } from './test-support.js';

const script = join(dirname(fileURLToPath(import.meta.url)), 'py', 'tak_client.py');
let node: TestNode;
beforeAll(async () => {
  node = await startTestNode();
}, 60_000);
afterAll(async () => node?.close());

describe('independent Python client (standard library + openssl)', () => {
  it('enrolls with a one-time token, then uploads and downloads over mutual TLS', async () => {
    const work = mkdtempSync(join(tmpdir(), 'kizuna-py-'));
    try {
      const ca = join(work, 'ca.pem');
      writeFileSync(ca, node.pki.caCertPem);
      const { token } = createEnrollToken(node.dir, { name: 'pyuser', groups: ['Cyan'] });
      // execFileSync would block the event loop the servers run on: run it asynchronously
      const out = await new Promise<string>((resolve, reject) =>
        execFile('python3', [script, '127.0.0.1', String(node.servers.enrollPort), String(node.servers.httpsPort), ca, 'pyuser', token, work], { timeout: 60_000 }, (err, stdout, stderr) =>
          err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
        ),
      );
      const r = JSON.parse(out.trim().split('\n').at(-1)!);
      expect(r).toEqual({ o: 'USA', reuse: 401, uploadUrl: expect.stringMatching(/\/Marti\/sync\/content\?hash=[0-9a-f]{64}$/), query: 200, download: 200, same: true });
      expect(node.audits.some((a) => a.kind === 'cert.enroll' && a.actor === 'pyuser')).toBe(true);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }, 90_000);
});
