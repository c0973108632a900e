import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { LabelView } from './contract.js';
import type { StoredEvent } from '../store/types.js';
import { trackViewOf } from './track-view.js';

const LV: LabelView = { policy: 'JPN', classification: 'HI', rank: 1, marking: 'HI', markingJa: '秘', portion: '(HI)', color: '#0033a0' };

function ev(xml: string): StoredEvent {
  return { id: randomUUID(), origin: 'USA', uid: 'u', type: 'a-f-G', time: 0, stale: 0, receivedAt: 0, label: { policy: 'JPN', classification: 'HI', categories: [], owner: 'JPN', createdAt: '2026-01-01T00:00:00Z' }, xml };
}

describe('trackViewOf', () => {
  it('maps a CoT event to the wire view with the released label only', () => {
    const xml =
      '<event version="2.0" uid="T-1" type="a-h-S" how="h-e" time="2026-01-01T00:00:00Z" start="2026-01-01T00:00:00Z" stale="2026-01-01T00:05:00Z">' +
      '<point lat="34.5" lon="135.25" hae="9999999" ce="1" le="1"/><detail><contact callsign="BOGEY 1"/><track course="270" speed="7.5"/>' +
      '<remarks>speed &amp; heading &lt;est&gt;</remarks></detail></event>';
    expect(trackViewOf(ev(xml), LV)).toEqual({
      uid: 'T-1', type: 'a-h-S', callsign: 'BOGEY 1', lat: 34.5, lon: 135.25, hae: 0, course: 270, speed: 7.5,
      time: '2026-01-01T00:00:00Z', stale: '2026-01-01T00:05:00Z', how: 'h-e', origin: 'USA', label: LV, remarks: 'speed & heading <est>',
    });
  });

  it('falls back to the uid as callsign, omits unknown course/speed/remarks, keeps JSON free of NaN', () => {
    const xml =
      '<event version="2.0" uid="T-2" type="a-f-G" how="m-g" time="2026-01-01T00:00:00Z" start="2026-01-01T00:00:00Z" stale="2026-01-01T00:05:00Z">' +
      '<point lat="1" lon="2" hae="NaN" ce="1" le="1"/><detail><remarks><![CDATA[a <b> c]]></remarks></detail></event>';
    const v = trackViewOf({ ...ev(xml), callsign: undefined as never }, LV);
    expect(v.callsign).toBe('T-2');
    expect(v.hae).toBe(0);
    expect('course' in v).toBe(false);
    expect(v.remarks).toBe('a <b> c');
    expect(JSON.stringify(v)).not.toContain('null');
  });
});
