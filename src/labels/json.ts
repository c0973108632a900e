import { z } from 'zod';
import { KizunaError } from '../util/errors.js';
import { canonicalJson, normalizeLabel } from './canonical.js';
import { ORIGINATOR_ID_TYPES, type OriginatorIdType, type SecurityLabel } from './types.js';

const Str = z.string().min(1).max(128);
const Iso = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/);

/** The wire form of a label (docs/labels.md §0): plain SecurityLabel JSON, bounded, unknown keys refused. */
export const SecurityLabelSchema = z
  .object({
    policy: Str,
    classification: Str,
    categories: z
      .array(
        z.strictObject({
          tagSet: Str,
          type: z.enum(['restrictive', 'permissive', 'informative']),
          values: z.array(Str).max(256),
        }),
      )
      .max(64),
    owner: z.string().regex(/^[A-Za-z]{3,5}$/),
    contributors: z.array(z.string().regex(/^[A-Za-z]{3}$/)).max(256).optional(),
    originator: z
      .strictObject({ idType: z.enum(ORIGINATOR_ID_TYPES as [OriginatorIdType, ...OriginatorIdType[]]), value: z.string().min(1).max(1024) })
      .optional(),
    createdAt: Iso,
    reviewAt: Iso.optional(),
  })
  .strict();

/** Compact canonical JSON (sorted keys and values, no whitespace): also what signatures cover. */
export function labelToJson(label: SecurityLabel): string {
  return canonicalJson(normalizeLabel(label));
}

/** Accepts JSON text or an already parsed value; LABEL_PARSE on any shape error. */
export function labelFromJson(input: string | unknown): SecurityLabel {
  let value: unknown = input;
  if (typeof input === 'string') {
    if (input.length > 64 * 1024) throw new KizunaError('LABEL_TOO_LARGE');
    try {
      value = JSON.parse(input);
    } catch (cause) {
      throw new KizunaError('LABEL_PARSE', 'not JSON', { cause });
    }
  }
  const r = SecurityLabelSchema.safeParse(value);
  if (!r.success) throw new KizunaError('LABEL_PARSE', r.error.issues[0]?.path.join('.') || 'shape', { cause: r.error });
  const l = r.data;
  const out: SecurityLabel = {
    policy: l.policy,
    classification: l.classification,
    categories: l.categories,
    owner: l.owner,
    createdAt: l.createdAt,
  };
  if (l.contributors !== undefined) out.contributors = l.contributors;
  if (l.originator !== undefined) out.originator = l.originator;
  if (l.reviewAt !== undefined) out.reviewAt = l.reviewAt;
  return normalizeLabel(out);
}
