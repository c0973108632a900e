import { MULTI_OWNER, type PolicyDef, type PolicyRegistry } from './registry.js';
import type { SecurityLabel } from './types.js';
import type { LabelView } from '../vocab/index.js';

/**
 * Banner and portion markings rendered from the policy files' marking data (docs/labels.md §4.2):
 * `CLS[//CAVEAT/CAVEAT][//REL TO OWNER, A, B | //NOFORN]`. REL TO order follows ISM-ID-00041:
 * owner first, then trigraphs alphabetically, then tetragraphs alphabetically. A missing Releasable
 * To is owner-only and renders as the policy's NOFORN phrase. Informative values are not rendered.
 */
export type Lang = 'en' | 'ja';

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

function render({ def, label }: Parts, lang: Lang, portion: boolean): string {
  const cls = def.clsByUpper.get(label.classification.toUpperCase())!;
  const segs: string[] = [portion ? cls.abbrev : cls.marking[lang]];
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

/** Banner marking, e.g. "SECRET//REL TO USA, JPN" or "極秘//提供可: JPN, USA". Throws on an invalid label. */
export function renderMarking(registry: PolicyRegistry, label: SecurityLabel, lang: Lang = 'en'): string {
  return render(parts(registry, label), lang, false);
}

/** Portion mark, e.g. "(S//REL TO USA, JPN)", "(S//NF)". */
export function portionMark(registry: PolicyRegistry, label: SecurityLabel): string {
  return `(${render(parts(registry, label), 'en', true)})`;
}

/** The browser's view of a label (src/api/contract.ts), rendered server-side from the policy files. */
export function labelView(registry: PolicyRegistry, label: SecurityLabel): LabelView {
  const p = parts(registry, label);
  const cls = p.def.clsByUpper.get(p.label.classification.toUpperCase())!;
  return {
    policy: p.label.policy,
    classification: p.label.classification,
    rank: cls.rank,
    marking: render(p, 'en', false),
    markingJa: render(p, 'ja', false),
    portion: `(${render(p, 'en', true)})`,
    color: cls.color,
  };
}
