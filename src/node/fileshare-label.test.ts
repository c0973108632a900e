import { describe, expect, it } from 'vitest';
import { parseCotXml } from '../cot/xml.js';
import { audienceFor, combineLabels, createGuard, loadPolicies, makeLabel, type SecurityLabel } from '../labels/index.js';
import { fileShareHashes, fileShareLabel, type FileLookup } from './fileshare-label.js';
import { readOwnFixture, readSharedFixture } from '../../test/cot/fixtures.js';

const registry = loadPolicies();
const guard = createGuard(registry);
const fixture = (name: string) => parseCotXml(readOwnFixture(`cot/${name}`));
const jpn = (classification: string, relTo = ['JPN']) => makeLabel(registry, { policy: 'JPN', classification, relTo, owner: 'JPN' });
const deps = (records: Record<string, { label: SecurityLabel; creatorUid: string; submittedAt: string }[]>) => ({
  files: { byHash: (h: string) => records[h] ?? [] } satisfies FileLookup,
  allows: (l: SecurityLabel, a: Parameters<typeof guard.decide>[1]) => guard.decide(l, a).allow,
  combine: (ls: SecurityLabel[]) => combineLabels(registry, ls),
});
const TAKAWARE = '6f083c3b6b19aa8233ef8907b2eab241f96987f328c19c6193428d210659a1d2';
const full = audienceFor(registry, { nation: 'JPN' });
const unclas = audienceFor(registry, { nation: 'JPN', maxClassification: 'UNCLASSIFIED' });

describe('file-share hashes (real captures)', () => {
  it('reads sha256 and the senderUrl hash of a TAK Server share, the sha256 of a peer share', () => {
    expect(fileShareHashes(fixture('takaware-takserver-fileshare-b-f-t-r.xml'))).toEqual([TAKAWARE]);
    // peer-to-peer: senderUrl is the phone's own web server, only sha256 names the content
    expect(fileShareHashes(fixture('kizuna-fileshare-peer-b-f-t-r.xml'))).toEqual(['06359d625534cc0d47cefdb4d29ca81cf0f237f8dad87bfc353741bd742bc0ae']);
    expect(fileShareHashes(fixture('nodecot-fileshare-ack-b-f-t-a-nan.xml'))).toEqual([]);
  });

  const shared = readSharedFixture('cot/atak-capture-2016-fileshare-peer-b-f-t-r.xml');
  it.runIf(shared)('extra check: the sha256 of the ATAK 2016 peer share capture in ../shared', () => {
    expect(fileShareHashes(parseCotXml(shared!))).toEqual(['72fbcc94207812f67580f2fb246dc3f0c2b3777249c5ccd6ca4af04a0e8671ed']);
  });

  it('ignores values that are not sha256 hashes', () => {
    const ev = fixture('takaware-takserver-fileshare-b-f-t-r.xml');
    ev.detailXml = ev.detailXml.replaceAll(TAKAWARE, '../../etc/passwd');
    expect(fileShareHashes(ev)).toEqual([]);
  });
});

describe('the label a share carries', () => {
  const ev = fixture('takaware-takserver-fileshare-b-f-t-r.xml');

  it('is undefined for an unknown file (the default label stays)', () => {
    expect(fileShareLabel(deps({}), ev, { audience: full })).toBeUndefined();
  });

  it("is the file's own label, untouched", () => {
    const hi = jpn('HI');
    expect(fileShareLabel(deps({ [TAKAWARE]: [{ label: hi, creatorUid: 'X', submittedAt: '2025-01-01T00:00:00Z' }] }), ev, { audience: full })).toBe(hi);
  });

  it("prefers the sender's own upload, then the newest record the sender may see", () => {
    const recs = [
      { label: jpn('GOKUHI'), creatorUid: 'ANDROID-07b42ddf9728082d', submittedAt: '2025-01-01T00:00:00Z' },
      { label: jpn('HI'), creatorUid: 'OTHER', submittedAt: '2025-03-01T00:00:00Z' },
      { label: jpn('UNCLASSIFIED'), creatorUid: 'OTHER', submittedAt: '2025-02-01T00:00:00Z' },
    ];
    const d = deps({ [TAKAWARE]: recs });
    expect(fileShareLabel(d, ev, { uid: 'ANDROID-07b42ddf9728082d', audience: full })!.classification).toBe('GOKUHI');
    expect(fileShareLabel(d, ev, { uid: 'SOMEONE', audience: full })!.classification).toBe('HI');
    expect(fileShareLabel(d, ev, { uid: 'ANDROID-07b42ddf9728082d', audience: unclas })!.classification).toBe('UNCLASSIFIED');
  });

  it('is the high-water mark of all records when the sender may see none (ingest then refuses it)', () => {
    const d = deps({ [TAKAWARE]: [{ label: jpn('HI'), creatorUid: 'A', submittedAt: '1' }, { label: jpn('GOKUHI'), creatorUid: 'B', submittedAt: '2' }] });
    const l = fileShareLabel(d, ev, { audience: unclas })!;
    expect(l.classification).toBe('GOKUHI');
    expect(guard.decide(l, unclas).allow).toBe(false);
  });

  it('combines with an explicit label: never lower than the file, kept when higher', () => {
    const d = deps({ [TAKAWARE]: [{ label: jpn('HI', ['JPN', 'USA']), creatorUid: 'A', submittedAt: '1' }] });
    expect(fileShareLabel(d, ev, { audience: full }, jpn('UNCLASSIFIED', ['JPN', 'USA']))!.classification).toBe('HI');
    expect(fileShareLabel(d, ev, { audience: full }, jpn('KIMITSU', ['JPN', 'USA']))!.classification).toBe('KIMITSU');
    // releasability narrows: an explicit JPN-only label keeps the share from USA even though the file is REL USA
    const narrowed = fileShareLabel(d, ev, { audience: full }, jpn('UNCLASSIFIED', ['JPN']))!;
    expect(guard.decide(narrowed, audienceFor(registry, { nation: 'USA' })).allow).toBe(false);
  });
});
