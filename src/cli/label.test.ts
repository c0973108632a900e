import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpDir } from '../../test/support/tmp.js';
import { runImportSpif, runLabelCommand, type LabelSubcommand } from './label.js';

const us = { policy: 'USA', classification: 'SECRET', categories: [{ tagSet: 'Releasable To', type: 'permissive', values: ['USA', 'JPN'] }], owner: 'USA', createdAt: '2026-11-23T09:15:00Z' };
const jp = { policy: 'JPN', classification: 'HI', categories: [], owner: 'JPN', createdAt: '2026-11-23T09:15:00Z' };

async function run(sub: LabelSubcommand, lines: string[], opts = {}): Promise<{ code: number; out: any[] }> {
  const out = new PassThrough();
  const chunks: string[] = [];
  out.on('data', (c) => chunks.push(String(c)));
  const code = await runLabelCommand(sub, opts, Readable.from([lines.join('\n') + '\n']), out);
  return { code, out: chunks.join('').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) };
}

describe('kizuna label (JSON lines)', () => {
  it('decide: one decision per line, exit 0 when every line parsed', async () => {
    const r = await run('decide', [
      JSON.stringify({ label: us, audience: { nation: 'JPN' } }),
      '',
      JSON.stringify({ label: us, audience: { nation: 'PHL' } }),
      JSON.stringify({ label: null, audience: { nation: 'USA' } }),
      JSON.stringify({ label: { ...jp, categories: [{ tagSet: 'Caveat', type: 'restrictive', values: ['KIZUNA-CONTINGENCY'] }], classification: 'GOKUHI' }, audience: { nation: 'USA' }, phases: { JPN: 'contingency' } }),
      JSON.stringify({ label: us, audience: { policy: 'JPN', nation: 'JPN', maxClassification: 'HI', held: {} } }),
    ]);
    expect(r.out).toEqual([
      { allow: true, reason: 'ALLOW' },
      { allow: false, reason: 'DENY_RELEASABILITY' },
      { allow: false, reason: 'DENY_NO_LABEL' },
      { allow: false, reason: 'DENY_RELEASABILITY' }, // JPN owner-only: the phase grant does not widen REL TO
      { allow: false, reason: 'DENY_CLASSIFICATION' },
    ]);
    expect(r.code).toBe(0);
  });

  it('bad lines give an error object and exit 1, other lines still answer', async () => {
    const r = await run('decide', ['{not json', JSON.stringify({ label: { policy: 1 }, audience: { nation: 'JPN' } }), JSON.stringify({ label: us, audience: { nation: 'ZZZ' } }), JSON.stringify({ label: us, audience: { nation: 'JPN' } })]);
    expect(r.out).toEqual([{ error: { code: 'BAD_REQUEST' } }, { error: { code: 'LABEL_PARSE' } }, { error: { code: 'LABEL_UNKNOWN_POLICY' } }, { allow: true, reason: 'ALLOW' }]);
    expect(r.code).toBe(1);
  });

  it('combine, translate and render', async () => {
    const c = await run('combine', [JSON.stringify({ labels: [us, { ...us, classification: 'TOP SECRET', categories: [] }] })]);
    expect(c.out[0].label).toMatchObject({ classification: 'TOP SECRET', categories: [{ tagSet: 'Releasable To', values: ['USA'] }] });
    const t = await run('translate', [JSON.stringify({ label: us }), JSON.stringify({ label: { ...us, categories: [...us.categories, { tagSet: 'Caveat', type: 'restrictive', values: ['ORCON'] }] } })], { to: 'JPN' });
    expect(t.out[0].label).toMatchObject({ policy: 'JPN', classification: 'GOKUHI' });
    expect(t.out[1]).toEqual({ error: { code: 'LABEL_UNMAPPABLE' } });
    expect(t.code).toBe(1);
    const x = await run('render', [JSON.stringify({ label: us }), JSON.stringify({ label: jp, lang: 'en' })], { lang: 'ja' });
    expect(x.out).toEqual([
      { marking: '米国 SECRET（極秘相当）//提供可: USA, JPN', portion: '(S//REL TO USA, JPN)' },
      { marking: 'HI//NOFORN', portion: '(HI//NF)' },
    ]);
    expect(x.code).toBe(0);
  });

  it('accepts 4774 XML in place of JSON', async () => {
    const xml = '<l:originatorConfidentialityLabel xmlns:l="urn:nato:stanag:4774:confidentialitymetadatalabel:1:0"><l:ConfidentialityInformation><l:PolicyIdentifier>USA</l:PolicyIdentifier><l:Classification>SECRET</l:Classification></l:ConfidentialityInformation><l:CreationDateTime>2026-11-23T09:15:00Z</l:CreationDateTime></l:originatorConfidentialityLabel>';
    const r = await run('render', [JSON.stringify({ labelXml: xml }), JSON.stringify({ labelXml: '<!DOCTYPE x><x/>' })]);
    expect(r.out).toEqual([{ marking: 'SECRET//NOFORN', portion: '(S//NF)' }, { error: { code: 'LABEL_FORBIDDEN_XML' } }]);
  });

  it('a broken policy directory is an error, not a default', async () => {
    const r = await run('decide', [JSON.stringify({ label: us, audience: { nation: 'JPN' } })], { policies: '/nonexistent' });
    expect(r).toEqual({ code: 1, out: [{ error: { code: 'POLICY_FILE_INVALID' } }] });
  });
});

describe('kizuna label: labels written by other systems', () => {
  const fixtures = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'labels');
  const natoXml = readFileSync(join(fixtures, 'foreign-nato-unclassified-context.xml'), 'utf8');

  it('renders and decides a NATO-form label owned by the arrival context', async () => {
    const r = await run('render', [JSON.stringify({ labelXml: natoXml, arrivedVia: 'USA' })]);
    expect(r.out).toEqual([
      { marking: 'NATO UNCLASSIFIED//Context: NATO, Releasable//RELEASABLE TO USA, JPN, NATO', portion: '(NU//Context: NATO, Releasable//RELEASABLE TO USA, JPN, NATO)' },
    ]);
    const d = await run('decide', [
      JSON.stringify({ labelXml: natoXml, arrivedVia: 'USA', audience: { nation: 'JPN' } }),
      JSON.stringify({ labelXml: natoXml, arrivedVia: 'USA', audience: { policy: 'NATO', nation: 'DEU', maxClassification: 'SECRET', held: { Context: ['NATO'] } } }),
    ]);
    expect(d.out).toEqual([{ allow: true, reason: 'ALLOW' }, { allow: true, reason: 'ALLOW' }]);
  });

  it('says why a label could not be parsed: reason code and element, never the content', async () => {
    const secret = 'GRID-REF-4711-NIGHTJAR';
    const r = await run('render', [
      JSON.stringify({ labelXml: natoXml }),
      JSON.stringify({ labelXml: natoXml.replace('<Classification>', `<Remark>${secret}</Remark><Classification>`), arrivedVia: 'USA' }),
      JSON.stringify({ labelXml: natoXml.replace('1.3.26.1.3.1', '1.2.3'), arrivedVia: 'USA' }),
    ]);
    expect(r.out).toEqual([
      { error: { code: 'LABEL_PARSE', reason: 'NO_OWNER' } },
      { error: { code: 'LABEL_PARSE', reason: 'UNSUPPORTED_ELEMENT', element: 'Remark' } },
      { error: { code: 'LABEL_PARSE', reason: 'POLICY_OID', element: 'PolicyIdentifier' } },
    ]);
    expect(JSON.stringify(r.out)).not.toContain(secret);
  });
});

describe('kizuna label import-spif', () => {
  const spif = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'labels', 'spif', 'exercise-coalition.xml');
  const capture = () => {
    const s = new PassThrough();
    const chunks: string[] = [];
    s.on('data', (c) => chunks.push(String(c)));
    return { s, text: () => chunks.join('') };
  };

  it('writes the policy file and reports what it could not map', () => {
    const t = tmpDir();
    try {
      const out = capture();
      const err = capture();
      const file = join(t.dir, 'EXCOAL.json');
      expect(runImportSpif(spif, { out: file }, out.s, err.s)).toBe(0);
      expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ id: 'EXCOAL', releasabilityTag: 'Releasable To' });
      expect(err.text()).toContain('not mapped: Legacy: securityCategoryTag tagType "bitstring" not mapped');
      expect(err.text()).toMatch(/EXCOAL: 4 classifications, 3 tag sets, \d+ items not mapped; written to /);
      const toStdout = capture();
      expect(runImportSpif(spif, {}, toStdout.s, capture().s)).toBe(0);
      expect(JSON.parse(toStdout.text()).id).toBe('EXCOAL');
    } finally {
      t.cleanup();
    }
  });

  it('exits 2 with the code and file on a SPIF it cannot read', () => {
    const err = capture();
    expect(runImportSpif(join(import.meta.dirname, 'missing.xml'), {}, capture().s, err.s)).toBe(2);
    expect(err.text()).toMatch(/^SPIF_INVALID: cannot read .*missing\.xml/);
    const err2 = capture();
    expect(runImportSpif(join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'labels', 'good-usa-secret-rel-jpn.xml'), {}, capture().s, err2.s)).toBe(2);
    expect(err2.text()).toContain('SPIF_INVALID');
  });
});
