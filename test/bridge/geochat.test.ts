import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { startDemo, DEMO_PASSWORD, type Demo } from '../../src/demo/run.js';
import type { KizunaNode } from '../../src/node/node.js';
import type { CotEvent } from '../../src/cot/model.js';
import { parseLabelXml } from '../../src/labels/index.js';
import { parseGeoChat } from '../../src/node/chat-bridge.js';
import { waitFor } from '../support/node-harness.js';
import { TestTakClient, sa } from '../support/tak-client.js';
import { loginToken } from '../support/http.js';

/** GeoChat as ATAK sends it to a group conversation (shape of test/fixtures/cot/*geochat*). */
function atakGeoChat(o: { senderUid: string; callsign: string; chatroom: string; id: string; text: string }): CotEvent {
  const now = Date.now();
  const t = new Date(now).toISOString();
  return {
    version: '2.0',
    uid: `GeoChat.${o.senderUid}.${o.chatroom}.${randomUUID()}`,
    type: 'b-t-f',
    how: 'h-g-i-g-o',
    time: t,
    start: t,
    stale: new Date(now + 86_400_000).toISOString(),
    point: { lat: 0, lon: 0, hae: 9999999, ce: 9999999, le: 9999999 },
    detailXml:
      `<__chat parent="UserGroups" groupOwner="false" chatroom="${o.chatroom}" id="${o.id}" senderCallsign="${o.callsign}">` +
      `<chatgrp uid0="${o.senderUid}" uid1="${o.id}" id="${o.id}"/></__chat>` +
      `<link uid="${o.senderUid}" type="a-f-G-U-C" relation="p-p"/>` +
      `<remarks source="BAO.F.ATAK.${o.senderUid}" time="${t}">${o.text}</remarks>` +
      `<__serverdestination destinations="127.0.0.1:4242:tcp:${o.senderUid}"/>`,
  };
}

const chatsWith = (c: TestTakClient, text: string) => c.byType('b-t-f').filter((e) => parseGeoChat(e)?.text === text);

interface ChatMsg {
  id: string;
  room: string;
  from: string;
  nation: string;
  text: string;
  label: { classification: string };
}

describe('GeoChat <-> coordination chat, JPN and USA federated', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kizuna-bridge-'));
  let demo: Demo;
  let jpn: KizunaNode;
  let usa: KizunaNode;
  const token: Record<string, string> = {};
  let alpha: TestTakClient; // JPN ATAK user, sends
  let bravo: TestTakClient; // JPN ATAK user, listens
  let charlie: TestTakClient; // USA ATAK user
  const clients: TestTakClient[] = [];

  const api = async (node: KizunaNode, user: string, method: string, path: string, body?: unknown) => {
    const r = await fetch(`http://127.0.0.1:${node.ready.http}${path}`, {
      method,
      headers: { authorization: `Bearer ${token[user]}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const json = (await r.json()) as unknown;
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(json)}`);
    return json;
  };
  const messages = async (node: KizunaNode, user: string, room: string) =>
    ((await api(node, user, 'GET', `/api/chat/rooms/${room}/messages?limit=200`)) as { items: ChatMsg[] }).items;
  const post = (node: KizunaNode, user: string, room: string, body: { text: string; label?: unknown }) =>
    api(node, user, 'POST', `/api/chat/rooms/${room}/messages`, body) as Promise<ChatMsg>;
  const withText = async (node: KizunaNode, user: string, room: string, text: string) => (await messages(node, user, room)).filter((m) => m.text === text);

  beforeAll(async () => {
    demo = await startDemo({ basePort: 0, dataDir: dir, scenario: false, print: false });
    [jpn, usa] = demo.nodes as [KizunaNode, KizunaNode];
    await waitFor(() => jpn.federation.status().every((s) => s.state === 'connected') && usa.federation.status().every((s) => s.state === 'connected'), 'federation link up', 20_000);
    for (const [node, user] of [
      [jpn, 'jpn-operator'],
      [usa, 'usa-operator'],
    ] as const) {
      token[user] = await loginToken(node.ready.http, user, DEMO_PASSWORD);
    }
    const connect = async (node: KizunaNode, uid: string, callsign: string) => {
      const c = await TestTakClient.connect(node.ready.tcp);
      clients.push(c);
      c.send(sa(uid, callsign));
      await waitFor(async () => (await node.store.events.getLatest(uid)) !== undefined, `${callsign} SA stored`);
      return c;
    };
    alpha = await connect(jpn, 'ANDROID-JPN-ALPHA', 'ALPHA');
    bravo = await connect(jpn, 'ANDROID-JPN-BRAVO', 'BRAVO');
    charlie = await connect(usa, 'ANDROID-USA-CHARLIE', 'CHARLIE');
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await demo?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("a JPN ATAK user's GeoChat reaches the JPN web chat, the USA ATAK user and the USA web chat, each once", async () => {
    const text = `fuel state 60% ${randomUUID().slice(0, 8)}`;
    const chat = atakGeoChat({ senderUid: 'ANDROID-JPN-ALPHA', callsign: 'ALPHA', chatroom: 'Bilateral coordination / 日米調整', id: randomUUID(), text });
    alpha.send(chat);
    await waitFor(async () => (await withText(jpn, 'jpn-operator', 'bilateral', text)).length > 0, 'message in JPN web chat');
    const [mine] = await withText(jpn, 'jpn-operator', 'bilateral', text);
    expect(mine).toMatchObject({ from: 'tak:ALPHA', nation: 'JPN', room: 'bilateral' });
    // the chat message carries the label the GeoChat event was stored with
    const stored = await jpn.store.events.getLatest(chat.uid);
    const doc = (await jpn.coordination.listChat('bilateral', { limit: 200 })).find((d) => d.body.text === text)!;
    expect(doc.label).toEqual(stored!.label);

    await charlie.waitForUid(chat.uid, 15_000);
    await bravo.waitForUid(chat.uid);
    await waitFor(async () => (await withText(usa, 'usa-operator', 'bilateral', text)).length > 0, 'message in USA web chat', 15_000);
    expect((await withText(usa, 'usa-operator', 'bilateral', text))[0]).toMatchObject({ from: 'tak:ALPHA', nation: 'JPN' });

    // a second message on the same paths is the barrier: had the first looped or been bridged twice,
    // the copies would have been delivered before it (per-link FIFO, per-connection order)
    const text2 = `barrier ${randomUUID().slice(0, 8)}`;
    const chat2 = atakGeoChat({ senderUid: 'ANDROID-JPN-ALPHA', callsign: 'ALPHA', chatroom: 'bilateral', id: 'bilateral', text: text2 });
    alpha.send(chat2);
    await charlie.waitForUid(chat2.uid, 15_000);
    await bravo.waitForUid(chat2.uid);
    await waitFor(async () => (await withText(usa, 'usa-operator', 'bilateral', text2)).length > 0, 'barrier in USA web chat', 15_000);
    expect(chatsWith(charlie, text)).toHaveLength(1);
    expect(chatsWith(bravo, text)).toHaveLength(1);
    expect(chatsWith(alpha, text)).toHaveLength(0); // never echoed to its sender
    expect(await withText(jpn, 'jpn-operator', 'bilateral', text)).toHaveLength(1);
    expect(await withText(usa, 'usa-operator', 'bilateral', text)).toHaveLength(1);
  });

  it('a USA web chat message reaches USA and JPN ATAK users as a GeoChat of the room, and the JPN web chat, each once', async () => {
    const text = `tanker on station 0600 & ready ${randomUUID().slice(0, 8)}`;
    const posted = await post(usa, 'usa-operator', 'operations', { text });
    await waitFor(() => chatsWith(charlie, text).length > 0, 'GeoChat at the USA ATAK user');
    const got = chatsWith(charlie, text)[0]!;
    expect(parseGeoChat(got)).toMatchObject({
      chatroom: 'Operations / 運用',
      id: 'operations',
      senderCallsign: 'usa-operator (USA)',
      senderUid: 'KIZUNA.USA.usa-operator',
      bridgedDoc: posted.id,
    });
    expect(parseLabelXml(got.labelXml!)).toMatchObject({ policy: 'USA', owner: 'USA' });
    await waitFor(() => chatsWith(alpha, text).length > 0 && chatsWith(bravo, text).length > 0, 'GeoChat at the JPN ATAK users', 15_000);
    await waitFor(async () => (await withText(jpn, 'jpn-operator', 'operations', text)).length > 0, 'message in JPN web chat', 15_000);
    expect((await withText(jpn, 'jpn-operator', 'operations', text))[0]).toMatchObject({ from: 'usa-operator', nation: 'USA' });

    const barrier = `barrier ${randomUUID().slice(0, 8)}`;
    await post(usa, 'usa-operator', 'operations', { text: barrier });
    await waitFor(() => chatsWith(alpha, barrier).length > 0 && chatsWith(charlie, barrier).length > 0, 'barrier GeoChat', 15_000);
    await waitFor(async () => (await withText(jpn, 'jpn-operator', 'operations', barrier)).length > 0, 'barrier in JPN web chat', 15_000);
    for (const c of [alpha, bravo, charlie]) expect(chatsWith(c, text)).toHaveLength(1);
    // the GeoChat the bridge made (and its federated copy) never became a second chat message
    expect(await withText(usa, 'usa-operator', 'operations', text)).toHaveLength(1);
    expect(await withText(jpn, 'jpn-operator', 'operations', text)).toHaveLength(1);
  });

  it('the guard decides which ATAK users get a web message: USA-only and above-clearance messages stay put', async () => {
    const usaOnly = `usa eyes only ${randomUUID().slice(0, 8)}`;
    const secret = `confidential ${randomUUID().slice(0, 8)}`;
    await post(usa, 'usa-operator', 'bilateral', { text: usaOnly, label: { classification: 'UNCLASSIFIED', relTo: ['USA'] } });
    await post(usa, 'usa-operator', 'bilateral', { text: secret, label: { classification: 'CONFIDENTIAL', relTo: ['USA', 'JPN'] } });
    const barrier = `barrier ${randomUUID().slice(0, 8)}`;
    await post(usa, 'usa-operator', 'bilateral', { text: barrier });
    await waitFor(() => chatsWith(charlie, barrier).length > 0 && chatsWith(alpha, barrier).length > 0, 'barrier GeoChat', 15_000);
    await waitFor(async () => (await withText(jpn, 'jpn-operator', 'bilateral', barrier)).length > 0, 'barrier in JPN web chat', 15_000);
    // USA-only: the USA ATAK user has it, no JPN client or JPN chat does
    expect(chatsWith(charlie, usaOnly)).toHaveLength(1);
    expect(chatsWith(alpha, usaOnly)).toHaveLength(0);
    expect(await withText(jpn, 'jpn-operator', 'bilateral', usaOnly)).toHaveLength(0);
    // CONFIDENTIAL: stored and federated, but plain-TCP ATAK clients (UNCLASSIFIED) never get it
    expect((await withText(usa, 'usa-operator', 'bilateral', secret))[0]!.label.classification).toBe('CONFIDENTIAL');
    expect(chatsWith(charlie, secret)).toHaveLength(0);
    expect(chatsWith(alpha, secret)).toHaveLength(0);
    expect(usa.tak.stats.dropped).toBeGreaterThan(0);
  });

  it('GeoChat outside the coordination rooms (All Chat Rooms, direct) stays TAK-only', async () => {
    const all = `all rooms ${randomUUID().slice(0, 8)}`;
    const direct = `direct ${randomUUID().slice(0, 8)}`;
    alpha.send(atakGeoChat({ senderUid: 'ANDROID-JPN-ALPHA', callsign: 'ALPHA', chatroom: 'All Chat Rooms', id: 'All Chat Rooms', text: all }));
    alpha.send(atakGeoChat({ senderUid: 'ANDROID-JPN-ALPHA', callsign: 'ALPHA', chatroom: 'BRAVO', id: 'ANDROID-JPN-BRAVO', text: direct }));
    const barrier = `barrier ${randomUUID().slice(0, 8)}`;
    alpha.send(atakGeoChat({ senderUid: 'ANDROID-JPN-ALPHA', callsign: 'ALPHA', chatroom: 'logistics', id: 'logistics', text: barrier }));
    await waitFor(async () => (await withText(jpn, 'jpn-operator', 'logistics', barrier)).length > 0, 'barrier in JPN web chat');
    // the web chat and BRAVO's TCP stream are separate paths: BRAVO's copy of the barrier is what says its
    // stream has carried the two messages sent before it
    await waitFor(() => bravo.byType('b-t-f').some((e) => e.detailXml.includes(barrier)), 'barrier at BRAVO');
    expect(chatsWith(bravo, all)).toHaveLength(1);
    expect(chatsWith(bravo, direct)).toHaveLength(1);
    const everything = (await Promise.all(jpn.coordination.chatRooms().map((r) => messages(jpn, 'jpn-operator', r.id)))).flat();
    expect(everything.filter((m) => m.text === all || m.text === direct)).toHaveLength(0);
  });

  it('a TAK client that re-sends a bridged GeoChat is refused (the uid is the node\'s) and creates no second chat message', async () => {
    const text = `re-sent ${randomUUID().slice(0, 8)}`;
    await post(jpn, 'jpn-operator', 'bilateral', { text });
    await waitFor(() => chatsWith(alpha, text).length > 0, 'bridged GeoChat at ALPHA');
    alpha.send({ ...chatsWith(alpha, text)[0]!, labelXml: undefined });
    // the message's uid is the node's (the bridge wrote it): the write authority refuses the copy
    const barrier = `barrier ${randomUUID().slice(0, 8)}`;
    alpha.send(atakGeoChat({ senderUid: 'ANDROID-JPN-ALPHA', callsign: 'ALPHA', chatroom: 'bilateral', id: 'bilateral', text: barrier }));
    await waitFor(async () => (await withText(jpn, 'jpn-operator', 'bilateral', barrier)).length > 0, 'barrier in JPN web chat');
    expect(await withText(jpn, 'jpn-operator', 'bilateral', text)).toHaveLength(1);
    await waitFor(() => bravo.byType('b-t-f').some((e) => e.detailXml.includes(barrier)), 'barrier at BRAVO');
    expect(chatsWith(bravo, text)).toHaveLength(1);
  });
});
