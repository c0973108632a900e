import { KizunaError } from '../../util/errors.js';

/**
 * File names are metadata only (content is stored under its hash), but they reach other users' disks
 * through Content-Disposition and ATAK's import, so anything path-like is refused rather than cleaned.
 */
export function checkFileName(name: string | undefined): string {
  if (name === undefined || name.length === 0) throw new KizunaError('FILENAME_INVALID', 'missing');
  if (Buffer.byteLength(name, 'utf8') > 255) throw new KizunaError('FILENAME_INVALID', 'too long');
  if (/[\u0000-\u001f\u007f/\\:*?"<>|]/.test(name)) throw new KizunaError('FILENAME_INVALID', 'forbidden character');
  if (name === '.' || name.startsWith('..') || name.includes('..') || name.trim() !== name) {
    throw new KizunaError('FILENAME_INVALID', 'path-like name');
  }
  return name;
}

export const SHA256_HEX = /^[0-9a-f]{64}$/;

export function checkHash(hash: unknown): string {
  if (typeof hash !== 'string' || !SHA256_HEX.test(hash.toLowerCase())) throw new KizunaError('BAD_REQUEST', 'hash must be SHA-256 hex');
  return hash.toLowerCase();
}

export function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}
