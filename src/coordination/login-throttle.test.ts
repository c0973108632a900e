import { describe, expect, it } from 'vitest';
import { addressKey, LoginThrottle, type BeginResult, type ThrottleEvent } from './login-throttle.js';

function setup(config: ConstructorParameters<typeof LoginThrottle>[0] = {}) {
  let t = 1_800_000_000_000;
  const th = new LoginThrottle(config, () => t);
  const events: ThrottleEvent[] = [];
  const attempt = (user: string, address: string | undefined, ok: boolean): BeginResult => {
    const r = th.begin(th.keysFor(user, address));
    if (!r.ok) events.push(...r.events);
    else if (ok) r.attempt.succeed();
    else events.push(...r.attempt.fail());
    return r;
  };
  return { th, events, attempt, advance: (ms: number) => (t += ms), now: () => t };
}

describe('login throttle (pure)', () => {
  it('locks a username after 5 failures, refusing even the right password, then lets it through after 30 s', () => {
    const { events, attempt, advance } = setup();
    for (let i = 0; i < 4; i++) expect(attempt('sato', '10.0.0.1', false).ok).toBe(true);
    expect(events).toEqual([]);
    attempt('sato', '10.0.0.1', false);
    expect(events).toEqual([{ kind: 'locked', key: { type: 'user', value: 'sato' }, failures: 5, level: 1, lockoutMs: 30_000, until: expect.any(Number), refusedInPrevious: 0 }]);
    const refused = attempt('sato', '10.0.0.2', true);
    expect(refused).toEqual({ ok: false, retryAfterMs: 30_000, events: [{ kind: 'throttled', key: { type: 'user', value: 'sato' }, until: expect.any(Number) }] });
    advance(10_000);
    // later refusals in the same lockout are counted, not reported again
    expect(attempt('sato', '10.0.0.3', true)).toEqual({ ok: false, retryAfterMs: 20_000, events: [] });
    advance(20_000);
    expect(attempt('sato', '10.0.0.1', true).ok).toBe(true);
    // success reset the username: five more failures before the next lockout
    for (let i = 0; i < 4; i++) attempt('sato', `10.0.1.${i}`, false);
    expect(attempt('sato', '10.0.0.1', true).ok).toBe(true);
  });

  it('treats unknown and known usernames alike (the key is the name as typed)', () => {
    const { th, attempt } = setup();
    for (let i = 0; i < 5; i++) attempt('no-such-user', undefined, false);
    for (let i = 0; i < 5; i++) attempt('sato', undefined, false);
    const a = attempt('no-such-user', undefined, true);
    const b = attempt('sato', undefined, true);
    expect(a).toMatchObject({ ok: false, retryAfterMs: 30_000 });
    expect(b).toMatchObject({ ok: false, retryAfterMs: 30_000 });
    expect(th.size).toBe(2);
  });

  it('doubles each further lockout up to the cap; the next failure after a lockout locks again', () => {
    const { events, attempt, advance } = setup({ lockoutMs: 30_000, maxLockoutMs: 15 * 60_000, windowMs: 60 * 60_000 });
    for (let i = 0; i < 5; i++) attempt('sato', undefined, false);
    const lengths: number[] = [];
    for (let round = 0; round < 8; round++) {
      const last = events.filter((e) => e.kind === 'locked').at(-1) as Extract<ThrottleEvent, { kind: 'locked' }>;
      lengths.push(last.lockoutMs);
      attempt('sato', undefined, false); // refused: still locked
      advance(last.lockoutMs);
      attempt('sato', undefined, false); // one failure: locked again, twice as long
    }
    expect(lengths).toEqual([30_000, 60_000, 120_000, 240_000, 480_000, 900_000, 900_000, 900_000]);
    const locks = events.filter((e) => e.kind === 'locked');
    expect(locks.map((e) => e.level)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // each lockout's entry carries the count of attempts refused during the one before
    expect(locks.slice(1).every((e) => e.refusedInPrevious === 1)).toBe(true);
    expect(events.filter((e) => e.kind === 'throttled')).toHaveLength(8);
  });

  it('forgets a key after a quiet window (failures and lockout level)', () => {
    const { attempt, advance, th } = setup({ windowMs: 60_000 });
    for (let i = 0; i < 4; i++) attempt('sato', undefined, false);
    advance(60_001);
    for (let i = 0; i < 4; i++) expect(attempt('sato', undefined, false).ok).toBe(true);
    attempt('sato', undefined, false);
    expect(attempt('sato', undefined, true)).toMatchObject({ ok: false, retryAfterMs: 30_000 });
    advance(30_000 + 60_001);
    // level forgotten: four failures are allowed again
    for (let i = 0; i < 4; i++) expect(attempt('sato', undefined, false).ok).toBe(true);
    expect(th.size).toBe(1);
  });

  it('counts per address across usernames; a success does not reset the address', () => {
    const { events, attempt } = setup({ maxFailuresPerAddress: 3 });
    attempt('a', '192.0.2.7', false);
    attempt('b', '192.0.2.7', false);
    expect(attempt('mine', '192.0.2.7', true).ok).toBe(true);
    attempt('c', '192.0.2.7', false);
    expect(events.at(-1)).toMatchObject({ kind: 'locked', key: { type: 'address', value: '192.0.2.7' } });
    expect(attempt('mine', '192.0.2.7', true)).toMatchObject({ ok: false });
    expect(attempt('mine', '192.0.2.8', true).ok).toBe(true);
  });

  it('maxFailuresPerAddress 0 turns the address key off', () => {
    const { th } = setup({ maxFailuresPerAddress: 0 });
    expect(th.keysFor('sato', '192.0.2.7')).toEqual([{ type: 'user', value: 'sato' }]);
  });

  it('parallel checks cannot overshoot the budget: in-flight attempts count', () => {
    const { th } = setup();
    const keys = th.keysFor('sato', undefined);
    const started = Array.from({ length: 8 }, () => th.begin(keys));
    expect(started.filter((r) => r.ok)).toHaveLength(5);
    expect(started.filter((r) => !r.ok).every((r) => !r.ok && r.retryAfterMs === 1000 && r.events.length === 0)).toBe(true);
    const evs = started.flatMap((r) => (r.ok ? r.attempt.fail() : []));
    expect(evs.filter((e) => e.kind === 'locked')).toHaveLength(1);
    // an abandoned check (store error) is neither a failure nor a success
    const { th: th2 } = setup();
    const k2 = th2.keysFor('ito', undefined);
    for (let i = 0; i < 10; i++) {
      const r = th2.begin(k2);
      if (r.ok) r.attempt.abandon();
    }
    expect(th2.begin(k2).ok).toBe(true);
  });

  it('bounds memory: the least recently touched key is evicted', () => {
    const { th, attempt } = setup({ maxTrackedKeys: 100, maxFailuresPerAddress: 0 });
    for (let i = 0; i < 4; i++) attempt('old', undefined, false);
    for (let i = 0; i < 99; i++) attempt(`spray-${i}`, undefined, false);
    expect(th.size).toBe(100);
    attempt('old', undefined, false); // touched: now the newest
    attempt('one-more', undefined, false); // evicts spray-0, not 'old'
    expect(th.size).toBe(100);
    expect(attempt('old', undefined, true)).toMatchObject({ ok: false });
    for (let i = 0; i < 1000; i++) attempt(`flood-${i}`, undefined, false);
    expect(th.size).toBe(100);
  });

  it('keys IPv4-mapped addresses as IPv4 and IPv6 by /64', () => {
    expect(addressKey('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(addressKey('127.0.0.1')).toBe('127.0.0.1');
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:0DB8:0001:0002:ffff:1:2:3')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
  });
});
