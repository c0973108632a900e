import { z } from 'zod';

/** Certificate/user names end up in file names (NAME.p12) and DNs: a conservative character set. */
export const CertName = z
  .string()
  .regex(/^[A-Za-z0-9_@][A-Za-z0-9 ._@-]{0,63}$/, 'name: letters, digits, space . _ @ - (max 64)')
  .refine((s) => !s.includes('..') && !s.endsWith(' '), 'name must not contain ".." or end with a space');
export const Nation = z.string().regex(/^[A-Z]{3}$/, 'nation must be an ISO 3166 trigraph');
export const GroupName = z.string().min(1).max(64).regex(/^[^\u0000-\u001f\u007f]+$/, 'group: no control characters');
export const RoleName = z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/, 'role: lower-case word');
