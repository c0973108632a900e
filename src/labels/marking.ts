import { MULTI_OWNER, type ClassificationDef, type PolicyDef, type PolicyRegistry } from './registry.js';
import type { SecurityLabel } from './types.js';
import type { LabelView } from '../vocab/index.js';

/**
 * Banner and portion markings rendered from the policy files' marking data (docs/labels.md §4.2):
 * `CLS[//CAVEAT/CAVEAT][//REL TO OWNER, A, B | //NOFORN]`. REL TO order follows ISM-ID-00041:
 * owner first, then trigraphs alphabetically, then tetragraphs alphabetically. A missing Releasable
 * To is owner-only and renders as the policy's NOFORN phrase. Informative values are not rendered.
 */
export type Lang = 'en' | 'ja';

/**
 * A Japanese reader's own markings are those of the policy governing this nation. Every other policy is
 * foreign to that reader: its marking is shown as is, after its nation or organisation, and a Japanese
 * level is named only as a gloss `（極秘相当）` read from the equivalence table at render time — so a
 * table change can never leave a stale gloss, and a level without a pair names no Japanese level at all.
 */
const JAPANESE_READER_NATION = 'JPN';
/** The one Japanese rendering of "no classification", in every policy (the UI's default banner uses it too). */
export const UNCLASSIFIED_JA = '秘密区分なし';
const GLOSS_OWNER = 'ZZZ';
const GLOSS_TIME = '2000-01-01T00:00:00Z';

function japaneseHome(registry: PolicyRegistry): PolicyDef | undefined {
  try {
    return registry.policy(registry.policyOf(JAPANESE_READER_NATION));
  } catch {
    return undefined;
  }
}

/** Per loaded registry (its files do not change): `policy>classification` -> Japanese level or none. */
const glossCache = new WeakMap<PolicyRegistry, Map<string, string | undefined>>();

/** The home level the table pairs with this exact level, or undefined (no table, or no pair). */
export function japaneseEquivalent(registry: PolicyRegistry, policy: string, classification: string): string | undefined {
  let cache = glossCache.get(registry);
  if (!cache) glossCache.set(registry, (cache = new Map()));
  const key = `${policy}>${classification}`;
  if (cache.has(key)) return cache.get(key);
  const home = japaneseHome(registry);
  // Translating a bare label (no categories) exercises exactly the classification pair of the table.
  const bare = { policy, classification, categories: [], owner: GLOSS_OWNER, createdAt: GLOSS_TIME };
  const mapped = home ? registry.tryTranslate(bare, home.id)?.classification : undefined;
  const out = mapped === undefined ? undefined : home!.clsByUpper.get(mapped.toUpperCase())?.marking.ja;
  cache.set(key, out);
  return out;
}

function levelJa(registry: PolicyRegistry, def: PolicyDef, cls: ClassificationDef): string {
  if (cls.unclassified) return UNCLASSIFIED_JA;
  const home = japaneseHome(registry);
  if (home?.id === def.id) return cls.marking.ja;
  const origin = def.file.origin;
  // NATO SECRET already names its organisation; COSMIC TOP SECRET does not.
  const named = !origin || cls.marking.en.startsWith(`${origin.en} `) ? cls.marking.en : `${origin.ja} ${cls.marking.en}`;
  const eq = japaneseEquivalent(registry, def.id, cls.name);
  return eq === undefined ? named : `${named}（${eq}相当）`;
}

export type { LabelView };

function relOrder(values: readonly string[], owner: string): string[] {
  const tri = values.filter((v) => v !== owner && v.length === 3).sort();
  const tetra = values.filter((v) => v !== owner && v.length !== 3).sort();
  return [...(values.includes(owner) ? [owner] : []), ...tri, ...tetra];
}

interface Parts {
  def: PolicyDef;
  label: SecurityLabel;
}

function parts(registry: PolicyRegistry, label: SecurityLabel): Parts {
  return { def: registry.policy(label.policy)!, label: registry.validate(label) };
}

function render(registry: PolicyRegistry, { def, label }: Parts, lang: Lang, portion: boolean): string {
  const cls = def.clsByUpper.get(label.classification.toUpperCase())!;
  const segs: string[] = [portion ? cls.abbrev : lang === 'ja' ? levelJa(registry, def, cls) : cls.marking.en];
  for (const c of label.categories) {
    if (c.type !== 'restrictive') continue;
    const tag = def.tagsByUpper.get(c.tagSet.toUpperCase())!;
    segs.push(
      c.values
        .map((v) => {
          const d = tag.values.get(v.toUpperCase())!;
          return portion ? (d.abbrev ?? d.name) : (d.marking?.[lang] ?? d.name);
        })
        .join('/'),
    );
  }
  const m = def.file.marking;
  for (const c of label.categories) {
    if (c.type !== 'permissive') continue;
    const isRel = c.tagSet === def.relTag;
    if (c.values.length === 0) segs.push(isRel ? m.empty[lang] : `${c.tagSet}: -`);
    else if (isRel && c.values.length === 1 && c.values[0] === label.owner) segs.push(portion ? m.nofornPortion : m.noforn[lang]);
    else if (isRel) segs.push(m.relTo[lang] + relOrder(c.values, label.owner).join(m.separator));
    else segs.push(`${c.tagSet}: ${c.values.join(m.separator)}`);
  }
  if (!label.categories.some((c) => c.tagSet === def.relTag)) {
    segs.push(label.owner === MULTI_OWNER ? m.empty[lang] : portion ? m.nofornPortion : m.noforn[lang]);
  }
  return segs.join('//');
}

/** Banner marking, e.g. "SECRET//REL TO USA, JPN", "米国 SECRET（極秘相当）//提供可: USA, JPN". Throws on an invalid label. */
export function renderMarking(registry: PolicyRegistry, label: SecurityLabel, lang: Lang = 'en'): string {
  return render(registry, parts(registry, label), lang, false);
}

/** Portion mark, e.g. "(S//REL TO USA, JPN)", "(S//NF)". */
export function portionMark(registry: PolicyRegistry, label: SecurityLabel): string {
  return `(${render(registry, parts(registry, label), 'en', true)})`;
}

/** The browser's view of a label (src/api/contract.ts), rendered server-side from the policy files. */
export function labelView(registry: PolicyRegistry, label: SecurityLabel): LabelView {
  const p = parts(registry, label);
  const cls = p.def.clsByUpper.get(p.label.classification.toUpperCase())!;
  return {
    policy: p.label.policy,
    classification: p.label.classification,
    rank: cls.rank,
    marking: render(registry, p, 'en', false),
    markingJa: render(registry, p, 'ja', false),
    portion: `(${render(registry, p, 'en', true)})`,
    color: cls.color,
  };
}
