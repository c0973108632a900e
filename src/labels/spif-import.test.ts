import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tmpDir } from '../../test/support/tmp.js';
import { decide, importSpif, loadPolicies, parseLabelXml, renderMarking } from './index.js';

const spifDir = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'labels', 'spif');
const spif = readFileSync(join(spifDir, 'exercise-coalition.xml'), 'utf8');
const code = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
};

describe('Open XML SPIF import', () => {
  const r = importSpif(spif);

  it('maps classifications by hierarchy with their LACVs, markings and colours', () => {
    expect(r.policy.id).toBe('EXCOAL');
    expect(r.policy.oid).toBe('2.25.311417290741316432114622359052374281913');
    expect(r.policy.classifications.map((c) => [c.name, c.rank, c.abbrev, c.marking.en, c.color])).toEqual([
      ['UNCLASSIFIED', 0, 'EU', 'EXCOAL UNCLASSIFIED', '#007a33'],
      ['RESTRICTED', 1, 'ER', 'EXCOAL RESTRICTED', '#6b8e23'],
      ['CONFIDENTIAL', 2, 'EC', 'EXCOAL CONFIDENTIAL', '#0033a0'],
      // replacePolicy: the phrase stands for the policy name; "crimson" has no RGB in the table: grey, reported
      ['SECRET', 3, 'S', 'HIGH SECRET', '#808080'],
    ]);
    expect((r.policy.classifications[2] as { lacv?: string }).lacv).toBe('3');
  });

  it('maps tag sets with their types, values and the lowest-levels excludedClass rule', () => {
    expect(r.policy.tagSets.map((t) => [t.name, t.type, t.values.length])).toEqual([
      ['Special Handling', 'restrictive', 3],
      ['Releasable To', 'permissive', 4],
      ['Handling Notes', 'informative', 2],
    ]);
    expect(r.policy.tagSets[0]!.values[0]).toMatchObject({ name: 'CARDINAL', minClassification: 'CONFIDENTIAL', marking: { en: 'CARDINAL HANDLING' } });
    expect(r.policy.releasabilityTag).toBe('Releasable To');
    expect(r.policy.marking.relTo.en).toBe('REL TO ');
    expect(r.policy.marking.separator).toBe(', ');
  });

  it('reports what it could not map, naming the SPIF element', () => {
    for (const part of [
      'Legacy: securityCategoryTag tagType "bitstring" not mapped',
      'Special Handling / HERON: excludedClass above its lowest allowed level not modelled',
      'Special Handling / KESTREL: obsolete flag not modelled (kept)',
      'securityClassification SECRET: requiredCategory (oneOrMore) not modelled',
      'securityClassification SECRET: color "crimson" has no RGB value (grey used)',
      'Releasable To: marking suffix " ONLY" not modelled (prefix form used)',
    ]) {
      expect(r.unmapped).toContain(part);
    }
    expect(r.equivalents).toEqual([
      {
        policy: 'PARTNER',
        oid: '2.25.311417290741316432114622359052374281914',
        classifications: [
          { name: 'CONFIDENTIAL', lacv: '12', applied: 'both' },
          { name: 'UNCLASSIFIED', lacv: '10', applied: 'both' },
        ],
      },
    ]);
  });

  it('gives a policy file the registry loads, and labels under it parse, render and decide', () => {
    const t = tmpDir();
    try {
      writeFileSync(join(t.dir, 'EXCOAL.json'), JSON.stringify({ ...r.policy, nations: ['USA'] }));
      const reg = loadPolicies(t.dir);
      const xml =
        '<originatorConfidentialityLabel xmlns="urn:nato:stanag:4774:confidentialitymetadatalabel:1:0"><ConfidentialityInformation>' +
        '<PolicyIdentifier URI="urn:oid:2.25.311417290741316432114622359052374281913">Exercise Coalition</PolicyIdentifier>' +
        '<Classification>CONFIDENTIAL</Classification><Category TagName="Special Handling" Type="RESTRICTIVE"><GenericValue>CARDINAL</GenericValue></Category>' +
        '<Category TagName="Releasable To" Type="PERMISSIVE"><GenericValue>USA</GenericValue><GenericValue>JPN</GenericValue></Category>' +
        '</ConfidentialityInformation></originatorConfidentialityLabel>';
      const label = reg.validate(parseLabelXml(xml, { policies: reg, arrivedVia: 'USA' }));
      expect(label.policy).toBe('EXCOAL');
      expect(renderMarking(reg, label)).toBe('EXCOAL CONFIDENTIAL//CARDINAL HANDLING//REL TO USA, JPN');
      expect(decide(reg, label, { policy: 'EXCOAL', nation: 'JPN', maxClassification: 'SECRET', held: { 'Special Handling': ['CARDINAL'] } }).allow).toBe(true);
      expect(decide(reg, label, { policy: 'EXCOAL', nation: 'JPN', maxClassification: 'SECRET', held: {} }).reason).toBe('DENY_RESTRICTIVE');
      expect(code(() => reg.validate({ ...label, classification: 'RESTRICTED' }))).toBe('LABEL_INVALID'); // CARDINAL below CONFIDENTIAL
    } finally {
      t.cleanup();
    }
  });

  it('refuses what it cannot read, with SPIF_INVALID', () => {
    expect(code(() => importSpif('<!DOCTYPE x [<!ENTITY a "b">]><x/>'))).toBe('SPIF_INVALID');
    expect(code(() => importSpif(spif.replace('http://www.xmlspif.org/spif', 'urn:example')))).toBe('SPIF_INVALID');
    expect(code(() => importSpif(spif.replace('<spif:securityPolicyId name="EXCOAL"', '<spif:securityPolicyId name="9 lives"')))).toBe('SPIF_INVALID');
    expect(importSpif(spif.replace('<spif:securityPolicyId name="EXCOAL"', '<spif:securityPolicyId name="9 lives"'), { id: 'NINE' }).policy.id).toBe('NINE');
    expect(code(() => importSpif(spif.replace('hierarchy="20"', 'hierarchy="10"')))).toBe('SPIF_INVALID');
    expect(code(() => importSpif(spif.replace('enumType="permissive"', 'enumType="restrictive"')))).toBe('SPIF_INVALID');
    expect(code(() => importSpif(`<spif:SPIF xmlns:spif="http://www.xmlspif.org/spif">${' '.repeat(4 * 1024 * 1024)}</spif:SPIF>`))).toBe('SPIF_INVALID');
    expect(code(() => importSpif('<a><b></a>'))).toBe('SPIF_INVALID');
    // found by the fuzzer: the validator accepts this declaration, the parser then threw a plain Error
    expect(code(() => importSpif(spif.replace('version="1.0"', 'version= 1.0"')))).toBe('SPIF_INVALID');
  });
});
