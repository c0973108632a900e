import { describe, expect, it } from 'vitest';
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
