import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import type { SecurityLabel } from '../../labels/types.js';
import type { Admitted } from '../../labels/admitted.js';
import type { FileRecord as VocabFileRecord } from '../../vocab/index.js';
import { KizunaError } from '../../util/errors.js';
import { writeFileAtomic } from '../../util/fs.js';

/** A record before the store gives it its id, uid and time. */
export type NewFileRecord = Omit<FileRecord, 'id' | 'uid' | 'submittedAt'> & { uid?: string };

/** The metadata fields a client may change (TAK Server's metadata API: tool, mimetype, keywords). */
export interface MetadataChange {
  id: number;
  tool?: 'public' | 'private';
  keywords?: readonly string[];
  mimeType?: string;
}

/** A stored file and its label (the shape lives in src/vocab, shared with federation). */
export type FileRecord = VocabFileRecord<SecurityLabel>;

const RecordSchema = z.object({
  id: z.number().int(),
  uid: z.string(),
  hash: z.string(),
  name: z.string(),
  mimeType: z.string(),
  size: z.number().int().nonnegative(),
  keywords: z.array(z.string()),
  tool: z.enum(['public', 'private']),
  submitter: z.string(),
  submitterNation: z.string(),
  creatorUid: z.string(),
  submittedAt: z.string(),
  label: z.custom<SecurityLabel>((v) => typeof v === 'object' && v !== null),
  origin: z.string().optional(),
});
const IndexSchema = z.object({ nextId: z.number().int(), records: z.array(RecordSchema) });

/** Hashes and counts bytes as they pass; fails the pipeline as soon as the limit is crossed. */
class HashTap extends Transform {
  readonly hash = createHash('sha256');
  bytes = 0;
  constructor(private readonly limit: number, private readonly overLimit: () => KizunaError) {
    super();
  }
  override _transform(chunk: Buffer, _e: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.limit) return cb(this.overLimit());
    this.hash.update(chunk);
    cb(null, chunk);
  }
}

export interface FileStore {
  /**
   * Streams `source` to disk through `stages` (e.g. a multipart extractor), hashing on the fly.
   * Nothing is left behind on any error: the temp file is removed, no content file appears.
   */
  ingest(source: Readable, o: { limit: number; overLimit: () => KizunaError; expectedHash?: string; stages?: Transform[] }): Promise<{ hash: string; size: number }>;
  /** only what the write authority admitted is stored (see uploadRecord in routes.ts) */
  addRecord(r: Admitted<NewFileRecord>): FileRecord;
  records(): readonly FileRecord[];
  byHash(hash: string): FileRecord[];
  byUid(uid: string): FileRecord | undefined;
  usage(submitter: string): number;
  /** a metadata change the write authority admitted for this record (see admitMetadata in routes.ts) */
  updateMetadata(change: Admitted<MetadataChange>): void;
  contentPath(hash: string): string;
  /** Called after each new record is saved (the node offers files to federation peers); returns an unsubscribe. */
  onRecord(fn: (r: FileRecord) => void): () => void;
}

/** Content under DATA/marti/content/<sha256>; metadata records (each with its label) in one JSON index. */
export function openFileStore(dataDir: string): FileStore {
  const root = join(dataDir, 'marti');
  const contentDir = join(root, 'content');
  const tmpDir = join(root, 'tmp');
  const indexFile = join(root, 'files.json');
  mkdirSync(contentDir, { recursive: true });
  mkdirSync(tmpDir, { recursive: true });
  // leftovers of a crash mid-upload
  for (const f of readdirSync(tmpDir)) rmSync(join(tmpDir, f), { force: true });
  const index = existsSync(indexFile) ? IndexSchema.parse(JSON.parse(readFileSync(indexFile, 'utf8'))) : { nextId: 1, records: [] as FileRecord[] };
  const save = () => writeFileAtomic(indexFile, JSON.stringify(index), 0o600);
  const listeners = new Set<(r: FileRecord) => void>();

  return {
    async ingest(source, o) {
      const tmp = join(tmpDir, randomUUID());
      const tap = new HashTap(o.limit, o.overLimit);
      const out = createWriteStream(tmp, { flags: 'wx', mode: 0o600 });
      try {
        await pipeline([source, ...(o.stages ?? []), tap, out]);
        const hash = tap.hash.digest('hex');
        if (o.expectedHash !== undefined && o.expectedHash !== hash) throw new KizunaError('HASH_MISMATCH');
        const final = join(contentDir, hash);
        if (existsSync(final)) rmSync(tmp, { force: true });
        else renameSync(tmp, final);
        return { hash, size: tap.bytes };
      } catch (e) {
        // The file is opened asynchronously: a pipeline that fails early may destroy the stream while
        // its open is still in flight, and the file would appear after an immediate rm. Wait for close.
        if (!out.closed) await new Promise<void>((r) => out.once('close', () => r()));
        rmSync(tmp, { force: true });
        if (e instanceof KizunaError) throw e;
        // client went away or sent less than it announced
        throw new KizunaError('UPLOAD_INCOMPLETE', 'upload stream failed', { cause: e });
      }
    },
    addRecord(r) {
      const rec: FileRecord = { ...r, id: index.nextId++, uid: r.uid ?? randomUUID(), submittedAt: new Date().toISOString() };
      index.records.push(rec);
      save();
      for (const fn of listeners) fn(rec);
      return rec;
    },
    records: () => index.records,
    byHash: (hash) => index.records.filter((r) => r.hash === hash),
    byUid: (uid) => index.records.find((r) => r.uid === uid),
    usage: (submitter) => index.records.filter((r) => r.submitter === submitter).reduce((n, r) => n + r.size, 0),
    updateMetadata(change) {
      const r = index.records.find((x) => x.id === change.id);
      if (!r) return;
      if (change.tool !== undefined) r.tool = change.tool;
      if (change.keywords !== undefined) r.keywords = [...change.keywords];
      if (change.mimeType !== undefined) r.mimeType = change.mimeType;
      save();
    },
    contentPath: (hash) => join(contentDir, hash),
    onRecord(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
  };
}
