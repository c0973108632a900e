import { describe, expect, it } from 'vitest';
import { parseCotXml, serializeCotXml } from '../cot/xml.js';
import type { StoredEvent } from '../store/types.js';
import type { SecurityLabel } from '../labels/types.js';
import { ReplayCache } from './replay-cache.js';

const label = { policy: 'JPN', classification: 'UNCLASSIFIED', categories: [], owner: 'JPN', createdAt: '2026-12-02T00:00:00Z' } as SecurityLabel;

function stored(id: string, callsign: string, pad = 0): StoredEvent {
  const t = '2026-12-02T00:00:00.000Z';
  const xml = serializeCotXml({
    version: '2.0', uid: `u-${id}`, type: 'a-f-G', how: 'm-g', time: t, start: t, stale: '2026-12-02T01:00:00.000Z',
    point: { lat: 1, lon: 2, hae: 0, ce: 1, le: 1 },
    detailXml: `<contact callsign="${callsign}"/><remarks>${'x'.repeat(pad)}</remarks><marti><dest callsign="B"/></marti>`,
  });
  return { id, origin: 'JPN', uid: `u-${id}`, type: 'a-f-G', time: 0, stale: 0, receivedAt: 0, label, xml };
}

describe('ReplayCache: one parse per stored event, shared by every replay', () => {
  const counting = () => {
    const c = { n: 0, parse: (e: StoredEvent) => (c.n++, parseCotXml(e.xml)) };
    return c;
  };

  it('parses a stored event once however many connections replay it, and strips <marti> as before', () => {
    const p = counting();
    const cache = new ReplayCache(p.parse);
    const ev = stored('1', 'ALPHA');
    const first = cache.encoded(ev);
    for (let conn = 0; conn < 50; conn++) expect(cache.encoded({ ...ev }).xml()).toBe(first.xml());
    expect(p.n).toBe(1);
    expect(first.xml().toString()).toContain('callsign="ALPHA"');
    expect(first.xml().toString()).not.toContain('<marti>');
  });

  it('never serves another event under a reused id: different stored XML is parsed again', () => {
    const p = counting();
    const cache = new ReplayCache(p.parse);
    cache.encoded(stored('1', 'ALPHA'));
    expect(cache.encoded(stored('1', 'BRAVO')).xml().toString()).toContain('callsign="BRAVO"');
    expect(p.n).toBe(2);
  });

  it('stays within its budget (least recently used first) and does not keep an event larger than the budget', () => {
    const p = counting();
    const one = stored('a', 'A', 100).xml.length;
    const cache = new ReplayCache(p.parse, one * 3);
    for (const id of ['a', 'b', 'c']) cache.encoded(stored(id, id.toUpperCase(), 100));
    cache.encoded(stored('a', 'A', 100)); // a is now the most recent
    cache.encoded(stored('d', 'D', 100)); // evicts b
    expect(cache.size).toBe(3);
    const before = p.n;
    cache.encoded(stored('a', 'A', 100));
    expect(p.n).toBe(before);
    cache.encoded(stored('b', 'B', 100));
    expect(p.n).toBe(before + 1);
    cache.encoded(stored('huge', 'H', one * 4));
    cache.encoded(stored('huge', 'H', one * 4));
    expect(p.n).toBe(before + 3);
    expect(cache.size).toBeLessThanOrEqual(3);
  });
});
