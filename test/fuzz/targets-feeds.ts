import fc from 'fast-check';
import { MultipartAssembler, parseAisSentence } from '../../src/feeds/nmea.js';
import { decodeAis } from '../../src/feeds/ais.js';
import { parseAircraftJson, parseSbsLine } from '../../src/feeds/adsb.js';
import { LineSplitter } from '../../src/feeds/transports.js';
import { corpus, cuts, mutated, split } from './gen.js';
import type { Target } from './targets.js';

/**
 * Fuzz targets for the sensor-feed parsers: bytes from an AIS receiver or dump1090 reach them straight
 * from the network. These parsers never throw (bad input answers a reason a feed counts), so any
 * exception is a crash; the line targets also check that a stream split anywhere (TCP segments, every
 * byte) yields exactly what one piece yields.
 */

/** Lines of a byte stream fed in `pieces`, plus how many lines were refused as too long. */
function lines(pieces: Buffer[]): { lines: string[]; bad: number } {
  const out = { lines: [] as string[], bad: 0 };
  const splitter = new LineSplitter({ line: (l) => out.lines.push(l), bad: () => out.bad++, state: () => undefined });
  for (const p of pieces) splitter.push(p);
  splitter.flush();
  return out;
}

/** What an AIS feed makes of a line stream: per line the reason or the decoded message's kind and MMSI. */
function aisOutcome(input: { lines: string[]; bad: number }): string {
  const assembler = new MultipartAssembler(8);
  const seen: string[] = [`bad:${input.bad}`];
  for (const line of input.lines) {
    const s = parseAisSentence(line);
    if (!s.ok) {
      seen.push(s.reason);
      continue;
    }
    const payload = assembler.push(s.sentence);
    if (!payload) continue;
    const d = decodeAis(payload);
    seen.push(d.ok ? (d.message ? `${d.message.kind}:${d.message.mmsi}` : 'ignored') : d.reason);
  }
  return seen.join(' ');
}

function sbsOutcome(input: { lines: string[]; bad: number }): string {
  return [`bad:${input.bad}`, ...input.lines.map((l) => {
    const r = parseSbsLine(l);
    return r.ok ? (r.report ? `${r.report.icao}` : 'other') : r.reason;
  })].join(' ');
}

/** A stream target: the outcome of the whole input must equal the outcome of the input split at `cs`. */
function lineStream(name: string, seeds: string, outcome: (l: { lines: string[]; bad: number }) => string): Target<[Buffer, number[]]> {
  return {
    name,
    input: fc.tuple(mutated(corpus(seeds)), cuts),
    run: ([body, cs]) => {
      const whole = outcome(lines([body]));
      const pieces = outcome(lines(split(body, cs)));
      if (whole !== pieces) throw new Error(`${name}: outcome differs when split at ${JSON.stringify(cs)}`);
      // the first refusal names the input's category ('' when every line was accepted)
      return /\b(checksum|format|not-ais|short)\b/.exec(whole)?.[1] ?? (whole.startsWith('bad:0') ? '' : 'too-long');
    },
  };
}

/** dump1090's aircraft.json, polled: text that is not JSON is counted by the transport; the rest is parsed. */
const aircraftJson: Target<Buffer> = {
  name: 'aircraft-json',
  input: mutated(corpus('adsb-json')),
  run: (body) => {
    let doc: unknown;
    try {
      doc = JSON.parse(body.toString('utf8'));
    } catch {
      return 'not-json';
    }
    const r = parseAircraftJson(doc);
    return r.errors > 0 ? 'entry-errors' : '';
  },
};

export const FEED_TARGETS = [lineStream('ais-nmea', 'nmea', aisOutcome), lineStream('sbs-1', 'sbs', sbsOutcome), aircraftJson];
