import type { z } from 'zod';
import { KizunaError } from '../util/errors.js';
import type { EquivalenceFile, PolicyFile } from './policy-schema.js';
import type { PolicyDef, TagSetDef, ValueDef, ClassificationDef } from './registry.js';

/** Compiling the policy files: checked once at load, so the registry's lookups need no checks. */
const up = (s: string): string => s.toUpperCase();

export interface TagMap {
  to: string;
  identity: boolean;
  values: Map<string, string>;
}
export interface Table {
  cls: Map<string, string>;
  tags: Map<string, TagMap>;
  /** permissive tag set -> values any audience of the target policy meets (category left out) */
  satisfied: Map<string, Set<string>>;
}

export function parseFile<S extends z.ZodType>(schema: S, file: string, text: string): z.infer<S> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new KizunaError('POLICY_FILE_INVALID', `${file}: not JSON`, { cause });
  }
  const r = schema.safeParse(json);
  if (!r.success) throw new KizunaError('POLICY_FILE_INVALID', `${file}: ${r.error.issues[0]?.path.join('.')} ${r.error.issues[0]?.message}`, { cause: r.error });
  return r.data;
}

export function compilePolicy(file: PolicyFile, fileName: string): PolicyDef {
  const bad = (d: string): never => {
    throw new KizunaError('POLICY_FILE_INVALID', `${fileName}: ${d}`);
  };
  const classifications = [...file.classifications].sort((a, b) => a.rank - b.rank);
  const clsByUpper = new Map<string, ClassificationDef>();
  classifications.forEach((c, i) => {
    if (i > 0 && classifications[i - 1]!.rank === c.rank) bad(`two classifications share rank ${c.rank}`);
    if (clsByUpper.has(up(c.name))) bad(`duplicate classification ${c.name}`);
    clsByUpper.set(up(c.name), c);
  });
  const tagsByUpper = new Map<string, TagSetDef>();
  for (const t of file.tagSets) {
    if (tagsByUpper.has(up(t.name))) bad(`duplicate tag set ${t.name}`);
    const values = new Map<string, ValueDef>();
    for (const v of t.values) {
      if (values.has(up(v.name))) bad(`duplicate value ${v.name} in ${t.name}`);
      const def: ValueDef = { name: v.name };
      if ('abbrev' in v && v.abbrev) def.abbrev = v.abbrev;
      if ('marking' in v && v.marking) def.marking = v.marking;
      if ('minClassification' in v && v.minClassification) {
        const c = clsByUpper.get(up(v.minClassification));
        if (!c) bad(`unknown minClassification of ${v.name}`);
        def.minRank = c!.rank;
      }
      values.set(up(v.name), def);
    }
    tagsByUpper.set(up(t.name), { name: t.name, type: t.type, values });
  }
  const rel = tagsByUpper.get(up(file.releasabilityTag));
  if (!rel || rel.type !== 'permissive') bad('releasabilityTag must name a permissive tag set');
  const groups = new Map<string, string[]>();
  for (const [g, members] of Object.entries(file.groups)) {
    if (!rel!.values.has(g)) bad(`group ${g} is not a releasability value`);
    groups.set(g, [...members]);
  }
  for (const n of file.nations) if (!rel!.values.has(n)) bad(`nation ${n} is not a releasability value`);
  for (const g of file.phaseGrantable) {
    const t = tagsByUpper.get(up(g.tagSet));
    if (!t || t.type === 'informative') bad(`phaseGrantable tag set ${g.tagSet}`);
    for (const v of g.values) if (!t!.values.has(up(v))) bad(`phaseGrantable value in ${g.tagSet}`);
  }
  for (const w of file.alsoWrites) if (w === file.id) bad('alsoWrites names the policy itself');
  return { id: file.id, file, classifications, clsByUpper, tagsByUpper, relTag: rel!.name, groups };
}

export function compileTables(eq: EquivalenceFile, policies: Map<string, PolicyDef>): Map<string, Table> {
  const tables = new Map<string, Table>();
  const bad = (d: string): never => {
    throw new KizunaError('POLICY_FILE_INVALID', `equivalence.json: ${d}`);
  };
  const oneToOne = (pairs: [string, string][], what: string): void => {
    const as = new Set<string>();
    const bs = new Set<string>();
    for (const [a, b] of pairs) {
      if (as.has(up(a)) || bs.has(up(b))) bad(`${what} is not one-to-one`);
      as.add(up(a));
      bs.add(up(b));
    }
  };
  for (const p of eq.pairs) {
    const A = policies.get(p.a);
    const B = policies.get(p.b);
    if (!A || !B) bad(`unknown policy in pair ${p.a}/${p.b}`);
    if (tables.has(`${p.a}>${p.b}`) || tables.has(`${p.b}>${p.a}`)) bad(`duplicate pair ${p.a}/${p.b}`);
    oneToOne(p.classifications, `${p.a}/${p.b} classifications`);
    const ab: Table = { cls: new Map(), tags: new Map(), satisfied: new Map() };
    const ba: Table = { cls: new Map(), tags: new Map(), satisfied: new Map() };
    for (const [a, b] of p.classifications) {
      const ca = A!.clsByUpper.get(up(a));
      const cb = B!.clsByUpper.get(up(b));
      if (!ca || !cb) bad(`unknown classification in ${p.a}/${p.b}`);
      ab.cls.set(ca!.name, cb!.name);
      ba.cls.set(cb!.name, ca!.name);
    }
    for (const t of p.tagSets) {
      const ta = A!.tagsByUpper.get(up(t.a));
      const tb = B!.tagsByUpper.get(up(t.b));
      if (!ta || !tb) bad(`unknown tag set in ${p.a}/${p.b}`);
      if (ta!.type !== tb!.type) bad(`tag set types differ in ${p.a}/${p.b}`);
      const pairs = t.values ?? [];
      oneToOne(pairs, `${p.a}/${p.b} ${t.a} values`);
      const va = new Map<string, string>();
      const vb = new Map<string, string>();
      for (const [a, b] of pairs) {
        const da = ta!.values.get(up(a));
        const db = tb!.values.get(up(b));
        if (!da || !db) bad(`unknown value in ${p.a}/${p.b} ${t.a}`);
        va.set(da!.name, db!.name);
        vb.set(db!.name, da!.name);
      }
      ab.tags.set(ta!.name, { to: tb!.name, identity: t.identity === true, values: va });
      ba.tags.set(tb!.name, { to: ta!.name, identity: t.identity === true, values: vb });
    }
    for (const sat of p.satisfied ?? []) {
      const from = sat.policy === p.a ? A! : sat.policy === p.b ? B! : bad(`satisfied names ${sat.policy}, not ${p.a} or ${p.b}`);
      const tag = from.tagsByUpper.get(up(sat.tagSet));
      if (!tag || tag.type !== 'permissive') bad(`satisfied tag set ${sat.tagSet} of ${sat.policy} is not permissive`);
      const table = from === A ? ab : ba;
      if (table.tags.has(tag!.name)) bad(`tag set ${tag!.name} is both mapped and satisfied in ${p.a}/${p.b}`);
      const values = new Set<string>();
      for (const v of sat.values) values.add(tag!.values.get(up(v))?.name ?? bad(`unknown value in satisfied ${sat.tagSet}`));
      table.satisfied.set(tag!.name, values);
    }
    tables.set(`${p.a}>${p.b}`, ab);
    tables.set(`${p.b}>${p.a}`, ba);
  }
  return tables;
}

