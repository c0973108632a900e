/** The one role table, lowest rank first: each role has every right of the roles before it. */
export const ROLES = ['viewer', 'operator', 'coordinator', 'administrator'] as const;
export type Role = (typeof ROLES)[number];
/** Rank of each role = its position in ROLES. */
export const ROLE_RANK: Readonly<Record<Role, number>> = Object.freeze(Object.fromEntries(ROLES.map((r, i) => [r, i])) as Record<Role, number>);

/** True when `role` has at least the rights of `min`. */
export function roleAtLeast(role: Role, min: Role): boolean {
  return ROLE_RANK[role] >= ROLE_RANK[min];
}
