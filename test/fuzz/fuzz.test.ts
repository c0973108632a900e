import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { TARGETS, scanVsValidator } from './targets.js';

/**
 * CI share of the parser fuzzing: a moderate number of generated inputs per parser (a few seconds
 * each). The large runs are `npm run fuzz -- --runs N`, recorded in TESTING.md. A crash here is any
 * error that is not a KizunaError with a code, or a stream framed differently when split.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);

/** Disagreements with fast-xml-parser that are decisions, not bugs (justified in TESTING.md). */
const JUSTIFIED = [
  // no DTD processing ever: DOCTYPE/ENTITY are refused before parsing
  /^scanner refuses \(COT_FORBIDDEN_XML: markup declaration\)/,
  // XML 1.0 rules the validator does not enforce
  /^scanner refuses \(COT_PARSE: (forbidden character|'<' in attribute value|more than one root element|text outside the root element|CDATA outside an element|nesting too deep|expected '>' in end tag|expected whitespace before attribute)\)/,
  /^scanner refuses \(COT_PARSE: (undefined entity|bad reference|bad character reference|reference to a forbidden character)\)/,
  // names: the scanner takes every non-ASCII character as a name character (all delimiters are ASCII)
  /^scanner accepts, validator refuses \(Invalid(Attr|Tag): (Attribute|Tag) '…' is an invalid name\.\)/,
];

describe('parser fuzzing (fast-check, CI share)', () => {
  for (const t of TARGETS) {
    it(`${t.name}: ${RUNS} inputs, only KizunaError refusals`, () => {
      fc.assert(fc.property(t.input, (input) => void t.run(input)), { numRuns: RUNS });
    });
  }

  it('the CoT scanner and fast-xml-parser agree on accept/refuse, apart from justified categories', () => {
    const target = TARGETS.find((t) => t.name === 'cot-xml')!;
    const unexplained = new Map<string, string>();
    fc.assert(
      fc.property(target.input as fc.Arbitrary<string>, (s) => {
        const why = scanVsValidator(s);
        if (why !== undefined && !JUSTIFIED.some((re) => re.test(why))) unexplained.set(why, s.slice(0, 200));
      }),
      { numRuns: RUNS * 3 },
    );
    expect(Object.fromEntries(unexplained)).toEqual({});
  });
});
