import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createReadStream } from 'node:fs';
import { z } from 'zod';
import { admit, authorityContext, labelFromJson, originatorOfPeer, type Admitted, type Labelled, type SecurityLabel } from '../../labels/index.js';
import { KizunaError } from '../../util/errors.js';
import { queryString, readSmallBody } from '../http.js';
import { requester, type Requester } from '../requester.js';
import type { MartiDeps, MartiLimits } from '../types.js';
import { fileShareCot } from '../fileshare.js';
import { boundaryOf, MultipartFileExtractor } from './multipart.js';
import { checkFileName, checkHash, contentDisposition } from './names.js';
import { decideRange } from './range.js';
import type { FileRecord, FileStore, MetadataChange, NewFileRecord } from './store.js';

const LABEL_HEADER = 'x-kizuna-label';

function searchEntry(r: FileRecord) {
  return {
    UID: r.uid,
    Name: r.name,
    Hash: r.hash,
    PrimaryKey: r.id,
    SubmissionDateTime: r.submittedAt,
    SubmissionUser: r.submitter,
    CreatorUid: r.creatorUid,
    Keywords: r.keywords,
    MIMEType: r.mimeType,
    Size: r.size,
    Tool: r.tool,
  };
}

export interface FileRoutesContext {
  deps: MartiDeps;
  store: FileStore;
  limits: MartiLimits;
  /** https://<publicHost>:<bound port>, known once listening */
  baseUrl(): string;
}

/**
 * Enterprise-sync file sharing. Every record carries a label; a hash is "there" for a caller only if
 * some record of it is releasable to them (guard, path 'file'), otherwise every answer is the same
 * 404 as for a hash that never existed: listing, counting and fetching reveal nothing.
 */
export function registerFileRoutes(app: FastifyInstance, ctx: FileRoutesContext): void {
  const { deps, store, limits } = ctx;
  const who = (req: FastifyRequest) => requester(req, deps.registry, deps.revocations);
  const labelled = (r: FileRecord): Labelled<FileRecord> => ({ label: r.label, value: r });
  const visible = (w: Requester, records: FileRecord[]) => deps.guard.releaseMany(records.map(labelled), w.audience, 'file').map((x) => x.value);
  const contentUrl = (hash: string) => `${ctx.baseUrl()}/Marti/sync/content?hash=${hash}`;

  const authority = authorityContext(deps.registry, deps.nation, deps.guard);
  /**
   * The write authority decides an upload's label: in this node's policy, owned by the uploader's nation,
   * within the uploader's clearance. Asked before the body is read (nothing is stored on a refusal) and
   * again for the record itself, which only `admit` can make storable.
   */
  function admitUpload(w: Requester, label: SecurityLabel | undefined, rec: Omit<NewFileRecord, 'label'>): Admitted<NewFileRecord> {
    const actor = { kind: 'client' as const, identity: `cert:${w.id.serial}`, nation: w.id.nation, audience: w.audience };
    const r = admit(authority, actor, undefined, { op: 'write', label, defaultLabel: deps.defaultLabel(), origin: deps.nodeId }, (l): NewFileRecord => ({ ...rec, label: l }));
    if (!r.ok) throw new KizunaError('FORBIDDEN', 'write refused', { cause: r.code });
    return r.value;
  }
  function uploadLabel(req: FastifyRequest, w: Requester): SecurityLabel | undefined {
    const raw = req.headers[LABEL_HEADER];
    const label = typeof raw === 'string' ? deps.registry.validate(labelFromJson(raw)) : undefined;
    admitUpload(w, label, { hash: '', name: '', mimeType: '', size: 0, keywords: [], tool: 'public', submitter: '', submitterNation: '', creatorUid: '' });
    return label;
  }

  async function receive(req: FastifyRequest, w: Requester, o: { name?: string; expectedHash?: string }) {
    const used = store.usage(w.id.name);
    const room = limits.userQuotaBytes - used;
    const limit = Math.min(limits.maxUploadBytes, room);
    const overLimit = () => (room < limits.maxUploadBytes ? new KizunaError('QUOTA_EXCEEDED') : new KizunaError('PAYLOAD_TOO_LARGE'));
    const declared = Number(req.headers['content-length'] ?? NaN);
    // a multipart body is a little larger than its file: only refuse early when clearly over
    if (declared > limit + 64 * 1024) throw overLimit();
    const boundary = boundaryOf(req.headers['content-type']);
    let partName: string | undefined;
    let partType: string | undefined;
    const stages = boundary
      ? [
          new MultipartFileExtractor(boundary, ['assetfile', 'resource'], (h) => {
            if (o.name === undefined) partName = checkFileName(h.filename ?? h.name);
            partType = h.contentType;
          }),
        ]
      : [];
    const { hash, size } = await store.ingest(req.raw, { limit, overLimit, ...(o.expectedHash ? { expectedHash: o.expectedHash } : {}), stages });
    const name = o.name ?? partName;
    if (name === undefined) throw new KizunaError('FILENAME_INVALID', 'missing');
    const mimeType = partType ?? (boundary ? 'application/octet-stream' : (req.headers['content-type'] ?? 'application/octet-stream'));
    return { hash, size, name, mimeType };
  }

  const nameParam = (req: FastifyRequest, ...keys: string[]) => {
    const n = queryString(req.query, ...keys);
    return n === undefined ? undefined : checkFileName(n);
  };

  // ATAK asks first and skips the upload when the server already has the hash.
  app.get('/Marti/sync/missionquery', async (req, reply) => {
    const w = who(req);
    const hash = checkHash(queryString(req.query, 'hash'));
    if (visible(w, store.byHash(hash)).length === 0) throw new KizunaError('NOT_FOUND');
    return reply.type('text/plain').send(contentUrl(hash));
  });

  app.post('/Marti/sync/missionupload', async (req, reply) => {
    const w = who(req);
    const label = uploadLabel(req, w);
    const claimed = queryString(req.query, 'hash');
    const name = nameParam(req, 'filename', 'name');
    const got = await receive(req, w, { ...(name ? { name } : {}), ...(claimed ? { expectedHash: checkHash(claimed) } : {}) });
    const rec = store.addRecord(admitUpload(w, label, {
      hash: got.hash,
      name: got.name,
      mimeType: got.mimeType === 'application/octet-stream' ? 'application/x-zip-compressed' : got.mimeType,
      size: got.size,
      keywords: ['missionpackage'],
      tool: 'public',
      submitter: w.id.name,
      submitterNation: w.id.nation,
      creatorUid: queryString(req.query, 'creatorUid', 'CreatorUid') ?? '',
    }));
    await deps.audit('file.upload', w.id.name, { hash: rec.hash, size: rec.size, id: rec.id });
    return reply.type('text/plain').send(contentUrl(rec.hash));
  });

  // iTAK and Data Sync use this one (pitfall 13): raw body or multipart
  app.post('/Marti/sync/upload', async (req, reply) => {
    const w = who(req);
    const label = uploadLabel(req, w);
    const name = nameParam(req, 'name', 'filename');
    const claimed = queryString(req.query, 'hash');
    const got = await receive(req, w, { ...(name ? { name } : {}), ...(claimed ? { expectedHash: checkHash(claimed) } : {}) });
    const keywords = (queryString(req.query, 'keywords') ?? '').split(',').map((k) => k.trim()).filter(Boolean);
    const rec = store.addRecord(admitUpload(w, label, {
      hash: got.hash,
      name: got.name,
      mimeType: got.mimeType,
      size: got.size,
      keywords,
      tool: 'public',
      submitter: w.id.name,
      submitterNation: w.id.nation,
      creatorUid: queryString(req.query, 'CreatorUid', 'creatorUid') ?? '',
    }));
    await deps.audit('file.upload', w.id.name, { hash: rec.hash, size: rec.size, id: rec.id });
    return reply.type('text/json').send(JSON.stringify(searchEntry(rec)));
  });

  const serve = async (req: FastifyRequest, reply: FastifyReply, head: boolean) => {
    const w = who(req);
    const uid = queryString(req.query, 'uid');
    const candidates = uid !== undefined ? [store.byUid(uid)].filter((r): r is FileRecord => r !== undefined) : store.byHash(checkHash(queryString(req.query, 'hash')));
    // the guard decides before the Range header is even read: a denied file answers like a missing
    // hash, so no Content-Range (which carries the size) can ever be produced for it
    const rec = visible(w, candidates)[0];
    if (!rec) throw new KizunaError('NOT_FOUND');
    // content is addressed by its hash, so the hash is a strong validator that never changes
    const etag = `"${rec.hash}"`;
    void reply.header('accept-ranges', 'bytes');
    // Range applies to GET only; an If-Range that is not our validator means "send it all"
    const ifRange = req.headers['if-range'];
    const range = head || (ifRange !== undefined && ifRange !== etag) ? ({ kind: 'whole' } as const) : decideRange(req.headers.range, rec.size);
    if (range.kind === 'unsatisfiable') {
      return reply.code(416).header('content-range', `bytes */${rec.size}`).type('application/json').send(new KizunaError('RANGE_NOT_SATISFIABLE').toPublic());
    }
    void reply.type(rec.mimeType).header('etag', etag).header('content-disposition', contentDisposition(rec.name));
    if (head) return reply.header('content-length', rec.size).send();
    const path = store.contentPath(rec.hash);
    if (range.kind === 'whole') {
      void deps.audit('file.download', w.id.name, { hash: rec.hash, id: rec.id });
      return reply.header('content-length', rec.size).send(createReadStream(path));
    }
    const { start, end } = range;
    void deps.audit('file.download', w.id.name, { hash: rec.hash, id: rec.id, range: [start, end] });
    return reply
      .code(206)
      .header('content-range', `bytes ${start}-${end}/${rec.size}`)
      .header('content-length', end - start + 1)
      .send(createReadStream(path, { start, end }));
  };
  app.get('/Marti/sync/content', { exposeHeadRoute: false }, (req, reply) => serve(req, reply, false));
  app.head('/Marti/sync/content', (req, reply) => serve(req, reply, true));

  const search = async (req: FastifyRequest, reply: FastifyReply) => {
    const w = who(req);
    const keywords = (queryString(req.query, 'keywords') ?? '').split(',').map((k) => k.trim()).filter(Boolean);
    const tool = queryString(req.query, 'tool');
    const results = visible(w, [...store.records()])
      // private entries are listed to their submitter only; others can still fetch them by hash
      .filter((r) => r.tool === 'public' || r.submitter === w.id.name)
      .filter((r) => (tool === undefined || r.tool === tool) && keywords.every((k) => r.keywords.includes(k)))
      .map(searchEntry);
    return reply.type('application/json').send(JSON.stringify({ resultCount: results.length, results }));
  };
  app.get('/Marti/sync/search', search);
  app.get('/Marti/api/sync/search', search);

  /**
   * A metadata change goes through the write authority for each record of the hash the caller can see:
   * only its submitter (a federated file: nobody here) of this node's nation changes it, and its label stays.
   * No visible record answers exactly like a missing hash; visible but not the caller's is refused.
   */
  async function changeMetadata(req: FastifyRequest, hash: string, patch: Omit<MetadataChange, 'id'>): Promise<void> {
    const w = who(req);
    const seen = visible(w, store.byHash(hash));
    if (seen.length === 0) throw new KizunaError('NOT_FOUND');
    const actor = { kind: 'user' as const, identity: `user:${w.id.name}`, nation: w.id.nation, audience: w.audience };
    let changed = 0;
    for (const r of seen) {
      const origin = r.origin ?? deps.nodeId;
      const existing = { label: r.label, originator: origin === deps.nodeId ? `user:${r.submitter}` : originatorOfPeer(origin), origin };
      const d = admit(authority, actor, existing, { op: 'write', label: undefined, defaultLabel: r.label, origin: deps.nodeId }, (): MetadataChange => ({ id: r.id, ...patch }));
      if (!d.ok) continue;
      store.updateMetadata(d.value);
      changed++;
    }
    if (changed === 0) {
      await deps.audit('write.refused', w.id.name, { code: 'WRITE_NOT_HOLDER', op: 'write', path: 'marti', hash });
      throw new KizunaError('FORBIDDEN', 'write refused');
    }
    await deps.audit('file.metadata', w.id.name, { hash, fields: Object.keys(patch) });
  }

  const Keywords = z.array(z.string().trim().min(1).max(128)).max(64);
  app.put<{ Params: { hash: string } }>('/Marti/api/sync/metadata/:hash/keywords', async (req, reply) => {
    const hash = checkHash(req.params.hash);
    let parsed: z.ZodSafeParseResult<string[]>;
    try {
      parsed = Keywords.safeParse(JSON.parse((await readSmallBody(req.raw, 16 * 1024)).toString('utf8')));
    } catch (cause) {
      throw new KizunaError('BAD_REQUEST', 'keywords body is not JSON', { cause });
    }
    if (!parsed.success) throw new KizunaError('BAD_REQUEST', 'keywords must be a JSON array of strings');
    await changeMetadata(req, hash, { keywords: [...new Set(parsed.data)] });
    return reply.type('text/plain').send('');
  });

  // TAK Server's generic field route: only tool and mimetype are mutable through it
  app.put<{ Params: { hash: string; field: string } }>('/Marti/api/sync/metadata/:hash/:field', async (req, reply) => {
    const hash = checkHash(req.params.hash);
    const field = req.params.field.toLowerCase();
    if (field !== 'tool' && field !== 'mimetype') throw new KizunaError('BAD_REQUEST', 'only tool, mimetype and keywords are mutable');
    const value = (await readSmallBody(req.raw, 256)).toString('utf8').trim();
    if (field === 'tool') {
      if (value !== 'public' && value !== 'private') throw new KizunaError('BAD_REQUEST', 'tool must be public or private');
      await changeMetadata(req, hash, { tool: value });
    } else {
      if (!/^[\w.+-]+\/[\w.+-]+$/.test(value)) throw new KizunaError('BAD_REQUEST', 'mimetype must be type/subtype');
      await changeMetadata(req, hash, { mimeType: value });
    }
    return reply.type('text/plain').send('');
  });

  // Kizuna extension: the node sends the b-f-t-r for a stored file (labelled like the file).
  const ShareBody = z.object({ callsigns: z.array(z.string().min(1).max(128)).min(1).max(100), senderUid: z.string().max(128).default(''), senderCallsign: z.string().max(128).default('') });
  app.post<{ Params: { hash: string } }>('/Marti/api/kizuna/files/:hash/share', async (req, reply) => {
    const w = who(req);
    const hash = checkHash(req.params.hash);
    let body: unknown;
    try {
      body = JSON.parse((await readSmallBody(req.raw, 16 * 1024)).toString('utf8') || '{}');
    } catch (cause) {
      throw new KizunaError('BAD_REQUEST', 'share body is not JSON', { cause });
    }
    const parsed = ShareBody.safeParse(body);
    if (!parsed.success) throw new KizunaError('BAD_REQUEST', 'share body');
    const rec = visible(w, store.byHash(hash))[0];
    if (!rec) throw new KizunaError('NOT_FOUND');
    const xml = fileShareCot({
      url: contentUrl(hash),
      hash,
      size: rec.size,
      filename: rec.name,
      name: rec.name,
      senderUid: parsed.data.senderUid,
      senderCallsign: parsed.data.senderCallsign || w.id.name,
      callsigns: parsed.data.callsigns,
    });
    await deps.publishCot(xml, rec.label, { name: w.id.name, nation: w.id.nation, audience: w.audience });
    await deps.audit('file.share', w.id.name, { hash, id: rec.id, to: parsed.data.callsigns.length });
    return reply.code(202).send();
  });
}
