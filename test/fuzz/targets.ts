import fc from 'fast-check';
import { XMLValidator } from 'fast-xml-parser';
import { parseCotXml } from '../../src/cot/xml.js';
import { scanXml } from '../../src/cot/xml-scan.js';
import { decodeTakMessage } from '../../src/cot/proto.js';
import { XmlEventFramer } from '../../src/cot/xml-framer.js';
import { ProtoStreamFramer, frameProto } from '../../src/cot/proto-framer.js';
import { parseLabelXml } from '../../src/labels/xml.js';
import { loadPolicies } from '../../src/labels/registry.js';
import { importSpif } from '../../src/labels/spif-import.js';
import { MultipartFileExtractor } from '../../src/marti/files/multipart.js';
import { isKizunaError } from '../../src/util/errors.js';
import { SHAPES } from '../support/hostile-xml.js';
import { FEED_TARGETS } from './targets-feeds.js';
import { JSON_TARGETS } from './targets-json.js';
import { corpus, cotFromGrammar, cuts, mutated, shaped, split, xmlDocument } from './gen.js';

/**
 * One fuzz target per parser. `run` returns the refusal code ('' when accepted) and lets anything
 * that is not a KizunaError escape: that is a crash. Stream targets also check that feeding the
 * input in pieces gives exactly what one piece gives (a difference throws: also a crash).
 * `differential` names, for an input, a disagreement category with fast-xml-parser (or undefined).
 */
export interface Target<T> {
  name: string;
  input: fc.Arbitrary<T>;
  run(input: T): string;
  differential?(input: T): string | undefined;
}

function refusal(f: () => unknown): string {
  try {
    f();
    return '';
  } catch (e) {
    if (isKizunaError(e) && e.code) return e.code;
    throw e;
  }
}

const utf8 = (b: Buffer): string => b.toString('utf8');
const cotSeeds = () => corpus('cot');

/** Why the scanner and fast-xml-parser's validator disagree on `s` (undefined when they agree). */
export function scanVsValidator(s: string): string | undefined {
  let ours: string;
  try {
    scanXml(s, 'document', 3);
    ours = 'accept';
  } catch (e) {
    if (!isKizunaError(e)) throw e;
    // the reason without its offset: "duplicate attribute at offset 12" → "duplicate attribute"
    // the reason without the code's standard text or the offset: "…parsed: bad reference at offset 12" → "bad reference"
    const reason = e.message.slice(e.message.lastIndexOf(': ') + 1).trim();
    ours = `${e.code}: ${reason.replace(/ at offset \d+$/, '').replace(/<[^>]*>/, '<…>')}`;
  }
  const v = XMLValidator.validate(s);
  const theirs = v === true ? 'accept' : `${v.err.code}: ${v.err.msg.replace(/'[^']*'/g, "'…'").replace(/\d+/g, 'N')}`;
  if ((ours === 'accept') === (theirs === 'accept')) return undefined;
  return ours === 'accept' ? `scanner accepts, validator refuses (${theirs})` : `scanner refuses (${ours}), validator accepts`;
}

const cotXml: Target<string> = {
  name: 'cot-xml',
  input: fc.oneof(
    { weight: 4, arbitrary: mutated(cotSeeds()).map(utf8) },
    { weight: 3, arbitrary: xmlDocument },
    { weight: 3, arbitrary: cotFromGrammar },
    { weight: 1, arbitrary: shaped(SHAPES) },
  ),
  run: (s) => refusal(() => parseCotXml(Buffer.from(s, 'utf8'), { maxBytes: 1 << 22 })),
  differential: scanVsValidator,
};

function frames(framer: { push(c: Buffer): Iterable<Buffer> }, pieces: Buffer[]): string {
  const out: string[] = [];
  const code = refusal(() => {
    for (const p of pieces) for (const f of framer.push(p)) out.push(f.toString('base64'));
  });
  return `${out.join(',')}|${code}`;
}

function sameInPieces(make: () => { push(c: Buffer): Iterable<Buffer> }, bytes: Buffer, cs: number[]): string {
  const whole = frames(make(), [bytes]);
  const pieces = frames(make(), split(bytes, cs));
  if (whole !== pieces) throw new Error(`framing differs when split at ${JSON.stringify(cs)}`);
  return whole.slice(whole.lastIndexOf('|') + 1);
}

const xmlStream = fc.array(mutated(cotSeeds()), { minLength: 1, maxLength: 3 }).map((evs) => Buffer.concat(evs.flatMap((e) => [e, Buffer.from('\n')])));

const xmlFramer: Target<[Buffer, number[], number]> = {
  name: 'xml-framer',
  input: fc.tuple(
    fc.oneof(xmlStream, fc.string({ maxLength: 64 }).map((s) => Buffer.from(`<auth>${s}</auth><?x?><!-- -->`)), shaped(SHAPES).map((s) => Buffer.from(s))),
    cuts,
    fc.constantFrom(1 << 20, 4096, 300),
  ),
  run: ([bytes, cs, max]) => sameInPieces(() => new XmlEventFramer({ maxEventBytes: max, onAuth: () => undefined }), bytes, cs),
};

const protoSeeds = () => corpus('proto');

const protoStream = fc
  .tuple(fc.array(mutated(protoSeeds()), { minLength: 1, maxLength: 3 }), fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { maxLength: 3 }))
  .map(([ps, flips]) => {
    const b = Buffer.concat(ps.map((p) => frameProto(p)));
    for (const [at, v] of flips) if (b.length > 0) b[at % b.length] = v;
    return b;
  });

const protoFramer: Target<[Buffer, number[], number]> = {
  name: 'proto-framer',
  input: fc.tuple(fc.oneof(protoStream, fc.uint8Array({ maxLength: 64 }).map((u) => Buffer.from(u))), cuts, fc.constantFrom(1 << 20, 64)),
  run: ([bytes, cs, max]) => sameInPieces(() => new ProtoStreamFramer({ maxEventBytes: max }), bytes, cs),
};

const protoDecode: Target<Buffer> = {
  name: 'proto-decode',
  input: fc.oneof({ weight: 4, arbitrary: mutated(protoSeeds()) }, { weight: 1, arbitrary: fc.uint8Array({ maxLength: 256 }).map((u) => Buffer.from(u)) }),
  run: (b) => refusal(() => decodeTakMessage(b)),
};

const labelXml: Target<string> = {
  name: 'label-xml',
  input: fc.oneof({ weight: 4, arbitrary: mutated(corpus('label')).map(utf8) }, { weight: 1, arbitrary: xmlDocument }),
  run: (s) => refusal(() => parseLabelXml(s)),
};

const policies = loadPolicies();

/** Labels as other systems write them: no owner category (arrival context), OIDs resolved against the policies. */
const labelXmlForeign: Target<string> = {
  name: 'label-xml-foreign',
  input: fc.oneof({ weight: 4, arbitrary: mutated(corpus('label')).map(utf8) }, { weight: 1, arbitrary: xmlDocument }),
  run: (s) => refusal(() => policies.validate(parseLabelXml(s, { policies, arrivedVia: 'USA', receivedAt: '2026-12-01T00:00:00Z' }))),
};

/** Open XML SPIF import (operator input, not a hot path, still only coded refusals). */
const spifImport: Target<string> = {
  name: 'spif-import',
  input: fc.oneof({ weight: 4, arbitrary: mutated(corpus('spif')).map(utf8) }, { weight: 1, arbitrary: xmlDocument }),
  run: (s) => refusal(() => importSpif(s)),
};

function extract(pieces: Buffer[]): string {
  const x = new MultipartFileExtractor('BND', ['assetfile'], () => undefined);
  const out: Buffer[] = [];
  let err: unknown;
  const cb = (e?: Error | null): void => {
    err ??= e ?? undefined;
  };
  for (const p of pieces) if (err === undefined) x._transform(p, 'buffer' as BufferEncoding, cb);
  if (err === undefined) x._flush(cb);
  if (err !== undefined && !(isKizunaError(err) && err.code)) throw err;
  // never switched to flowing mode: everything pushed is still buffered, read it out
  let c: Buffer | null;
  while ((c = x.read() as Buffer | null) !== null) out.push(c);
  return `${Buffer.concat(out).toString('base64')}|${err === undefined ? '' : (err as { code: string }).code}`;
}

const multipart: Target<[Buffer, number[]]> = {
  name: 'multipart',
  input: fc.tuple(mutated(corpus('multipart')), cuts),
  run: ([body, cs]) => {
    const whole = extract([body]);
    const pieces = extract(split(body, cs));
    if (whole !== pieces) throw new Error(`multipart result differs when split at ${JSON.stringify(cs)}`);
    return whole.slice(whole.lastIndexOf('|') + 1);
  },
};

export const TARGETS: Target<never>[] = [cotXml, xmlFramer, protoFramer, protoDecode, labelXml, labelXmlForeign, spifImport, multipart, ...FEED_TARGETS, ...JSON_TARGETS] as unknown as Target<never>[];
