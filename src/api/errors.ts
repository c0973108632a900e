import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ZodError } from 'zod';
import { KizunaError, isKizunaError } from '../util/errors.js';
import type { Logger } from '../util/log.js';

/**
 * The one mapping from anything thrown to a response: KizunaError → its public form, zod → BAD_REQUEST,
 * fastify's own 4xx (bad JSON, body too large, media type) → coded equivalents, anything else → INTERNAL.
 * The body never echoes input or detail; the cause goes to the log only (by code, not content).
 */
export function toKizunaError(err: unknown): KizunaError {
  if (isKizunaError(err)) return err;
  if (err instanceof ZodError) return new KizunaError('BAD_REQUEST', undefined, { cause: err });
  const fe = err as Partial<FastifyError> | undefined;
  const status = typeof fe?.statusCode === 'number' ? fe.statusCode : 500;
  if (status === 413) return new KizunaError('PAYLOAD_TOO_LARGE', undefined, { cause: err });
  if (status === 429) return new KizunaError('RATE_LIMITED', undefined, { cause: err });
  if (status >= 400 && status < 500) return new KizunaError('BAD_REQUEST', undefined, { cause: err });
  return new KizunaError('INTERNAL', undefined, { cause: err });
}

export function makeErrorHandler(log: Logger) {
  return function apiErrorHandler(err: unknown, req: FastifyRequest, reply: FastifyReply): void {
    const k = toKizunaError(err);
    const cause = k === err ? k.cause : err;
    const fields = {
      code: k.code,
      route: req.routeOptions.url,
      method: req.method,
      // error class/code only: messages may quote protected content
      cause: cause instanceof Error ? { name: cause.name, code: (cause as { code?: unknown }).code } : undefined,
    };
    if (k.status >= 500) log.error({ ...fields, stack: cause instanceof Error ? cause.stack : undefined }, 'api error');
    else log.debug(fields, 'api request refused');
    if (k.retryAfterS !== undefined) void reply.header('retry-after', String(k.retryAfterS));
    void reply.code(k.status).type('application/json; charset=utf-8').send(k.toPublic());
  };
}
