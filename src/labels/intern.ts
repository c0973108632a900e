import type { SecurityLabel } from './types.js';

/**
 * One label object per distinct label. A node sees few distinct labels, and the guard caches digests
 * and decisions per label object: handing out the same object for equal labels makes those caches hit
 * on every path (ingest, bus, store rows, federation) instead of re-hashing each copy. Interned labels
 * are shared, so they are immutable (the guard freezes them). Bounded: cleared when full.
 */
export interface LabelInterner {
  /** The label for this text, parsed only the first time the text is seen. */
  byText(text: string, parse: (text: string) => SecurityLabel): SecurityLabel;
  /** The first-seen object equal (same JSON) to `label`. */
  byValue(label: SecurityLabel): SecurityLabel;
}

export function createLabelInterner(max = 4096): LabelInterner {
  const labels = new Map<string, SecurityLabel>();
  const remember = (key: string, label: SecurityLabel): SecurityLabel => {
    if (labels.size >= max) labels.clear();
    labels.set(key, label);
    return label;
  };
  return {
    byText(text, parse) {
      return labels.get(text) ?? remember(text, parse(text));
    },
    byValue(label) {
      const key = JSON.stringify(label);
      return labels.get(key) ?? remember(key, label);
    },
  };
}
