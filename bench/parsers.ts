/**
 * Parser cost under adversarial input, each row against baselines measured in the same run:
 * - vs typical: an adversarial input of a size against a typical input of the same size for the same
 *   parser (goal ≤ 3×);
 * - growth: the same shape at 64 KiB and at 1 MiB (linear ≈ 16×; quadratic would be ≈ 256×).
 * The 4774 label parser refuses labels above 64 KiB, so its rows use 4 KiB and 64 KiB (growth ≈ 16×).
 * `--old-scanner`: also times the CoT scanner as it was at af13244 (git show), for before/after.
 * Run: npx tsx bench/parsers.ts [--old-scanner] [--only cot,proto,framers,labels,multipart]
 * (2 shared cores: compare ratios, not absolutes)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseCotXml } from '../src/cot/xml.js';
import { scanXml } from '../src/cot/xml-scan.js';
import { decodeTakMessage, encodeTakMessage } from '../src/cot/proto.js';
import { XmlEventFramer } from '../src/cot/xml-framer.js';
import { ProtoStreamFramer, frameProto } from '../src/cot/proto-framer.js';
import { LABEL_NAMESPACE, parseLabelXml } from '../src/labels/xml.js';
import { MultipartFileExtractor } from '../src/marti/files/multipart.js';
import { SHAPES, attrsOnEvent, attrsOnRemarks, fill, typical } from '../test/support/hostile-xml.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** CPU ms of this process: on shared cores other processes' load does not count against a row. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/**
 * Least CPU time of `fn` over several runs (at least 3, up to `maxRuns` or ~300 ms of CPU), after one
 * warm-up; the least is the estimate least disturbed by GC and cache pressure from other processes.
 * `once`: a single timed run (the old quadratic scanner takes minutes per MiB).
 */
function ms(fn: () => void, maxRuns = 15, once = false): number {
  if (once) {
    const t0 = cpuMs();
    fn();
    return cpuMs() - t0;
  }
  fn();
  let best = Infinity;
  let spent = 0;
  for (let k = 0; k < 3 || (k < maxRuns && spent < 300); k++) {
    const t0 = cpuMs();
    fn();
    const t = cpuMs() - t0;
    spent += t;
    best = Math.min(best, t);
  }
  return best;
}

const swallow = (f: () => unknown) => (): void => {
  try {
    f();
  } catch (e) {
    if (!(e instanceof Error && 'code' in e)) throw e;
  }
};

interface Row {
  parser: string;
  shape: string;
  small: number;
  large: number;
}
const rows: Row[] = [];

/**
 * One row: `make(bytes)` gives the thing `run` consumes (built outside the timing). The first row of
 * each parser is its typical input: the baseline the others are divided by.
 */
function row<T>(parser: string, shape: string, make: (bytes: number) => T, run: (x: T) => void, sizes = [64 * KiB, MiB], once = false): void {
  const small = make(sizes[0]!);
  const large = make(sizes[1]!);
  rows.push({ parser, shape, small: ms(() => run(small), 15, once), large: ms(() => run(large), 15, once) });
}

function cot(): void {
  const parse = (s: string): void => swallow(() => parseCotXml(s, { maxBytes: 4 * MiB }))();
  row('parseCotXml', 'typical (baseline)', typical, parse);
  for (const [name, make] of Object.entries(SHAPES)) row('parseCotXml', name, make, parse);
}

function protoDecode(): void {
  const payload = (xml: string): Uint8Array => encodeTakMessage(parseCotXml(xml, { maxBytes: 4 * MiB }));
  const decode = (p: Uint8Array): void => swallow(() => decodeTakMessage(p, { maxBytes: 4 * MiB }))();
  row('decodeTakMessage', 'typical (baseline)', (b) => payload(typical(b)), decode);
  for (const name of ['attrs on remarks', 'many siblings', 'deep nesting (255)', 'many references', 'many namespace declarations']) {
    row('decodeTakMessage', name, (b) => payload(SHAPES[name]!(b)), decode);
  }
}

function pieces(b: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < b.length; i += size) out.push(b.subarray(i, i + size));
  return out;
}

function framers(): void {
  const xmlFrames = (chunks: Buffer[]): void => {
    const f = new XmlEventFramer({ maxEventBytes: 4 * MiB });
    for (const c of chunks) for (const _ of f.push(c));
  };
  const ev = (b: number) => Buffer.from(typical(b));
  row('XmlEventFramer', 'typical, 64 KiB chunks (baseline)', (b) => pieces(ev(b), 64 * KiB), xmlFrames);
  row('XmlEventFramer', 'typical, 1 byte at a time', (b) => pieces(ev(b), 1), xmlFrames);
  row('XmlEventFramer', '"<eventX" look-alikes, 1 KiB chunks', (b) => pieces(Buffer.from(SHAPES['many siblings']!(0).replace('<detail>', `<detail>${fill(b, () => '<eventX/>')}`)), KiB), xmlFrames);
  row('XmlEventFramer', '"</even" partials, 1 KiB chunks', (b) => pieces(Buffer.from(SHAPES['many siblings']!(0).replace('<detail>', `<detail>${fill(b, () => '<![CDATA[</even]]>')}`)), KiB), xmlFrames);
  row('XmlEventFramer', 'many small events, 1 KiB chunks', (b) => pieces(Buffer.from(fill(b, () => typical(0))), KiB), xmlFrames);

  const protoFrames = (chunks: Buffer[]): void => {
    const f = new ProtoStreamFramer({ maxEventBytes: 4 * MiB });
    for (const c of chunks) for (const _ of f.push(c));
  };
  const frame = (b: number) => frameProto(Buffer.alloc(b, 0x41));
  row('ProtoStreamFramer', 'one frame, 64 KiB chunks (baseline)', (b) => pieces(frame(b), 64 * KiB), protoFrames);
  row('ProtoStreamFramer', 'one frame, 1 byte at a time', (b) => pieces(frame(b), 1), protoFrames);
  row('ProtoStreamFramer', 'empty frames, 1 KiB chunks', (b) => pieces(Buffer.alloc(b - (b % 2), Buffer.from([0xbf, 0])), KiB), protoFrames);
}

function labels(): void {
  const NS = `xmlns:s="${LABEL_NAMESPACE}"`;
  const wrap = (inner: string, attrs = ''): string => `<s:originatorConfidentialityLabel ${NS}${attrs}><s:ConfidentialityInformation><s:PolicyIdentifier>JPN</s:PolicyIdentifier><s:Classification>SECRET</s:Classification>${inner}</s:ConfidentialityInformation><s:CreationDateTime>2026-12-02T00:00:00Z</s:CreationDateTime></s:originatorConfidentialityLabel>`;
  const typicalLabel = (b: number) => wrap(`<s:Category TagName="RELEASABLE TO" Type="PERMISSIVE">${fill(b - 400, (i) => `<s:GenericValue>N${i}</s:GenericValue>`)}</s:Category>`);
  const parse = (s: string): void => swallow(() => parseLabelXml(s, { maxBytes: 4 * MiB }))();
  const sizes = [4 * KiB, 64 * KiB];
  row('parseLabelXml', 'typical: one category, many values (baseline)', typicalLabel, parse, sizes);
  row('parseLabelXml', 'many attributes on the root', (b) => wrap('', fill(b - 400, (i) => ` a${i}="x"`)), parse, sizes);
  row('parseLabelXml', 'many namespace declarations × elements', (b) => wrap(fill(b / 2 - 200, () => '<s:X/>'), fill(b / 2 - 200, (i) => ` xmlns:p${i}="u"`)), parse, sizes);
  row('parseLabelXml', 'many siblings', (b) => wrap(fill(b - 400, () => '<s:a/>')), parse, sizes);
  row('parseLabelXml', 'deep nesting', (b) => wrap('<s:n>'.repeat(Math.floor((b - 400) / 11)) + '</s:n>'.repeat(Math.floor((b - 400) / 11))), parse, sizes);
  row('parseLabelXml', 'many contributor categories', (b) => wrap(fill(b - 400, () => '<s:Category TagName="Kizuna Contributors" Type="INFORMATIVE"><s:GenericValue>USA</s:GenericValue></s:Category>')), parse, sizes);
  row('parseLabelXml', "unterminated attribute values", (b) => wrap('', fill(b - 400, () => ' b="c')), parse, sizes);
}

function multipart(): void {
  const run = (chunks: Buffer[]): void => {
    const x = new MultipartFileExtractor('BND', ['assetfile']);
    x.on('data', () => undefined);
    for (const c of chunks) x._transform(c, 'buffer' as BufferEncoding, () => undefined);
  };
  const head = '--BND\r\nContent-Disposition: form-data; name="assetfile"; filename="f.bin"\r\n\r\n';
  const body = (file: Buffer) => Buffer.concat([Buffer.from(head), file, Buffer.from('\r\n--BND--\r\n')]);
  row('MultipartFileExtractor', 'one file, 64 KiB chunks (baseline)', (b) => pieces(body(Buffer.alloc(b, 0x41)), 64 * KiB), run);
  row('MultipartFileExtractor', 'file of near-boundaries "\\r\\n--BN"', (b) => pieces(body(Buffer.from(fill(b, () => '\r\n--BN'))), 64 * KiB), run);
  row('MultipartFileExtractor', 'many small parts, 1 KiB chunks', (b) => pieces(Buffer.from(fill(b, (i) => `--BND\r\nContent-Disposition: form-data; name="f${i}"\r\n\r\nv\r\n`) + '--BND--\r\n'), KiB), run);
  row('MultipartFileExtractor', '16 KiB header blocks, 1 byte at a time', (b) => pieces(Buffer.from(fill(b, (i) => `--BND\r\nContent-Disposition: form-data; name="f${i}"${'; x="'.repeat(3000)}\r\n\r\nv\r\n`)), 1), run);
}

async function oldScanner(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'kizuna-old-scan-'));
  const src = execFileSync('git', ['show', 'af13244:src/cot/xml-scan.ts'], { cwd: repoRoot, encoding: 'utf8' });
  const file = join(dir, 'xml-scan-af13244.ts');
  writeFileSync(file, src.replace("'../util/errors.js'", JSON.stringify(pathToFileURL(join(repoRoot, 'src/util/errors.ts')).href)));
  const old = (await import(pathToFileURL(file).href)) as { scanXml: typeof scanXml };
  row('scanXml (now)', 'typical (baseline)', typical, (s) => void scanXml(s, 'document', 3));
  for (const [name, make] of [['attrs on remarks', attrsOnRemarks], ['attrs on event', attrsOnEvent]] as const) {
    const n = (b: number) => Math.floor(b / 10);
    row('scanXml (now)', name, (b) => make(n(b)), (s) => void scanXml(s, 'document', 3));
    // quadratic: seconds per run at 1 MiB, so timed once
    row('scanXml (af13244)', name, (b) => make(n(b)), (s) => void old.scanXml(s, 'document', 3), [64 * KiB, MiB], true);
  }
}

const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1]!.split(',') : undefined;
const fmt = (n: number): string => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));
for (const [name, f] of [['cot', cot], ['proto', protoDecode], ['framers', framers], ['labels', labels], ['multipart', multipart]] as const) {
  if (!only || only.includes(name)) f();
}
if (process.argv.includes('--old-scanner')) await oldScanner();
console.log(`node ${process.version}, ${new Date().toISOString()}, load average ${(await import('node:os')).loadavg().map((l) => l.toFixed(1)).join(' ')}`);
console.log('| parser | input shape | small (64 KiB; labels 4 KiB) CPU ms | large (1 MiB; labels 64 KiB) CPU ms | large ÷ small | large ÷ typical large |');
console.log('|---|---|---:|---:|---:|---:|');
const baseline = new Map<string, number>();
for (const r of rows) {
  const family = r.parser.replace(/ \(.*\)$/, '');
  if (!baseline.has(family)) baseline.set(family, r.large);
  console.log(`| ${r.parser} | ${r.shape} | ${fmt(r.small)} | ${fmt(r.large)} | ${fmt(r.large / r.small)}× | ${fmt(r.large / baseline.get(family)!)}× |`);
}
