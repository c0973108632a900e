import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Audience, SecurityLabel } from '../../src/labels/index.js';

/**
 * An independent reference for the release decision, written plainly from docs/labels.md §5.2/§5.3 and the
 * policy JSON files (it shares no code with src/labels). Slow on purpose; used only by property tests.
 */
interface Pol {
  id: string;
  nations: string[];
  classifications: { name: string; rank: number }[];
  releasabilityTag: string;
  tagSets: { name: string; type: string; values: (string | { name: string; minClassification?: string })[] }[];
  groups: Record<string, string[]>;
  phaseGrantable: { phases: string[]; to: string[]; tagSet: string; values: string[] }[];
}
interface Eq {
  pairs: { a: string; b: string; classifications: [string, string][]; tagSets: { a: string; b: string; identity?: boolean; values?: [string, string][] }[];
    satisfied?: { policy: string; tagSet: string; values: string[] }[];
  }[];
}
interface PhaseRules {
  rules: { nation: string; phase: string; to: string[]; tagSet: string; values: string[] }[];
}

export class Oracle {
  private pols: Pol[];
  private eq: Eq;
  private phaseRules: PhaseRules;
  constructor(dir: string) {
    this.pols = ['USA', 'JPN', 'NATO', 'PHL'].map((p) => JSON.parse(readFileSync(join(dir, `${p}.json`), 'utf8')));
    this.eq = JSON.parse(readFileSync(join(dir, 'equivalence.json'), 'utf8'));
    this.phaseRules = JSON.parse(readFileSync(join(dir, 'phase-rules.json'), 'utf8'));
  }

  private pol(name: string): Pol | undefined {
    return this.pols.find((p) => p.id.toLowerCase() === String(name).toLowerCase());
  }
  private valueName(v: string | { name: string }): string {
    return typeof v === 'string' ? v : v.name;
  }
  private rankOf(p: Pol, cls: string): number | undefined {
    return p.classifications.find((c) => c.name.toLowerCase() === String(cls).toLowerCase())?.rank;
  }
  private expand(p: Pol, values: string[]): string[] {
    const out = [...values];
    for (const v of values) if (p.groups[v]) out.push(...p.groups[v]!);
    return out;
  }

  /** Canonical copy of the label in its own policy, or undefined if invalid. */
  private canonical(label: SecurityLabel): { p: Pol; l: SecurityLabel } | undefined {
    if (!label || typeof label !== 'object') return undefined;
    const p = this.pol(label.policy);
    if (!p) return undefined;
    const rank = this.rankOf(p, label.classification);
    if (rank === undefined) return undefined;
    const cls = p.classifications.find((c) => c.rank === rank)!.name;
    const owner = String(label.owner).toUpperCase();
    const combined = Array.isArray(label.contributors) && label.contributors.length > 0;
    if (!/^[A-Z]{3}$/.test(owner) && !(combined && owner === 'MULTI')) return undefined;
    if (combined && !label.contributors!.every((c) => /^[A-Z]{3}$/.test(String(c).toUpperCase()))) return undefined;
    if (typeof label.createdAt !== 'string' || Number.isNaN(Date.parse(label.createdAt)) || !/^\d{4}-\d\d-\d\dT/.test(label.createdAt)) return undefined;
    if (!Array.isArray(label.categories)) return undefined;
    const cats: SecurityLabel['categories'] = [];
    for (const c of label.categories) {
      const t = p.tagSets.find((x) => x.name.toLowerCase() === String(c?.tagSet).toLowerCase());
      if (!t || t.type !== c.type || !Array.isArray(c.values)) return undefined;
      const values: string[] = [];
      for (const v of c.values) {
        const def = t.values.find((x) => this.valueName(x).toLowerCase() === String(v).toLowerCase());
        if (!def) return undefined;
        if (typeof def !== 'string' && def.minClassification && rank < this.rankOf(p, def.minClassification)!) return undefined;
        values.push(this.valueName(def));
      }
      if (values.length === 0 && t.type !== 'permissive') continue;
      const prev = cats.find((x) => x.tagSet === t.name && x.type === t.type);
      if (prev) prev.values.push(...values);
      else cats.push({ tagSet: t.name, type: c.type, values });
    }
    const rel = cats.find((c) => c.tagSet === p.releasabilityTag);
    if (!combined && rel && !this.expand(p, rel.values).includes(owner)) return undefined;
    return { p, l: { ...label, policy: p.id, classification: cls, owner, categories: cats } };
  }

  private translate(from: Pol, l: SecurityLabel, to: Pol): SecurityLabel | undefined {
    if (from.id === to.id) return l;
    const pair = this.eq.pairs.find((x) => (x.a === from.id && x.b === to.id) || (x.a === to.id && x.b === from.id));
    if (!pair) return undefined;
    const fwd = pair.a === from.id;
    const clsPair = pair.classifications.find((c) => (fwd ? c[0] : c[1]) === l.classification);
    if (!clsPair) return undefined;
    const cats: SecurityLabel['categories'] = [];
    for (const c of l.categories) {
      // a category every audience of the target policy meets (one listed value present) is left out
      const sat = (pair.satisfied ?? []).find((x) => x.policy === from.id && x.tagSet === c.tagSet);
      if (sat) {
        if (c.values.some((v) => sat.values.includes(v))) continue;
        return undefined;
      }
      const tp = pair.tagSets.find((t) => (fwd ? t.a : t.b) === c.tagSet);
      if (!tp) {
        if (c.type === 'informative') continue;
        return undefined;
      }
      const toTag = to.tagSets.find((t) => t.name === (fwd ? tp.b : tp.a))!;
      const values: string[] = [];
      for (const v of c.values) {
        const vp = (tp.values ?? []).find((x) => (fwd ? x[0] : x[1]) === v);
        let mapped = vp ? (fwd ? vp[1] : vp[0]) : undefined;
        if (mapped === undefined && tp.identity && toTag.values.some((x) => this.valueName(x) === v)) mapped = v;
        if (mapped === undefined) {
          if (c.type === 'informative') continue;
          return undefined;
        }
        values.push(mapped);
      }
      if (c.type === 'informative' && values.length === 0) continue;
      cats.push({ tagSet: toTag.name, type: c.type, values });
    }
    const out = this.canonical({ ...l, policy: to.id, classification: fwd ? clsPair[1] : clsPair[0], categories: cats });
    return out?.l;
  }

  allow(label: SecurityLabel | undefined, audience: Audience, phases: Record<string, string> = {}): boolean {
    if (label === undefined) return false;
    const src = this.canonical(label);
    if (!src) return false;
    const ap = audience && this.pol(audience.policy);
    if (!ap) return false;
    const ceiling = this.rankOf(ap, audience.maxClassification);
    if (ceiling === undefined) return false;
    const l = this.translate(src.p, src.l, ap);
    if (!l) return false;
    if (this.rankOf(ap, l.classification)! > ceiling) return false;
    const nation = String(audience.nation).toUpperCase();
    const held = (tag: string): string[] => {
      const out: string[] = [];
      for (const [k, vs] of Object.entries(audience.held ?? {})) if (k.toLowerCase() === tag.toLowerCase()) out.push(...vs.map((v) => v.toUpperCase()));
      // phase grants: only labels owned solely by the phase nation; values mapped into the audience policy
      const sole = l.owner !== 'MULTI' && (l.contributors ?? []).every((c) => c.toUpperCase() === l.owner);
      if (sole) {
        for (const r of this.phaseRules.rules) {
          if (r.nation !== l.owner || phases[r.nation] !== r.phase || !r.to.includes(nation)) continue;
          const ownerPol = this.pols.find((p) => p.nations.includes(r.nation))!;
          for (const v of r.values) {
            const probe: SecurityLabel = { policy: ownerPol.id, classification: ownerPol.classifications[ownerPol.classifications.length - 1]!.name, owner: r.nation, createdAt: '2026-01-01T00:00:00Z', categories: [{ tagSet: r.tagSet, type: 'restrictive', values: [v] }, { tagSet: ownerPol.releasabilityTag, type: 'permissive', values: [r.nation] }] };
            const m = this.translate(ownerPol, probe, ap);
            const mc = m?.categories.find((c) => c.type === 'restrictive');
            if (mc && mc.tagSet.toLowerCase() === tag.toLowerCase()) out.push(...mc.values);
          }
        }
      }
      return out;
    };
    let sawRel = false;
    for (const c of l.categories) {
      if (c.type === 'restrictive' && !c.values.every((v) => held(c.tagSet).includes(v.toUpperCase()))) return false;
      if (c.type === 'permissive') {
        if (c.values.length === 0) return false;
        if (c.tagSet === ap.releasabilityTag) {
          sawRel = true;
          const ok = this.expand(ap, c.values).some((v) => v === nation || held(c.tagSet).includes(v));
          if (!ok) return false;
        } else if (!c.values.some((v) => held(c.tagSet).includes(v.toUpperCase()))) return false;
      }
    }
    // a missing Releasable To counts as {owner} (docs/labels.md §5.2)
    if (!sawRel && (l.owner === 'MULTI' || !(l.owner === nation || held(ap.releasabilityTag).includes(l.owner)))) return false;
    return true;
  }
}
