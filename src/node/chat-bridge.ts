import type { CotEvent } from '../cot/model.js';
import type { Audience, SecurityLabel } from '../labels/types.js';
import type { Doc } from '../store/types.js';
import type { Logger } from '../util/log.js';
import { COL, type ChatBody, type Coordination, type SessionUser } from '../coordination/index.js';
import { decodeAttr, escapeAttr, readAttributes, scanXml, splitQName, type ElementRecord } from '../cot/xml-scan.js';

/**
 * GeoChat <-> coordination chat bridge. TAK -> chat: a b-t-f from a TAK client of this node
 * whose conversation matches a coordination room becomes a chat message, with the event's label, by a
 * per-callsign service user `tak:<callsign>` (the colon keeps it apart from real usernames).
 * Chat -> TAK: a message written on this node (web/API) becomes a GeoChat handed to the node's ingest,
 * so the guard decides which TAK clients get it and federation carries it to the peer's TAK clients.
 * No loops and no duplicates: messages from `tak:` users are never turned back into GeoChat (TAK clients
 * already got the original event), replicas from a peer are never bridged here (their owner node
 * bridged them and the GeoChat event itself federates), and events carrying the bridge marker or
 * arriving by federation never become chat messages.
 */

/** The parts of a GeoChat (b-t-f) event the bridge needs. */
export interface GeoChat {
  /** `__chat@chatroom`: "All Chat Rooms", a team/group name or a recipient callsign */
  chatroom: string;
  /** `__chat@id`: conversation key (group id, or the recipient uid for a direct chat) */
  id: string;
  senderCallsign?: string;
  /** `chatgrp@uid0` or `link@uid` */
  senderUid?: string;
  /** text of `<remarks>` */
  text: string;
  /** present on events this node produced from a coordination chat message */
  bridgedDoc?: string;
}

export const GEOCHAT_TYPE = 'b-t-f';
/** Marker element on GeoChat events the bridge generates (loop prevention; clients ignore unknown detail). */
export const BRIDGE_MARKER = '__kizunaChat';

const CDATA = /<!\[CDATA\[([\s\S]*?)\]\]>/g;

/** Character data of an element: references decoded, CDATA kept verbatim, child markup dropped. */
function textOf(s: string, r: ElementRecord): string {
  const inner = s.slice(r.openEnd, r.closeStart);
  let out = '';
  let last = 0;
  for (const m of inner.matchAll(CDATA)) {
    out += decodeText(stripTags(inner.slice(last, m.index)));
    out += m[1];
    last = m.index + m[0].length;
  }
  return out + decodeText(stripTags(inner.slice(last)));
}

const stripTags = (s: string) => s.replace(/<!--[\s\S]*?-->/g, '').replace(/<[^>]*>/g, '');
// decodeAttr also folds TAB/LF/CR to spaces (attribute rule): protect them for text.
const decodeText = (s: string) => s.split(/(\r\n|[\t\n\r])/).map((p) => (/^(\r\n|[\t\n\r])$/.test(p) ? p : decodeAttr(p))).join('');

/** Reads a GeoChat out of a b-t-f event; undefined when it is not one or has no `__chat`/remarks text. */
export function parseGeoChat(ev: CotEvent): GeoChat | undefined {
  if (ev.type !== GEOCHAT_TYPE || !ev.detailXml) return undefined;
  const s = ev.detailXml;
  let records: ElementRecord[];
  try {
    records = scanXml(s, 'fragment', 1).records;
  } catch {
    return undefined;
  }
  const top = (name: string) => records.find((r) => r.depth === 0 && splitQName(r.name).local === name);
  const chat = top('__chat');
  const remarks = top('remarks');
  if (!chat || !remarks) return undefined;
  const ca = readAttributes(s, chat.start);
  const attr = (m: Map<string, string>, k: string) => {
    const v = m.get(k);
    return v === undefined ? undefined : decodeAttr(v);
  };
  const grpIndex = records.indexOf(chat);
  const grp = records.find((r) => r.parent === grpIndex && splitQName(r.name).local === 'chatgrp');
  const link = top('link');
  const marker = top(BRIDGE_MARKER);
  const chatroom = attr(ca, 'chatroom') ?? '';
  const out: GeoChat = { chatroom, id: attr(ca, 'id') ?? chatroom, text: textOf(s, remarks).trim() };
  const cs = attr(ca, 'senderCallsign');
  if (cs) out.senderCallsign = cs;
  const uid = (grp && attr(readAttributes(s, grp.start), 'uid0')) || (link && attr(readAttributes(s, link.start), 'uid'));
  if (uid) out.senderUid = uid;
  if (marker) out.bridgedDoc = attr(readAttributes(s, marker.start), 'doc') ?? '';
  return out;
}

/** A coordination room matches a GeoChat when its id or its name is the conversation id or the chatroom. */
export function matchRoom<R extends { id: string; name: string }>(rooms: readonly R[], chat: Pick<GeoChat, 'chatroom' | 'id'>): R | undefined {
  const keys = new Set([chat.id, chat.chatroom].map((k) => k.trim().toLowerCase()).filter(Boolean));
  return rooms.find((r) => keys.has(r.id.toLowerCase()) || keys.has(r.name.trim().toLowerCase()));
}

const escText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * The GeoChat a TAK client shows in the room's conversation (shape of ATAK group chats: `__chat@id`
 * is the conversation key, `chatroom` its title, `chatgrp uid0` the sender, text in `remarks`).
 */
export function geoChatEvent(m: {
  room: { id: string; name: string };
  docId: string;
  senderUid: string;
  senderCallsign: string;
  text: string;
  /** ms since epoch: when the message was written */
  at: number;
  staleMs?: number;
}): CotEvent {
  const t = new Date(m.at).toISOString();
  const stale = new Date(m.at + (m.staleMs ?? 24 * 3_600_000)).toISOString();
  const a = escapeAttr;
  const detailXml =
    `<__chat parent="UserGroups" groupOwner="false" chatroom="${a(m.room.name)}" id="${a(m.room.id)}" senderCallsign="${a(m.senderCallsign)}" messageId="${a(m.docId)}">` +
    `<chatgrp uid0="${a(m.senderUid)}" uid1="${a(m.room.id)}" id="${a(m.room.id)}"/></__chat>` +
    `<link uid="${a(m.senderUid)}" type="a-f-G-U-C" relation="p-p"/>` +
    `<remarks source="BAO.F.KIZUNA.${a(m.senderUid)}" to="${a(m.room.id)}" time="${t}">${escText(m.text)}</remarks>` +
    `<${BRIDGE_MARKER} doc="${a(m.docId)}"/>`;
  return {
    version: '2.0',
    uid: `GeoChat.${m.senderUid}.${m.room.id}.${m.docId}`,
    type: GEOCHAT_TYPE,
    how: 'h-g-i-g-o',
    time: t,
    start: t,
    stale,
    point: { lat: 0, lon: 0, hae: 9999999, ce: 9999999, le: 9999999 },
    detailXml,
  };
}

/** Chat messages written by the bridge for TAK users have `from` = this prefix + callsign. */
export const TAK_USER_PREFIX = 'tak:';

export interface ChatBridgeDeps {
  nation: string;
  coordination: Pick<Coordination, 'chatRooms' | 'postChat' | 'onChange'>;
  /** hands a GeoChat to the node's ingest with this label (guard -> store -> TAK clients, federation) */
  publish(ev: CotEvent, label: SecurityLabel): Promise<void>;
  log: Logger;
}

/** The TAK connection a GeoChat came from. */
export interface TakSender {
  name: string;
  callsign?: string | undefined;
  audience: Audience;
}

export interface ChatBridge {
  /** TAK -> chat, for a fresh event a local TAK client sent; undefined when it is not bridged. */
  fromTak(ev: CotEvent, label: SecurityLabel, sender: TakSender): Promise<Doc<ChatBody> | undefined>;
  /** resolves when every GeoChat started so far has been handed to ingest (tests, shutdown) */
  idle(): Promise<void>;
  close(): void;
}

export function createChatBridge(d: ChatBridgeDeps): ChatBridge {
  const inFlight = new Set<Promise<void>>();
  const off = d.coordination.onChange((doc, info) => {
    if (doc.collection !== COL.chat || info.remote || info.sibling) return;
    const body = doc.body as ChatBody;
    if (body.from.startsWith(TAK_USER_PREFIX)) return;
    const room = d.coordination.chatRooms().find((r) => r.id === body.room);
    if (!room) return;
    const ev = geoChatEvent({
      room,
      docId: doc.id,
      senderUid: `KIZUNA.${body.owner}.${body.from}`,
      senderCallsign: `${body.from} (${body.owner})`,
      text: body.text,
      at: Date.parse(body.at) || Date.now(),
    });
    const p = d
      .publish(ev, doc.label)
      .catch((err: unknown) => d.log.warn({ code: (err as { code?: string }).code ?? 'INTERNAL', doc: doc.id }, 'chat to GeoChat failed'))
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  });

  return {
    async fromTak(ev, label, sender) {
      const chat = parseGeoChat(ev);
      if (!chat || chat.bridgedDoc !== undefined || !chat.text) return undefined;
      const room = matchRoom(d.coordination.chatRooms(), chat);
      if (!room) return undefined;
      const callsign = sender.callsign ?? chat.senderCallsign ?? sender.name;
      const user: SessionUser = { username: `${TAK_USER_PREFIX}${callsign}`.slice(0, 100), nation: d.nation, role: 'operator', audience: sender.audience };
      return d.coordination.postChat(user, room.id, chat.text.slice(0, 4000), label);
    },
    async idle() {
      while (inFlight.size) await Promise.all([...inFlight]);
    },
    close: () => void off(),
  };
}
