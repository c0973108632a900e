import { XMLValidator } from 'fast-xml-parser';
import { orderedXmlParser } from './xml-parser.js';
import { KizunaError } from '../util/errors.js';
import { PolicyFileSchema, type PolicyFile } from './policy-schema.js';

/**
 * Open XML SPIF (schema 2.1, `http://www.xmlspif.org/spif`) → Kizuna policy file. Maps what the policy model
 * holds (classifications by hierarchy with LACVs and markings, tag sets with their values and types, the
 * lowest-levels `excludedClass` rule as `minClassification`) and reports everything else instead of guessing.
 * Not on a hot path; still bounded: size, element counts, no DOCTYPE, one linear parse.
 */
export const SPIF_NAMESPACE = 'http://www.xmlspif.org/spif';
export const MAX_SPIF_BYTES = 4 * 1024 * 1024;
const MAX_CLASSIFICATIONS = 64;
const MAX_TAG_SETS = 256;
const MAX_VALUES = 4096;

export interface SpifEquivalent {
  policy: string;
  oid?: string;
  /** this policy's classification -> the equivalent LACV in `policy` (Kizuna tables pair names: map by hand) */
  classifications: { name: string; lacv: string; applied?: string }[];
}
export interface SpifImport {
  policy: PolicyFile;
  /** what could not be mapped, one line each, naming the SPIF element */
  unmapped: string[];
  equivalents: SpifEquivalent[];
}
export interface SpifImportOptions {
  /** policy id to use when the SPIF's policy name is not a valid Kizuna id */
  id?: string;
}

type Node = Record<string, unknown>;
type Attrs = Record<string, string>;

// qualifiers such as "REL TO " keep their spaces; element text is trimmed where it is read
const parser = orderedXmlParser(false);

const bad = (detail: string): never => {
  throw new KizunaError('SPIF_INVALID', detail);
};

/** The element name without its prefix, its attributes, its element children and its text. */
interface El {
  prefix: string;
  local: string;
  attrs: Attrs;
  children: El[];
  text: string;
}

function toEl(node: Node): El | undefined {
  const name = Object.keys(node).find((k) => k !== ':@');
  if (name === undefined || name === '#text') return undefined;
  const colon = name.indexOf(':');
  const children: El[] = [];
  let text = '';
  for (const c of (node[name] as Node[]) ?? []) {
    if ('#text' in c) text += String(c['#text']);
    const el = toEl(c);
    if (el) children.push(el);
  }
  const attrs: Attrs = {};
  for (const [k, v] of Object.entries((node[':@'] ?? {}) as Attrs)) attrs[k] = String(v);
  return { prefix: colon < 0 ? '' : name.slice(0, colon), local: colon < 0 ? name : name.slice(colon + 1), attrs, children, text: text.trim() };
}

const kids = (el: El | undefined, local: string): El[] => (el ? el.children.filter((c) => c.local === local) : []);
const kid = (el: El | undefined, local: string): El | undefined => kids(el, local)[0];

function parseSpif(xml: string): El {
  if (typeof xml !== 'string') bad('not text');
  if (Buffer.byteLength(xml, 'utf8') > MAX_SPIF_BYTES) bad(`larger than ${MAX_SPIF_BYTES} bytes`);
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) bad('DOCTYPE and entity declarations are not accepted');
  const v = XMLValidator.validate(xml);
  if (v !== true) bad(`not well-formed XML (line ${v.err.line})`);
  let doc: Node[];
  try {
    doc = parser.parse(xml) as Node[];
  } catch {
    // the validator passes some declarations the parser then rejects (found by the fuzzer)
    return bad('not well-formed XML');
  }
  const roots = doc.map(toEl).filter((e): e is El => e !== undefined);
  if (roots.length !== 1 || roots[0]!.local !== 'SPIF') bad('root element is not SPIF');
  const root = roots[0]!;
  const ns = root.attrs[root.prefix ? `xmlns:${root.prefix}` : 'xmlns'];
  if (ns !== SPIF_NAMESPACE) bad(`SPIF root is not in the ${SPIF_NAMESPACE} namespace`);
  return root;
}

const COLORS: Record<string, string> = {
  white: '#ffffff', green: '#007a33', blue: '#0033a0', red: '#c8102e', orange: '#ff8c00', yellow: '#fce83a',
  purple: '#800080', black: '#000000', amber: '#ffbf00', gray: '#808080', grey: '#808080',
};
const PAGE_CODES = new Set(['pageTop', 'pageBottom', 'pageTopBottom', 'documentStart', 'documentEnd']);
const isEnglish = (m: El): boolean => m.attrs['xml:lang'] === undefined || m.attrs['xml:lang'].toLowerCase().startsWith('en');
const codes = (m: El): string[] => kids(m, 'code').map((c) => c.text);

function phrase(el: El, code: (codes: string[]) => boolean): string | undefined {
  for (const m of kids(el, 'markingData')) if (isEnglish(m) && m.attrs.phrase && code(codes(m))) return m.attrs.phrase;
  return undefined;
}

function policyIdOf(name: string, opts: SpifImportOptions, unmapped: string[]): string {
  const id = opts.id ?? name.toUpperCase().replace(/[^A-Z0-9_-]+/g, '-');
  if (!/^[A-Z][A-Z0-9_-]{1,15}$/.test(id)) bad(`securityPolicyId name cannot be a Kizuna policy id: give --id`);
  if (id !== name) unmapped.push(`securityPolicyId: name "${name}" kept as id ${id}`);
  return id;
}

function classifications(root: El, policyName: string, unmapped: string[]): { list: PolicyFile['classifications']; byName: Map<string, number> } {
  const els = kids(kid(root, 'securityClassifications'), 'securityClassification');
  if (els.length === 0) bad('no securityClassification');
  if (els.length > MAX_CLASSIFICATIONS) bad(`more than ${MAX_CLASSIFICATIONS} classifications`);
  const withH = els.map((e) => ({ e, h: Number(e.attrs.hierarchy) }));
  if (withH.some((x) => !Number.isInteger(x.h))) bad('securityClassification without an integer hierarchy');
  withH.sort((a, b) => a.h - b.h);
  const byName = new Map<string, number>();
  const list = withH.map(({ e, h }, rank) => {
    const name = e.attrs.name ?? bad('securityClassification without a name');
    if (byName.has(name.toUpperCase()) || (rank > 0 && withH[rank - 1]!.h === h)) bad(`classification ${name}: duplicate name or hierarchy`);
    byName.set(name.toUpperCase(), rank);
    const replaced = phrase(e, (c) => c.includes('replacePolicy'));
    const en = phrase(e, (c) => c.some((x) => PAGE_CODES.has(x))) ?? `${replaced ?? policyName} ${name}`;
    const abbrev = phrase(e, (c) => c.includes('portionMarking')) ?? name.split(/\s+/).map((w) => w[0]).join('').slice(0, 16);
    const colorName = (e.attrs.color ?? '').toLowerCase();
    const color = /^#[0-9a-f]{6}$/.test(colorName) ? colorName : COLORS[colorName];
    if (!color) unmapped.push(`securityClassification ${name}: color "${e.attrs.color ?? ''}" has no RGB value (grey used)`);
    unmapped.push(`securityClassification ${name}: no Japanese marking in the SPIF (English used)`);
    if (e.attrs.obsolete === 'true') unmapped.push(`securityClassification ${name}: obsolete flag not modelled (kept)`);
    for (const r of kids(e, 'requiredCategory')) unmapped.push(`securityClassification ${name}: requiredCategory${r.attrs.operation ? ` (${r.attrs.operation})` : ''} not modelled`);
    return { name, rank, abbrev, marking: { en, ja: en }, color: color ?? '#808080', ...(e.attrs.lacv ? { lacv: e.attrs.lacv } : {}) };
  });
  return { list, byName };
}

type TagType = 'restrictive' | 'permissive' | 'informative';
function typeOf(tag: El): TagType | undefined {
  const t = tag.attrs.tagType;
  if (t === 'restrictive' || t === 'permissive') return t;
  if (t === 'tagType7') return 'informative';
  if (t === 'enumerated' && (tag.attrs.enumType === 'restrictive' || tag.attrs.enumType === 'permissive')) return tag.attrs.enumType;
  return undefined;
}

function valueOf(v: El, tagSet: string, type: TagType, levels: PolicyFile['classifications'], unmapped: string[]) {
  const name = v.attrs.name ?? bad(`tagCategory without a name in ${tagSet}`);
  const out: { name: string; minClassification?: string; marking?: { en: string; ja: string }; lacv?: string } = { name };
  if (v.attrs.lacv) out.lacv = v.attrs.lacv;
  const excluded = new Set(kids(v, 'excludedClass').map((x) => x.text.toUpperCase()));
  // Only "not below level k" fits the model: the excluded levels must be exactly the lowest ones.
  let k = 0;
  while (k < levels.length && excluded.has(levels[k]!.name.toUpperCase())) k++;
  if (k > 0 && k < levels.length) out.minClassification = levels[k]!.name;
  if (excluded.size > k || k === levels.length) unmapped.push(`${tagSet} / ${name}: excludedClass above its lowest allowed level not modelled`);
  const ph = phrase(v, () => true);
  if (type === 'restrictive' && ph && ph !== name) out.marking = { en: ph, ja: ph };
  if (v.attrs.obsolete === 'true') unmapped.push(`${tagSet} / ${name}: obsolete flag not modelled (kept)`);
  return out;
}

function tagSets(root: El, levels: PolicyFile['classifications'], unmapped: string[]): PolicyFile['tagSets'] {
  const sets = kids(kid(root, 'securityCategoryTagSets'), 'securityCategoryTagSet');
  if (sets.length > MAX_TAG_SETS) bad(`more than ${MAX_TAG_SETS} tag sets`);
  const out: PolicyFile['tagSets'] = [];
  for (const s of sets) {
    const name = s.attrs.name ?? bad('securityCategoryTagSet without a name');
    const tags = kids(s, 'securityCategoryTag');
    const typed = tags.map((t) => ({ t, type: typeOf(t) }));
    const first = typed.find((x) => x.type !== undefined);
    for (const x of typed) {
      if (x.type === undefined) unmapped.push(`${name}: securityCategoryTag tagType "${x.t.attrs.tagType ?? ''}" not mapped`);
      else if (x.type !== first!.type) unmapped.push(`${name}: second securityCategoryTag of type ${x.type} (one type per tag set): left out`);
    }
    if (!first) continue;
    const values = typed.filter((x) => x.type === first.type).flatMap((x) => kids(x.t, 'tagCategory'));
    if (values.length > MAX_VALUES) bad(`${name}: more than ${MAX_VALUES} values`);
    if (values.length === 0) {
      unmapped.push(`${name}: no tagCategory values: left out`);
      continue;
    }
    out.push({ name, type: first.type!, values: values.map((v) => valueOf(v, name, first.type!, levels, unmapped)) });
  }
  return out;
}

function equivalents(root: El, unmapped: string[]): SpifEquivalent[] {
  const byRef = new Map<string, SpifEquivalent>();
  for (const p of kids(kid(root, 'equivalentPolicies'), 'equivalentPolicy')) {
    const policy = p.attrs.name ?? p.attrs.policyId ?? '';
    byRef.set(policy, { policy, ...(p.attrs.policyId ? { oid: p.attrs.policyId } : {}), classifications: [] });
    if (p.attrs.policyId) byRef.set(p.attrs.policyId, byRef.get(policy)!);
  }
  for (const c of kids(kid(root, 'securityClassifications'), 'securityClassification')) {
    for (const e of kids(c, 'equivalentClassification')) {
      const ref = e.attrs.policyRef ?? e.attrs.policyId ?? '';
      let eq = byRef.get(ref);
      if (!eq) byRef.set(ref, (eq = { policy: ref, classifications: [] }));
      eq.classifications.push({ name: c.attrs.name ?? '', lacv: e.attrs.lacv ?? '', ...(e.attrs.applied ? { applied: e.attrs.applied } : {}) });
    }
  }
  const out = [...new Set(byRef.values())];
  for (const eq of out) unmapped.push(`equivalentPolicy ${eq.policy}: ${eq.classifications.length} equivalentClassification(s) by LACV: pair them by name in policies/equivalence.json`);
  return out;
}

function markingOf(root: El, relTag: string, unmapped: string[]): PolicyFile['marking'] {
  const sets = kids(kid(root, 'securityCategoryTagSets'), 'securityCategoryTagSet').filter((s) => s.attrs.name === relTag);
  const quals = sets.flatMap((s) => kids(s, 'securityCategoryTag')).flatMap((t) => kids(t, 'markingQualifier')).flatMap((q) => kids(q, 'qualifier')).filter(isEnglish);
  const q = (code: string) => quals.find((x) => x.attrs.qualifierCode === code)?.attrs.markingQualifier;
  const prefix = q('prefix') ?? 'RELEASABLE TO ';
  const separator = q('separator') ?? ', ';
  if (q('suffix')) unmapped.push(`${relTag}: marking suffix "${q('suffix')}" not modelled (prefix form used)`);
  unmapped.push('marking: owner-only and empty-releasability phrases are not in the SPIF (Kizuna defaults used; Japanese to be written)');
  return {
    relTo: { en: prefix, ja: '提供可: ' },
    noforn: { en: 'ORIGINATOR ONLY', ja: '外国提供禁止' },
    nofornPortion: 'OO',
    empty: { en: 'RELEASABLE TO NONE', ja: '提供可能先なし（提供禁止）' },
    separator,
  };
}

/** Converts SPIF text to a policy file (validated against the policy schema) and the list of what it left out. */
export function importSpif(xml: string, opts: SpifImportOptions = {}): SpifImport {
  const root = parseSpif(xml);
  const unmapped: string[] = [];
  const idEl = kid(root, 'securityPolicyId') ?? bad('no securityPolicyId');
  const name = idEl.attrs.name ?? bad('securityPolicyId without a name');
  const oid = idEl.attrs.id && /^[0-2](\.\d+)+$/.test(idEl.attrs.id) ? idEl.attrs.id : null;
  const id = policyIdOf(name, opts, unmapped);
  const { list } = classifications(root, name, unmapped);
  const sets = tagSets(root, list, unmapped);
  const rel = sets.find((t) => t.type === 'permissive' && /releasable/i.test(t.name)) ?? sets.find((t) => t.type === 'permissive');
  if (!rel) bad('no permissive tag set to use as releasability');
  const policy = {
    id,
    name: `${name} (imported from an Open XML SPIF${root.attrs.version ? `, version ${root.attrs.version}` : ''})`,
    oid,
    nations: [],
    mode: 'owner-only' as const,
    confidence: 'U' as const,
    notes: `Imported by kizuna label import-spif from the SPIF of policy ${name}. To review by the policy officer: nations, groups (SPIF memberships are not read), Japanese markings, and every item the import reported.`,
    classifications: list,
    releasabilityTag: rel!.name,
    tagSets: sets,
    groups: {},
    marking: markingOf(root, rel!.name, unmapped),
    phaseGrantable: [],
    alsoWrites: [],
  };
  unmapped.push(`nations and groups: none set (give the nations this policy governs by hand)`);
  const eq = equivalents(root, unmapped);
  const r = PolicyFileSchema.safeParse(policy);
  if (!r.success) bad(`result is not a valid policy file: ${r.error.issues[0]?.path.join('.')} ${r.error.issues[0]?.message}`);
  return { policy, unmapped, equivalents: eq };
}
