import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isKizunaError, type ErrorCode } from '../util/errors.js';
import { decodeToken, nodeSubject } from './subject.js';
import type { Bus, Subscription } from './types.js';
import { sleep, waitFor } from '../../test/support/wait.js';

/**
 * The behavioural contract every Bus adapter passes. A harness is one node: `open()` returns another
 * bus instance of that node (another "process"), all sharing subjects and leases.
 */
export interface BusHarness {
  node: string;
  open(): Promise<Bus>;
  destroy(): Promise<void>;
}

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

async function expectCode(p: Promise<unknown> | (() => unknown), code: ErrorCode): Promise<void> {
  let err: unknown;
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    err = e;
  }
  expect(isKizunaError(err, code), `expected KizunaError ${code}, got ${String(err)}`).toBe(true);
}

export function busContract(name: string, factory: () => Promise<BusHarness>): void {
  describe(`Bus contract: ${name}`, () => {
    let h: BusHarness;
    let a: Bus;
    let b: Bus;
    const subs: Subscription[] = [];
    const sub = async (bus: Bus, subject: string, handler: (d: Uint8Array, s: string) => void) => {
      const s = bus.subscribe(subject, handler);
      subs.push(s);
      await s.ready;
      return s;
    };

    beforeEach(async () => {
      h = await factory();
      a = await h.open();
      b = await h.open();
    });
    afterEach(async () => {
      for (const s of subs.splice(0)) s.unsubscribe();
      await a.close();
      await b.close();
      await h.destroy();
    });

    it('delivers across two bus instances of one node, with subject and bytes', async () => {
      const uid = 'ANDROID-a.b*c>d e:f/日本';
      const subject = nodeSubject(h.node, 'events', uid);
      const got: [string, string][] = [];
      await sub(a, `${nodeSubject(h.node, 'events')}.*`, (d, s) => got.push([s, dec(d)]));
      await b.publish(subject, enc('hello'));
      await waitFor(() => got.length === 1, 'delivery');
      expect(got[0]).toEqual([subject, 'hello']);
      expect(decodeToken(got[0]![0].split('.')[3]!)).toBe(uid);
    });

    it('keeps per-publisher order and fans out to every subscriber', async () => {
      const subject = nodeSubject(h.node, 'order');
      const onA: number[] = [];
      const onB: number[] = [];
      await sub(a, subject, (d) => onA.push(Number(dec(d))));
      await sub(b, `kizuna.${subject.split('.')[1]}.>`, (d) => onB.push(Number(dec(d))));
      const n = 200;
      await Promise.all(Array.from({ length: n }, (_, i) => b.publish(subject, enc(String(i)))));
      await waitFor(() => onA.length === n && onB.length === n, 'all messages');
      const expected = Array.from({ length: n }, (_, i) => i);
      expect(onA).toEqual(expected);
      expect(onB).toEqual(expected);
    });

    it('delivers only messages published after the subscription is live', async () => {
      const subject = nodeSubject(h.node, 'fresh');
      await b.publish(subject, enc('before'));
      const got: string[] = [];
      await sub(a, subject, (d) => got.push(dec(d)));
      await b.publish(subject, enc('after'));
      await waitFor(() => got.length >= 1, 'delivery');
      await sleep(50);
      expect(got).toEqual(['after']);
    });

    it('unsubscribe stops delivery; a throwing handler does not stop the others', async () => {
      const subject = nodeSubject(h.node, 'unsub');
      const marker = nodeSubject(h.node, 'marker');
      const got: string[] = [];
      const markers: string[] = [];
      let thrown = 0;
      const s1 = await sub(a, subject, (d) => got.push(dec(d)));
      await sub(a, marker, (d) => {
        markers.push(dec(d));
        if (markers.length === 1) {
          thrown++;
          throw new Error('handler failure');
        }
      });
      await b.publish(subject, enc('1'));
      await waitFor(() => got.length === 1, 'first');
      s1.unsubscribe();
      await b.publish(subject, enc('2'));
      await b.publish(marker, enc('m1'));
      await b.publish(marker, enc('m2'));
      await waitFor(() => markers.length === 2, 'markers');
      expect(thrown).toBe(1);
      expect(got).toEqual(['1']);
    });

    it('rejects invalid subjects and payloads with typed errors', async () => {
      await expectCode(a.publish('kizuna..x', enc('x')), 'BAD_REQUEST');
      await expectCode(a.publish(`${nodeSubject(h.node, 'x')}.*`, enc('x')), 'BAD_REQUEST');
      await expectCode(a.publish(nodeSubject(h.node, 'x'), 'text' as unknown as Uint8Array), 'BAD_REQUEST');
      await expectCode(() => a.subscribe('kizuna.a b', () => undefined), 'BAD_REQUEST');
      await expectCode(() => a.subscribe('kizuna.>.x', () => undefined), 'BAD_REQUEST');
      await expectCode(a.acquireLease('', 'x', 1000), 'BAD_REQUEST');
      await expectCode(a.acquireLease('l', 'x', 0), 'BAD_REQUEST');
    });

    it('leases: one holder at a time, renewal, release by the holder only', async () => {
      const lease = 'fed-link:USA/node.1';
      expect(await a.acquireLease(lease, 'proc-A', 30_000)).toBe(true);
      expect(await b.acquireLease(lease, 'proc-B', 30_000)).toBe(false);
      expect(await a.acquireLease(lease, 'proc-A', 30_000)).toBe(true); // renew
      await b.releaseLease(lease, 'proc-B'); // not the holder: no effect
      expect(await b.acquireLease(lease, 'proc-B', 30_000)).toBe(false);
      await a.releaseLease(lease, 'proc-A');
      expect(await b.acquireLease(lease, 'proc-B', 30_000)).toBe(true);
      expect(await a.acquireLease(lease, 'proc-A', 30_000)).toBe(false);
      expect(await a.acquireLease('other-lease', 'proc-A', 30_000)).toBe(true);
    });

    it('leases: another holder takes over after the TTL expires', async () => {
      expect(await a.acquireLease('ttl', 'proc-A', 300)).toBe(true);
      expect(await b.acquireLease('ttl', 'proc-B', 300)).toBe(false);
      await sleep(600);
      expect(await b.acquireLease('ttl', 'proc-B', 30_000)).toBe(true);
      expect(await a.acquireLease('ttl', 'proc-A', 300)).toBe(false);
    });

    it('leases: of many concurrent contenders exactly one wins', async () => {
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) => (i % 2 ? a : b).acquireLease('race', `proc-${i}`, 30_000)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('a closed bus refuses work with BUS_FAILED', async () => {
      const c = await h.open();
      await c.close();
      await expectCode(c.publish(nodeSubject(h.node, 'x'), enc('x')), 'BUS_FAILED');
      await expectCode(c.acquireLease('l', 'h', 1000), 'BUS_FAILED');
    });
  });
}
