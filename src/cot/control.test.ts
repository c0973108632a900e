import { describe, expect, it } from 'vitest';
import { describeEachCorpus, fixtureNamed, withRealTimes, type CotCorpus } from '../../test/cot/fixtures.js';
import { CONTROL_TYPES, parseTakRequest, pong, takControlOffer, takControlResponse } from './control.js';
import { decodeTakMessage, encodeTakMessage } from './proto.js';
import { parseCotXml, serializeCotXml } from './xml.js';

const NOW = Date.UTC(2026, 10, 23, 9, 0, 0);
const fixture = (corpus: CotCorpus, name: string): string => withRealTimes(fixtureNamed(corpus, name).bytes.toString('utf8'));

describeEachCorpus('control messages against the negotiation fixtures', (corpus) => {
  it('parseTakRequest reads the requested version from the spec request and rejects non-requests', () => {
    expect(parseTakRequest(parseCotXml(fixture(corpus, corpus.takpRequest)))).toBe(1);
    expect(parseTakRequest(parseCotXml(fixture(corpus, corpus.takpOffer)))).toBeUndefined();
    const q = parseCotXml(fixture(corpus, corpus.takpRequest));
    expect(parseTakRequest({ ...q, detailXml: '<TakControl><TakRequest version="2"/></TakControl>' })).toBe(2);
    expect(parseTakRequest({ ...q, detailXml: '<TakControl><TakRequest version="one"/></TakControl>' })).toBeUndefined();
    expect(parseTakRequest({ ...q, detailXml: '<TakRequest version="1"/>' })).toBeUndefined();
  });

  it('takControlResponse: same shape as the spec response', () => {
    const ok = parseCotXml(serializeCotXml(takControlResponse(true, { uid: 'protouid', nowMs: NOW })));
    const spec = parseCotXml(fixture(corpus, corpus.takpResponse));
    expect(ok.type).toBe(spec.type);
    expect(ok.how).toBe(spec.how);
    expect(ok.point).toEqual(spec.point);
    expect(ok.detailXml).toBe('<TakControl><TakResponse status="true"/></TakControl>');
    expect(takControlResponse(false).detailXml).toContain('status="false"');
  });
});

describe('control messages', () => {
  it('takControlOffer: t-x-takp-v offering version 1, uid kept for the negotiation, 60 s stale', () => {
    const offer = parseCotXml(serializeCotXml(takControlOffer({ uid: 'protouid', nowMs: NOW, serverVersion: 'kizuna 0.1' })));
    expect(offer).toMatchObject({ type: CONTROL_TYPES.TAKP_OFFER, uid: 'protouid', how: 'm-g', time: '2026-11-23T09:00:00.000Z', stale: '2026-11-23T09:01:00.000Z' });
    expect(offer.point).toEqual({ lat: 0, lon: 0, hae: 0, ce: 999999, le: 999999 });
    expect(offer.detailXml).toBe('<TakControl><TakProtocolSupport version="1"/><TakServerVersionInfo serverVersion="kizuna 0.1" apiVersion="3"/></TakControl>');
  });

  it('pong: t-x-c-t-r like TAK Server, no detail, 20 s stale, encodable in both wire formats', () => {
    const p = pong('takPong', NOW);
    expect(serializeCotXml(p)).toBe(
      '<event version="2.0" uid="takPong" type="t-x-c-t-r" how="h-g-i-g-o" time="2026-11-23T09:00:00.000Z" start="2026-11-23T09:00:00.000Z" stale="2026-11-23T09:00:20.000Z"><point lat="0" lon="0" hae="0" ce="9999999" le="9999999"/></event>',
    );
    expect(decodeTakMessage(encodeTakMessage(p))).toEqual(p);
  });
});
