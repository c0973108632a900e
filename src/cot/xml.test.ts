import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { errorCode } from '../../test/support/errors.js';
import { isKizunaError } from '../util/errors.js';
import { describeEachCorpus, detailChildren, fixtureNamed, withRealTimes } from '../../test/cot/fixtures.js';
import { LABEL_NAMESPACE, parseCotXml, serializeCotXml } from './xml.js';

const T = '2026-11-23T09:00:00.000Z';
const S = '2026-11-23T09:05:00.000Z';
function ev(inner: string, extraAttrs = ''): string {
  return `<event version="2.0" uid="u-1" type="a-f-G" how="m-g" time="${T}" start="${T}" stale="${S}"${extraAttrs}><point lat="35.1" lon="139.2" hae="10" ce="5" le="NaN"/>${inner}</event>`;
}
const LABEL = `<slab:originatorConfidentialityLabel xmlns:slab="${LABEL_NAMESPACE}"><slab:ConfidentialityInformation><slab:PolicyIdentifier>USA</slab:PolicyIdentifier><slab:Classification>SECRET</slab:Classification></slab:ConfidentialityInformation></slab:originatorConfidentialityLabel>`;

describeEachCorpus('parseCotXml over every fixture', (corpus) => {
  const fixtures = corpus.fixtures;
  const wellFormed = fixtures.filter((f) => f.kind === 'wellFormed');

  it('classifies the fixture set as documented (well-formed incl. placeholders, malformed, mismatch)', () => {
    expect(fixtures.length).toBe(corpus.counts.total);
    expect(fixtures.filter((f) => f.kind === 'malformed')).toHaveLength(corpus.counts.malformed);
    expect(fixtures.filter((f) => f.kind === 'mismatch')).toHaveLength(corpus.counts.mismatch);
    expect(fixtures.filter((f) => f.kind === 'placeholderTime')).toHaveLength(corpus.counts.placeholderTime);
  });

  it.each(wellFormed.map((f) => [f.name, f] as const))('%s: XML → model → XML → model is stable', (_n, f) => {
    const first = parseCotXml(f.bytes);
    const xml = serializeCotXml(first);
    const second = parseCotXml(xml);
    expect(second).toEqual(first);
    // detail is kept verbatim: the model's detailXml is a substring of the original text
    expect(f.bytes.toString('utf8')).toContain(first.detailXml);
    // and a DOM parser sees the same detail children before and after
    expect(detailChildren(xml)).toEqual(detailChildren(f.bytes.toString('utf8')));
  });

  it.each(fixtures.filter((f) => f.kind === 'malformed').map((f) => [f.name, f] as const))(
    '%s: malformed ⇒ COT_PARSE',
    (_n, f) => {
      expect(errorCode(() => parseCotXml(f.bytes))).toBe('COT_PARSE');
    },
  );

  it('MISMATCH (encoding="utf-16" declared on UTF-8 bytes): accepted, bytes decoded as UTF-8, declaration ignored', () => {
    const f = fixtures.find((x) => x.kind === 'mismatch')!;
    const e = parseCotXml(f.bytes);
    expect(e.uid).toBe(corpus.mismatch.uid);
    expect(e.callsign).toBe(corpus.mismatch.callsign);
    expect(e.group).toBe(corpus.mismatch.group);
    expect(serializeCotXml(e)).not.toContain('utf-16');
    expect(parseCotXml(serializeCotXml(e))).toEqual(e);
  });

  it.each(fixtures.filter((f) => f.kind === 'placeholderTime').map((f) => [f.name, f] as const))(
    '%s: literal TIME placeholders ⇒ COT_INVALID; with real times it round-trips',
    (_n, f) => {
      expect(errorCode(() => parseCotXml(f.bytes))).toBe('COT_INVALID');
      const e = parseCotXml(withRealTimes(f.bytes.toString('utf8')));
      expect(e.type).toMatch(/^t-x-takp-[vqr]$/);
      expect(parseCotXml(serializeCotXml(e))).toEqual(e);
    },
  );

  it('keeps the WearOS callsign with its newline character reference', () => {
    const e = parseCotXml(fixtureNamed(corpus, corpus.newlineCallsign).bytes);
    expect(e.callsign).toBe('SP-Dev\nManual Alert: Gunshot');
    expect(parseCotXml(serializeCotXml(e)).callsign).toBe(e.callsign);
  });
});

describe('parseCotXml: field extraction', () => {
  it('reads envelope, point (NaN and unknown), callsign, group, track', () => {
    const e = parseCotXml(
      ev(`<detail><contact callsign="護衛艦いずも" endpoint="*:-1:stcp"/><__group name="Cyan" role="HQ"/><track course="80.5" speed="3.25"/></detail>`, ' access="Undefined" qos="1-r-c" opex="e-x"'),
    );
    expect(e).toMatchObject({
      version: '2.0',
      uid: 'u-1',
      type: 'a-f-G',
      how: 'm-g',
      time: T,
      start: T,
      stale: S,
      access: 'Undefined',
      qos: '1-r-c',
      opex: 'e-x',
      callsign: '護衛艦いずも',
      group: 'Cyan',
      course: 80.5,
      speed: 3.25,
    });
    expect(e.point.lat).toBe(35.1);
    expect(e.point.le).toBeNaN();
    const noHae = parseCotXml(ev('').replace(' hae="10"', ''));
    expect(noHae.point.hae).toBe(9999999);
  });

  it('collects marti/dest callsigns and uids; empty <marti/> means broadcast (no dest lists)', () => {
    const e = parseCotXml(ev(`<detail><marti><dest callsign="A &amp; B"/><dest uid="ANDROID-1"/><dest callsign="C" uid="U-C"/></marti></detail>`));
    expect(e.destCallsigns).toEqual(['A & B', 'C']);
    expect(e.destUids).toEqual(['ANDROID-1', 'U-C']);
    const b = parseCotXml(ev('<detail><marti/></detail>'));
    expect(b.destCallsigns).toBeUndefined();
    expect(b.destUids).toBeUndefined();
  });

  it('reads <dest> only as a child of <marti> in the (first) <detail>, in document order across several <marti>', () => {
    const e = parseCotXml(
      ev(`<detail><marti><dest callsign="A"/></marti><x><marti><dest callsign="nested"/></marti></x><dest callsign="loose"/><marti><dest callsign="B"/><y><dest callsign="deep"/></y></marti></detail><detail><marti><dest callsign="second"/></marti></detail>`),
    );
    expect(e.destCallsigns).toEqual(['A', 'B']);
    const rootAttrs = parseCotXml(ev('<detail/>', ` xmlns:q="urn:q" q:uid="not-the-uid" zz="1"`));
    expect(rootAttrs.uid).toBe('u-1');
  });

  it('start defaults to time; version defaults to 2.0', () => {
    const e = parseCotXml(ev('').replace(` start="${T}"`, '').replace('version="2.0" ', ''));
    expect(e.start).toBe(T);
    expect(e.version).toBe('2.0');
  });

  it('keeps caveat and releasableTo through a round trip', () => {
    const e = parseCotXml(ev('', ' caveat="FOUO" releasableTo="USA JPN"'));
    expect(e.caveat).toBe('FOUO');
    expect(e.releasableTo).toBe('USA JPN');
    expect(parseCotXml(serializeCotXml(e))).toEqual(e);
  });
});

describe('parseCotXml: STANAG 4774 label element', () => {
  it('cuts a prefixed label out of detail; serialising puts it back first', () => {
    const e = parseCotXml(ev(`<detail><contact callsign="X"/>${LABEL}<remarks>hi</remarks></detail>`));
    expect(e.labelXml).toBe(LABEL);
    expect(e.detailXml).toBe('<contact callsign="X"/><remarks>hi</remarks>');
    const xml = serializeCotXml(e);
    expect(xml).toContain(`<detail>${LABEL}<contact`);
    expect(parseCotXml(xml)).toEqual(e);
  });

  it('accepts the default namespace and the three root names', () => {
    for (const root of ['originatorConfidentialityLabel', 'alternativeConfidentialityLabel', 'ConfidentialityLabel']) {
      const label = `<${root} xmlns="${LABEL_NAMESPACE}"><ConfidentialityInformation/></${root}>`;
      const e = parseCotXml(ev(`<detail>${label}</detail>`));
      expect(e.labelXml).toBe(label);
      expect(e.detailXml).toBe('');
    }
  });

  it('a prefix declared on <detail> or <event> is carried into labelXml so it stands alone', () => {
    const onDetail = parseCotXml(
      ev(`<detail xmlns:s="${LABEL_NAMESPACE}"><s:originatorConfidentialityLabel ReviewDateTime="x"><s:A/></s:originatorConfidentialityLabel></detail>`),
    );
    expect(onDetail.labelXml).toBe(`<s:originatorConfidentialityLabel xmlns:s="${LABEL_NAMESPACE}" ReviewDateTime="x"><s:A/></s:originatorConfidentialityLabel>`);
    const onEvent = parseCotXml(ev(`<detail><s:ConfidentialityLabel/></detail>`, ` xmlns:s="${LABEL_NAMESPACE}"`));
    expect(onEvent.labelXml).toBe(`<s:ConfidentialityLabel xmlns:s="${LABEL_NAMESPACE}"/>`);
    expect(parseCotXml(serializeCotXml(onDetail)).labelXml).toBe(onDetail.labelXml);
  });

  it('a same-named element in another (or no) namespace is ordinary detail content', () => {
    const e = parseCotXml(ev('<detail><ConfidentialityLabel>x</ConfidentialityLabel><x:originatorConfidentialityLabel xmlns:x="urn:other"/></detail>'));
    expect(e.labelXml).toBeUndefined();
    expect(e.detailXml).toContain('ConfidentialityLabel');
  });

  it('two label elements in one detail ⇒ COT_INVALID (fail closed, no ambiguous label)', () => {
    expect(errorCode(() => parseCotXml(ev(`<detail>${LABEL}${LABEL}</detail>`)))).toBe('COT_INVALID');
  });
});

describe('parseCotXml: rejects bad input with typed errors', () => {
  it('DOCTYPE / ENTITY declarations ⇒ COT_FORBIDDEN_XML', () => {
    const bomb = `<?xml version="1.0"?><!DOCTYPE event [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;&a;">]>${ev('<detail><remarks>&b;</remarks></detail>')}`;
    expect(errorCode(() => parseCotXml(bomb))).toBe('COT_FORBIDDEN_XML');
    expect(errorCode(() => parseCotXml(ev('<detail><!ENTITY x "y"></detail>')))).toBe('COT_FORBIDDEN_XML');
    expect(errorCode(() => parseCotXml(ev('<detail><!doctype x></detail>')))).toBe('COT_FORBIDDEN_XML');
    // comments and CDATA are fine, and '<!' inside them is not a declaration
    expect(parseCotXml(ev('<detail><!-- <!DOCTYPE --><remarks><![CDATA[<!ENTITY>]]></remarks></detail>')).detailXml).toContain('CDATA');
  });

  it('size cap ⇒ COT_TOO_LARGE (bytes, not UTF-16 units)', () => {
    const x = ev('<detail><remarks>護衛艦いずも護衛艦いずも</remarks></detail>');
    const bytes = Buffer.byteLength(x);
    expect(errorCode(() => parseCotXml(x, { maxBytes: bytes - 1 }))).toBe('COT_TOO_LARGE');
    expect(errorCode(() => parseCotXml(Buffer.from(x), { maxBytes: bytes - 1 }))).toBe('COT_TOO_LARGE');
    expect(parseCotXml(x, { maxBytes: bytes }).uid).toBe('u-1');
    expect(errorCode(() => parseCotXml(ev(`<detail><r>${'x'.repeat(1024 * 1024)}</r></detail>`)))).toBe('COT_TOO_LARGE');
  });

  it.each([
    ['uid', (s: string) => s.replace(' uid="u-1"', '')],
    ['type', (s: string) => s.replace(' type="a-f-G"', '')],
    ['time', (s: string) => s.replace(` time="${T}"`, '')],
    ['stale', (s: string) => s.replace(` stale="${S}"`, '')],
    ['point', (s: string) => s.replace(/<point[^>]*\/>/, '')],
    ['bad time', (s: string) => s.replace(` time="${T}"`, ' time="yesterday"')],
    ['lat', (s: string) => s.replace(' lat="35.1"', '')],
    ['lat out of range', (s: string) => s.replace(' lat="35.1"', ' lat="91"')],
    ['lon not a number', (s: string) => s.replace(' lon="139.2"', ' lon="0x10"')],
    ['hae not a number', (s: string) => s.replace(' hae="10"', ' hae="high"')],
    ['root not event', () => '<foo/>'],
  ])('missing/invalid %s ⇒ COT_INVALID', (_n, mutate) => {
    expect(errorCode(() => parseCotXml(mutate(ev('<detail/>'))))).toBe('COT_INVALID');
  });

  it.each([
    ['mismatched tag', ev('<detail><a></b></detail>')],
    ['unclosed', ev('<detail><a></detail>')],
    ['duplicate attribute', ev('<detail><a x="1" x="2"/></detail>')],
    ['undefined entity', ev('<detail><a x="&nbsp;"/></detail>')],
    ['bad char reference', ev('<detail><a x="&#0;"/></detail>')],
    ["'<' in attribute", ev('<detail><a x="a<b"/></detail>')],
    ['unquoted attribute', ev('<detail><a x=1/></detail>')],
    ['two roots', ev('') + ev('')],
    ['text after root', ev('') + 'junk'],
    ['control character', ev('<detail><a x="\u0001"/></detail>')],
    ['empty', ''],
    ['not xml', 'hello'],
    ['truncated', ev('').slice(0, 60)],
  ])('%s ⇒ COT_PARSE', (_n, xml) => {
    expect(errorCode(() => parseCotXml(xml))).toBe('COT_PARSE');
  });

  it('invalid UTF-8 and UTF-16 byte order marks ⇒ COT_PARSE; a UTF-8 BOM is accepted', () => {
    const good = Buffer.from(ev(''));
    const bad = Buffer.concat([good.subarray(0, 20), Buffer.from([0xc3, 0x28]), good.subarray(20)]);
    expect(errorCode(() => parseCotXml(bad))).toBe('COT_PARSE');
    expect(errorCode(() => parseCotXml(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(ev(''), 'utf16le')])))).toBe('COT_PARSE');
    expect(parseCotXml(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), good])).uid).toBe('u-1');
  });

  it('property: arbitrary text never crashes: a CotEvent or a KizunaError', () => {
    const base = ev('<detail><contact callsign="x"/></detail>');
    fc.assert(
      fc.property(fc.string(), fc.nat(base.length), fc.nat(40), (junk, at, cut) => {
        const mutated = base.slice(0, at) + junk + base.slice(Math.min(base.length, at + cut));
        try {
          const e = parseCotXml(mutated);
          // anything accepted must survive its own serialisation
          expect(parseCotXml(serializeCotXml(e))).toEqual(e);
        } catch (err) {
          expect(isKizunaError(err)).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('serializeCotXml', () => {
  it('escapes attribute values so every string survives (incl. &#10; newline and quotes)', () => {
    const e = parseCotXml(ev(''));
    const tricky = { ...e, uid: `a&b<c>"d'e\nf\tg\rh`, type: 'a-f-G', how: '' };
    const back = parseCotXml(serializeCotXml(tricky));
    expect(back.uid).toBe(tricky.uid);
    expect(back.how).toBe('');
  });

  it('writes no XML declaration and no <detail> when there is none', () => {
    const e = { ...parseCotXml(ev('')), detailXml: '' };
    const xml = serializeCotXml(e);
    expect(xml.startsWith('<event ')).toBe(true);
    expect(xml).not.toContain('<detail');
    expect(xml).toContain('le="NaN"');
  });
});
