import { describe, expect, it } from 'vitest';
import { serializeCotXml } from '../cot/xml.js';
import { decodeBusEvent, encodeBusEvent, isFromProcess, type BusEvent } from './bus-codec.js';

describe('bus codec', () => {
  it('keeps NaN and infinities of CoT points (JSON alone turns them into null)', () => {
    const e = {
      stored: { id: '1', origin: 'JPN', uid: 'u', type: 't', time: 1, stale: 2, receivedAt: 3, label: {} as never, xml: '<event/>' },
      cot: { version: '2.0', uid: 'u', type: 't', how: 'h', time: 'x', start: 'x', stale: 'x', point: { lat: 1, lon: 2, hae: NaN, ce: Infinity, le: -Infinity }, detailXml: '' },
      route: { destCallsigns: [], destUids: [] },
      hops: [],
    } satisfies BusEvent;
    const back = decodeBusEvent(encodeBusEvent(e));
    expect(back.cot.point).toEqual({ lat: 1, lon: 2, hae: NaN, ce: Infinity, le: -Infinity });
    expect(back).toEqual(e);
  });

  it('marks the publishing process so it can skip its own events without decoding them', () => {
    const e = {
      stored: { id: '1', origin: 'JPN', uid: 'u', type: 't', time: 1, stale: 2, receivedAt: 3, label: {} as never, xml: '<event/>' },
      cot: { version: '2.0', uid: 'u', type: 't', how: 'h', time: 'x', start: 'x', stale: 'x', point: { lat: 1, lon: 2, hae: 0, ce: 0, le: 0 }, detailXml: '' },
      route: { destCallsigns: [], destUids: [] },
      hops: [],
    } satisfies BusEvent;
    const bytes = encodeBusEvent(e, 'proc-a');
    expect(isFromProcess(bytes, 'proc-a')).toBe(true);
    expect(isFromProcess(bytes, 'proc-b')).toBe(false);
    expect(isFromProcess(bytes, 'proc')).toBe(false);
    expect(isFromProcess(encodeBusEvent(e), 'proc-a')).toBe(false);
    expect(decodeBusEvent(bytes)).toEqual(e);
  });
});

describe('bus codec labels', () => {
  const label = { policy: 'JPN', classification: 'SECRET', categories: [{ name: 'REL', type: 'permissive', values: ['JPN', 'USA'] }], owner: 'JPN-1', createdAt: 5 } as never;
  const event = (id: string): BusEvent => ({
    stored: { id, origin: 'JPN', uid: 'u', type: 't', time: 1, stale: 2, receivedAt: 3, label, xml: '<event/>' },
    cot: { version: '2.0', uid: 'u', type: 't', how: 'h', time: 'x', start: 'x', stale: 'x', point: { lat: 1, lon: 2, hae: 0, ce: 0, le: 0 }, detailXml: '', label },
    route: { destCallsigns: [], destUids: [] },
    hops: ['x'],
  });

  it('round-trips the label of the stored and the CoT event, and reuses one frozen object for equal labels', () => {
    const a = decodeBusEvent(encodeBusEvent(event('1'), 'p'));
    const b = decodeBusEvent(encodeBusEvent(event('2'), 'p'));
    expect(a).toEqual(event('1'));
    expect(b).toEqual(event('2'));
    expect(b.stored.label).toBe(a.stored.label);
    expect(a.cot.label).toBe(a.stored.label);
    expect(Object.isFrozen(a.stored.label)).toBe(true);
  });

  it('keeps a CoT label that differs from the stored label, and an absent one absent', () => {
    const other = { ...(label as object), classification: 'CONFIDENTIAL' } as never;
    const e = event('3');
    const differs = decodeBusEvent(encodeBusEvent({ ...e, cot: { ...e.cot, label: other } }));
    expect(differs.cot.label).toEqual(other);
    expect(differs.stored.label).toEqual(label);
    const { label: _omit, ...cot } = e.cot;
    const absent = decodeBusEvent(encodeBusEvent({ ...e, cot }));
    expect('label' in absent.cot).toBe(false);
  });

  it('still reads the unlabelled wire form of an older process', () => {
    const e = event('4');
    const old = new TextEncoder().encode('old-proc\n' + JSON.stringify(e));
    expect(decodeBusEvent(old)).toEqual(e);
  });

  it('does not carry the stored XML when it is the serialised CoT event, and rebuilds it identically', () => {
    const e = event('5');
    const xml = serializeCotXml(e.cot);
    const withXml = { ...e, stored: { ...e.stored, xml } };
    const bytes = encodeBusEvent(withXml, 'p');
    expect(new TextDecoder().decode(bytes)).not.toContain('<event');
    expect(decodeBusEvent(bytes).stored.xml).toBe(xml);
    // an XML that is not the serialised event (the fixture's '<event/>') travels as it is
    expect(new TextDecoder().decode(encodeBusEvent(e, 'p'))).toContain('<event/>');
  });

  it('trusts a pipeline event that says its XML is the serialised CoT, and marks a rebuilt one so', () => {
    const e = event('6');
    const xml = serializeCotXml(e.cot);
    const back = decodeBusEvent(encodeBusEvent({ ...e, stored: { ...e.stored, xml }, xmlIsCot: true }, 'p'));
    expect(back.stored.xml).toBe(xml);
    expect(back.xmlIsCot).toBe(true);
    // the flag itself never travels: a receiver learns it only from the rebuilt XML
    expect(new TextDecoder().decode(encodeBusEvent({ ...e, stored: { ...e.stored, xml }, xmlIsCot: true }, 'p'))).not.toContain('xmlIsCot');
    expect(decodeBusEvent(encodeBusEvent(e, 'p')).xmlIsCot).toBeUndefined();
  });
});

