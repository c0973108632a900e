import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { errorCode } from '../../test/support/errors.js';
import { isKizunaError } from '../util/errors.js';
import { describeEachCorpus, fixtureNamed, splitAt } from '../../test/cot/fixtures.js';
import { XmlEventFramer } from './xml-framer.js';
import { frameProto } from './proto-framer.js';
import { parseCotXml } from './xml.js';

const T = '2026-11-23T09:00:00.000Z';
const event = (uid: string, callsign = 'A'): string =>
  `<event version="2.0" uid="${uid}" type="a-f-G" how="m-g" time="${T}" start="${T}" stale="${T}"><point lat="1" lon="2" hae="0" ce="1" le="1"/><detail><contact callsign="${callsign}"/></detail></event>`;

function frames(framer: XmlEventFramer, chunks: Buffer[]): string[] {
  const out: string[] = [];
  for (const c of chunks) for (const f of framer.push(c)) out.push(f.toString('utf8'));
  return out;
}

/** The event element of a fixture (what the framer must emit for it). */
const eventPart = (text: string): string => text.slice(text.indexOf('<event'), text.lastIndexOf('</event>') + 8);

describeEachCorpus('XmlEventFramer over a CoT corpus', (corpus) => {
  const fixtures = corpus.fixtures;
  // Every fixture back to back, each with its own prolog/PI/whitespace as captured.
  const stream = Buffer.concat(fixtures.map((f) => Buffer.concat([f.bytes, Buffer.from('\n')])));
  const expected = frames(new XmlEventFramer(), [stream]);

  it('one chunk holding every fixture gives one frame each, exactly the <event> element', () => {
    expect(expected).toHaveLength(fixtures.length);
    fixtures.forEach((f, k) => {
      // the MALFORMED file's broken end tag is cut by resync at the next <event
      if (f.name === corpus.splitEndTag) expect(expected[k]!.startsWith('<event')).toBe(true);
      else expect(expected[k]).toBe(eventPart(f.bytes.toString('utf8')));
    });
  });

  it.each(fixtures.map((f) => [f.name, f] as const))('%s followed by another event: every split offset gives the same frames', (_n, f) => {
    const one = Buffer.concat([f.bytes, Buffer.from('\n'), Buffer.from(event('next'))]);
    const want = frames(new XmlEventFramer(), [one]);
    expect(want).toHaveLength(2);
    expect(want[1]).toBe(event('next'));
    for (let at = 1; at < one.length; at++) {
      const got = frames(new XmlEventFramer(), [one.subarray(0, at), one.subarray(at)]);
      if (got.length !== 2 || got[0] !== want[0] || got[1] !== want[1]) throw new Error(`split at ${at} changed the frames`);
    }
  });

  it('byte-at-a-time feeding gives the same frames', () => {
    const framer = new XmlEventFramer();
    const chunks = [...stream].map((b) => Buffer.from([b]));
    expect(frames(framer, chunks)).toEqual(expected);
    expect(framer.isEmpty).toBe(true);
  });

  it('the MALFORMED capture (end tag written "<\\n/event>") neither hangs nor swallows the next event', () => {
    const bad = fixtureNamed(corpus, corpus.splitEndTag).bytes;
    const got = frames(new XmlEventFramer(), [Buffer.concat([bad, Buffer.from(event('next'))])]);
    expect(got).toHaveLength(2);
    expect(errorCode(() => parseCotXml(got[0]!))).toBe('COT_PARSE');
    expect(parseCotXml(got[1]!).uid).toBe('next');
  });
});

describe('XmlEventFramer', () => {
  it('a Japanese callsign split mid-character survives (bytes are decoded once, after framing)', () => {
    const bytes = Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n${event('jp', '護衛艦いずも')}`);
    const mid = bytes.indexOf(Buffer.from('護')) + 1; // inside the 3-byte sequence
    for (const at of [mid, mid + 1, mid + 3, mid + 4]) {
      const got = frames(new XmlEventFramer(), [bytes.subarray(0, at), bytes.subarray(at)]);
      expect(parseCotXml(Buffer.from(got[0]!)).callsign).toBe('護衛艦いずも');
    }
  });

  it('skips prolog per event, BOM, comments, processing instructions and whitespace', () => {
    const s = `\uFEFF<?xml version="1.0"?>\n${event('a')}\r\n\t <!-- c --><?xml version='1.0' standalone='yes'?>${event('b')}<?persistorRestore True?>${event('c')}\n\n`;
    expect(frames(new XmlEventFramer(), [Buffer.from(s)]).map((f) => parseCotXml(f).uid)).toEqual(['a', 'b', 'c']);
  });

  it('hands <auth> preambles to onAuth and never emits them as events', () => {
    const auths: string[] = [];
    const framer = new XmlEventFramer({ onAuth: (raw) => auths.push(raw.toString()) });
    const auth = '<auth><cot username="u" password="p" uid="ANDROID-1"/></auth>';
    expect(frames(framer, [Buffer.from(auth + event('a').slice(0, 30)), Buffer.from(event('a').slice(30))])).toEqual([event('a')]);
    expect(auths).toEqual([auth]);
  });

  it('an event above maxEventBytes ⇒ COT_TOO_LARGE, with or without its end; framer stays failed', () => {
    const big = event('big', 'x'.repeat(500));
    const withEnd = new XmlEventFramer({ maxEventBytes: 400 });
    expect(errorCode(() => frames(withEnd, [Buffer.from(big)]))).toBe('COT_TOO_LARGE');
    expect(errorCode(() => frames(withEnd, [Buffer.from(event('ok'))]))).toBe('COT_TOO_LARGE');

    const endless = new XmlEventFramer({ maxEventBytes: 1000 });
    const chunk = Buffer.from(`<event uid="x">${'y'.repeat(300)}`);
    expect(frames(endless, [chunk, Buffer.from('z'.repeat(300))])).toEqual([]);
    expect(errorCode(() => frames(endless, [Buffer.from('z'.repeat(500))]))).toBe('COT_TOO_LARGE');

    const endlessPi = new XmlEventFramer({ maxEventBytes: 100 });
    expect(errorCode(() => frames(endlessPi, [Buffer.from(`<?xml ${'v'.repeat(200)}`)]))).toBe('COT_TOO_LARGE');
  });

  it('the default limit is 1 MiB', () => {
    const framer = new XmlEventFramer();
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    expect(frames(framer, [Buffer.from('<event ')])).toEqual([]);
    let code: string | undefined;
    for (let k = 0; k < 17 && !code; k++) code = errorCode(() => frames(framer, [chunk]));
    expect(code).toBe('COT_TOO_LARGE');
  });

  it('DOCTYPE between events ⇒ COT_FORBIDDEN_XML', () => {
    const s = `${event('a')}<!DOCTYPE event [<!ENTITY x "y">]>${event('b')}`;
    const framer = new XmlEventFramer();
    const got: string[] = [];
    expect(
      errorCode(() => {
        for (const f of framer.push(Buffer.from(s))) got.push(f.toString());
      }),
    ).toBe('COT_FORBIDDEN_XML');
    expect(got).toEqual([event('a')]);
  });

  it.each([
    ['text', 'hello'],
    ['a protobuf header', frameProto(Buffer.from([0x12, 0x00])).toString('latin1')],
    ['an unknown element', '<foo/>'],
    ['a stray end tag', '</event>'],
  ])('%s between events ⇒ FRAME_INVALID', (_n, garbage) => {
    const framer = new XmlEventFramer();
    expect(errorCode(() => frames(framer, [Buffer.concat([Buffer.from(event('a')), Buffer.from(garbage, 'latin1')])]))).toBe('FRAME_INVALID');
  });

  it('waits on partial prefixes instead of misclassifying them', () => {
    const framer = new XmlEventFramer();
    expect(frames(framer, [Buffer.from('<')])).toEqual([]);
    expect(frames(framer, [Buffer.from('ev')])).toEqual([]);
    expect(frames(framer, [Buffer.from('ent')])).toEqual([]);
    expect(frames(framer, [Buffer.from(event('a').slice(6))])).toEqual([event('a')]);
    expect(frames(framer, [Buffer.from('\xef', 'latin1')])).toEqual([]); // partial BOM
  });

  it('protobuf switch: stop after t-x-takp-q and take the remainder for the proto framer', () => {
    const takpQ = event('q').replace('type="a-f-G"', 'type="t-x-takp-q"');
    const proto = frameProto(Buffer.from([0x12, 0x02, 0x0a, 0x00]));
    const framer = new XmlEventFramer();
    const seen: string[] = [];
    for (const f of framer.push(Buffer.concat([Buffer.from(event('before') + takpQ), proto]))) {
      const e = parseCotXml(f);
      seen.push(e.uid);
      if (e.type === 't-x-takp-q') break; // the caller switches here
    }
    expect(seen).toEqual(['before', 'q']);
    expect(framer.takeRemainder().equals(proto)).toBe(true);
    expect(framer.isEmpty).toBe(true);
  });

  it('emitted frames stay intact after later pushes (no aliasing of reused memory)', () => {
    const framer = new XmlEventFramer();
    const a = event('a');
    const kept: Buffer[] = [];
    for (let k = 0; k < 50; k++) {
      const s = Buffer.from(a + a.slice(0, 40));
      for (const f of framer.push(s)) kept.push(f);
      for (const f of framer.push(Buffer.from(a.slice(40)))) kept.push(f);
    }
    expect(kept).toHaveLength(100);
    for (const f of kept) expect(f.toString()).toBe(a);
  });

  it('property: random chunking of random event sequences yields the same events', () => {
    const callsign = fc.oneof(fc.constantFrom('護衛艦いずも', 'JENNY', 'Ω-7', '🚢 CVN'), fc.string({ unit: 'grapheme', maxLength: 12 }).filter((s) => !/[\u0000-\u001f\ufffe\uffff]/.test(s)));
    const item = fc.record({
      callsign,
      prolog: fc.constantFrom('', '<?xml version="1.0" encoding="UTF-8"?>\n', "<?xml version='1.0' standalone='yes'?>"),
      trailing: fc.constantFrom('', '\n', '\r\n', '  '),
    });
    fc.assert(
      fc.property(fc.array(item, { minLength: 1, maxLength: 8 }), fc.array(fc.nat(), { maxLength: 12 }), (items, cuts) => {
        const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
        const bytes = Buffer.from(items.map((it, k) => it.prolog + event(`e${k}`, esc(it.callsign)) + it.trailing).join(''));
        const chunks = splitAt(bytes, cuts);
        const framer = new XmlEventFramer();
        const got: string[] = [];
        for (const c of chunks) for (const f of framer.push(c)) got.push(f.toString('utf8'));
        expect(got).toHaveLength(items.length);
        got.forEach((g, k) => {
          const e = parseCotXml(g);
          expect(e.uid).toBe(`e${k}`);
        });
        expect(framer.isEmpty).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

describe('XML framer size limit with a broken event (found by fuzzing)', () => {
  const frames = (max: number, pieces: Buffer[]): string[] => {
    const f = new XmlEventFramer({ maxEventBytes: max });
    const out: string[] = [];
    try {
      for (const p of pieces) for (const fr of f.push(p)) out.push(fr.toString('utf8'));
    } catch (e) {
      if (!isKizunaError(e)) throw e;
      out.push(`error ${e.code}`);
    }
    return out;
  };
  it('cuts a broken event before a new <event the same way whether the stream comes whole or byte by byte', () => {
    const broken = '<event version="2.0" uid="x" ' + 'a'.repeat(260);
    const next = '\n<event version="2.0" uid="y" type="t-x-c-t" time="t" start="t" stale="t"><point lat="0" lon="0"/></event>';
    const limit = broken.length + 2; // the broken event fits; it plus the start of the next does not
    const bytes = Buffer.from(broken + next);
    const whole = frames(limit, [bytes]);
    expect(whole[0]).toBe(broken + '\n');
    expect(frames(limit, Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1)))).toEqual(whole);
  });
});
