import type { SecurityLabel } from '../labels/types.js';
import { createLabelInterner, ownerWasDerived, parseLabelXml, serializeLabelXml, type PolicyRegistry } from '../labels/index.js';

/**
 * Hot-path memo for labels. TAK clients repeat the same label element on every event: parsing and
 * validating 4774 XML costs ~0.1 ms, so each distinct label string is parsed once. Returning the same
 * (frozen by the guard) object also lets the guard's per-object digest and decision caches hit.
 * Bounded: the map is cleared when full.
 */
const MAX_NATIONS = 32;

export function createLabelCache(registry: PolicyRegistry, max = 4096) {
  const byXml = createLabelInterner(max);
  // one interner per arrival nation, so the memo key stays the label text itself (no per-event concatenation);
  // nations are few (own, peers, certificate nations), the map is cleared past MAX_NATIONS all the same
  const byNation = new Map<string, ReturnType<typeof createLabelInterner>>();
  const xmlOf = new WeakMap<SecurityLabel, string>();
  const parseXml = (xml: string, arrivedVia?: string): SecurityLabel => {
    const parsed = parseLabelXml(xml, { policies: registry, ...(arrivedVia !== undefined ? { arrivedVia } : {}) });
    const label = registry.validate(parsed);
    // a label written by another system names no owner: it travels on re-written, with the owner decided here
    if (!ownerWasDerived(parsed)) xmlOf.set(label, xml);
    return label;
  };
  return {
    /**
     * `arrivedVia`: nation of the peer or client the label came through; it owns a label that names no owner
     * (labels written by other systems), so it is part of the memo key.
     */
    parse(xml: string, arrivedVia?: string): SecurityLabel {
      if (arrivedVia === undefined) return byXml.byText(xml, parseXml);
      let interner = byNation.get(arrivedVia);
      if (!interner) {
        if (byNation.size >= MAX_NATIONS) byNation.clear();
        interner = createLabelInterner(max);
        byNation.set(arrivedVia, interner);
      }
      return interner.byText(xml, () => parseXml(xml, arrivedVia));
    },
    xml(label: SecurityLabel): string {
      let xml = xmlOf.get(label);
      if (xml === undefined) {
        xml = serializeLabelXml(label);
        xmlOf.set(label, xml);
      }
      return xml;
    },
  };
}

/** The node's label for unlabelled input, re-stamped (new creation time) at most once per `ttlMs`. */
export function memoDefaultLabel(make: () => SecurityLabel, ttlMs = 3_600_000): () => SecurityLabel {
  let label: SecurityLabel | undefined;
  let at = 0;
  return () => {
    const now = Date.now();
    if (!label || now - at > ttlMs) {
      label = make();
      at = now;
    }
    return label;
  };
}
