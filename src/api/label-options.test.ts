import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBench, type Bench } from './test-support.js';

let b: Bench;
beforeAll(async () => {
  b = await startBench({ partners: ['USA', 'PHL', 'JPN', 'XXX'] });
});
afterAll(async () => b.stop());

describe('GET /api/label-options', () => {
  it("offers the user's own policy: its levels in both languages, its nations from the configured partners", async () => {
    const res = await b.call('GET', '/api/label-options', { token: await b.login('operator') });
    expect(res.status).toBe(200);
    expect(res.json.policy).toBe('JPN');
    expect(res.json.classifications.map((c: { name: string; markingJa: string }) => [c.name, c.markingJa])).toEqual([
      ['UNCLASSIFIED', '秘密区分なし'],
      ['HI', '秘'],
      ['GOKUHI', '極秘'],
      ['KIMITSU', '機密'],
    ]);
    // own nation first; a partner the policy cannot name (XXX) is not offered
    expect(res.json.nations).toEqual(['JPN', 'USA', 'PHL']);
    expect(res.json.releasabilityTag).toBe('Releasable To');
  });

  it('never offers a level above the user clearance', async () => {
    const res = await b.call('GET', '/api/label-options', { token: await b.login('lowop') });
    expect(res.json.classifications.map((c: { name: string }) => c.name)).toEqual(['UNCLASSIFIED', 'HI']);
  });

  it('needs a session', async () => {
    expect((await b.call('GET', '/api/label-options')).status).toBe(401);
  });
});
