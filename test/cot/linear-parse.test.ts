import { describe, expect, it } from 'vitest';
import { parseCotXml } from '../../src/cot/xml.js';
import { scanXml } from '../../src/cot/xml-scan.js';
import { decodeTakMessage, encodeTakMessage } from '../../src/cot/proto.js';
import { XmlEventFramer } from '../../src/cot/xml-framer.js';
import { ProtoStreamFramer, frameProto } from '../../src/cot/proto-framer.js';
import { LABEL_NAMESPACE, parseLabelXml } from '../../src/labels/xml.js';
import { MultipartFileExtractor } from '../../src/marti/files/multipart.js';
import { errorCode } from '../support/errors.js';
import { growth } from '../support/work-meter.js';
import { SHAPES, attrsOnEvent, attrsOnRemarks, fill } from '../support/hostile-xml.js';

/** Linear work grows 16× from n to 16n, quadratic 256×; anything under 40× is comfortably linear. */
const LINEAR = 40;

describe('CoT XML with 60,000 distinct attributes (one event froze a node for 9-22 s)', () => {
  it('parses them on <remarks> and on <event>, and still refuses a duplicate among them', () => {
    const onRemarks = attrsOnRemarks(60_000);
    expect(parseCotXml(onRemarks).detailXml).toContain('a59999="x"');
    expect(parseCotXml(attrsOnEvent(60_000)).uid).toBe('hostile-1');
    expect(errorCode(() => parseCotXml(onRemarks.replace('a59999=', 'a17=')))).toBe('COT_PARSE');
    expect(errorCode(() => parseCotXml(attrsOnEvent(60_000).replace('a59999=', 'uid=')))).toBe('COT_PARSE');
  });

  for (const [name, make] of [['<remarks>', attrsOnRemarks], ['<event>', attrsOnEvent]] as const) {
    it(`scanner work grows linearly with attributes on ${name} (counted, not timed)`, () => {
      const g = growth((n) => () => void scanXml(make(n), 'document', 3), 2_000);
      expect(g.ratio).toBeLessThan(LINEAR);
      const p = growth((n) => () => void parseCotXml(make(n)), 2_000);
      expect(p.ratio).toBeLessThan(LINEAR);
    });
  }
});

describe('every adversarial shape costs linear counted work in each parser', () => {
  for (const [name, make] of Object.entries(SHAPES)) {
    it(`CoT XML: ${name}`, () => {
      const g = growth((n) => () => void errorCode(() => parseCotXml(make(n), { maxBytes: 1 << 22 })), 4096);
      expect(g.ratio).toBeLessThan(LINEAR);
    });
  }

  it('protobuf decode: an xmlDetail with many attributes', () => {
    const payload = (n: number) => encodeTakMessage(parseCotXml(attrsOnRemarks(n)));
    const g = growth((n) => { const p = payload(n); return () => void decodeTakMessage(p); }, 2_000);
    expect(g.ratio).toBeLessThan(LINEAR);
  });

  it('XML framer and protobuf framer fed one byte at a time', () => {
    const xml = (n: number) => Buffer.from(SHAPES['many siblings']!(n));
    const fx = growth((n) => { const b = xml(n); return () => { const f = new XmlEventFramer({ maxEventBytes: 1 << 22 }); for (let i = 0; i < b.length; i++) for (const _ of f.push(b.subarray(i, i + 1))); }; }, 4096);
    expect(fx.ratio).toBeLessThan(LINEAR);
    const fp = growth((n) => { const b = frameProto(xml(n)); return () => { const f = new ProtoStreamFramer({ maxEventBytes: 1 << 22 }); for (let i = 0; i < b.length; i++) for (const _ of f.push(b.subarray(i, i + 1))); }; }, 4096);
    expect(fp.ratio).toBeLessThan(LINEAR);
  });

  it('4774 label XML: many namespace declarations over many elements', () => {
    const label = (n: number) => `<s:originatorConfidentialityLabel xmlns:s="${LABEL_NAMESPACE}"${fill(n / 2, (i) => ` xmlns:p${i}="u"`)}>${fill(n / 2, () => '<s:X/>')}</s:originatorConfidentialityLabel>`;
    const g = growth((n) => () => void errorCode(() => parseLabelXml(label(n), { maxBytes: 1 << 22 })), 2048);
    expect(g.ratio).toBeLessThan(LINEAR);
  });

  it('multipart: a header block trickled in byte by byte', () => {
    const body = (n: number) => Buffer.from(`--B\r\nContent-Disposition: form-data; name="assetfile"; filename="f"\r\nX-Pad: ${'p'.repeat(n)}\r\n\r\nfile\r\n--B--\r\n`);
    const g = growth((n) => { const b = body(n); return () => { const x = new MultipartFileExtractor('B', ['assetfile']); for (let i = 0; i < b.length; i++) x._transform(b.subarray(i, i + 1), 'buffer' as BufferEncoding, (e) => { if (e) throw e; }); }; }, 512);
    expect(g.ratio).toBeLessThan(LINEAR);
  });

});

describe('regular expressions that backtracked (watchdog: the old code takes minutes, not milliseconds)', () => {
  it('a 200,000-digit latitude is refused at once', () => {
    expect(errorCode(() => parseCotXml(SHAPES['long digit run in lat']!(200_000)))).toBe('COT_INVALID');
  });
  it('a 200,000-digit track speed is ignored at once, in XML and in protobuf', () => {
    const ev = parseCotXml(SHAPES['many siblings']!(0).replace('<detail>', `<detail><track course="1" speed="${'1'.repeat(200_000)}x"/>`));
    expect(ev.speed).toBeUndefined();
    expect(decodeTakMessage(encodeTakMessage(ev))?.detailXml).toContain('<track');
  });
});
