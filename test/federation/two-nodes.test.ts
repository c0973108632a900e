import { describe, expect, it } from 'vitest';
import { cotObject, label, originate, storedIds, useJpnUsa, waitFor } from './harness.js';

// 'jpn' < 'usa': jpn dials, usa listens; one TLS connection carries both directions.
describe('federation: two sovereign nodes over mutual TLS', () => {
  const pair = useJpnUsa({ linkUp: true });

  it('delivers an event releasable to USA with its originator label, and withholds a JPN-only one', async () => {
    const rel = cotObject('jpn', label({ policy: 'JPN', classification: 'HI', relTo: ['USA', 'JPN'] }));
    const jpnOnly = cotObject('jpn', label({ policy: 'JPN', classification: 'HI', relTo: ['JPN'] }));
    await originate(pair.jpn, jpnOnly);
    await originate(pair.jpn, rel);
    await waitFor(async () => (await storedIds(pair.usa)).includes(`jpn:${rel.id}`), 'releasable event on USA');
    // Per-link FIFO: the JPN-only event was offered first, so had it been sent it would be there already.
    expect(await storedIds(pair.usa)).not.toContain(`jpn:${jpnOnly.id}`);
    const got = pair.usa.accepted.find((o) => o.id === rel.id);
    expect(got?.kind === 'cot' && got.event.label).toEqual(rel.event.label); // originator label never rewritten
    const withheld = pair.jpn.audits.filter((a) => a.kind === 'fed.withheld');
    expect(withheld.map((a) => a.body.id)).toContain(jpnOnly.id);
    expect(withheld[0]!.body.reason).toMatch(/^DENY_/);
  });

  it('works in both directions over the same link, and reports status', async () => {
    const fromUsa = cotObject('usa', label({ policy: 'USA', classification: 'SECRET', relTo: ['USA', 'JPN'] }));
    await originate(pair.usa, fromUsa);
    await waitFor(async () => (await storedIds(pair.jpn)).includes(`usa:${fromUsa.id}`), 'USA event on JPN');
    await waitFor(() => pair.usa.fed.status()[0]!.outboxDepth === 0, 'usa outbox drained');
    const s = pair.usa.fed.status()[0]!;
    expect(s).toMatchObject({ peer: 'jpn', nation: 'JPN', state: 'connected', outboxFull: false, rejected: 0 });
    expect(s.sent).toBeGreaterThanOrEqual(1);
    expect(s.received).toBeGreaterThanOrEqual(1);
    expect(s.lastAckSeq).toBeGreaterThanOrEqual(1);
    expect(typeof s.lastAckAt).toBe('number');
  });

  it('never sends an object back to its origin', async () => {
    const before = pair.jpn.fed.status()[0]!.sent;
    const back = cotObject('usa', label({ policy: 'USA', relTo: ['USA', 'JPN'] }));
    // jpn relays nothing to usa: usa is the origin (and cameFrom)
    await pair.jpn.fed.offer(back, 'usa');
    await pair.jpn.fed.offer(back);
    expect(pair.jpn.fed.status()[0]!.sent).toBe(before);
    expect(pair.jpn.fed.status()[0]!.outboxDepth).toBe(0);
  });
});
