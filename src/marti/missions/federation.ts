import { admit, type SecurityLabel, type WriteActor } from '../../labels/index.js';
import type { Admitted } from '../../labels/index.js';
import type { MissionItemRow, MissionRow } from '../../store/missions-types.js';
import type { StoredEvent } from '../../store/types.js';
import type { CotEvent } from '../../cot/model.js';
import { KizunaError } from '../../util/errors.js';
import type { Mission, MissionBody, UidBody } from './model.js';
import type { MissionService } from './service.js';
import { missionDests } from './dest.js';
import { EXT } from './shapes.js';

/**
 * Missions between nodes. A mission travels as its announcement (t-x-m-n, stored and federated like any
 * CoT, so the federation boundary releases it only where the mission's label allows); its uids travel as
 * the CoT addressed to it (`<marti><dest mission>`), each under its own label. The receiving node admits
 * both as the peer's writes (write authority, actor kind 'peer'): a peer writes only what its nation owns.
 */
const unesc = (s: string) => s.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

function attrsOf(detail: string, tag: string): Map<string, string> | undefined {
  const at = detail.indexOf(`<${tag} `);
  if (at < 0) return undefined;
  const end = detail.indexOf('>', at);
  if (end < 0) return undefined;
  const out = new Map<string, string>();
  for (const m of detail.slice(at, end).matchAll(/([A-Za-z]+)="([^"]*)"/g)) out.set(m[1]!, unesc(m[2]!));
  return out;
}

export class MissionFederation {
  constructor(private readonly svc: MissionService) {}

  private decide<T>(actor: WriteActor, origin: string, label: SecurityLabel, existing: { label: SecurityLabel; originator: string; origin: string } | undefined, build: (l: SecurityLabel, originator: string) => T): Admitted<T> {
    const r = admit(this.svc.writes.ctx, actor, existing, { op: 'write', label, defaultLabel: label, origin }, build);
    if (!r.ok) throw new KizunaError('FORBIDDEN', 'peer write refused', { cause: r.code });
    return r.value;
  }

  /** A CoT stored from a peer: a mission announcement, or an item addressed to missions. */
  async fromPeer(cot: CotEvent, stored: StoredEvent, actor: WriteActor): Promise<void> {
    if (cot.type === 't-x-m-n') return this.replicate(cot, stored, actor);
    for (const name of missionDests(cot.detailXml)) {
      const m = (await this.svc.store.missionByName(name)) as Mission | undefined;
      // the peer may add only to a mission released to it
      if (!m || !this.svc.o.guard.decide(m.label, actor.audience).allow) continue;
      await this.addUid(m, stored, actor);
    }
  }

  private async replicate(cot: CotEvent, stored: StoredEvent, actor: WriteActor): Promise<void> {
    const tak = attrsOf(cot.detailXml, 'mission');
    const ext = attrsOf(cot.detailXml, EXT);
    const name = tak?.get('name');
    const guid = tak?.get('guid');
    if (!tak || !ext || !name || !guid) return;
    if (await this.svc.store.missionByGuid(guid)) return;
    // a name this node already uses stays this node's mission
    if (await this.svc.store.missionByName(name)) return;
    await this.svc.room(undefined);
    const body: MissionBody = {
      description: ext.get('description') ?? '',
      chatRoom: '',
      baseLayer: '',
      bbox: '',
      path: '',
      tool: ext.get('tool') ?? 'public',
      keywords: (ext.get('keywords') ?? '').split(',').filter(Boolean),
      creatorUid: ext.get('creatorUid') ?? '',
      createTime: ext.get('createTime') ?? new Date().toISOString(),
      groups: ['__ANON__'],
      defaultRole: ext.get('defaultRole') === 'MISSION_READONLY_SUBSCRIBER' ? 'MISSION_READONLY_SUBSCRIBER' : 'MISSION_SUBSCRIBER',
      inviteOnly: false,
      expiration: -1,
    };
    const row = this.decide<MissionRow>(actor, stored.origin, stored.label, undefined, (l, originator) => ({ guid, name, label: l, body, originator, origin: stored.origin, createdAt: Date.now() }));
    await this.svc.store.putMission(row);
    await this.svc.writes.change(row as Mission, row.label, { type: 'CREATE_MISSION', creatorUid: body.creatorUid, isFederatedChange: true }, Date.now(), actor);
  }

  private async addUid(m: Mission, ev: StoredEvent, actor: WriteActor): Promise<void> {
    const existing = await this.svc.store.item(m.guid, 'uid', ev.uid);
    if (!existing) await this.svc.room(m.guid, 'uid');
    const point = /<point\b[^>]*>/.exec(ev.xml.slice(0, 4096))?.[0] ?? '';
    const num = (a: string) => Number(new RegExp(`\\b${a}="([^"]*)"`).exec(point)?.[1] ?? 0) || 0;
    const body: UidBody = { uid: ev.uid, creatorUid: '', type: ev.type, ...(ev.callsign ? { callsign: ev.callsign } : {}), lat: num('lat'), lon: num('lon') };
    const row = this.decide<MissionItemRow>(actor, ev.origin, ev.label, existing && { ...existing, origin: ev.origin }, (l, originator) => ({ mission: m.guid, kind: 'uid', key: ev.uid, label: l, body, originator, createdAt: Date.now() }));
    await this.svc.store.putItem(row);
    const details = { type: body.type, callsign: body.callsign ?? body.uid, location: { lat: body.lat, lon: body.lon } };
    await this.svc.writes.change(m, row.label, { type: 'ADD_CONTENT', creatorUid: '', contentUid: ev.uid, details, isFederatedChange: true }, Date.now(), actor);
  }
}
