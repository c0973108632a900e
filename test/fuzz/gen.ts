import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { chunksAt } from '../support/chunks.js';

/**
 * Input generators for the parser fuzzers: corpus files mutated byte-wise, a small XML grammar that
 * reaches the scanner's deep paths (attributes, references, comments, CDATA, PIs, nesting), and the
 * adversarial shapes (many attributes, long names, deep nesting, many siblings, many namespace
 * declarations, huge text). fast-check drives them (see TESTING.md for why not Jazzer.js here).
 */

const here = dirname(fileURLToPath(import.meta.url));

/** The seed files of one corpus directory (test/fuzz/corpus/<name>). */
export function corpus(name: string): Buffer[] {
  const dir = join(here, 'corpus', name);
  return readdirSync(dir)
    .sort()
    .map((f) => readFileSync(join(dir, f)));
}

/** Byte strings that XML parsers treat specially, spliced in by the mutator. */
const TOKENS = ['<', '>', '/>', '</', '&', ';', '&amp;', '&#x0;', '&#1114112;', '&bogus;', '"', "'", '=', ' ', '\t', '\r\n', ']]>',
  '<![CDATA[', '<!--', '-->', '<?', '?>', '<!DOCTYPE x [<!ENTITY e "x">]>', '<event', '</event>', '<detail>', '</detail>',
  'xmlns:p="u"', 'a="1"', '\u0000', '\uFFFE', '\uD800', 'é', '日本', '\u00A0', ':', '-', '.', '9', 'uid="x"'].map((t) => Buffer.from(t));

type Mutation = { op: 'flip' | 'insert' | 'delete' | 'token' | 'dup' | 'truncate'; at: number; n: number; tok: number };

const mutation: fc.Arbitrary<Mutation> = fc.record({
  op: fc.constantFrom('flip', 'insert', 'delete', 'token', 'dup', 'truncate'),
  at: fc.nat(),
  n: fc.integer({ min: 1, max: 64 }),
  tok: fc.nat({ max: TOKENS.length - 1 }),
});

function applyMutation(b: Buffer, m: Mutation): Buffer {
  if (b.length === 0) return m.op === 'token' || m.op === 'insert' ? TOKENS[m.tok]! : b;
  const at = m.at % (b.length + 1);
  const head = b.subarray(0, at);
  const tail = b.subarray(at);
  switch (m.op) {
    case 'flip': {
      const c = Buffer.from(b);
      if (at < c.length) c[at] = (c[at]! ^ (1 << (m.n % 8))) & 0xff;
      return c;
    }
    case 'insert':
      return Buffer.concat([head, Buffer.from([m.n * 4 + 3]), tail]);
    case 'delete':
      return Buffer.concat([head, tail.subarray(m.n)]);
    case 'token':
      return Buffer.concat([head, TOKENS[m.tok]!, tail]);
    case 'dup': {
      const piece = tail.subarray(0, m.n);
      return Buffer.concat([head, ...Array.from({ length: 1 + (m.tok % 16) }, () => piece), tail]);
    }
    case 'truncate':
      return head;
  }
}

/** A corpus file with 0-8 mutations applied. */
export function mutated(seeds: Buffer[]): fc.Arbitrary<Buffer> {
  return fc
    .tuple(fc.nat({ max: seeds.length - 1 }), fc.array(mutation, { maxLength: 8 }))
    .map(([k, ms]) => ms.reduce(applyMutation, seeds[k]!));
}

const name = fc.oneof(
  fc.constantFrom('event', 'point', 'detail', 'contact', 'remarks', 'marti', 'dest', 'link', 'a', 'p:x', 'xmlns', '_u', 'a.b-c'),
  fc.stringMatching(/^[A-Za-z_:][\w.:-]{0,12}$/),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 4 }),
);
const attrValue = fc.oneof(
  fc.constantFrom('', 'x', '1.5', '&amp;', '&lt;&gt;', '&#65;', '&#x1F600;', '&#0;', '&nope;', '<', "a'b", 'a"b', '\t\n'),
  fc.string({ maxLength: 12 }),
);
const attribute = fc.tuple(name, attrValue, fc.constantFrom('"', "'")).map(([n, v, q]) => ` ${n}=${q}${v.split(q).join('')}${q}`);
const text = fc.oneof(
  fc.constantFrom('', ' ', 'text', '&amp;', '&#x41;', '& ', ']]>', '\u0001', '日本語'),
  fc.string({ maxLength: 16 }),
);

/** Elements built from the grammar, nested a few levels, with comments, CDATA and PIs mixed in. */
const element: fc.Memo<string> = fc.memo((depth) => {
  const leaf = fc.oneof(text, fc.constantFrom('<!-- c -->', '<![CDATA[<x&>]]>', '<?pi data?>', '<!---->', '<!-- a--b -->'));
  const children = depth <= 1 ? fc.array(leaf, { maxLength: 3 }) : fc.array(fc.oneof(leaf, element(depth - 1)), { maxLength: 4 });
  return fc
    .tuple(name, fc.array(attribute, { maxLength: 4 }), children, fc.boolean(), fc.boolean())
    .map(([n, as, cs, empty, mismatch]) =>
      empty && cs.length === 0 ? `<${n}${as.join('')}/>` : `<${n}${as.join('')}>${cs.join('')}</${mismatch ? n + 'x' : n}>`,
    );
});

/** Whole documents from the grammar: an optional declaration and prolog, one or more roots. */
export const xmlDocument: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom('', '<?xml version="1.0"?>', '<?xml version="1.0" encoding="utf-16"?>\n', '\uFEFF', '<!DOCTYPE event>', ' '),
    fc.array(element(4), { minLength: 1, maxLength: 2 }),
    fc.constantFrom('', '\n', '<!-- end -->', 'tail', '<?pi?>'),
  )
  .map(([prolog, roots, after]) => prolog + roots.join('') + after);

/** A CoT event from the grammar: a valid envelope around generated detail content. */
export const cotFromGrammar: fc.Arbitrary<string> = fc
  .tuple(fc.array(element(3), { maxLength: 4 }), fc.array(attribute, { maxLength: 3 }))
  .map(
    ([detail, extra]) =>
      `<event version="2.0" uid="g-1" type="a-f-G" time="2026-12-02T00:00:00Z" start="2026-12-02T00:00:00Z" stale="2026-12-02T01:00:00Z"${extra.join('')}>` +
      `<point lat="1" lon="2" hae="0" ce="1" le="1"/><detail>${detail.join('')}</detail></event>`,
  );

/** Adversarial shape generator: (shape, size) pairs; sizes stay small so a run does many of them. */
export function shaped(shapes: Record<string, (bytes: number) => string>): fc.Arbitrary<string> {
  return fc.tuple(fc.constantFrom(...Object.values(shapes)), fc.integer({ min: 0, max: 4096 })).map(([f, n]) => f(n));
}

/** Random cut points for feeding a stream in pieces (always includes "every byte" for short inputs). */
export const cuts: fc.Arbitrary<number[]> = fc.oneof(fc.constant<number[]>([-1]), fc.array(fc.nat({ max: 4096 }), { maxLength: 16 }));

/** Splits `b` at `cs` ([-1] = every byte). */
export function split(b: Buffer, cs: number[]): Buffer[] {
  if (cs.length === 1 && cs[0] === -1) return Array.from({ length: b.length }, (_, i) => b.subarray(i, i + 1));
  return chunksAt(b, cs);
}
