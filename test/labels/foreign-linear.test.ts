import { describe, expect, it } from 'vitest';
import { loadPolicies } from '../../src/labels/registry.js';
import { importSpif } from '../../src/labels/spif-import.js';
import { LABEL_NAMESPACE, parseLabelXml } from '../../src/labels/xml.js';
import { fill } from '../support/hostile-xml.js';
import { errorCode } from '../support/errors.js';
import { growth } from '../support/work-meter.js';

/** Linear work grows 16× from n to 16n, quadratic 256×; anything under 40× is comfortably linear. */
const LINEAR = 40;
const policies = loadPolicies();

describe('labels written by other systems: parsing stays linear', () => {
  it('many categories and values, no owner category (arrival context), OID resolved', () => {
    const label = (n: number) =>
      `<originatorConfidentialityLabel xmlns="${LABEL_NAMESPACE}"><ConfidentialityInformation>` +
      `<PolicyIdentifier URL="urn:oid:1.3.26.1.3.1">NATO</PolicyIdentifier><Classification>SECRET</Classification>` +
      fill(n / 4, (i) => `<Category TagName="T${i}" Type="PERMISSIVE"><GenericValue>A</GenericValue><GenericValue>B${i}</GenericValue></Category>`) +
      `</ConfidentialityInformation></originatorConfidentialityLabel>`;
    const g = growth((n) => { const x = label(n); return () => void errorCode(() => parseLabelXml(x, { maxBytes: 1 << 23, policies, arrivedVia: 'USA' })); }, 1024);
    expect(g.ratio).toBeLessThan(LINEAR);
  });

  it('a long directoryName OriginatorID with many RDNs and near-miss C= parts', () => {
    const label = (n: number) =>
      `<originatorConfidentialityLabel xmlns="${LABEL_NAMESPACE}"><ConfidentialityInformation><PolicyIdentifier>NATO</PolicyIdentifier>` +
      `<Classification>SECRET</Classification></ConfidentialityInformation>` +
      `<OriginatorID IDType="directoryName">${fill(n, () => 'C = XY, C=ABCD,')}C=GBR</OriginatorID></originatorConfidentialityLabel>`;
    expect(parseLabelXml(label(4), { arrivedVia: 'USA' }).owner).toBe('GBR');
    const g = growth((n) => { const x = label(n); return () => void errorCode(() => parseLabelXml(x, { maxBytes: 1 << 23, arrivedVia: 'USA' })); }, 1024);
    expect(g.ratio).toBeLessThan(LINEAR);
  });

  it('SPIF import: many tag sets and values with excludedClass lists', () => {
    const spif = (n: number) =>
      `<spif:SPIF xmlns:spif="http://www.xmlspif.org/spif"><spif:securityPolicyId name="XX" id="2.25.1"/><spif:securityClassifications>` +
      `<spif:securityClassification name="LOW" lacv="1" hierarchy="1"/><spif:securityClassification name="HIGH" lacv="2" hierarchy="2"/></spif:securityClassifications>` +
      `<spif:securityCategoryTagSets><spif:securityCategoryTagSet name="Releasable To"><spif:securityCategoryTag name="R" tagType="permissive">` +
      fill(Math.min(n, 4000), (i) => `<spif:tagCategory name="V${i}" lacv="${i}"><spif:excludedClass>LOW</spif:excludedClass></spif:tagCategory>`) +
      `</spif:securityCategoryTag></spif:securityCategoryTagSet></spif:securityCategoryTagSets></spif:SPIF>`;
    expect(importSpif(spif(8)).policy.tagSets[0]!.values[0]).toMatchObject({ name: 'V0', minClassification: 'HIGH' });
    const g = growth((n) => { const x = spif(n); return () => void errorCode(() => importSpif(x)); }, 128);
    expect(g.ratio).toBeLessThan(LINEAR);
  });
});
