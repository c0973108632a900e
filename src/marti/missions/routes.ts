import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { labelFromJson, type SecurityLabel } from '../../labels/index.js';
import { KizunaError } from '../../util/errors.js';
import { queryString, readSmallBody } from '../http.js';
import { requester } from '../requester.js';
import type { MartiDeps } from '../types.js';
import { tokenOf, type Caller, type Credentials } from './access.js';
import type { MissionContent } from './content.js';
import { checkName, parseRole, type MissionService, type Ref } from './service.js';
import { PERMISSIONS } from './model.js';
import { logJson, subscriptionJson, envelope } from './shapes.js';

const LABEL_HEADER = 'x-kizuna-label';
const MAX_BODY = 256 * 1024;
type Req = FastifyRequest<{ Params: { name?: string; guid?: string; type?: string; invitee?: string; keyword?: string; id?: string } }>;

async function jsonBody<T>(req: FastifyRequest, schema: z.ZodType<T>): Promise<T> {
  const text = (await readSmallBody(req.raw, MAX_BODY)).toString('utf8');
  let v: unknown;
  try {
    v = JSON.parse(text || 'null');
  } catch (cause) {
    throw new KizunaError('BAD_REQUEST', 'body is not JSON', { cause });
  }
  const r = schema.safeParse(v);
  if (!r.success) throw new KizunaError('BAD_REQUEST', 'body');
  return r.data;
}

const Str = z.string().max(4096);
const ContentsBody = z.object({ hashes: z.array(z.string().regex(/^[0-9a-f]{64}$/)).max(1000).default([]), uids: z.array(Str).max(1000).default([]) });
const LogInput = z.object({
  id: Str.optional(),
  entryUid: Str.optional(),
  content: z.string().max(64 * 1024),
  creatorUid: Str.default(''),
  dtg: Str.optional(),
  missionNames: z.array(Str).min(1).max(16),
  keywords: z.array(Str).max(100).nullish(),
  contentHashes: z.array(Str).max(100).nullish(),
});

/** Mission API (TAK Server's MissionApi subset ATAK Data Sync and CloudTAK call); by name and by guid. */
export function registerMissionRoutes(app: FastifyInstance, deps: MartiDeps, svc: MissionService, content: MissionContent): void {
  const nodeId = deps.nodeId;
  const who = (req: FastifyRequest): Caller => {
    const r = requester(req, deps.registry, deps.revocations);
    return { identity: `cert:${r.id.serial}`, name: r.id.name, nation: r.id.nation, audience: r.audience };
  };
  const q = (req: FastifyRequest, ...n: string[]) => queryString(req.query, ...n);
  const cred = (req: FastifyRequest): Credentials => {
    const token = tokenOf(req.headers);
    const password = q(req, 'password');
    const clientUid = q(req, 'clientUid', 'uid', 'creatorUid');
    return { ...(token ? { token } : {}), ...(password ? { password } : {}), ...(clientUid ? { clientUid } : {}) };
  };
  const ref = (req: Req): Ref => (req.params.guid !== undefined ? { guid: req.params.guid } : { name: req.params.name! });
  const label = (req: FastifyRequest): SecurityLabel | undefined => {
    const raw = req.headers[LABEL_HEADER];
    return typeof raw === 'string' ? deps.registry.validate(labelFromJson(raw)) : undefined;
  };
  const time = (req: FastifyRequest, n: string) => {
    const v = q(req, n);
    if (v === undefined) return undefined;
    const t = Date.parse(v);
    if (Number.isNaN(t)) throw new KizunaError('BAD_REQUEST', n);
    return t;
  };
  const range = (req: FastifyRequest) => {
    const secago = q(req, 'secago');
    const s = secago !== undefined ? Number(secago) : undefined;
    if (s !== undefined && !(s >= 0)) throw new KizunaError('BAD_REQUEST', 'secago');
    const since = s !== undefined ? Date.now() - s * 1000 : time(req, 'start');
    const until = time(req, 'end');
    return { ...(since !== undefined ? { since } : {}), ...(until !== undefined ? { until } : {}) };
  };
  const flag = (req: FastifyRequest, n: string, d = false) => {
    const v = q(req, n);
    return v === undefined ? d : v.toLowerCase() === 'true';
  };
  const json = (reply: FastifyReply, body: string, code = 200) => reply.code(code).type('application/json').send(body);
  const missions = (data: unknown[]) => envelope('Mission', data, nodeId);

  app.get('/Marti/api/missions', async (req, reply) =>
    json(reply, missions(await svc.list(who(req), { passwordProtected: flag(req, 'passwordProtected'), ...(q(req, 'tool') ? { tool: q(req, 'tool')! } : {}) }))),
  );

  const createOrUpdate = async (req: Req, reply: FastifyReply) => {
    const name = checkName(req.params.name!);
    const creatorUid = q(req, 'creatorUid');
    if (!creatorUid) throw new KizunaError('BAD_REQUEST', 'creatorUid');
    const fields: Record<string, unknown> = {};
    for (const k of ['description', 'chatRoom', 'baseLayer', 'bbox', 'path', 'tool'] as const) if (q(req, k) !== undefined) fields[k] = q(req, k)!.slice(0, 4096);
    const group = q(req, 'group');
    if (group) fields.groups = group.split(',').map((g) => g.trim()).filter(Boolean).slice(0, 64);
    if (q(req, 'defaultRole')) fields.defaultRole = parseRole(q(req, 'defaultRole'), 'MISSION_SUBSCRIBER');
    if (q(req, 'inviteOnly') !== undefined) fields.inviteOnly = flag(req, 'inviteOnly');
    if (q(req, 'expiration') !== undefined) fields.expiration = Number(q(req, 'expiration')) || -1;
    const pw = q(req, 'password');
    const w = who(req);
    const r = await svc.createOrUpdate(w, { name, creatorUid, label: label(req), ...(pw ? { password: pw } : {}), fields });
    await deps.audit(r.created ? 'mission.create' : 'mission.update', w.name, { name });
    return json(reply, missions([r.json]), r.created ? 201 : 200);
  };
  app.put('/Marti/api/missions/:name', createOrUpdate);
  app.post('/Marti/api/missions/:name', createOrUpdate);

  const get = async (req: Req, reply: FastifyReply) =>
    json(reply, missions([await svc.get(who(req), ref(req), cred(req), { changes: flag(req, 'changes'), logs: flag(req, 'logs'), ...range(req) })]));
  app.get('/Marti/api/missions/:name', get);
  app.get('/Marti/api/missions/guid/:guid', get);

  const del = async (req: Req, reply: FastifyReply) => {
    const w = who(req);
    const m = await svc.delete(w, ref(req), cred(req));
    await deps.audit('mission.delete', w.name, { name: m.name, guid: m.guid });
    return json(reply, missions([m]));
  };
  app.delete('/Marti/api/missions/:name', del);
  app.delete('/Marti/api/missions', async (req, reply) => {
    const guid = q(req, 'guid');
    if (!guid) throw new KizunaError('BAD_REQUEST', 'guid');
    return del(Object.assign(req, { params: { guid } }) as Req, reply);
  });

  // routes that exist by name and by guid
  const both = (method: 'get' | 'put' | 'delete', suffix: string, h: (req: Req, reply: FastifyReply) => Promise<unknown>) => {
    app[method](`/Marti/api/missions/:name${suffix}`, h);
    app[method](`/Marti/api/missions/guid/:guid${suffix}`, h);
  };
  const uidParam = (req: FastifyRequest) => {
    const uid = q(req, 'uid', 'clientUid');
    if (!uid) throw new KizunaError('BAD_REQUEST', 'uid');
    return uid;
  };
  const SUB = 'com.bbn.marti.sync.model.MissionSubscription';

  both('put', '/subscription', async (req, reply) => {
    const w = who(req);
    const s = await svc.subscribe(w, ref(req), { ...cred(req), clientUid: uidParam(req) });
    await deps.audit('mission.subscribe', w.name, { ...ref(req), clientUid: s.clientUid, role: s.role });
    return json(reply, envelope(SUB, subscriptionJson(s, true), nodeId), 201);
  });
  both('delete', '/subscription', async (req, reply) => {
    await svc.unsubscribe(who(req), ref(req), { ...cred(req), clientUid: uidParam(req) });
    return reply.code(200).send();
  });
  both('get', '/subscription', async (req, reply) => {
    const s = await svc.subscription(who(req), ref(req), { ...cred(req), clientUid: uidParam(req) });
    return json(reply, envelope(SUB, subscriptionJson(s, true), nodeId));
  });
  both('get', '/subscriptions', async (req, reply) => {
    const subs = await svc.subscriptions(who(req), ref(req), cred(req));
    return json(reply, envelope('MissionSubscription', subs.map((s) => s.body.clientUid), nodeId));
  });
  both('get', '/subscriptions/roles', async (req, reply) => {
    const subs = await svc.subscriptions(who(req), ref(req), cred(req));
    return json(reply, envelope(SUB, subs.map((s) => subscriptionJson(s.body, false)), nodeId));
  });
  both('get', '/role', async (req, reply) => {
    const r = await svc.role(who(req), ref(req), cred(req));
    return json(reply, envelope('MissionRole', { type: r, permissions: PERMISSIONS[r] }, nodeId));
  });
  both('put', '/role', async (req, reply) => {
    const clientUid = q(req, 'clientUid');
    if (!clientUid) throw new KizunaError('BAD_REQUEST', 'clientUid');
    await svc.setRole(who(req), ref(req), { ...cred(req), clientUid: '' }, { clientUid, role: parseRole(q(req, 'role'), 'MISSION_SUBSCRIBER') });
    return reply.code(200).send();
  });

  both('put', '/contents', async (req, reply) => {
    const body = await jsonBody(req, ContentsBody);
    const m = await content.add(who(req), ref(req), cred(req), { ...body, creatorUid: q(req, 'creatorUid') ?? '' });
    return json(reply, missions([m]));
  });
  both('delete', '/contents', async (req, reply) => {
    const hash = q(req, 'hash');
    const uid = q(req, 'uid');
    if ((hash === undefined) === (uid === undefined)) throw new KizunaError('BAD_REQUEST', 'hash or uid');
    const m = await content.remove(who(req), ref(req), cred(req), { ...(hash !== undefined ? { hash } : { uid: uid! }), creatorUid: q(req, 'creatorUid') ?? '' });
    return json(reply, missions([m]));
  });
  both('get', '/changes', async (req, reply) => {
    const changes = await svc.changesOf(who(req), ref(req), cred(req), { ...range(req), squashed: flag(req, 'squashed', true) });
    return json(reply, envelope('MissionChange', changes, nodeId));
  });
  both('get', '/cot', async (req, reply) => reply.type('application/xml').send(await content.cot(who(req), ref(req), cred(req))));
  both('get', '/log', async (req, reply) => {
    const r = await content.logs(who(req), ref(req), cred(req));
    return json(reply, envelope('com.bbn.marti.sync.model.LogEntry', r.logs.map((l) => logJson(l, r.mission.name)), nodeId));
  });

  both('put', '/keywords', async (req, reply) => {
    const add = await jsonBody(req, z.array(Str.min(1)).max(100));
    return json(reply, missions([await svc.setKeywords(who(req), ref(req), cred(req), () => add)]));
  });
  both('delete', '/keywords', async (req, reply) => json(reply, missions([await svc.setKeywords(who(req), ref(req), cred(req), () => [])])));
  both('delete', '/keywords/:keyword', async (req, reply) => {
    const kw = req.params.keyword!;
    return json(reply, missions([await svc.setKeywords(who(req), ref(req), cred(req), (k) => k.filter((x) => x !== kw))]));
  });

  both('put', '/invite/:type/:invitee', async (req, reply) => {
    await svc.invite(who(req), ref(req), cred(req), { type: req.params.type!, invitee: req.params.invitee!, role: parseRole(q(req, 'role'), 'MISSION_SUBSCRIBER'), creatorUid: q(req, 'creatorUid') ?? '' });
    return reply.code(200).send();
  });
  both('delete', '/invite/:type/:invitee', async (req, reply) => {
    await svc.uninvite(who(req), ref(req), cred(req), { type: req.params.type!, invitee: req.params.invitee! });
    return reply.code(200).send();
  });
  const invitations = async (req: FastifyRequest, reply: FastifyReply) => {
    const clientUid = q(req, 'clientUid');
    return json(reply, envelope('MissionInvitation', clientUid ? await svc.invitations(who(req), clientUid) : [], nodeId));
  };
  app.get('/Marti/api/missions/all/invitations', invitations);
  app.get('/Marti/api/missions/invitations', invitations);

  both('put', '/password', async (req, reply) => {
    const pw = q(req, 'password');
    if (!pw) throw new KizunaError('BAD_REQUEST', 'password');
    await svc.setPassword(who(req), ref(req), { ...cred(req), password: '' }, pw);
    return reply.code(200).send();
  });
  both('delete', '/password', async (req, reply) => {
    await svc.setPassword(who(req), ref(req), cred(req), undefined);
    return reply.code(200).send();
  });

  const LOG = 'com.bbn.marti.sync.model.LogEntry';
  const writeLog = (code: number) => async (req: FastifyRequest, reply: FastifyReply) => {
    const b = await jsonBody(req, LogInput);
    const id = b.id ?? b.entryUid;
    const r = await content.addLog(who(req), cred(req), label(req), {
      ...(id ? { id } : {}),
      content: b.content,
      creatorUid: b.creatorUid,
      dtg: b.dtg ?? new Date().toISOString(),
      keywords: b.keywords ?? [],
      contentHashes: b.contentHashes ?? [],
      missionNames: b.missionNames,
    });
    return json(reply, envelope(LOG, logJson({ body: r.body } as never, r.mission), nodeId), code);
  };
  app.post('/Marti/api/missions/logs/entries', writeLog(201));
  app.put('/Marti/api/missions/logs/entries', writeLog(200));
  app.get<{ Params: { id: string } }>('/Marti/api/missions/logs/entries/:id', async (req, reply) => {
    const found = await content.findLog(who(req), req.params.id);
    if (!found) throw new KizunaError('NOT_FOUND');
    return json(reply, envelope(LOG, logJson(found.row, found.mission.name), nodeId));
  });
  app.delete<{ Params: { id: string } }>('/Marti/api/missions/logs/entries/:id', async (req, reply) => {
    await content.deleteLog(who(req), cred(req), req.params.id);
    return reply.code(200).send();
  });
}
