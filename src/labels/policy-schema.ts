import { z } from 'zod';

/**
 * zod schemas of the policy data files (policies/*.json). SPIF-like, but JSON: the national authorities
 * edit these, not code. Uncertain facts carry `confidence` (the V/S/U tags of docs/labels.md) and `notes`.
 */
const Name = z.string().min(1).max(64);
const Confidence = z.enum(['V', 'S', 'U']);
const Text = z.object({ en: z.string().min(1), ja: z.string().min(1) });

export const ClassificationDefSchema = z.object({
  name: Name,
  rank: z.number().int().min(0),
  abbrev: z.string().min(1).max(16),
  marking: Text,
  color: z.string().regex(/^#[0-9a-fA-F]{6}$/),
  /** "no classification": rendered in Japanese with the one unclassified phrase, whatever the policy. */
  unclassified: z.boolean().optional(),
});

const ValueDefSchema = z.union([
  Name.transform((name) => ({ name })),
  z.object({
    name: Name,
    abbrev: z.string().min(1).max(16).optional(),
    /** SPIF excludedClass analogue: the value is invalid below this classification. */
    minClassification: Name.optional(),
    marking: Text.optional(),
  }),
]);

export const TagSetDefSchema = z.object({
  name: Name,
  type: z.enum(['restrictive', 'permissive', 'informative']),
  values: z.array(ValueDefSchema).min(1),
});

export const PhaseGrantableSchema = z.object({
  phases: z.array(Name).min(1),
  to: z.array(z.string().regex(/^[A-Z]{3}$/)).min(1),
  tagSet: Name,
  values: z.array(Name).min(1),
});

export const PolicyFileSchema = z.object({
  id: z.string().regex(/^[A-Z][A-Z0-9_-]{1,15}$/),
  name: z.string().min(1),
  oid: z.string().regex(/^[0-2](\.\d+)+$/).nullable(),
  /** Nations governed by this policy (policyOf). */
  nations: z.array(z.string().regex(/^[A-Z]{3}$/)),
  /** Only owner-only is implemented (docs/labels.md §5.1); 4774.1 mode is reserved. */
  mode: z.literal('owner-only'),
  confidence: Confidence,
  notes: z.string(),
  /** Nation or organisation shown before a foreign marking in another language (e.g. 米国 SECRET). */
  origin: Text.optional(),
  classifications: z.array(ClassificationDefSchema).min(1),
  releasabilityTag: Name,
  tagSets: z.array(TagSetDefSchema).min(1),
  /** Tetragraphs with known membership (expanded); other tetragraphs match only themselves. */
  groups: z.record(z.string(), z.array(z.string().regex(/^[A-Z]{3}$/)).min(1)).default({}),
  marking: z.object({
    relTo: Text,
    noforn: Text,
    nofornPortion: z.string().min(1),
    empty: Text,
    separator: z.string(),
  }),
  phaseGrantable: z.array(PhaseGrantableSchema).default([]),
  /**
   * Other policies this nation's own writers may label in (e.g. NATO for a member nation): labels written by
   * other systems of that policy enter through this nation's nodes, decided for the node's audiences through
   * the equivalence table. Ownership rules are unchanged.
   */
  alsoWrites: z.array(Name).default([]),
});
export type PolicyFile = z.infer<typeof PolicyFileSchema>;

const Pair = z.tuple([Name, Name]);
export const EquivalenceFileSchema = z.object({
  version: z.string().min(1),
  confidence: Confidence,
  notes: z.string(),
  pairs: z.array(
    z.object({
      a: Name,
      b: Name,
      confidence: Confidence,
      notes: z.string().optional(),
      classifications: z.array(Pair),
      tagSets: z.array(
        z.object({
          a: Name,
          b: Name,
          identity: z.boolean().optional(),
          values: z.array(Pair).optional(),
        }),
      ),
      /**
       * Permissive tag sets of `policy` (one of the pair) that every audience of the other policy meets when a
       * category holds one of `values`: left out of the translation; a category holding none is unmappable.
       */
      satisfied: z.array(z.object({ policy: Name, tagSet: Name, values: z.array(Name).min(1) })).optional(),
    }),
  ),
});
export type EquivalenceFile = z.infer<typeof EquivalenceFileSchema>;

export const PhaseRulesFileSchema = z.object({
  version: z.string().min(1),
  notes: z.string().optional(),
  rules: z.array(
    z.object({
      nation: z.string().regex(/^[A-Z]{3}$/),
      phase: Name,
      to: z.array(z.string().regex(/^[A-Z]{3}$/)).min(1),
      tagSet: Name,
      values: z.array(Name).min(1),
    }),
  ),
});
export type PhaseRulesFile = z.infer<typeof PhaseRulesFileSchema>;
