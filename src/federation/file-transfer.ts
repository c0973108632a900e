import { createReadStream, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { z } from 'zod';
import { admit, audienceFor, authorityContext, type Admitted, type PolicyRegistry } from '../labels/index.js';
import type { ReleaseGuard } from '../labels/guard-types.js';
import type { SecurityLabel } from '../labels/types.js';
import type { FileRecord } from '../vocab/index.js';
import { KizunaError } from '../util/errors.js';
import type { Logger } from '../util/log.js';
import { chunkCount, chunkId, chunkLength, FILE_CHUNK_BYTES, type FileChunkMeta } from './file-chunk.js';
import type { FedObject, Federation } from './types.js';

/**
 * Labelled files across federation, in chunks.
 * Sender: for each peer whose nation the guard releases the file's label to, a per-peer pump reads one
 * chunk at a time from disk and offers it through federation.offer (so the same guard/translate/sign path
 * as every object); it keeps at most `window` items in that peer's outbox, so a big file never fills the
 * outbox (maxOutbox) nor sits in memory. Progress is persisted, so a restart continues where it stopped;
 * a link cut resumes from the last acknowledged chunk (the outbox's job).
 * Receiver: chunks (re-checked by the federation boundary) are written at their offset into a part file;
 * when all are there the whole file's SHA-256 is verified while it is moved into the file store, and only
 * then a record (label in the receiver's policy) makes it visible. Replays and duplicates are no-ops.
 */

/** What the transfer needs of a record of the node's file store (src/marti/files/store.ts). */
export type FileRecordLike = Pick<FileRecord<SecurityLabel>, 'hash' | 'name' | 'mimeType' | 'size' | 'keywords' | 'label' | 'origin'>;
export interface FileSink {
  byHash(hash: string): FileRecordLike[];
  contentPath(hash: string): string;
  ingest(source: Readable, o: { limit: number; overLimit: () => KizunaError; expectedHash?: string }): Promise<{ hash: string; size: number }>;
  addRecord(r: Admitted<NewFileRecordLike>): unknown;
}

/** A received file's record, before the write authority admits it. */
export type NewFileRecordLike = Omit<FileRecord<SecurityLabel>, 'id' | 'uid' | 'submittedAt' | 'origin'> & { origin: string };

export interface FileTransferDeps {
  nodeId: string;
  /** this node's nation: the write authority never lets a peer write what it owns */
  nation: string;
  registry: PolicyRegistry;
  guard: ReleaseGuard;
  federation: Pick<Federation, 'offer' | 'status'>;
  files: FileSink;
  /** pump progress and incoming part files live here */
  dir: string;
  audit(kind: string, actor: string, body: unknown): Promise<void>;
  chunkBytes?: number;
  /** items of a peer's outbox below which the next chunk is enqueued (default 8) */
  window?: number;
  /** outbox bound of the federation (never exceeded by chunks) */
  maxOutbox?: number;
  pollMs?: number;
  log?: Logger;
}

export interface FileTransfer {
  /** Offers a stored file to every peer the guard releases it to; returns those peers. */
  send(file: FileRecordLike): Promise<string[]>;
  /** The node's accept for kind 'file-chunk' (after the federation boundary check). */
  receive(obj: Extract<FedObject, { kind: 'file-chunk' }>, from: { peer: string; nation: string }): Promise<void>;
  /** Resumes persisted pumps. */
  start(): void;
  close(): Promise<void>;
}

const JobSchema = z.object({
  peer: z.string(),
  hash: z.string(),
  next: z.number().int().nonnegative(),
  meta: z.object({
    size: z.number().int(),
    chunkBytes: z.number().int(),
    name: z.string(),
    mimeType: z.string(),
    keywords: z.array(z.string()),
    label: z.custom<SecurityLabel>((v) => typeof v === 'object' && v !== null),
  }),
});
type Job = z.infer<typeof JobSchema>;

const PartSchema = z.object({
  origin: z.string(),
  hash: z.string(),
  size: z.number().int(),
  chunkBytes: z.number().int(),
  total: z.number().int(),
  have: z.array(z.number().int()),
});
type Part = z.infer<typeof PartSchema>;

const ERROR_RETRY_MS = 5_000;
const PART_TTL_MS = 7 * 24 * 3_600_000;

function writeJsonAtomic(file: string, value: unknown): void {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify(value), { mode: 0o600 });
  renameSync(tmp, file);
}

export function createFileTransfer(d: FileTransferDeps): FileTransfer {
  const chunkBytes = d.chunkBytes ?? FILE_CHUNK_BYTES;
  const window = Math.max(1, Math.min(d.window ?? 8, (d.maxOutbox ?? Infinity) - 1));
  const pollMs = d.pollMs ?? 50;
  const incoming = join(d.dir, 'incoming');
  const jobsFile = join(d.dir, 'outgoing.json');
  mkdirSync(incoming, { recursive: true });
  let jobs: Job[] = existsSync(jobsFile) ? z.array(JobSchema).parse(JSON.parse(readFileSync(jobsFile, 'utf8'))) : [];
  const saveJobs = () => writeJsonAtomic(jobsFile, jobs);
  const pumps = new Map<string, Promise<void>>();
  let closed = false;
  const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());
  const peerStatus = (peer: string) => d.federation.status().find((s) => s.peer === peer);

  function kick(peer: string): void {
    if (closed || pumps.has(peer)) return;
    let retryMs = pollMs;
    const p = pump(peer)
      .catch((err) => {
        retryMs = ERROR_RETRY_MS; // e.g. a disk error: retry, but not in a tight loop
        d.log?.warn({ peer, code: (err as { code?: string }).code ?? 'INTERNAL' }, 'file pump stopped');
      })
      .finally(() => {
        pumps.delete(peer);
        if (!closed && jobs.some((j) => j.peer === peer)) setTimeout(() => kick(peer), retryMs).unref();
      });
    pumps.set(peer, p);
  }

  /** One file at a time per peer, one chunk at a time, never more than `window` items queued. */
  async function pump(peer: string): Promise<void> {
    for (;;) {
      const job = jobs.find((j) => j.peer === peer);
      if (!job || closed) return;
      const total = chunkCount(job.meta.size, job.meta.chunkBytes);
      let fh: FileHandle | undefined;
      try {
        try {
          fh = await open(d.files.contentPath(job.hash), 'r');
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
          // the content is gone: nothing left to send (the peer keeps no partial file visible)
          await d.audit('fed.file.abandoned', d.nodeId, { peer, hash: job.hash, next: job.next });
          job.next = -1;
        }
        while (fh && job.next < total) {
          if (closed) return;
          const st = peerStatus(peer);
          if (!st || st.outboxFull || st.outboxDepth >= window) {
            await sleep(pollMs);
            continue;
          }
          const meta: FileChunkMeta = { hash: job.hash, index: job.next, total, ...job.meta };
          const data = Buffer.allocUnsafe(chunkLength(meta));
          const { bytesRead } = await fh.read(data, 0, data.length, job.next * job.meta.chunkBytes);
          if (bytesRead !== data.length) throw new KizunaError('INTERNAL', 'file shorter than its record');
          const sent = await d.federation.offer({ kind: 'file-chunk', origin: d.nodeId, id: chunkId(meta), chunk: meta, data }, undefined, peer);
          if (!sent.includes(peer)) {
            // withheld now (the guard audited it) or the outbox filled up meanwhile
            if (!d.guard.decide(job.meta.label, audienceFor(d.registry, { nation: st.nation })).allow) break;
            await sleep(pollMs);
            continue;
          }
          job.next++;
          saveJobs();
        }
        // every chunk is in the outbox now; delivery from there is the outbox's job
        if (job.next >= total) await d.audit('fed.file.enqueued', d.nodeId, { peer, hash: job.hash, size: job.meta.size, chunks: total });
      } finally {
        await fh?.close();
      }
      jobs = jobs.filter((j) => j !== job);
      saveJobs();
    }
  }

  // --- receiving -------------------------------------------------------------------------------
  const chains = new Map<string, Promise<void>>();
  function serial(key: string, fn: () => Promise<void>): Promise<void> {
    const prev = chains.get(key) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const tail = next.catch(() => undefined);
    chains.set(key, tail);
    void tail.then(() => {
      if (chains.get(key) === tail) chains.delete(key);
    });
    return next;
  }

  const authority = authorityContext(d.registry, d.nation, d.guard);
  function admitReceived(obj: Extract<FedObject, { kind: 'file-chunk' }>, from: { peer: string; nation: string }): Admitted<NewFileRecordLike> {
    const c = obj.chunk;
    const label = obj.received!;
    const r = admit(
      authority,
      { kind: 'peer', identity: `peer:${from.nation}`, nation: from.nation, audience: audienceFor(d.registry, { nation: from.nation }) },
      undefined,
      // files stay bilateral (never relayed): a peer stores only files its own nation owns
      { op: 'write', label, defaultLabel: label, origin: obj.origin },
      (l): NewFileRecordLike => ({
        hash: c.hash,
        name: c.name,
        mimeType: c.mimeType,
        size: c.size,
        keywords: c.keywords,
        tool: 'public',
        submitter: `fed:${obj.origin}`,
        submitterNation: from.nation,
        creatorUid: '',
        label: l,
        origin: obj.origin,
      }),
    );
    if (!r.ok) throw new KizunaError('FED_REJECTED', 'file refused by the write authority', { cause: r.code });
    return r.value;
  }

  async function receiveChunk(obj: Extract<FedObject, { kind: 'file-chunk' }>, from: { peer: string; nation: string }): Promise<void> {
    const c = obj.chunk;
    if (!obj.received) throw new KizunaError('FED_REJECTED', 'file chunk without a checked label');
    // the write authority first: a peer stores only files its own nation owns (nothing is written otherwise)
    const record = admitReceived(obj, from);
    // already complete: a replay or a duplicate transfer
    if (d.files.byHash(c.hash).some((r) => r.origin === obj.origin)) return;
    const base = join(incoming, `${obj.origin.replace(/[^A-Za-z0-9_.-]/g, '_')}-${c.hash}`);
    const partFile = `${base}.part`;
    const stateFile = `${base}.json`;
    let part: Part | undefined = existsSync(stateFile) ? PartSchema.parse(JSON.parse(readFileSync(stateFile, 'utf8'))) : undefined;
    if (part && (part.size !== c.size || part.chunkBytes !== c.chunkBytes || part.total !== c.total)) {
      throw new KizunaError('FED_PROTOCOL', 'file chunk does not match the transfer in progress');
    }
    part ??= { origin: obj.origin, hash: c.hash, size: c.size, chunkBytes: c.chunkBytes, total: c.total, have: [] };
    if (!part.have.includes(c.index)) {
      const fh = await open(partFile, existsSync(partFile) ? 'r+' : 'w', 0o600);
      try {
        await fh.write(obj.data, 0, obj.data.length, c.index * c.chunkBytes);
        await fh.sync(); // acked means durable
      } finally {
        await fh.close();
      }
      part.have.push(c.index);
      writeJsonAtomic(stateFile, part);
    }
    if (part.have.length < part.total) return;
    try {
      // the SHA-256 of the whole file is verified on the way into the content store
      await d.files.ingest(createReadStream(partFile), {
        limit: c.size,
        overLimit: () => new KizunaError('FED_PROTOCOL', 'file longer than announced'),
        expectedHash: c.hash,
      });
    } catch (err) {
      rmSync(partFile, { force: true });
      rmSync(stateFile, { force: true });
      await d.audit('fed.file.rejected', d.nodeId, { peer: from.peer, origin: obj.origin, hash: c.hash, code: (err as { code?: string }).code ?? 'INTERNAL' });
      if (err instanceof KizunaError && err.status < 500) throw err;
      throw new KizunaError('FED_REJECTED', 'file could not be assembled', { cause: err });
    }
    d.files.addRecord(record);
    rmSync(partFile, { force: true });
    rmSync(stateFile, { force: true });
    await d.audit('fed.file.received', d.nodeId, { peer: from.peer, origin: obj.origin, hash: c.hash, size: c.size, chunks: c.total });
  }

  return {
    async send(file) {
      if (file.origin !== undefined) return []; // received files are not forwarded further (see report)
      const to: string[] = [];
      const withheld: { peer: string; nation: string; reason: string }[] = [];
      for (const st of d.federation.status()) {
        const decision = d.guard.decide(file.label, audienceFor(d.registry, { nation: st.nation }));
        if (!decision.allow) {
          withheld.push({ peer: st.peer, nation: st.nation, reason: decision.reason });
          continue;
        }
        if (jobs.some((j) => j.peer === st.peer && j.hash === file.hash)) continue;
        jobs.push({
          peer: st.peer,
          hash: file.hash,
          next: 0,
          meta: { size: file.size, chunkBytes, name: file.name, mimeType: file.mimeType, keywords: file.keywords, label: file.label },
        });
        to.push(st.peer);
      }
      // persisted before anything awaits: the record exists already, its transfer must not be lost
      saveJobs();
      for (const p of to) kick(p);
      for (const w of withheld) await d.audit('fed.withheld', d.nodeId, { ...w, origin: d.nodeId, id: `file/${file.hash}`, kind: 'file' });
      return to;
    },
    receive(obj, from) {
      return serial(`${obj.origin}/${obj.chunk.hash}`, () => receiveChunk(obj, from));
    },
    start() {
      // part files of an interrupted receive stay (their chunks were acknowledged) unless untouched for
      // PART_TTL_MS (the sender abandoned it); stray temp files go
      const now = Date.now();
      for (const f of readdirSync(incoming)) {
        const file = join(incoming, f);
        if (f.endsWith('.tmp') || now - statSync(file).mtimeMs > PART_TTL_MS) rmSync(file, { force: true });
      }
      for (const p of new Set(jobs.map((j) => j.peer))) kick(p);
    },
    async close() {
      closed = true;
      await Promise.all([...pumps.values()]);
      await Promise.all([...chains.values()]);
    },
  };
}
