import { z } from 'zod';
import { renderMarking, type PolicyDef } from '../../labels/index.js';
import type { LabelChoice, LabelOptionsView } from '../contract.js';
import type { ApiDeps } from '../deps.js';
import { route, type AnyRoute } from '../route-table.js';
import { apiSchemas } from '../schemas.js';

const Choice = { name: z.string(), marking: z.string(), markingJa: z.string() };
export const LabelOptionsViewSchema = z.object({
  policy: z.string(),
  nation: z.string(),
  classifications: z.array(z.object({ ...Choice, rank: z.number(), color: z.string() })),
  caveats: z.array(z.object({ tagSet: z.string(), values: z.array(z.object({ ...Choice, minClassification: z.string().optional() })) })),
  releasabilityTag: z.string(),
  nations: z.array(z.string()),
});
apiSchemas.add(LabelOptionsViewSchema, { id: 'LabelOptionsView', description: "the label picker's choices for this user, from their own policy" });
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Assert<T extends true> = T;
export type _LabelOptionsMatchesContract = Assert<Equal<z.infer<typeof LabelOptionsViewSchema>, LabelOptionsView>>;

/** The level as the picker shows it: the same words the banner uses (Japanese gloss rules included). */
function levelChoice(deps: ApiDeps, def: PolicyDef, name: string): LabelChoice {
  const bare = { policy: def.id, classification: name, categories: [], owner: deps.nation, createdAt: new Date(0).toISOString() };
  const first = (m: string): string => m.split('//')[0]!;
  return { name, marking: first(renderMarking(deps.registry, bare, 'en')), markingJa: first(renderMarking(deps.registry, bare, 'ja')) };
}

export function labelOptions(deps: ApiDeps, audience: { maxClassification: string; held: Record<string, string[]> }): LabelOptionsView {
  const policy = deps.registry.policyOf(deps.nation);
  const def = deps.registry.policy(policy)!;
  const ceiling = deps.registry.rank(policy, audience.maxClassification);
  const classifications = def.classifications
    .filter((c) => c.rank <= ceiling)
    .map((c) => ({ ...levelChoice(deps, def, c.name), rank: c.rank, color: c.color }));
  const caveats = [...def.tagsByUpper.values()]
    .filter((t) => t.type === 'restrictive')
    .map((t) => ({
      tagSet: t.name,
      // only caveats the user holds: a label they could not read back is never offered
      values: [...t.values.values()]
        .filter((v) => (audience.held[t.name] ?? []).includes(v.name))
        .map((v) => {
          const min = v.minRank === undefined ? undefined : def.classifications.find((c) => c.rank === v.minRank)?.name;
          return { name: v.name, marking: v.marking?.en ?? v.name, markingJa: v.marking?.ja ?? v.name, ...(min ? { minClassification: min } : {}) };
        }),
    }))
    .filter((t) => t.values.length > 0);
  const rel = def.tagsByUpper.get(def.relTag.toUpperCase())!;
  const partners = (deps.partners ?? []).filter((n) => n !== deps.nation && rel.values.has(n));
  return { policy: def.id, nation: deps.nation, classifications, caveats, releasabilityTag: def.relTag, nations: [deps.nation, ...new Set(partners)] };
}

export function labelRoutes(deps: ApiDeps): AnyRoute[] {
  return [
    route({
      method: 'GET',
      url: '/api/label-options',
      summary: "Choices for labelling a new object: the user's own policy, up to their clearance",
      tag: 'labels',
      auth: 'viewer',
      response: LabelOptionsViewSchema,
      handler: async ({ user }) => labelOptions(deps, user.audience),
    }),
  ];
}
