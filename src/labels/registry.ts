import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KizunaError } from '../util/errors.js';
import { compilePolicy, compileTables, parseFile, type Table } from './registry-compile.js';
import { normalizeLabel } from './canonical.js';
import { DEFAULT_POLICIES_DIR } from './package-root.js';
import { EquivalenceFileSchema, PhaseRulesFileSchema, PolicyFileSchema, type PhaseRulesFile, type PolicyFile } from './policy-schema.js';
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
