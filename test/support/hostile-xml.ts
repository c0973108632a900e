/**
 * Adversarial input shapes for the parsers, each sized to about `bytes` (tests, fuzzing, bench/parsers.ts).
 * Every shape is a complete CoT event unless its name says otherwise, so it reaches the deepest code.
 */
const T = '2026-12-02T00:00:00Z';
const HEAD = `<event version="2.0" uid="hostile-1" type="a-f-G-U-C" how="m-g" time="${T}" start="${T}" stale="2026-12-02T01:00:00Z"`;
const POINT = '<point lat="35.68" lon="139.76" hae="40" ce="9.9" le="9.9"/>';

/** Repeats `unit(i)` until the total reaches `bytes` characters. */
export function fill(bytes: number, unit: (i: number) => string): string {
  const parts: string[] = [];
  let len = 0;
  for (let i = 0; len < bytes; i++) {
    const u = unit(i);
    parts.push(u);
    len += u.length;
  }
  return parts.join('');
}

export const event = (detail: string, eventAttrs = ''): string => `${HEAD}${eventAttrs}>${POINT}<detail>${detail}</detail></event>`;

/** The issue's shape: n distinct attributes on <remarks> or on <event>. */
export const attrsOnRemarks = (n: number): string => event(`<remarks${attrs(n)}>hi</remarks>`);
export const attrsOnEvent = (n: number): string => event('<remarks>hi</remarks>', attrs(n));
export function attrs(n: number): string {
  const parts: string[] = [];
  for (let i = 0; i < n; i++) parts.push(` a${i}="x"`);
  return parts.join('');
}

/** A typical large event: many ordinary detail children (links of a route), for the baseline. */
export const typical = (bytes: number): string =>
  event(
    '<contact callsign="ALPHA-1" endpoint="*:-1:stcp"/><__group name="Cyan" role="Team Member"/>' +
      fill(bytes, (i) => `<link uid="wp-${i}" type="b-m-p-w" point="35.${i % 9973},139.${i % 7919}" relation="c"/>`),
  );

/** The i-th name over U+4E00 and U+CE00 (one bit of i per character, 16 characters: distinct up to 65,536). */
function twinName(i: number): string {
  let n = '';
  for (let b = 0; b < 16; b++) n += (i >> b) & 1 ? '\uCE00' : '\u4E00';
  return n;
}

/** Adversarial shapes by name; each takes a size in characters. */
export const SHAPES: Record<string, (bytes: number) => string> = {
  'attrs on remarks': (b) => attrsOnRemarks(Math.floor(b / 10)),
  'attrs on event': (b) => attrsOnEvent(Math.floor(b / 10)),
  'long attribute name': (b) => event(`<remarks ${'a'.repeat(b)}="x"/>`),
  'long element name': (b) => event(`<${'r'.repeat(b)}/>`),
  'deep nesting (255)': (b) => event('<n>'.repeat(250) + fill(b, () => 'deep text ') + '</n>'.repeat(250)),
  'many siblings': (b) => event(fill(b, () => '<s/>')),
  'many marti dest': (b) => event(fill(b, () => '<marti><dest callsign="B"/></marti>')),
  'many namespace declarations': (b) => event(`<remarks${fill(b / 2, (i) => ` xmlns:p${i}="urn:x"`)}>` + fill(b / 2, (i) => `<p${i % 50}:x/>`) + '</remarks>'),
  'huge text': (b) => event(`<remarks>${'x'.repeat(b)}</remarks>`),
  'many references': (b) => event(`<remarks>${'&amp;&#x41;'.repeat(Math.floor(b / 11))}</remarks>`),
  'long digit run in lat': (b) => event('').replace('lat="35.68"', `lat="${'1'.repeat(b)}x"`),
  'comments': (b) => event(fill(b, () => '<!-- c -->')),
  'unterminated value': (b) => event(`<remarks a="${'x'.repeat(b)}`),
  'many ampersands': (b) => event(`<remarks>${'&'.repeat(b)}</remarks>`),
  'lt in values': (b) => event(`<remarks${fill(b, (i) => ` a${i}='<'`)}/>`),
  // Names that differ only in bit 15 of their characters share the low 15 bits of an unseeded, unmixed FNV-1a hash.
  'attrs with hash-twin names': (b) => event(`<remarks${fill(b, (i) => ` ${twinName(i)}="x"`)}/>`),
};
