import { randomUUID } from 'node:crypto';
import type { SecurityLabel } from '../../labels/index.js';
import { KizunaError } from '../../util/errors.js';
import type { StoredEvent } from '../../store/types.js';
import type { FileRecord, FileStore } from '../files/store.js';
import { authorize, visibleMission, type Caller, type Credentials } from './access.js';
import type { ContentBody, Item, LogBody, Mission, UidBody } from './model.js';
import type { MissionService, Ref } from './service.js';

const POINT = /<point\b[^>]*>/;
const num = (tag: string, a: string) => Number(new RegExp(`\\b${a}="([^"]*)"`).exec(tag)?.[1] ?? 0) || 0;

function uidBody(ev: StoredEvent, creatorUid: string): UidBody {
  const point = POINT.exec(ev.xml.slice(0, 4096))?.[0] ?? '';
  return { uid: ev.uid, creatorUid, type: ev.type, ...(ev.callsign ? { callsign: ev.callsign } : {}), lat: num(point, 'lat'), lon: num(point, 'lon') };
}

/** Mission contents (files by hash, tracks by uid), the mission's CoT, log entries. */
export class MissionContent {
  constructor(
    private readonly svc: MissionService,
    private readonly files: FileStore,
  ) {}

  private get store() {
    return this.svc.store;
  }

  private visibleFile(who: Caller, hash: string): FileRecord | undefined {
    return this.svc.visible(who, this.files.byHash(hash))[0];
  }

  private async visibleEvent(who: Caller, uid: string): Promise<StoredEvent | undefined> {
    const ev = await this.svc.o.deps.latest(uid);
    return ev && this.svc.visible(who, [ev])[0];
  }

  /**
   * PUT contents: each hash and uid must be one the caller may see (else the whole request is the same 404 as
   * for a missing one); each item keeps the label of what it names and is admitted as the caller's write.
   */
  async add(who: Caller, ref: Ref, cred: Credentials, input: { hashes: string[]; uids: string[]; creatorUid: string }) {
    const { mission: m } = await authorize(this.store, this.svc.o.guard, who, ref, cred, 'MISSION_WRITE');
    const files = input.hashes.map((h) => this.visibleFile(who, h));
    const events = await Promise.all(input.uids.map((u) => this.visibleEvent(who, u)));
    if (files.some((f) => !f) || events.some((e) => !e)) throw new KizunaError('NOT_FOUND');
    for (const f of files as FileRecord[]) await this.addFile(who, m, f, input.creatorUid);
    for (const e of events as StoredEvent[]) await this.addUid(who, m, e, input.creatorUid);
    return this.svc.view(who, m);
  }

  private async addFile(who: Caller, m: Mission, f: FileRecord, creatorUid: string) {
    if (await this.store.item(m.guid, 'content', f.hash)) return;
    await this.svc.room(m.guid, 'content');
    const now = Date.now();
    const body: ContentBody = { hash: f.hash, name: f.name, mimeType: f.mimeType, size: f.size, keywords: f.keywords, submitter: f.submitter, submissionTime: f.submittedAt, uid: f.uid, creatorUid: creatorUid || f.creatorUid };
    const row = this.svc.writes.item(who, undefined, f.label, (l, originator) => ({ mission: m.guid, kind: 'content', key: f.hash, label: l, body, originator, createdAt: now }));
    await this.store.putItem(row);
    await this.svc.writes.change(m, row.label, { type: 'ADD_CONTENT', creatorUid, contentResource: body, isFederatedChange: false }, now);
  }

  async addUid(who: Caller, m: Mission, ev: StoredEvent, creatorUid: string, label: SecurityLabel = ev.label) {
    const existing = await this.store.item(m.guid, 'uid', ev.uid);
    if (!existing) await this.svc.room(m.guid, 'uid');
    const now = Date.now();
    const body = uidBody(ev, creatorUid);
    const row = this.svc.writes.item(who, existing, label, (l, originator) => ({ mission: m.guid, kind: 'uid', key: ev.uid, label: l, body, originator, createdAt: existing?.createdAt ?? now }));
    await this.store.putItem(row);
    const details = { type: body.type, callsign: body.callsign ?? body.uid, location: { lat: body.lat, lon: body.lon } };
    await this.svc.writes.change(m, row.label, { type: 'ADD_CONTENT', creatorUid, contentUid: ev.uid, details, isFederatedChange: false }, now);
  }

  /** DELETE contents?hash=|uid=: an item the caller cannot see answers like one that is not there. */
  async remove(who: Caller, ref: Ref, cred: Credentials, key: { hash?: string; uid?: string; creatorUid: string }) {
    const { mission: m } = await authorize(this.store, this.svc.o.guard, who, ref, cred, 'MISSION_WRITE');
    const kind = key.hash !== undefined ? 'content' : 'uid';
    const existing = await this.store.item(m.guid, kind, (key.hash ?? key.uid)!);
    if (!existing || this.svc.visible(who, [existing]).length === 0) throw new KizunaError('NOT_FOUND');
    await this.store.deleteItem(this.svc.writes.deleteItem(who, existing));
    const body = existing.body as ContentBody | UidBody;
    const change = kind === 'content' ? { contentResource: body as ContentBody } : { contentUid: (body as UidBody).uid };
    await this.svc.writes.change(m, existing.label, { type: 'REMOVE_CONTENT', creatorUid: key.creatorUid, ...change, isFederatedChange: false });
    return this.svc.view(who, m);
  }

  /** GET cot: the latest state of every mission uid the caller may see, as `<events>`. */
  async cot(who: Caller, ref: Ref, cred: Credentials): Promise<string> {
    const { mission: m } = await authorize(this.store, this.svc.o.guard, who, ref, cred, 'MISSION_READ');
    const uids = await this.svc.items<UidBody>(who, m, 'uid');
    const out: string[] = [];
    for (const u of uids) {
      const ev = await this.visibleEvent(who, u.key);
      if (ev) out.push(ev.xml.replace(/^<\?xml[^>]*\?>\s*/, ''));
    }
    return `<?xml version="1.0" encoding="UTF-8"?><events>${out.join('')}</events>`;
  }

  // --- log entries -------------------------------------------------------------------------------------

  async addLog(who: Caller, cred: Credentials, label: SecurityLabel | undefined, input: Omit<LogBody, 'id' | 'servertime' | 'created'> & { id?: string; missionNames: string[] }) {
    if (input.missionNames.length === 0) throw new KizunaError('BAD_REQUEST', 'missionNames');
    const id = input.id ?? randomUUID();
    const now = new Date().toISOString();
    let out: { body: LogBody; mission: string } | undefined;
    for (const name of input.missionNames) {
      const { mission: m } = await authorize(this.store, this.svc.o.guard, who, { name }, cred, 'MISSION_WRITE');
      const existing = await this.store.item(m.guid, 'log', id);
      if (existing && this.svc.visible(who, [existing]).length === 0) throw new KizunaError('NOT_FOUND');
      if (!existing) await this.svc.room(m.guid, 'log');
      const prev = existing?.body as LogBody | undefined;
      const body: LogBody = { id, content: input.content, creatorUid: input.creatorUid, dtg: input.dtg, keywords: input.keywords, contentHashes: input.contentHashes, servertime: now, created: prev?.created ?? now };
      const row = this.svc.writes.item(who, existing, label, (l, originator) => ({ mission: m.guid, kind: 'log', key: id, label: l, body, originator, createdAt: existing?.createdAt ?? Date.now() }));
      await this.store.putItem(row);
      out = { body, mission: m.name };
    }
    return out!;
  }

  /** A log entry by id across missions, only where the caller may see both the mission and the entry. */
  async findLog(who: Caller, id: string): Promise<{ row: Item<LogBody>; mission: Mission } | undefined> {
    for (const row of this.svc.visible(who, (await this.store.itemsByKey('log', id)) as Item<LogBody>[])) {
      const m = await visibleMission(this.store, this.svc.o.guard, who, { guid: row.mission }).catch(() => undefined);
      if (m) return { row, mission: m };
    }
    return undefined;
  }

  async deleteLog(who: Caller, cred: Credentials, id: string) {
    const found = await this.findLog(who, id);
    if (!found) throw new KizunaError('NOT_FOUND');
    await authorize(this.store, this.svc.o.guard, who, { guid: found.mission.guid }, cred, 'MISSION_WRITE');
    await this.store.deleteItem(this.svc.writes.deleteItem(who, found.row));
  }

  async logs(who: Caller, ref: Ref, cred: Credentials) {
    const { mission: m } = await authorize(this.store, this.svc.o.guard, who, ref, cred, 'MISSION_READ');
    return { mission: m, logs: await this.svc.items<LogBody>(who, m, 'log') };
  }
}
