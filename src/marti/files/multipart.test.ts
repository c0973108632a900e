import { describe, it, expect } from 'vitest';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import fc from 'fast-check';
import { boundaryOf, MultipartFileExtractor } from './multipart.js';
import { isKizunaError } from '../../util/errors.js';
import { chunksAt } from '../../../test/support/chunks.js';

async function extract(body: Buffer, cuts: number[], boundary = 'BND'): Promise<{ out: Buffer; filename?: string }> {
  const x = new MultipartFileExtractor(boundary, ['assetfile']);
  const out: Buffer[] = [];
  await pipeline(Readable.from(chunksAt(body, cuts)), x, new Writable({ write: (c, _e, cb) => (out.push(c as Buffer), cb()) }));
  return { out: Buffer.concat(out), ...(x.part?.filename ? { filename: x.part.filename } : {}) };
}

const form = (parts: string[], file: Buffer, boundary = 'BND') =>
  Buffer.concat([
    Buffer.from(`preamble\r\n`),
    ...parts.map((p) => Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${p}"\r\n\r\nvalue-${p}\r\n`)),
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="assetfile"; filename="f.zip"\r\nContent-Type: application/zip\r\n\r\n`),
    file,
    Buffer.from(`\r\n--${boundary}\r\nContent-Disposition: form-data; name="after"\r\n\r\nx\r\n--${boundary}--\r\n`),
  ]);

describe('multipart file extractor', () => {
  it('returns exactly the file bytes however the body is split (near-boundary bytes inside the file)', async () => {
    const tricky = Buffer.from('\r\n--BN\r\n--BNX--\r\n-\r');
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), fc.array(fc.nat({ max: 700 }), { maxLength: 12 }), async (bytes, cuts) => {
        const file = Buffer.concat([tricky, Buffer.from(bytes), tricky]);
        const r = await extract(form(['a', 'b'], file), cuts);
        expect(r.out.equals(file)).toBe(true);
        expect(r.filename).toBe('f.zip');
      }),
      { numRuns: 200 },
    );
  });

  it('works byte by byte', async () => {
    const file = randomBytes(2000);
    const body = form([], file);
    expect((await extract(body, Array.from({ length: body.length }, (_, i) => i))).out.equals(file)).toBe(true);
  });

  it('a body without the closing boundary or without a file part is UPLOAD_INCOMPLETE', async () => {
    const body = form([], randomBytes(100));
    await expect(extract(body.subarray(0, body.length - 8), [])).rejects.toSatisfy((e) => isKizunaError(e, 'UPLOAD_INCOMPLETE'));
    const noFile = Buffer.from('--BND\r\nContent-Disposition: form-data; name="x"\r\n\r\nv\r\n--BND--\r\n');
    await expect(extract(noFile, [])).rejects.toSatisfy((e) => isKizunaError(e, 'UPLOAD_INCOMPLETE'));
  });

  it('reads the boundary from the content type', () => {
    expect(boundaryOf('multipart/form-data; boundary=----abc')).toBe('----abc');
    expect(boundaryOf('multipart/form-data; charset=utf-8; boundary="q r"')).toBe('q r');
    expect(boundaryOf('application/zip')).toBeUndefined();
  });
});
