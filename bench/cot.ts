/**
 * CoT codec and framing throughput, each against a baseline measured in the same run:
 * - parse: parseCotXml vs a full fast-xml-parser DOM parse of the same bytes;
 * - serialise: serializeCotXml vs fast-xml-parser's XMLBuilder on the DOM;
 * - proto encode/decode: our XML↔proto conversion vs bare protobufjs encode/decode of the
 *   same TakMessage objects (the conversion's overhead);
 * - framing: XmlEventFramer / ProtoStreamFramer vs the naive Buffer.concat + indexOf loop.
 * Run: npx tsx bench/cot.ts   (numbers vary with machine load; compare ratios)
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import type { CotEvent } from '../src/cot/model.js';
import { TakMessageType, decodeTakMessage, encodeTakMessage } from '../src/cot/proto.js';
import { ProtoStreamFramer, frameProto } from '../src/cot/proto-framer.js';
import { XmlEventFramer } from '../src/cot/xml-framer.js';
import { parseCotXml, serializeCotXml } from '../src/cot/xml.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const fixtureDir = resolve(repoRoot, 'test/fixtures/cot');

function loadCorpus(): Buffer[] {
  const out: Buffer[] = [];
  for (const name of readdirSync(fixtureDir).sort()) {
    const bytes = readFileSync(join(fixtureDir, name));
    try {
      parseCotXml(bytes);
      out.push(bytes);
    } catch {
      // malformed / placeholder fixtures are not throughput material
    }
  }
  return out;
}

/** Runs fn over the corpus repeatedly for ~ms; returns items per second. */
function rate(items: number, fn: () => void, ms = 800): number {
  fn(); // warm-up (JIT, protobufjs codegen)
  fn();
  let rounds = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  do {
    fn();
    rounds++;
    elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  } while (elapsed < ms);
  return (rounds * items) / (elapsed / 1000);
}

/** The receive loop a naive reader would write (docs/tak-protocol.md §2.2): concat per chunk, indexOf from 0. */
function naiveXmlFrames(chunks: Buffer[]): number {
  let buf = Buffer.alloc(0);
  let n = 0;
  for (const chunk of chunks) {
    buf = Buffer.concat([buf, chunk]);
    for (let end; (end = buf.indexOf('</event>')) !== -1; ) {
      const raw = buf.subarray(0, end + 8);
      buf = buf.subarray(end + 8);
      if (raw.indexOf('<event') >= 0) n++;
    }
  }
  return n;
}

function naiveProtoFrames(chunks: Buffer[]): number {
  let buf = Buffer.alloc(0);
  let n = 0;
  for (const chunk of chunks) {
    buf = Buffer.concat([buf, chunk]);
    for (;;) {
      if (buf.length < 2) break;
      let len = 0;
      let mul = 1;
      let i = 1;
      let complete = false;
      while (i < buf.length) {
        const b = buf[i++]!;
        len += (b & 0x7f) * mul;
        mul *= 128;
        if (b < 0x80) {
          complete = true;
          break;
        }
      }
      if (!complete || buf.length < i + len) break;
      buf = buf.subarray(i + len);
      n++;
    }
  }
  return n;
}

function chunked(stream: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let k = 0; k < stream.length; k += size) out.push(stream.subarray(k, k + size));
  return out;
}

interface Row {
  name: string;
  unit: string;
  ours: number;
  baselineName: string;
  baseline: number;
}

/** Events per second: `ours` over its inputs against `baseline` over its own (the same events in the baseline's form). */
function perEventRow<A, B>(name: string, ours: [readonly A[], (a: A) => unknown], baseline: [string, readonly B[], (b: B) => unknown]): Row {
  const [inputs, run] = ours;
  const [baselineName, baselineInputs, baselineRun] = baseline;
  return {
    name,
    unit: 'events/s',
    ours: rate(inputs.length, () => {
      for (const a of inputs) run(a);
    }),
    baselineName,
    baseline: rate(baselineInputs.length, () => {
      for (const b of baselineInputs) baselineRun(b);
    }),
  };
}

/**
 * A stream framer's throughput on `stream` delivered in reads of `readBytes`, against a naive loop on the
 * same reads; a fresh framer each round, as a new connection would get.
 */
function framerRow(name: (mib: number) => string, stream: Buffer, readBytes: number, framer: () => { push(c: Buffer): Iterable<unknown> }, baseline: [string, (chunks: Buffer[]) => unknown]): Row {
  const chunks = chunked(stream, readBytes);
  const mib = stream.length / (1 << 20);
  return {
    name: name(mib),
    unit: 'MiB/s',
    ours: rate(mib, () => {
      const f = framer();
      for (const c of chunks) for (const _ of f.push(c));
    }),
    baselineName: baseline[0],
    baseline: rate(mib, () => baseline[1](chunks)),
  };
}

export function runCotBench(): Row[] {
  const corpus = loadCorpus();
  const strings = corpus.map((b) => b.toString('utf8'));
  const events: CotEvent[] = corpus.map((b) => parseCotXml(b));
  const payloads = events.map((e) => encodeTakMessage(e));
  const messages = payloads.map((p) => TakMessageType.decode(p));
  const dom = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', parseTagValue: false, parseAttributeValue: false });
  const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_' });
  const doms = strings.map((s) => dom.parse(s) as unknown);
  const rows: Row[] = [];

  rows.push(perEventRow(`parse XML (${corpus.length} real events)`, [corpus, parseCotXml], ['fast-xml-parser DOM', corpus, (b) => dom.parse(b.toString('utf8'))]));
  rows.push(perEventRow('serialise XML', [events, serializeCotXml], ['fast-xml-parser XMLBuilder', doms, (d) => builder.build(d)]));
  rows.push(perEventRow('proto encode (CotEvent → bytes)', [events, encodeTakMessage], ['protobufjs encode only', messages, (m) => TakMessageType.encode(m).finish()]));
  rows.push(perEventRow('proto decode (bytes → CotEvent)', [payloads, decodeTakMessage], ['protobufjs decode only', payloads, (p) => TakMessageType.decode(p)]));

  // ~4 MiB XML stream (fixtures with their prologs, repeated), delivered in 16 KiB reads.
  const oneRound = Buffer.concat(corpus.flatMap((b) => [b, Buffer.from('\n')]));
  const xmlStream = Buffer.concat(Array.from({ length: Math.ceil((4 << 20) / oneRound.length) }, () => oneRound));
  const naiveXml: [string, (chunks: Buffer[]) => unknown] = ['naive concat+indexOf', naiveXmlFrames];
  rows.push(framerRow((mib) => `XML framer, ${mib.toFixed(1)} MiB in 16 KiB reads`, xmlStream, 16 * 1024, () => new XmlEventFramer(), naiveXml));

  // One 1 MiB event arriving in 1 KiB reads: the naive loop re-copies and re-scans per read.
  const bigEvent = Buffer.from(
    `<event version="2.0" uid="big" type="b-m-r" how="h-e" time="2026-01-01T00:00:00Z" start="2026-01-01T00:00:00Z" stale="2026-01-01T00:00:00Z"><point lat="0" lon="0"/><detail><remarks>${'x'.repeat((1 << 20) - 400)}</remarks></detail></event>`,
  );
  rows.push(framerRow(() => 'XML framer, one 1 MiB event in 1 KiB reads', bigEvent, 1024, () => new XmlEventFramer({ maxEventBytes: 2 << 20 }), naiveXml));

  const protoRound = Buffer.concat(payloads.map((p) => frameProto(p)));
  const protoStream = Buffer.concat(Array.from({ length: Math.ceil((4 << 20) / protoRound.length) }, () => protoRound));
  rows.push(framerRow((mib) => `proto framer, ${mib.toFixed(1)} MiB in 16 KiB reads`, protoStream, 16 * 1024, () => new ProtoStreamFramer(), ['naive concat+varint', naiveProtoFrames]));
  return rows;
}

function fmt(n: number): string {
  return n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1);
}

export function printCotTable(rows: Row[]): string {
  const lines = [
    '| benchmark | unit | Kizuna | baseline | baseline value | ratio |',
    '|---|---|---:|---|---:|---:|',
    ...rows.map((r) => `| ${r.name} | ${r.unit} | ${fmt(r.ours)} | ${r.baselineName} | ${fmt(r.baseline)} | ${(r.ours / r.baseline).toFixed(2)}× |`),
  ];
  return lines.join('\n');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(`node ${process.version}, ${new Date().toISOString()}`);
  console.log(printCotTable(runCotBench()));
}
