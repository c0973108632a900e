import { z } from 'zod';
import type { SecurityLabel } from '../labels/types.js';
import { KizunaError } from '../util/errors.js';

/**
 * One piece of a labelled file crossing a link (FedObject kind 'file-chunk'). The envelope payload is
 * `u32 metaLength ++ meta JSON ++ chunk bytes`, so the binding signature covers the file's identity,
 * its originator label, the chunk position and the bytes together.
 */
export const FILE_CHUNK_BYTES = 256 * 1024;

export interface FileChunkMeta {
  /** SHA-256 hex of the whole file */
  hash: string;
  index: number;
  total: number;
  /** whole file size in bytes */
  size: number;
  /** bytes per chunk (all but the last are exactly this long) */
  chunkBytes: number;
  name: string;
  mimeType: string;
  keywords: string[];
  /** originator label (the sender's policy) */
  label: SecurityLabel;
}

const LabelShape = z.object({ policy: z.string(), classification: z.string(), owner: z.string() }).loose();
export const FileChunkMetaSchema = z.object({
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  index: z.number().int().nonnegative(),
  total: z.number().int().positive(),
  size: z.number().int().nonnegative(),
  chunkBytes: z.number().int().min(1024).max(8 * 1024 * 1024),
  name: z.string().min(1).max(255),
  mimeType: z.string().max(255),
  keywords: z.array(z.string().max(255)).max(64),
  label: LabelShape,
});

export function chunkCount(size: number, chunkBytes: number): number {
  return Math.max(1, Math.ceil(size / chunkBytes));
}

export function chunkLength(meta: Pick<FileChunkMeta, 'index' | 'size' | 'chunkBytes'>): number {
  return Math.max(0, Math.min(meta.chunkBytes, meta.size - meta.index * meta.chunkBytes));
}

export function chunkId(meta: Pick<FileChunkMeta, 'hash' | 'index'>): string {
  return `file/${meta.hash}/${meta.index}`;
}

export function encodeChunkPayload(meta: FileChunkMeta, data: Uint8Array): Uint8Array {
  const m = Buffer.from(JSON.stringify(meta), 'utf8');
  const out = Buffer.allocUnsafe(4 + m.length + data.length);
  out.writeUInt32BE(m.length, 0);
  out.set(m, 4);
  out.set(data, 4 + m.length);
  return out;
}

/** Parses and checks the shape and internal consistency of a chunk payload. */
export function decodeChunkPayload(payload: Uint8Array): { meta: FileChunkMeta; data: Uint8Array } {
  const buf = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  if (buf.length < 4) throw new KizunaError('FED_PROTOCOL', 'file chunk too short');
  const n = buf.readUInt32BE(0);
  if (n > 64 * 1024 || 4 + n > buf.length) throw new KizunaError('FED_PROTOCOL', 'file chunk meta length');
  const meta = FileChunkMetaSchema.parse(JSON.parse(buf.subarray(4, 4 + n).toString('utf8'))) as unknown as FileChunkMeta;
  const data = buf.subarray(4 + n);
  if (meta.total !== chunkCount(meta.size, meta.chunkBytes) || meta.index >= meta.total || data.length !== chunkLength(meta)) {
    throw new KizunaError('FED_PROTOCOL', 'file chunk position');
  }
  return { meta, data };
}
