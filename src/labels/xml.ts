import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { KizunaError } from '../util/errors.js';
import type { CategoryType, LabelCategory, SecurityLabel } from './types.js';

/**
 * STANAG 4774 confidentiality label XML codec (docs/labels.md §1). Namespace-aware by hand (fast-xml-parser
 * keeps prefixes): any prefix, or the default namespace, may bind the 4774 namespace. DOCTYPE/ENTITY
 * are refused before parsing; elements of the 4774 namespace that the structure does not define, and
 * elements of other namespaces, are refused (fail closed: an ignored element could carry a restriction).
 *
 * 4774 has no "owner": Kizuna carries owner and contributors as INFORMATIVE categories
 * (OWNER_TAG / CONTRIBUTORS_TAG) that 4774 tools display and ignore. A label without them gets the
 * policy identifier as owner when that is a nation trigraph (national policies), else LABEL_PARSE.
 */
export const LABEL_NAMESPACE = 'urn:nato:stanag:4774:confidentialitymetadatalabel:1:0';
export const OWNER_TAG = 'Kizuna Owner';
export const CONTRIBUTORS_TAG = 'Kizuna Contributors';
export const DEFAULT_MAX_LABEL_BYTES = 64 * 1024;
const ROOTS = new Set(['originatorConfidentialityLabel', 'alternativeConfidentialityLabel', 'ConfidentialityLabel']);
const ID_TYPES = new Set(['rfc822Name', 'uniformResourceIdentifier', 'directoryName']);

type XNode = Record<string, unknown>;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
});

const fail = (detail: string): never => {
  throw new KizunaError('LABEL_PARSE', detail);
};

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
  if (name === undefined || name === '#text') fail('unexpected text');
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
  const found = el.children.filter((c) => c.local === local);
  if (found.length > 1) fail(`more than one ${local}`);
  if (required && found.length === 0) fail(`missing ${local}`);
  return found[0];
}

const attr = (el: El, name: string): string | undefined => el.attrs[name];

export interface ParseLabelOptions {
  maxBytes?: number;
}

export function parseLabelXml(xml: string, opts: ParseLabelOptions = {}): SecurityLabel {
  if (typeof xml !== 'string') fail('not a string');
  const max = opts.maxBytes ?? DEFAULT_MAX_LABEL_BYTES;
  if (xml.length > max || Buffer.byteLength(xml, 'utf8') > max) throw new KizunaError('LABEL_TOO_LARGE');
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw new KizunaError('LABEL_FORBIDDEN_XML');
  const valid = XMLValidator.validate(xml);
  if (valid !== true) fail('not well-formed');
  let doc: XNode[];
  try {
    doc = parser.parse(xml) as XNode[];
  } catch (cause) {
    throw new KizunaError('LABEL_PARSE', 'not well-formed', { cause });
  }
  const roots = doc.filter((n) => !('#text' in n));
  if (roots.length !== 1) fail('expected one root element');
  const root = toElement(roots[0]!, new Map());
  const check = (el: El): void => {
    if (el.ns !== LABEL_NAMESPACE) fail('element outside the 4774 namespace');
    el.children.forEach(check);
  };
  check(root);
  if (!ROOTS.has(root.local)) fail('not a confidentiality label');
  const allowedRoot = new Set(['ConfidentialityInformation', 'OriginatorID', 'CreationDateTime']);
  for (const c of root.children) if (!allowedRoot.has(c.local)) fail(`unsupported element ${c.local}`);

  const info = only(root, 'ConfidentialityInformation', true)!;
  const allowedInfo = new Set(['PolicyIdentifier', 'Classification', 'PrivacyMark', 'Category']);
  for (const c of info.children) if (!allowedInfo.has(c.local)) fail(`unsupported element ${c.local}`);
  const policy = only(info, 'PolicyIdentifier', true)!.text;
  const classification = only(info, 'Classification', true)!.text;
  if (!policy || !classification) fail('empty policy or classification');

  let owner: string | undefined;
  let contributors: string[] | undefined;
  const categories: LabelCategory[] = [];
  for (const c of info.children.filter((x) => x.local === 'Category')) {
    const tagSet = attr(c, 'TagName');
    const typeRaw = attr(c, 'Type');
    if (!tagSet || !typeRaw) fail('Category needs TagName and Type');
    const type = typeRaw!.toLowerCase();
    if (type !== 'restrictive' && type !== 'permissive' && type !== 'informative') fail('unknown Category Type');
    const values: string[] = [];
    for (const v of c.children) {
      if (v.local !== 'GenericValue') fail(`unsupported value element ${v.local}`);
      if (!v.text) fail('empty GenericValue');
      values.push(v.text);
    }
    if (type === 'informative' && tagSet === OWNER_TAG) {
      if (values.length !== 1 || owner !== undefined) fail('owner must be one value');
      owner = values[0]!.toUpperCase();
    } else if (type === 'informative' && tagSet === CONTRIBUTORS_TAG) {
      contributors ??= [];
      for (const v of values) contributors.push(v.toUpperCase());
    } else {
      categories.push({ tagSet: tagSet!, type: type as CategoryType, values });
    }
  }
  if (owner === undefined) {
    if (!/^[A-Za-z]{3}$/.test(policy)) fail('no owner');
    owner = policy.toUpperCase();
  }
  const created = only(root, 'CreationDateTime', true)!.text;
  if (!created) fail('empty CreationDateTime');
  const label: SecurityLabel = { policy, classification, categories, owner, createdAt: created };
  if (contributors) label.contributors = contributors;
  const review = attr(root, 'ReviewDateTime');
  if (review !== undefined) label.reviewAt = review;
  const orig = only(root, 'OriginatorID', false);
  if (orig) {
    const idType = attr(orig, 'IDType');
    if (!idType || !ID_TYPES.has(idType) || !orig.text) fail('unsupported OriginatorID');
    label.originator = { idType: idType as NonNullable<SecurityLabel['originator']>['idType'], value: orig.text };
  }
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
