import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import { KizunaError } from '../util/errors.js';
import { normalizeLabel } from './canonical.js';
import { DEFAULT_POLICIES_DIR } from './package-root.js';
import {
  EquivalenceFileSchema,
  PhaseRulesFileSchema,
  PolicyFileSchema,
  type EquivalenceFile,
  type PhaseRulesFile,
  type PolicyFile,
} from './policy-schema.js';
import { DecisionReason, ORIGINATOR_ID_TYPES, type CategoryType, type LabelCategory, type SecurityLabel } from './types.js';

export interface ValueDef {
  name: string;
  abbrev?: string;
  minRank?: number;
  marking?: { en: string; ja: string };
}
export interface TagSetDef {
  name: string;
  type: CategoryType;
  /** upper-cased name -> definition */
  values: Map<string, ValueDef>;
}
export interface ClassificationDef {
  name: string;
  rank: number;
  abbrev: string;
  marking: { en: string; ja: string };
  color: string;
  unclassified?: boolean;
}
export interface PolicyDef {
  id: string;
  file: PolicyFile;
  /** lowest..highest */
  classifications: ClassificationDef[];
  clsByUpper: Map<string, ClassificationDef>;
  tagsByUpper: Map<string, TagSetDef>;
  relTag: string;
  groups: Map<string, string[]>;
}
interface TagMap {
  to: string;
  identity: boolean;
  values: Map<string, string>;
}
interface Table {
  cls: Map<string, string>;
  tags: Map<string, TagMap>;
  /** permissive tag set -> values any audience of the target policy meets (category left out) */
  satisfied: Map<string, Set<string>>;
}
export interface PhaseRule {
  nation: string;
  phase: string;
  to: string[];
  tagSet: string;
  values: string[];
}

export type CheckResult =
  | { ok: true; label: SecurityLabel }
  | { ok: false; reason: DecisionReason; detail: string };

export interface PolicyRegistry {
  /** digest of the loaded files (cache key) */
  readonly version: string;
  has(policy: string): boolean;
  /** nation trigraph -> its policy id; throws LABEL_UNKNOWN_POLICY */
  policyOf(nation: string): string;
  /** throws LABEL_UNKNOWN_POLICY / LABEL_INVALID if unknown */
  rank(policy: string, classification: string): number;
  /** lowest..highest */
  classifications(policy: string): string[];
  /** normalised, SPIF spelling; throws KizunaError (LABEL_UNKNOWN_POLICY | LABEL_INVALID) */
  validate(label: SecurityLabel): SecurityLabel;
  /** exact translation or LABEL_UNMAPPABLE (never rounds down) */
  translate(label: SecurityLabel, toPolicy: string): SecurityLabel;
  /** non-throwing validate, with the decision reason (used by the guard) */
  check(label: SecurityLabel): CheckResult;
  /** non-throwing translate of a label already checked */
  tryTranslate(label: SecurityLabel, toPolicy: string): SecurityLabel | undefined;
  /** policy ids, sorted */
  policies(): string[];
  /** compiled policy (marking data etc.); undefined if unknown */
  policy(id: string): PolicyDef | undefined;
  /** the policy whose SPIF OID this is (dotted form), or undefined */
  policyByOid(oid: string): PolicyDef | undefined;
  /** phase grant rules (validated against the owners' phaseGrantable at load) */
  readonly phaseRules: readonly PhaseRule[];
  /** Canonical spelling of a value of a tag set, or undefined. */
  canonicalValue(policy: string, tagSet: string, value: string): string | undefined;
  /** Releasability values expanded with known group members (tetragraph itself kept). */
  expandReleasability(policy: string, values: readonly string[]): Set<string>;
  /** One value through the equivalence table (identity within a policy); undefined if unmappable. */
  mapValue(fromPolicy: string, toPolicy: string, tagSet: string, value: string): { tagSet: string; value: string } | undefined;
}

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const TRIGRAPH = /^[A-Z]{3}$/;
/** owner of a combined label whose parts have different owners */
export const MULTI_OWNER = 'MULTI';

const up = (s: string): string => s.toUpperCase();

function parseFile<S extends z.ZodType>(schema: S, file: string, text: string): z.infer<S> {
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

function compilePolicy(file: PolicyFile, fileName: string): PolicyDef {
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
  return { id: file.id, file, classifications, clsByUpper, tagsByUpper, relTag: rel!.name, groups };
}

function compileTables(eq: EquivalenceFile, policies: Map<string, PolicyDef>): Map<string, Table> {
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

class Registry implements PolicyRegistry {
  readonly version: string;
  readonly phaseRules: readonly PhaseRule[];
  private readonly byId: Map<string, PolicyDef>;
  private readonly byUpper = new Map<string, PolicyDef>();
  private readonly nationPolicy = new Map<string, string>();
  private readonly byOid = new Map<string, PolicyDef>();
  private readonly tables: Map<string, Table>;

  constructor(version: string, policies: Map<string, PolicyDef>, tables: Map<string, Table>, phase: PhaseRulesFile | undefined) {
    this.version = version;
    this.byId = policies;
    this.tables = tables;
    for (const p of policies.values()) {
      this.byUpper.set(up(p.id), p);
      if (p.file.oid !== null) {
        if (this.byOid.has(p.file.oid)) throw new KizunaError('POLICY_FILE_INVALID', `OID ${p.file.oid} names two policies`);
        this.byOid.set(p.file.oid, p);
      }
      for (const n of p.file.nations) {
        if (this.nationPolicy.has(n)) throw new KizunaError('POLICY_FILE_INVALID', `nation ${n} is governed by two policies`);
        this.nationPolicy.set(n, p.id);
      }
    }
    const rules: PhaseRule[] = [];
    for (const r of phase?.rules ?? []) {
      // A phase can only switch on what the owner nation's own policy file pre-agreed.
      const owner = this.byId.get(this.nationPolicy.get(r.nation) ?? '');
      const agreed = owner?.file.phaseGrantable.some(
        (g) =>
          g.phases.includes(r.phase) &&
          r.to.every((n) => g.to.includes(n)) &&
          up(g.tagSet) === up(r.tagSet) &&
          r.values.every((v) => g.values.some((gv) => up(gv) === up(v))),
      );
      if (!owner || !agreed) throw new KizunaError('POLICY_FILE_INVALID', `phase-rules.json: rule for ${r.nation}/${r.phase} is not pre-agreed by its policy file`);
      const tag = owner.tagsByUpper.get(up(r.tagSet))!;
      rules.push({ ...r, tagSet: tag.name, values: r.values.map((v) => tag.values.get(up(v))!.name) });
    }
    this.phaseRules = rules;
  }

  has(policy: string): boolean {
    return this.byUpper.has(up(policy));
  }
  policies(): string[] {
    return [...this.byId.keys()].sort();
  }
  policy(id: string): PolicyDef | undefined {
    return this.byUpper.get(up(id));
  }
  policyByOid(oid: string): PolicyDef | undefined {
    return this.byOid.get(oid);
  }
  policyOf(nation: string): string {
    const p = this.nationPolicy.get(up(nation));
    if (!p) throw new KizunaError('LABEL_UNKNOWN_POLICY', 'no policy for this nation');
    return p;
  }
  private def(policy: string): PolicyDef {
    const p = this.byUpper.get(up(policy));
    if (!p) throw new KizunaError('LABEL_UNKNOWN_POLICY');
    return p;
  }
  rank(policy: string, classification: string): number {
    const c = this.def(policy).clsByUpper.get(up(classification));
    if (!c) throw new KizunaError('LABEL_INVALID', 'unknown classification');
    return c.rank;
  }
  classifications(policy: string): string[] {
    return this.def(policy).classifications.map((c) => c.name);
  }
  canonicalValue(policy: string, tagSet: string, value: string): string | undefined {
    return this.byUpper.get(up(policy))?.tagsByUpper.get(up(tagSet))?.values.get(up(value))?.name;
  }
  expandReleasability(policy: string, values: readonly string[]): Set<string> {
    const groups = this.byUpper.get(up(policy))?.groups;
    const out = new Set<string>();
    for (const v of values) {
      out.add(v);
      for (const m of groups?.get(v) ?? []) out.add(m);
    }
    return out;
  }

  mapValue(fromPolicy: string, toPolicy: string, tagSet: string, value: string): { tagSet: string; value: string } | undefined {
    const from = this.byUpper.get(up(fromPolicy));
    const to = this.byUpper.get(up(toPolicy));
    const tag = from?.tagsByUpper.get(up(tagSet));
    const v = tag?.values.get(up(value));
    if (!from || !to || !tag || !v) return undefined;
    if (from === to) return { tagSet: tag.name, value: v.name };
    const m = this.tables.get(`${from.id}>${to.id}`)?.tags.get(tag.name);
    if (!m) return undefined;
    const mapped = m.values.get(v.name) ?? (m.identity ? this.canonicalValue(to.id, m.to, v.name) : undefined);
    return mapped === undefined ? undefined : { tagSet: m.to, value: mapped };
  }

  check(label: SecurityLabel): CheckResult {
    if (label === null || typeof label !== 'object') return { ok: false, reason: DecisionReason.NO_LABEL, detail: 'no label' };
    const p = typeof label.policy === 'string' ? this.byUpper.get(up(label.policy)) : undefined;
    if (!p) return { ok: false, reason: DecisionReason.UNKNOWN_POLICY, detail: 'unknown policy' };
    const invalid = (detail: string): CheckResult => ({ ok: false, reason: DecisionReason.INVALID_LABEL, detail });
    const cls = typeof label.classification === 'string' ? p.clsByUpper.get(up(label.classification)) : undefined;
    if (!cls) return { ok: false, reason: DecisionReason.UNKNOWN_CLASSIFICATION, detail: 'unknown classification' };
    if (typeof label.owner !== 'string') return invalid('owner');
    const owner = up(label.owner);
    const contributors = Array.isArray(label.contributors) ? label.contributors.map((c) => (typeof c === 'string' ? up(c) : '')) : undefined;
    const combined = contributors !== undefined && contributors.length > 0;
    if (contributors?.some((c) => !TRIGRAPH.test(c))) return invalid('contributors');
    if (!(TRIGRAPH.test(owner) || (combined && owner === MULTI_OWNER))) return invalid('owner');
    if (typeof label.createdAt !== 'string' || !ISO_UTC.test(label.createdAt) || Number.isNaN(Date.parse(label.createdAt))) return invalid('createdAt');
    if (label.reviewAt !== undefined && (typeof label.reviewAt !== 'string' || !ISO_UTC.test(label.reviewAt))) return invalid('reviewAt');
    if (label.originator !== undefined) {
      const o = label.originator;
      if (!o || typeof o.value !== 'string' || !ORIGINATOR_ID_TYPES.includes(o.idType)) return invalid('originator');
    }
    if (!Array.isArray(label.categories)) return invalid('categories');
    const categories: LabelCategory[] = [];
    for (const c of label.categories) {
      if (!c || typeof c.tagSet !== 'string' || !Array.isArray(c.values)) return invalid('category');
      const t = p.tagsByUpper.get(up(c.tagSet));
      if (!t || t.type !== c.type) return { ok: false, reason: DecisionReason.UNKNOWN_CATEGORY, detail: 'unknown tag set or type' };
      const values: string[] = [];
      for (const v of c.values) {
        const d = typeof v === 'string' ? t.values.get(up(v)) : undefined;
        if (!d) return { ok: false, reason: DecisionReason.UNKNOWN_CATEGORY, detail: `unknown value in ${t.name}` };
        if (d.minRank !== undefined && cls.rank < d.minRank) return invalid(`value of ${t.name} not allowed at this classification`);
        values.push(d.name);
      }
      // An empty restrictive/informative category states nothing; an empty permissive one denies everyone.
      if (values.length === 0 && t.type !== 'permissive') continue;
      categories.push({ tagSet: t.name, type: t.type, values });
    }
    const out = normalizeLabel({
      ...label,
      policy: p.id,
      classification: cls.name,
      owner,
      categories,
      ...(contributors !== undefined ? { contributors } : {}),
    });
    if (out.contributors?.length === 0) delete out.contributors;
    if (!combined) {
      // Originator labels: REL TO, when present, must include the owner (ISM-ID-00214 analogue).
      const rel = out.categories.find((c) => c.tagSet === p.relTag);
      if (rel && !this.expandReleasability(p.id, rel.values).has(owner)) return invalid('releasability without owner');
    }
    return { ok: true, label: out };
  }

  validate(label: SecurityLabel): SecurityLabel {
    const r = this.check(label);
    if (r.ok) return r.label;
    throw new KizunaError(r.reason === DecisionReason.UNKNOWN_POLICY ? 'LABEL_UNKNOWN_POLICY' : 'LABEL_INVALID', r.detail);
  }

  tryTranslate(label: SecurityLabel, toPolicy: string): SecurityLabel | undefined {
    const target = this.byUpper.get(up(toPolicy));
    if (!target) return undefined;
    if (target.id === label.policy) return label;
    const table = this.tables.get(`${label.policy}>${target.id}`);
    if (!table) return undefined;
    const classification = table.cls.get(label.classification);
    if (classification === undefined) return undefined;
    const categories: LabelCategory[] = [];
    for (const c of label.categories) {
      const sat = table.satisfied.get(c.tagSet);
      if (sat) {
        // Met by every audience of the target policy: leaving it out narrows nothing for them.
        if (c.values.some((v) => sat.has(v))) continue;
        return undefined;
      }
      const m = table.tags.get(c.tagSet);
      if (!m) {
        if (c.type === 'informative') continue;
        return undefined;
      }
      const values: string[] = [];
      for (const v of c.values) {
        const mapped = m.values.get(v) ?? (m.identity ? this.canonicalValue(target.id, m.to, v) : undefined);
        if (mapped !== undefined) values.push(mapped);
        else if (c.type !== 'informative') return undefined;
      }
      if (c.type === 'informative' && values.length === 0) continue;
      categories.push({ tagSet: m.to, type: c.type, values });
    }
    const r = this.check({ ...label, policy: target.id, classification, categories });
    return r.ok ? r.label : undefined;
  }

  translate(label: SecurityLabel, toPolicy: string): SecurityLabel {
    const src = this.validate(label);
    if (!this.has(toPolicy)) throw new KizunaError('LABEL_UNKNOWN_POLICY');
    const out = this.tryTranslate(src, toPolicy);
    if (!out) throw new KizunaError('LABEL_UNMAPPABLE');
    return out;
  }
}

const SPECIAL = new Set(['equivalence.json', 'phase-rules.json']);

/** Loads every policies/*.json (plus equivalence.json and the optional phase-rules.json). */
export function loadPolicies(dir: string = DEFAULT_POLICIES_DIR): PolicyRegistry {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json')).sort();
  } catch (cause) {
    throw new KizunaError('POLICY_FILE_INVALID', 'policy directory cannot be read', { cause });
  }
  const hash = createHash('sha256');
  const texts = new Map<string, string>();
  for (const n of names) {
    const text = readFileSync(join(dir, n), 'utf8');
    texts.set(n, text);
    hash.update(`${n}\u0000${text}\u0000`);
  }
  const policies = new Map<string, PolicyDef>();
  for (const [n, text] of texts) {
    if (SPECIAL.has(n)) continue;
    const def = compilePolicy(parseFile(PolicyFileSchema, n, text), n);
    if (`${def.id}.json` !== n) throw new KizunaError('POLICY_FILE_INVALID', `${n}: id ${def.id} does not match the file name`);
    policies.set(def.id, def);
  }
  if (policies.size === 0) throw new KizunaError('POLICY_FILE_INVALID', 'no policy files');
  const eqText = texts.get('equivalence.json');
  const tables = eqText ? compileTables(parseFile(EquivalenceFileSchema, 'equivalence.json', eqText), policies) : new Map<string, Table>();
  const phText = texts.get('phase-rules.json');
  const phase = phText ? parseFile(PhaseRulesFileSchema, 'phase-rules.json', phText) : undefined;
  return new Registry(hash.digest('base64url').slice(0, 22), policies, tables, phase);
}
