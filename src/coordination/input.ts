import { z } from 'zod';
import { KizunaError } from '../util/errors.js';
import { REQUEST_STATUSES } from '../vocab/index.js';
import { REQUEST_KINDS } from './model.js';

/** Query and id shapes of the coordination service, and the one way it turns bad input into an error. */
export const ListQuery = z
  .object({
    status: z.enum(REQUEST_STATUSES).optional(),
    kind: z.enum(REQUEST_KINDS).optional(),
    after: z.string().max(200).optional(),
    limit: z.number().int().min(1).max(500).default(50),
  })
  .strict();
export const PageQuery = z.object({ after: z.string().max(200).optional(), limit: z.number().int().min(1).max(500).default(100) }).strict();
export const Id = z.string().min(1).max(200);

export function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  // Paths only: never echo the offending value (it may be protected content).
  const where = r.error.issues.map((i) => i.path.join('.') || '(root)').join(', ');
  // An attachment over the size limit is a size problem, not a malformed request.
  const tooLarge = r.error.issues.some((i) => i.code === 'too_big' && i.path[0] === 'attachments' && i.path.at(-1) === 'data');
  throw new KizunaError(tooLarge ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST', `${what}: invalid ${where}`);
}
