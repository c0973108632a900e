import { describe, expect, it } from 'vitest';
import { parseCotXml, serializeCotXml } from '../cot/xml.js';
import type { CotEvent } from '../cot/model.js';
import type { SecurityLabel } from '../labels/types.js';
import type { Coordination } from '../coordination/index.js';
import { createLogger } from '../util/log.js';
import { createChatBridge, geoChatEvent, matchRoom, parseGeoChat } from './chat-bridge.js';
import { readOwnFixture, readSharedFixture } from '../../test/cot/fixtures.js';

const fixture = (name: string) => parseCotXml(readOwnFixture(`cot/${name}`));
const ROOMS = [
  { id: 'bilateral', name: 'Bilateral coordination / 日米調整' },
  { id: 'operations', name: 'Operations / 運用' },
];

describe('GeoChat parsing (real captures)', () => {
  it('reads a legacy All Chat Rooms message (no senderCallsign)', () => {
    const c = parseGeoChat(fixture('kizuna-geochat-all-chat-rooms-legacy.xml'));
    expect(c).toEqual({ chatroom: 'All Chat Rooms', id: 'All Chat Rooms', senderUid: 'ANDROID-02:00:5E:44:55:66', text: 'Copy, moving' });
  });

  const shared = readSharedFixture('cot/atak-capture-2015-geochat-all-chat-rooms.xml');
  it.runIf(shared)('extra check: reads the ATAK 2015 All Chat Rooms capture in ../shared', () => {
    const c = parseGeoChat(parseCotXml(shared!));
    expect(c).toEqual({ chatroom: 'All Chat Rooms', id: 'All Chat Rooms', senderUid: 'ANDROID-88:32:9B:40:EC:D0', text: 'Roger' });
  });

  it('reads the FTS direct chat and the taky marti-dest chat (sender callsign, uid0)', () => {
    const fts = parseGeoChat(fixture('fts-2020-geochat-direct.xml'))!;
    expect(fts).toMatchObject({ chatroom: 'Eliopoli HQ', id: 'aa0b0312-b5cd-4c2c-bbbc-9c4c70216261', senderCallsign: 'corvTab', senderUid: 'ANDROID-R52JB0CDC4E', text: 'need supoort' });
    const taky = parseGeoChat(fixture('taky-geochat-marti-dest.xml'))!;
    expect(taky).toMatchObject({ chatroom: 'JOKER MAN', id: 'ANDROID-cafebabe', senderCallsign: 'JENNY', senderUid: 'ANDROID-deadbeef', text: 'test' });
    expect(taky.bridgedDoc).toBeUndefined();
  });

  it('is not fooled by other types, receipts or a chat without remarks', () => {
    expect(parseGeoChat(fixture('nodecot-chatreceipt-delivered-b-t-f-d.xml'))).toBeUndefined();
    expect(parseGeoChat(fixture('fts-2020-pli-atak-3.12.xml'))).toBeUndefined();
    const noRemarks = { ...fixture('taky-geochat-marti-dest.xml') };
    noRemarks.detailXml = noRemarks.detailXml.replace(/<remarks[\s\S]*<\/remarks>/, '');
    expect(parseGeoChat(noRemarks)).toBeUndefined();
  });

  it('decodes references and CDATA in the text, keeps line breaks', () => {
    const ev = fixture('taky-geochat-marti-dest.xml');
    ev.detailXml = ev.detailXml.replace('>test</remarks>', '>a &amp; b &lt;c&gt;\nline2 <![CDATA[<raw & text>]]></remarks>');
    expect(parseGeoChat(ev)!.text).toBe('a & b <c>\nline2 <raw & text>');
  });
});

describe('room matching', () => {
  it('matches on room id or room name, case-insensitively, via chatroom or __chat@id', () => {
    expect(matchRoom(ROOMS, { chatroom: 'bilateral', id: 'x' })?.id).toBe('bilateral');
    expect(matchRoom(ROOMS, { chatroom: 'Some title', id: 'OPERATIONS' })?.id).toBe('operations');
    expect(matchRoom(ROOMS, { chatroom: 'Bilateral coordination / 日米調整', id: 'uuid' })?.id).toBe('bilateral');
    expect(matchRoom(ROOMS, { chatroom: 'All Chat Rooms', id: 'All Chat Rooms' })).toBeUndefined();
  });
});

describe('generated GeoChat', () => {
  const ev = geoChatEvent({
    room: ROOMS[0]!,
    docId: 'chat-USA-123',
    senderUid: 'KIZUNA.USA.usa-coord',
    senderCallsign: 'usa-coord (USA)',
    text: 'Tanker at 0600 & "quotes" <ok>',
    at: Date.parse('2025-01-01T00:00:00Z'),
  });

  it('has the b-t-f shape ATAK expects and survives the wire', () => {
    expect(ev.uid).toBe('GeoChat.KIZUNA.USA.usa-coord.bilateral.chat-USA-123');
    expect(ev.type).toBe('b-t-f');
    const back = parseCotXml(serializeCotXml(ev));
    expect(back.detailXml).toContain('<chatgrp uid0="KIZUNA.USA.usa-coord" uid1="bilateral" id="bilateral"/>');
    expect(back.detailXml).toMatch(/<remarks source="BAO\.F\.KIZUNA\.KIZUNA\.USA\.usa-coord" to="bilateral" time="2025-01-01T00:00:00.000Z">/);
    const c = parseGeoChat(back)!;
    expect(c).toEqual({
      chatroom: 'Bilateral coordination / 日米調整',
      id: 'bilateral',
      senderCallsign: 'usa-coord (USA)',
      senderUid: 'KIZUNA.USA.usa-coord',
      text: 'Tanker at 0600 & "quotes" <ok>',
      bridgedDoc: 'chat-USA-123',
    });
    expect(matchRoom(ROOMS, c)?.id).toBe('bilateral');
  });
});

describe('createChatBridge (which chat changes become GeoChat)', () => {
  type Listener = Parameters<Coordination['onChange']>[0];
  const setup = () => {
    let listener: Listener = () => undefined;
    const published: { ev: CotEvent; label: SecurityLabel }[] = [];
    const posted: { user: string; room: string; text: string }[] = [];
    const coordination = {
      chatRooms: () => ROOMS,
      onChange: (fn: Listener) => ((listener = fn), () => undefined),
      postChat: async (user: { username: string }, room: string, text: string) => {
        posted.push({ user: user.username, room, text });
        return {} as never;
      },
    } as unknown as Pick<Coordination, 'chatRooms' | 'postChat' | 'onChange'>;
    const bridge = createChatBridge({ nation: 'USA', coordination, log: createLogger({ level: 'silent' }), publish: async (ev, label) => void published.push({ ev, label }) });
    return { bridge, published, posted, emit: (doc: unknown, remote: boolean) => listener(doc as never, { remote }) };
  };
  const label: SecurityLabel = { policy: 'USA', classification: 'UNCLASSIFIED', categories: [], owner: 'USA', createdAt: '2025-01-01T00:00:00Z' };
  const chatDoc = (from: string, room = 'bilateral') => ({
    collection: 'chat',
    id: `chat-USA-${from}`,
    version: 1,
    label,
    body: { owner: 'USA', rev: 1, id: `chat-USA-${from}`, room, from, text: `hi from ${from}`, at: '2025-01-01T00:00:00.000Z' },
  });

  it('publishes local web messages once with their label; skips replicas, TAK-born messages, unknown rooms, other collections', async () => {
    const { bridge, published, emit } = setup();
    emit(chatDoc('usa-coord'), false);
    emit(chatDoc('jpn-coord'), true);
    emit(chatDoc('tak:CHARLIE'), false);
    emit(chatDoc('usa-viewer', 'nowhere'), false);
    emit({ ...chatDoc('usa-admin'), collection: 'request' }, false);
    await bridge.idle();
    expect(published).toHaveLength(1);
    expect(published[0]!.label).toBe(label);
    expect(parseGeoChat(published[0]!.ev)).toMatchObject({ id: 'bilateral', text: 'hi from usa-coord', bridgedDoc: 'chat-USA-usa-coord' });
  });

  it('posts a room GeoChat as tak:<callsign of the connection>; ignores bridged and non-room chats', async () => {
    const { bridge, posted } = setup();
    const audience = { policy: 'USA', nation: 'USA', maxClassification: 'UNCLASSIFIED', held: {} };
    const base = fixture('taky-geochat-marti-dest.xml');
    const inRoom = { ...base, detailXml: base.detailXml.replace('chatroom="JOKER MAN"', 'chatroom="operations"') };
    await bridge.fromTak(inRoom, label, { name: 'anonymous', callsign: 'CHARLIE', audience });
    await bridge.fromTak(base, label, { name: 'anonymous', callsign: 'CHARLIE', audience });
    const bridged = geoChatEvent({ room: ROOMS[0]!, docId: 'd1', senderUid: 'u', senderCallsign: 'c', text: 't', at: 0 });
    await bridge.fromTak(bridged, label, { name: 'anonymous', audience });
    expect(posted).toEqual([{ user: 'tak:CHARLIE', room: 'operations', text: 'test' }]);
  });
});
