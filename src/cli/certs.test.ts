import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { certsClient, certsEnrollLink, certsInit, certsRevoke } from './certs.js';
import { checkEnrollToken, openRevocations } from '../certs/index.js';
import { readZip } from '../certs/test-support.js';
import { isKizunaError } from '../util/errors.js';

describe('kizuna certs', () => {
  it('init, client, revoke and enroll-link work on a data directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kizuna-cli-certs-'));
    try {
      const lines: string[] = [];
      const out = (l: string) => lines.push(l);
      await expect(certsClient('amy', { data: dir }, out)).rejects.toSatisfy((e) => isKizunaError(e, 'CONFIG_INVALID'));
      await certsInit({ data: dir, nation: 'JPN', host: ['tak.example.jp'] }, out);
      expect(existsSync(join(dir, 'pki', 'ca.pem'))).toBe(true);

      const c = await certsClient('amy', { data: dir, groups: ['Cyan'], role: 'operator', host: 'tak.example.jp', tlsPort: 8089, out: join(dir, 'out') }, out);
      expect(c.p12Path).toBe(join(dir, 'out', 'amy.p12'));
      const zip = readZip(readFileSync(c.zipPath));
      expect([...zip.keys()]).toContain('certs/amy.p12');
      expect(zip.get('certs/server.pref')!.toString()).toContain('tak.example.jp:8089:ssl');
      expect(lines.join('\n')).toContain(c.p12Path);
      await expect(certsClient('../amy', { data: dir, out: dir }, out)).rejects.toSatisfy((e) => isKizunaError(e, 'CERT_INVALID'));

      expect(await certsRevoke('amy', { data: dir }, out)).toEqual([c.serial]);
      expect(openRevocations(dir).isRevoked(c.serial)).toBe(true);
      await expect(certsRevoke('nobody', { data: dir }, out)).rejects.toSatisfy((e) => isKizunaError(e, 'NOT_FOUND'));

      lines.length = 0;
      const link = await certsEnrollLink('bert', { data: dir, host: 'tak.example.jp', enrollPort: 8446 }, out);
      expect(link.link).toBe(`tak://com.atakmap.app/enroll?host=tak.example.jp%3A8089&username=bert&token=${link.token}`);
      expect(checkEnrollToken(dir, 'bert', link.token).name).toBe('bert');
      const printed = lines.join('\n');
      expect(printed).toContain(link.link);
      expect(printed).toMatch(/[▀▄█]/); // the QR code, in terminal block characters
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
