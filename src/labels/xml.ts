import { XMLValidator } from 'fast-xml-parser';
import { orderedXmlParser } from './xml-parser.js';
import { KizunaError } from '../util/errors.js';
import { ORIGINATOR_ID_TYPES, type CategoryType, type LabelCategory, type SecurityLabel } from './types.js';

/**
 * STANAG 4774 confidentiality label XML codec (docs/labels.md §1). Namespace-aware by hand (fast-xml-parser
 * keeps prefixes): any prefix, or the default namespace, may bind the 4774 namespace. DOCTYPE/ENTITY
 * are refused before parsing; elements of the 4774 namespace that the structure does not define, and
 * elements of other namespaces, are refused (fail closed: an ignored element could carry a restriction).
 *
 * 4774 has no "owner": Kizuna carries owner and contributors as INFORMATIVE categories
 * (OWNER_TAG / CONTRIBUTORS_TAG) that 4774 tools display and ignore. A label written by another system
 * has none: its owner is the nation its OriginatorID names (a directoryName with C=<trigraph>), else the
 * nation of the peer or node it arrived through, else a national policy's trigraph; else LABEL_PARSE.
 */
export const LABEL_NAMESPACE = 'urn:nato:stanag:4774:confidentialitymetadatalabel:1:0';
export const OWNER_TAG = 'Kizuna Owner';
export const CONTRIBUTORS_TAG = 'Kizuna Contributors';
export const DEFAULT_MAX_LABEL_BYTES = 64 * 1024;
const ROOTS = new Set(['originatorConfidentialityLabel', 'alternativeConfidentialityLabel', 'ConfidentialityLabel']);
const ID_TYPES: ReadonlySet<string> = new Set(ORIGINATOR_ID_TYPES);

type XNode = Record<string, unknown>;

const parser = orderedXmlParser(true);

/**
 * Why a label was refused: a stable reason code plus the element it concerns. Safe for operators and logs:
 * names structure only, never a value the label carries.
 */
export const LabelParseReason = {
  NOT_A_STRING: 'NOT_A_STRING',
  NOT_WELL_FORMED: 'NOT_WELL_FORMED',
  ROOT: 'ROOT_NOT_A_LABEL',
  TEXT: 'UNEXPECTED_TEXT',
  NAMESPACE: 'FOREIGN_NAMESPACE',
  UNSUPPORTED: 'UNSUPPORTED_ELEMENT',
  DUPLICATE: 'DUPLICATE_ELEMENT',
  MISSING: 'MISSING_ELEMENT',
  EMPTY: 'EMPTY_VALUE',
  CATEGORY_ATTRIBUTES: 'CATEGORY_ATTRIBUTES',
  CATEGORY_TYPE: 'CATEGORY_TYPE',
  OWNER: 'OWNER',
  NO_OWNER: 'NO_OWNER',
  ORIGINATOR: 'ORIGINATOR_ID',
  POLICY_OID: 'POLICY_OID',
} as const;
export type LabelParseReason = (typeof LabelParseReason)[keyof typeof LabelParseReason];

/** The `cause` of a LABEL_PARSE error raised by this parser. */
export class LabelParseDetail {
  constructor(
    readonly reason: LabelParseReason,
    readonly element: string | undefined,
  ) {}
}

const ELEMENT_NAME = /^[A-Za-z_][\w.-]{0,63}$/;

const fail = (reason: LabelParseReason, element?: string): never => {
  const el = element !== undefined && ELEMENT_NAME.test(element) ? element : undefined;
  throw new KizunaError('LABEL_PARSE', el ? `${reason} (${el})` : reason, { cause: new LabelParseDetail(reason, el) });
};

/** Reason code and element of a refusal by `parseLabelXml`, or undefined for any other error. */
export function labelParseReason(e: unknown): { reason: LabelParseReason; element?: string } | undefined {
  const cause = e instanceof KizunaError ? e.cause : undefined;
  if (!(cause instanceof LabelParseDetail)) return undefined;
  return cause.element === undefined ? { reason: cause.reason } : { reason: cause.reason, element: cause.element };
}

interface El {
  ns: string | undefined;
  local: string;
  attrs: Record<string, string>;
  children: El[];
  text: string;
}

/**
 * In-scope namespace bindings: prefix → stack of URIs, the innermost last. An element pushes its own
 * declarations and pops them when done, so lookups are O(1) and nothing is copied per element
 * (copying the whole scope into every element was quadratic: many declarations × many elements).
 */
type Scope = Map<string, string[]>;

function toElement(node: XNode, scope: Scope): El {
  const name = Object.keys(node).find((k) => k !== ':@');
  if (name === undefined || name === '#text') fail(LabelParseReason.TEXT);
  const rawAttrs = (node[':@'] ?? {}) as Record<string, string>;
  const declared: string[] = [];
  const attrs: Record<string, string> = {};
  for (const [k, v] of Object.entries(rawAttrs)) {
    const prefix = k === 'xmlns' ? '' : k.startsWith('xmlns:') ? k.slice(6) : undefined;
    if (prefix === undefined) {
      attrs[k] = String(v);
      continue;
    }
    let stack = scope.get(prefix);
    if (!stack) scope.set(prefix, (stack = []));
    stack.push(String(v));
    declared.push(prefix);
  }
  const colon = name!.indexOf(':');
  const prefix = colon < 0 ? '' : name!.slice(0, colon);
  const bound = scope.get(prefix);
  const ns = bound && bound.length > 0 ? bound[bound.length - 1] : undefined;
  const el: El = { ns, local: colon < 0 ? name! : name!.slice(colon + 1), attrs, children: [], text: '' };
  for (const child of (node[name!] as XNode[]) ?? []) {
    if ('#text' in child) el.text += String(child['#text']);
    else el.children.push(toElement(child, scope));
  }
  for (const p of declared) scope.get(p)!.pop();
  return el;
}

function only(el: El, local: string, required: boolean): El | undefined {
  let found: El | undefined;
  for (const c of el.children) {
    if (c.local !== local) continue;
    if (found) fail(LabelParseReason.DUPLICATE, local);
    found = c;
  }
  if (required && !found) fail(LabelParseReason.MISSING, local);
  return found;
}

const attr = (el: El, name: string): string | undefined => el.attrs[name];

/** What a policy identifier resolves against: the loaded policies (by id, case-insensitively, or by OID). */
export interface PolicyResolver {
  policy(id: string): { id: string } | undefined;
  policyByOid(oid: string): { id: string } | undefined;
}

export interface ParseLabelOptions {
  maxBytes?: number;
  /**
   * Nation of the peer or node the label arrived through: the owner of a label that names none (labels
   * written by other systems). The write authority still decides whether that nation may write it.
   */
  arrivedVia?: string;
  /** Resolves `PolicyIdentifier/@URI` OIDs (and checks they agree with the name). */
  policies?: PolicyResolver;
  /** Creation time given to a label without `CreationDateTime` (default: now). */
  receivedAt?: string;
}

const OID_URN = /^urn:oid:([0-2](?:\.\d{1,64}){1,64})$/i;
const TRIGRAPH = /^[A-Za-z]{3}$/;
/** `C=XXX` in a distinguished name (RFC 4514 string): the originator's nation, when it is a trigraph. */
const DN_COUNTRY = /(?:^|[,;+]\s{0,8})C\s{0,8}=\s{0,8}([A-Za-z]{3})\s{0,8}(?=$|[,;+])/;

function resolvePolicy(el: El, opts: ParseLabelOptions): string {
  const name = el.text;
  if (!name) fail(LabelParseReason.EMPTY, 'PolicyIdentifier');
  // ADatP-4774 names the attribute URI; some published samples write URL. Both carry urn:oid:<policy OID>.
  const uri = attr(el, 'URI') ?? attr(el, 'URL');
  if (uri === undefined || !opts.policies) return name;
  const m = OID_URN.exec(uri);
  if (!m) fail(LabelParseReason.POLICY_OID, 'PolicyIdentifier');
  const byOid = opts.policies.policyByOid(m![1]!);
  const byName = opts.policies.policy(name);
  // Name and OID must not point at two different policies, and an unknown OID never falls back to the name.
  if (!byOid || (byName && byName.id !== byOid.id)) fail(LabelParseReason.POLICY_OID, 'PolicyIdentifier');
  return byOid!.id;
}

function originatorOf(root: El): SecurityLabel['originator'] {
  const orig = only(root, 'OriginatorID', false);
  if (!orig) return undefined;
  const idType = attr(orig, 'IDType');
  if (!idType || !ID_TYPES.has(idType) || !orig.text) fail(LabelParseReason.ORIGINATOR, 'OriginatorID');
  return { idType: idType as NonNullable<SecurityLabel['originator']>['idType'], value: orig.text };
}

/** Labels whose owner the parser derived (OriginatorID or arrival context) rather than read from the label. */
const derivedOwner = new WeakSet<SecurityLabel>();

/**
 * True when `parseLabelXml` took this label's owner from OriginatorID or the arrival context: its XML text
 * names no owner, so it must be re-written (with the owner) before it travels on, or a later hop would
 * derive the owner from a different context.
 */
export function ownerWasDerived(label: SecurityLabel): boolean {
  return derivedOwner.has(label);
}

/** Owner by precedence: Kizuna's owner category, a nation named by OriginatorID, the arrival context, a national policy. */
function ownerOf(found: string | undefined, originator: SecurityLabel['originator'], policy: string, opts: ParseLabelOptions): string {
  if (found !== undefined) return found;
  const dn = originator?.idType === 'directoryName' ? DN_COUNTRY.exec(originator.value) : null;
  if (dn) return dn[1]!.toUpperCase();
  if (opts.arrivedVia !== undefined && TRIGRAPH.test(opts.arrivedVia)) return opts.arrivedVia.toUpperCase();
  if (TRIGRAPH.test(policy)) return policy.toUpperCase();
  return fail(LabelParseReason.NO_OWNER);
}

interface ParsedCategories {
  categories: LabelCategory[];
  owner?: string;
  contributors?: string[];
}

function parseCategories(info: El): ParsedCategories {
  const out: ParsedCategories = { categories: [] };
  for (const c of info.children) {
    if (c.local !== 'Category') continue;
    const tagSet = attr(c, 'TagName');
    const typeRaw = attr(c, 'Type');
    if (!tagSet || !typeRaw) fail(LabelParseReason.CATEGORY_ATTRIBUTES, 'Category');
    const type = typeRaw!.toLowerCase();
    if (type !== 'restrictive' && type !== 'permissive' && type !== 'informative') fail(LabelParseReason.CATEGORY_TYPE, 'Category');
    const values: string[] = [];
    for (const v of c.children) {
      if (v.local !== 'GenericValue') fail(LabelParseReason.UNSUPPORTED, v.local);
      if (!v.text) fail(LabelParseReason.EMPTY, 'GenericValue');
      values.push(v.text);
    }
    if (type === 'informative' && tagSet === OWNER_TAG) {
      if (values.length !== 1 || out.owner !== undefined) fail(LabelParseReason.OWNER, 'Category');
      out.owner = values[0]!.toUpperCase();
    } else if (type === 'informative' && tagSet === CONTRIBUTORS_TAG) {
      out.contributors ??= [];
      for (const v of values) out.contributors.push(v.toUpperCase());
    } else {
      out.categories.push({ tagSet: tagSet!, type: type as CategoryType, values });
    }
  }
  return out;
}

function parseTree(xml: string, max: number): El {
  if (typeof xml !== 'string') fail(LabelParseReason.NOT_A_STRING);
  if (xml.length > max || Buffer.byteLength(xml, 'utf8') > max) throw new KizunaError('LABEL_TOO_LARGE');
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw new KizunaError('LABEL_FORBIDDEN_XML');
  if (XMLValidator.validate(xml) !== true) fail(LabelParseReason.NOT_WELL_FORMED);
  let doc: XNode[];
  try {
    doc = parser.parse(xml) as XNode[];
  } catch {
    return fail(LabelParseReason.NOT_WELL_FORMED);
  }
  const roots = doc.filter((n) => !('#text' in n));
  if (roots.length !== 1) fail(LabelParseReason.ROOT);
  const root = toElement(roots[0]!, new Map());
  // Iterative walk: a deeply nested label must not exhaust the stack here.
  const stack = [root];
  for (let el = stack.pop(); el; el = stack.pop()) {
    if (el.ns !== LABEL_NAMESPACE) fail(LabelParseReason.NAMESPACE, el.local);
    for (const c of el.children) stack.push(c);
  }
  if (!ROOTS.has(root.local)) fail(LabelParseReason.ROOT, root.local);
  return root;
}

const ALLOWED_ROOT_CHILDREN = new Set(['ConfidentialityInformation', 'OriginatorID', 'CreationDateTime']);
const ALLOWED_INFO_CHILDREN = new Set(['PolicyIdentifier', 'Classification', 'PrivacyMark', 'Category']);

/**
 * Parses a 4774 label as Kizuna and other systems write it. Refusals are LABEL_PARSE with a
 * `LabelParseDetail` cause (see `labelParseReason`); LABEL_TOO_LARGE and LABEL_FORBIDDEN_XML as before.
 */
export function parseLabelXml(xml: string, opts: ParseLabelOptions = {}): SecurityLabel {
  const root = parseTree(xml, opts.maxBytes ?? DEFAULT_MAX_LABEL_BYTES);
  for (const c of root.children) if (!ALLOWED_ROOT_CHILDREN.has(c.local)) fail(LabelParseReason.UNSUPPORTED, c.local);
  const info = only(root, 'ConfidentialityInformation', true)!;
  for (const c of info.children) if (!ALLOWED_INFO_CHILDREN.has(c.local)) fail(LabelParseReason.UNSUPPORTED, c.local);
  const policy = resolvePolicy(only(info, 'PolicyIdentifier', true)!, opts);
  const classification = only(info, 'Classification', true)!.text;
  if (!classification) fail(LabelParseReason.EMPTY, 'Classification');
  only(info, 'PrivacyMark', false);
  const cats = parseCategories(info);
  const originator = originatorOf(root);
  const owner = ownerOf(cats.owner, originator, policy, opts);
  // CreationDateTime may be absent (other systems omit it): the label then dates from its receipt, never earlier.
  const createdEl = only(root, 'CreationDateTime', false);
  if (createdEl && !createdEl.text) fail(LabelParseReason.EMPTY, 'CreationDateTime');
  const created = createdEl ? createdEl.text : (opts.receivedAt ?? new Date().toISOString());
  const label: SecurityLabel = { policy, classification, categories: cats.categories, owner, createdAt: created };
  if (cats.contributors) label.contributors = cats.contributors;
  const review = attr(root, 'ReviewDateTime');
  if (review !== undefined) label.reviewAt = review;
  if (originator) label.originator = originator;
  if (cats.owner === undefined) derivedOwner.add(label);
  return label;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

export interface SerializeLabelOptions {
  /** root element: the originator's label (default) or an alternative (translated) label */
  root?: 'originator' | 'alternative';
  prefix?: string;
}

/** Writes the label (normalised order) with its own namespace declaration, so it stands alone inside <detail>. */
export function serializeLabelXml(label: SecurityLabel, opts: SerializeLabelOptions = {}): string {
  const p = opts.prefix ?? 'slab';
  const rootName = `${p}:${opts.root === 'alternative' ? 'alternativeConfidentialityLabel' : 'originatorConfidentialityLabel'}`;
  const cats = [...label.categories].sort((a, b) => (a.tagSet < b.tagSet ? -1 : a.tagSet > b.tagSet ? 1 : 0));
  let out = `<${rootName} xmlns:${p}="${LABEL_NAMESPACE}"`;
  if (label.reviewAt !== undefined) out += ` ReviewDateTime="${esc(label.reviewAt)}"`;
  out += `><${p}:ConfidentialityInformation><${p}:PolicyIdentifier>${esc(label.policy)}</${p}:PolicyIdentifier>`;
  out += `<${p}:Classification>${esc(label.classification)}</${p}:Classification>`;
  const cat = (tagSet: string, type: string, values: readonly string[]): string =>
    `<${p}:Category TagName="${esc(tagSet)}" Type="${type.toUpperCase()}">` +
    [...new Set(values)].sort().map((v) => `<${p}:GenericValue>${esc(v)}</${p}:GenericValue>`).join('') +
    `</${p}:Category>`;
  for (const c of cats) out += cat(c.tagSet, c.type, c.values);
  out += cat(OWNER_TAG, 'informative', [label.owner]);
  if (label.contributors !== undefined && label.contributors.length > 0) out += cat(CONTRIBUTORS_TAG, 'informative', label.contributors);
  out += `</${p}:ConfidentialityInformation>`;
  if (label.originator) out += `<${p}:OriginatorID IDType="${esc(label.originator.idType)}">${esc(label.originator.value)}</${p}:OriginatorID>`;
  out += `<${p}:CreationDateTime>${esc(label.createdAt)}</${p}:CreationDateTime></${rootName}>`;
  return out;
}
