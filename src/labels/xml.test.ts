import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCotXml, serializeCotXml } from '../cot/xml.js';
import { isKizunaError } from '../util/errors.js';
import { labelFromJson, labelToJson, loadPolicies, parseLabelXml, serializeLabelXml, LABEL_NAMESPACE } from './index.js';

const dir = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'labels');
const files = readdirSync(dir).filter((f) => f.endsWith('.xml'));
const registry = loadPolicies();

describe('STANAG 4774 XML fixtures', () => {
  const good = files.filter((f) => f.startsWith('good-'));
  const bad = files.filter((f) => f.startsWith('bad-'));
  it('has fixtures of both kinds', () => {
    expect(good.length).toBeGreaterThanOrEqual(4);
    expect(bad.length).toBeGreaterThanOrEqual(8);
  });

  it.each(good)('%s parses, validates and round-trips exactly', (f) => {
    const label = parseLabelXml(readFileSync(join(dir, f), 'utf8'));
    const valid = registry.validate(label);
    const again = registry.validate(parseLabelXml(serializeLabelXml(valid)));
    expect(again).toEqual(valid);
    expect(serializeLabelXml(again)).toBe(serializeLabelXml(valid));
    expect(labelFromJson(labelToJson(valid))).toEqual(valid);
  });

  it.each(bad)('%s is refused with its code', (f) => {
    const code = f.split('-')[1] === 'LABEL_FORBIDDEN_XML' ? 'LABEL_FORBIDDEN_XML' : 'LABEL_PARSE';
    let err: unknown;
    try {
      parseLabelXml(readFileSync(join(dir, f), 'utf8'));
    } catch (e) {
      err = e;
    }
    expect(isKizunaError(err, code)).toBe(true);
  });
});

describe('parseLabelXml details', () => {
  it('reads the fields of the docs/labels.md §1.2 example', () => {
    const l = parseLabelXml(readFileSync(join(dir, 'good-usa-secret-rel-jpn.xml'), 'utf8'));
    expect(l).toMatchObject({
      policy: 'USA',
      classification: 'SECRET',
      owner: 'USA',
      reviewAt: '2031-04-01T00:00:00Z',
      createdAt: '2026-11-23T09:15:00Z',
      originator: { idType: 'uniformResourceIdentifier', value: 'urn:kizuna:node:usa-1' },
    });
    expect(l.categories).toContainEqual({ tagSet: 'Releasable To', type: 'permissive', values: ['USA', 'JPN'] });
  });

  it('normalises case-insensitive input to the SPIF spelling', () => {
    const l = registry.validate(parseLabelXml(readFileSync(join(dir, 'good-default-namespace-lowercase.xml'), 'utf8')));
    expect(l).toMatchObject({ policy: 'JPN', classification: 'GOKUHI', owner: 'JPN' });
    expect(l.categories).toEqual([
      { tagSet: 'Caveat', type: 'restrictive', values: ['SDS'] },
      { tagSet: 'Releasable To', type: 'permissive', values: ['JPN'] },
    ]);
    expect(serializeLabelXml(l)).toContain('<slab:Classification>GOKUHI</slab:Classification>');
  });

  it('refuses oversize input before parsing', () => {
    const big = `<a>${'x'.repeat(70_000)}</a>`;
    expect(() => parseLabelXml(big)).toThrow(expect.objectContaining({ code: 'LABEL_TOO_LARGE' }));
    expect(() => parseLabelXml('<a/>', { maxBytes: 2 })).toThrow(expect.objectContaining({ code: 'LABEL_TOO_LARGE' }));
  });

  it('refuses an ENTITY declaration even without DOCTYPE, and non-labels', () => {
    expect(() => parseLabelXml('<!ENTITY x "y"><a/>')).toThrow(expect.objectContaining({ code: 'LABEL_FORBIDDEN_XML' }));
    for (const s of ['', 'not xml', '<a/><b/>', `<x xmlns="${LABEL_NAMESPACE}"/>`]) {
      expect(() => parseLabelXml(s)).toThrow(expect.objectContaining({ code: 'LABEL_PARSE' }));
    }
  });

  it('accepts the ConfidentialityLabel root name src/cot also recognises', () => {
    const l = registry.validate(parseLabelXml(readFileSync(join(dir, 'good-usa-secret-rel-jpn.xml'), 'utf8')));
    const xml = serializeLabelXml(l).replace(/originatorConfidentialityLabel/g, 'ConfidentialityLabel');
    expect(registry.validate(parseLabelXml(xml))).toEqual(l);
    expect(serializeLabelXml(l, { root: 'alternative' })).toContain('<slab:alternativeConfidentialityLabel ');
  });

  it('needs an owner when the policy is not a nation trigraph', () => {
    const xml = serializeLabelXml({ policy: 'NATO', classification: 'SECRET', categories: [], owner: 'USA', createdAt: '2026-01-01T00:00:00Z' });
    expect(parseLabelXml(xml).owner).toBe('USA');
    const noOwner = xml.replace(/<slab:Category TagName="Kizuna Owner".*?<\/slab:Category>/, '');
    expect(() => parseLabelXml(noOwner)).toThrow(expect.objectContaining({ code: 'LABEL_PARSE' }));
  });

  it('escapes markup in values on output', () => {
    const l = { policy: 'USA', classification: 'SECRET', categories: [], owner: 'USA', createdAt: '2026-01-01T00:00:00Z', originator: { idType: 'rfc822Name' as const, value: 'a<b>&"c\'@x' } };
    expect(parseLabelXml(serializeLabelXml(l)).originator?.value).toBe('a<b>&"c\'@x');
  });
});

describe('inside CoT <detail>', () => {
  const label = registry.validate(parseLabelXml(readFileSync(join(dir, 'good-usa-secret-rel-jpn.xml'), 'utf8')));
  const envelope = (detail: string, eventAttrs = ''): string =>
    `<event version="2.0" uid="u1" type="a-f-G" how="m-g" time="2026-11-23T09:15:00Z" start="2026-11-23T09:15:00Z" stale="2026-11-23T09:20:00Z"${eventAttrs}><point lat="35" lon="139" hae="0" ce="9" le="9"/><detail>${detail}<contact callsign="A"/></detail></event>`;

  it('parses exactly the element src/cot extracts (own declaration)', () => {
    const ev = parseCotXml(envelope(serializeLabelXml(label)));
    expect(registry.validate(parseLabelXml(ev.labelXml!))).toEqual(label);
    expect(registry.validate(parseLabelXml(parseCotXml(serializeCotXml(ev)).labelXml!))).toEqual(label);
  });

  it('parses a label whose namespace is declared on <event> (default or prefixed)', () => {
    const prefixed = serializeLabelXml(label, { prefix: 'c' }).replace(` xmlns:c="${LABEL_NAMESPACE}"`, '');
    const ev = parseCotXml(envelope(prefixed, ` xmlns:c="${LABEL_NAMESPACE}"`));
    expect(registry.validate(parseLabelXml(ev.labelXml!))).toEqual(label);
    const dflt = serializeLabelXml(label, { prefix: 'q' }).replace(/q:/g, '').replace(` xmlns:q="${LABEL_NAMESPACE}"`, '');
    const ev2 = parseCotXml(envelope(dflt.replace(/<(\/?)q:/g, '<$1'), ` xmlns="${LABEL_NAMESPACE}"`));
    expect(ev2.labelXml).toBeDefined();
    expect(registry.validate(parseLabelXml(ev2.labelXml!))).toEqual(label);
  });
});
