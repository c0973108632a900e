import { describe, expect, it } from 'vitest';
import { cotObject, originate, perTest, relUsa, waitFor } from './harness.js';
import type { FedObject } from '../../src/federation/types.js';

/** A cot object of a given type and uid (the harness makes one uid per object). */
function obj(type: string, uid: string, detail = ''): FedObject & { kind: 'cot' } {
  const o = cotObject('jpn', relUsa());
  const xml = `<event version="2.0" uid="${uid}" type="${type}" how="m-g"><point lat="35" lon="139" hae="0" ce="9" le="9"/><detail>${detail}</detail></event>`;
  return { ...o, event: { ...o.event, uid, type, xml } };
}

describe('federation outbox under a backed-up link: positions conflate, the rest never', () => {
  const scope = perTest();

  it('a peer that was away gets the newest position per uid and every chat and delete in order, once', async () => {
    const { dir, JPN, USA } = await scope.identities();
    let usaPort = 0;
    // Until USA exists the proxy has nowhere to go: the link stays down and the outbox fills.
    const proxy = await scope.proxy(() => usaPort || 1);
    const jpn = await scope.node({ id: JPN, dir, peers: [{ id: USA, port: proxy.port }] });

    const positions = new Map<string, string[]>(); // uid → ids in order
    const fixed: string[] = [];
    for (let s = 0; s < 300; s++) {
      const uid = `u${s % 5}`;
      const p = obj('a-f-G-U-C', uid);
      positions.set(uid, [...(positions.get(uid) ?? []), p.id]);
      await originate(jpn, p);
      if (s % 20 === 7) {
        const chat = obj('b-t-f', `GeoChat.jpn.All Chat Rooms.${s}`, '<remarks>hello</remarks>');
        fixed.push(chat.id);
        await originate(jpn, chat);
      }
      if (s === 150) {
        const del = obj('t-x-d-d', `del-u2`, '<link uid="u2" type="a-f-G-U-C" relation="p-p"/>');
        fixed.push(del.id);
        await originate(jpn, del);
      }
    }
    // 300 positions of 5 uids + 15 chats + 1 delete were offered; 5 positions wait, one per uid.
    await waitFor(() => jpn.fed.status()[0]!.outboxDepth === 5 + fixed.length, 'conflated outbox depth');

    const usa = await scope.node({ id: USA, dir, peers: [{ id: JPN, port: 0 }] });
    usaPort = usa.port;
    await waitFor(() => jpn.fed.status()[0]!.outboxDepth === 0, 'outbox drained', 30_000);
    await waitFor(() => usa.accepted.length === 5 + fixed.length, 'all accepted');

    const got = usa.accepted as (FedObject & { kind: 'cot' })[];
    expect(new Set(got.map((o) => o.id)).size).toBe(got.length); // 0 duplicated
    expect(got.filter((o) => !o.event.type.startsWith('a-')).map((o) => o.id)).toEqual(fixed); // 0 lost, in order
    for (const [uid, ids] of positions) {
      expect(got.filter((o) => o.event.uid === uid).map((o) => o.id)).toEqual([ids.at(-1)]); // the newest only
    }
    // the delete of u2 came before u2's newest position, and still does
    expect(got.findIndex((o) => o.event.uid === 'u2')).toBeGreaterThan(got.findIndex((o) => o.event.type === 't-x-d-d'));

    // A link that keeps up conflates nothing: every position arrives.
    const live = [obj('a-f-G-U-C', 'u0'), obj('a-f-G-U-C', 'u0'), obj('a-f-G-U-C', 'u0')];
    for (const p of live) await originate(jpn, p);
    await waitFor(() => live.every((p) => usa.accepted.some((o) => o.id === p.id)), 'every live position');
  }, 60_000);
});
