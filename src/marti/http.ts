import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import { KizunaError, isKizunaError } from '../util/errors.js';
import type { Logger } from '../util/log.js';

/**
 * Bodies are never parsed by Fastify here: uploads are streamed by the handlers, small bodies
 * (CSR, "public"/"private") are read with an explicit cap.
 */
export function rawBodies(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_req: FastifyRequest, _payload: IncomingMessage, done: (err: Error | null, body?: unknown) => void) => done(null));
}

export async function readSmallBody(req: IncomingMessage, max: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > max) throw new KizunaError('PAYLOAD_TOO_LARGE');
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of req) {
    n += (c as Buffer).length;
    if (n > max) throw new KizunaError('PAYLOAD_TOO_LARGE');
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Error bodies carry a code and a generic message only (never content); 401 asks for Basic auth. */
export function errorHandler(log: Logger) {
  return (err: unknown, req: FastifyRequest, reply: FastifyReply) => {
    let e: KizunaError;
    if (isKizunaError(err)) e = err;
    else {
      const status = (err as { statusCode?: number }).statusCode ?? 500;
      e = status === 413 ? new KizunaError('PAYLOAD_TOO_LARGE') : status < 500 ? new KizunaError('BAD_REQUEST') : new KizunaError('INTERNAL');
    }
    if (e.status >= 500) log.error({ err, url: req.routeOptions.url }, 'marti request failed');
    else log.info({ code: e.code, url: req.routeOptions.url }, 'marti request refused');
    if (e.status === 401) void reply.header('www-authenticate', 'Basic realm="Kizuna"');
    if (e.retryAfterS !== undefined) void reply.header('retry-after', String(e.retryAfterS));
    // the client may still be sending a body we refused: don't keep the connection
    if (!req.raw.complete) void reply.header('connection', 'close');
    void reply.code(e.status).type('application/json').send(e.toPublic());
  };
}

export function parseBasicAuth(header: string | undefined): { username: string; password: string } | undefined {
  if (!header || !/^basic /i.test(header)) return undefined;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

export function queryString(q: unknown, ...names: string[]): string | undefined {
  const obj = (q ?? {}) as Record<string, unknown>;
  for (const n of names) {
    const v = obj[n];
    if (typeof v === 'string') return v;
    if (Array.isArray(v) && typeof v[0] === 'string') return v[0];
  }
  return undefined;
}
