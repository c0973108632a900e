import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Audience, SecurityLabel } from './index.js';
import {
  decide,
  labelFromJson,
  labelParseReason,
  labelToJson,
  loadPolicies,
  parseLabelXml,
  portionMark,
  renderMarking,
  serializeLabelXml,
} from './index.js';

/** STANAG 4774 labels as NATO systems write them (test/fixtures/labels/foreign-*.xml). */
const dir = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'labels');
const registry = loadPolicies();
const read = (f: string): string => readFileSync(join(dir, f), 'utf8');
const AT = '2026-12-01T00:00:00Z';
const parse = (xml: string, arrivedVia = 'USA'): SecurityLabel =>
  registry.validate(parseLabelXml(xml, { policies: registry, arrivedVia, receivedAt: AT }));
const FOREIGN = ['foreign-nato-unclassified-context.xml', 'foreign-nato-confidential-only.xml', 'foreign-nato-secret-originator.xml', 'foreign-nato-restricted-upn.xml'];
const nato = (nation: string, max: string, held: Record<string, string[]> = {}): Audience => ({ policy: 'NATO', nation, maxClassification: max, held });
const national = (nation: string): Audience => ({ policy: registry.policyOf(nation), nation, maxClassification: registry.classifications(registry.policyOf(nation)).at(-1)!, held: {} });

describe('4774 labels written by other systems', () => {
  it.each(FOREIGN)('%s parses and round-trips through Kizuna XML and JSON', (f) => {
    const label = parse(read(f));
    expect(label.policy).toBe('NATO');
    const viaXml = registry.validate(parseLabelXml(serializeLabelXml(label)));
    expect(viaXml).toEqual(label);
    expect(labelFromJson(labelToJson(label))).toEqual(label);
    // the written form names its owner: a later hop never needs the arrival context again
    expect(parseLabelXml(serializeLabelXml(label), { arrivedVia: 'JPN' }).owner).toBe(label.owner);
  });

  it('takes the owner from OriginatorID, else from the peer or node it arrived through', () => {
    expect(parse(read('foreign-nato-unclassified-context.xml'), 'USA').owner).toBe('USA');
    expect(parse(read('foreign-nato-unclassified-context.xml'), 'JPN').owner).toBe('JPN');
    // directoryName C=GBR names the originating nation, whatever the arrival context
    expect(parse(read('foreign-nato-secret-originator.xml'), 'USA').owner).toBe('GBR');
    // an OriginatorID naming no nation leaves the arrival context in charge
    const upn = parse(read('foreign-nato-restricted-upn.xml'), 'PHL');
    expect(upn.owner).toBe('PHL');
    expect(upn.originator).toEqual({ idType: 'userPrincipalName', value: 'watch.officer@example.invalid' });
    // Kizuna's own owner category still wins over both
    const own = serializeLabelXml({ ...upn, owner: 'USA' });
    expect(parseLabelXml(own, { arrivedVia: 'PHL' }).owner).toBe('USA');
    // without any context a non-national policy has no owner: refused with the reason
    const err = (() => {
      try {
        parseLabelXml(read('foreign-nato-unclassified-context.xml'));
      } catch (e) {
        return e;
      }
    })();
    expect(labelParseReason(err)).toEqual({ reason: 'NO_OWNER' });
  });

  it('matches the policy by name or by OID, and refuses a name and OID that disagree', () => {
    expect(parse(read('foreign-nato-restricted-upn.xml')).policy).toBe('NATO');
    const xml = read('foreign-nato-unclassified-context.xml');
    const usaName = xml.replace('>NATO</PolicyIdentifier>', '>USA</PolicyIdentifier>');
    const unknownOid = xml.replace('1.3.26.1.3.1', '1.3.26.1.3.99');
    const badUrn = xml.replace('urn:oid:1.3.26.1.3.1', 'http://example.invalid/nato');
    for (const x of [usaName, unknownOid, badUrn]) {
      let e: unknown;
      try {
        parseLabelXml(x, { policies: registry, arrivedVia: 'USA' });
      } catch (err) {
        e = err;
      }
      expect(labelParseReason(e)).toEqual({ reason: 'POLICY_OID', element: 'PolicyIdentifier' });
    }
  });

  it('dates a label without CreationDateTime from its receipt; keeps one that has it', () => {
    expect(parse(read('foreign-nato-unclassified-context.xml')).createdAt).toBe(AT);
    expect(parse(read('foreign-nato-confidential-only.xml')).createdAt).toBe('2026-11-30T08:00:00Z');
    const empty = read('foreign-nato-confidential-only.xml').replace('2026-11-30T08:00:00Z', '');
    expect(() => parseLabelXml(empty, { arrivedVia: 'USA' })).toThrow(expect.objectContaining({ code: 'LABEL_PARSE' }));
  });

  it('renders the NATO markings', () => {
    const u = parse(read('foreign-nato-unclassified-context.xml'));
    expect(renderMarking(registry, u)).toBe('NATO UNCLASSIFIED//Context: NATO, Releasable//RELEASABLE TO USA, JPN, NATO');
    expect(portionMark(registry, u)).toBe('(NU//Context: NATO, Releasable//RELEASABLE TO USA, JPN, NATO)');
    const s = parse(read('foreign-nato-secret-originator.xml'));
    expect(renderMarking(registry, s)).toBe('NATO SECRET//ATOMAL//Context: NATO//ORIGINATOR ONLY');
    const cts = { ...u, classification: 'TOP SECRET', categories: [] };
    expect(renderMarking(registry, cts)).toBe('COSMIC TOP SECRET//ORIGINATOR ONLY');
    expect(renderMarking(registry, cts, 'ja')).toBe('NATO COSMIC TOP SECRET（機密相当）//外国提供禁止');
  });

  it('decides against NATO clearances', () => {
    const u = parse(read('foreign-nato-unclassified-context.xml'));
    // DEU is in the NATO group and holds the NATO context
    expect(decide(registry, u, nato('DEU', 'SECRET', { Context: ['NATO'] }))).toEqual({ allow: true, reason: 'ALLOW' });
    // no context held: the permissive Context category is not met
    expect(decide(registry, u, nato('DEU', 'SECRET')).reason).toBe('DENY_RELEASABILITY');
    // CHE (a partner, not in the NATO group) holds Releasable (a partner clearance) but is not named by Releasable To
    expect(decide(registry, u, nato('CHE', 'SECRET', { Context: ['Releasable'] })).reason).toBe('DENY_RELEASABILITY');
    expect(decide(registry, u, nato('JPN', 'SECRET', { Context: ['Releasable'] })).allow).toBe(true);

    const c = parse(read('foreign-nato-confidential-only.xml'));
    expect(decide(registry, c, nato('USA', 'SECRET', { Context: ['KFOR'], Only: ['NATO'] })).allow).toBe(true);
    expect(decide(registry, c, nato('USA', 'SECRET', { Context: ['KFOR'] })).reason).toBe('DENY_RELEASABILITY');
    expect(decide(registry, c, nato('USA', 'RESTRICTED', { Context: ['KFOR'], Only: ['NATO'] })).reason).toBe('DENY_CLASSIFICATION');
    // no Releasable To: owner-only, whatever Only names (fail closed)
    expect(decide(registry, c, nato('SWE', 'SECRET', { Context: ['KFOR'], Only: ['SWE'] })).reason).toBe('DENY_RELEASABILITY');

    const s = parse(read('foreign-nato-secret-originator.xml'));
    expect(decide(registry, s, nato('GBR', 'TOP SECRET', { Context: ['NATO'], 'Additional Sensitivity': ['ATOMAL'] })).allow).toBe(true);
    expect(decide(registry, s, nato('GBR', 'TOP SECRET', { Context: ['NATO'] })).reason).toBe('DENY_RESTRICTIVE');
    expect(decide(registry, s, nato('USA', 'TOP SECRET', { Context: ['NATO'], 'Additional Sensitivity': ['ATOMAL'] })).reason).toBe('DENY_RELEASABILITY');
  });

  it('decides for national audiences through the equivalence table (Context met by the target policy or unmappable)', () => {
    const u = parse(read('foreign-nato-unclassified-context.xml'));
    expect(decide(registry, u, national('USA')).allow).toBe(true);
    expect(decide(registry, u, national('JPN')).allow).toBe(true);
    expect(decide(registry, u, national('PHL')).reason).toBe('DENY_RELEASABILITY');
    // only the NATO context: every US audience is in it, no Japanese one is
    const natoOnly = { ...u, categories: u.categories.map((c) => (c.tagSet === 'Context' ? { ...c, values: ['NATO'] } : c)) };
    expect(decide(registry, natoOnly, national('USA')).allow).toBe(true);
    expect(decide(registry, natoOnly, national('JPN')).reason).toBe('DENY_UNMAPPABLE');
    expect(registry.translate(u, 'JPN').categories.map((c) => c.tagSet)).toEqual(['Releasable To']);
    // Only and Additional Sensitivity have no pair: never released through a national policy
    expect(decide(registry, parse(read('foreign-nato-confidential-only.xml')), national('USA')).reason).toBe('DENY_UNMAPPABLE');
  });

  it('says why a label could not be parsed, naming the element and never its content', () => {
    const secret = 'OPERATION-NIGHTJAR-GRID-4711';
    const cases: [string, { reason: string; element?: string }][] = [
      [read('foreign-nato-confidential-only.xml').replace('<CreationDateTime>', `<Remark>${secret}</Remark><CreationDateTime>`), { reason: 'UNSUPPORTED_ELEMENT', element: 'Remark' }],
      [read('foreign-nato-confidential-only.xml').replace('Type="PERMISSIVE"', `Type="${secret}"`), { reason: 'CATEGORY_TYPE', element: 'Category' }],
      [read('foreign-nato-confidential-only.xml').replace('<Classification>CONFIDENTIAL</Classification>', `<Classification>A</Classification><Classification>${secret}</Classification>`), { reason: 'DUPLICATE_ELEMENT', element: 'Classification' }],
      [`<x xmlns="urn:example">${secret}</x>`, { reason: 'FOREIGN_NAMESPACE', element: 'x' }],
      [`<a>${secret}`, { reason: 'NOT_WELL_FORMED' }],
    ];
    for (const [xml, want] of cases) {
      let e: unknown;
      try {
        parseLabelXml(xml, { arrivedVia: 'USA' });
      } catch (err) {
        e = err;
      }
      expect(labelParseReason(e)).toEqual(want);
      expect(String((e as Error).message)).not.toContain(secret);
    }
  });
});
