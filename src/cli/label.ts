import { createInterface } from 'node:readline';
import { z } from 'zod';
import {
  audienceFor,
  combineLabels,
  createGuard,
  importSpif,
  labelFromJson,
  labelParseReason,
  loadPolicies,
  parseLabelXml,
  portionMark,
  renderMarking,
  type Audience,
  type PolicyRegistry,
  type SecurityLabel,
} from '../labels/index.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { isKizunaError, KizunaError } from '../util/errors.js';

/**
 * `kizuna label decide|combine|translate|render`: JSON lines in, one JSON result per line out, so policy
 * officers can check the policy files against their own cases. Formats: docs/labels-cli.md.
 */
export type LabelSubcommand = 'decide' | 'combine' | 'translate' | 'render';
export interface LabelCommandOptions {
  to?: string;
  lang?: string;
  /** policies directory (default: the package's policies/) */
  policies?: string;
}

const LabelInput = z.unknown();
const AudienceInput = z.union([
  z.object({ policy: z.string(), nation: z.string(), maxClassification: z.string(), held: z.record(z.string(), z.array(z.string())).default({}) }),
  z.object({ nation: z.string(), maxClassification: z.string().optional(), held: z.record(z.string(), z.array(z.string())).optional() }),
]);
/** nation of the peer or node a label arrived through: owner of a label written by another system */
const ArrivedVia = z.string().regex(/^[A-Za-z]{3}$/).optional();
const DecideLine = z.object({
  label: LabelInput.optional(),
  labelXml: z.string().optional(),
  arrivedVia: ArrivedVia,
  audience: AudienceInput,
  phases: z.record(z.string(), z.string()).optional(),
});
const CombineLine = z.object({ labels: z.array(LabelInput).min(1), policy: z.string().optional(), owner: z.string().optional() });
const TranslateLine = z.object({ label: LabelInput.optional(), labelXml: z.string().optional(), arrivedVia: ArrivedVia, to: z.string().optional() });
const RenderLine = z.object({
  label: LabelInput.optional(),
  labelXml: z.string().optional(),
  arrivedVia: ArrivedVia,
  lang: z.enum(['en', 'ja']).optional(),
});

class LineError extends Error {
  constructor(readonly code: string) {
    super(code);
  }
}

function parseLine<S extends z.ZodType>(schema: S, text: string): z.infer<S> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new LineError('BAD_REQUEST');
  }
  const r = schema.safeParse(json);
  if (!r.success) throw new LineError('BAD_REQUEST');
  return r.data;
}

function readLabel(registry: PolicyRegistry, line: { label?: unknown; labelXml?: string; arrivedVia?: string | undefined }): SecurityLabel | undefined {
  if (line.labelXml !== undefined) {
    return parseLabelXml(line.labelXml, { policies: registry, ...(line.arrivedVia !== undefined ? { arrivedVia: line.arrivedVia } : {}) });
  }
  if (line.label === undefined || line.label === null) return undefined;
  return labelFromJson(line.label);
}

function toAudience(registry: PolicyRegistry, a: z.infer<typeof AudienceInput>): Audience {
  if ('policy' in a) return a;
  return audienceFor(registry, {
    nation: a.nation,
    ...(a.maxClassification !== undefined ? { maxClassification: a.maxClassification } : {}),
    ...(a.held !== undefined ? { held: a.held } : {}),
  });
}

export async function runLabelCommand(
  sub: LabelSubcommand,
  opts: LabelCommandOptions,
  stdin: NodeJS.ReadableStream,
  stdout: NodeJS.WritableStream,
): Promise<number> {
  const write = (v: unknown): void => {
    stdout.write(`${JSON.stringify(v)}\n`);
  };
  let registry: PolicyRegistry;
  try {
    registry = opts.policies ? loadPolicies(opts.policies) : loadPolicies();
  } catch (e) {
    write({ error: { code: isKizunaError(e) ? e.code : 'INTERNAL' } });
    return 1;
  }
  if (!['decide', 'combine', 'translate', 'render'].includes(sub)) {
    write({ error: { code: 'BAD_REQUEST' } });
    return 1;
  }
  const guard = createGuard(registry);
  let failures = 0;
  const rl = createInterface({ input: stdin, crlfDelay: Infinity });
  for await (const raw of rl) {
    const text = raw.trim();
    if (text === '') continue;
    try {
      if (sub === 'decide') {
        const line = parseLine(DecideLine, text);
        const g = line.phases ? createGuard(registry, { phases: line.phases }) : guard;
        const d = g.decide(readLabel(registry, line), toAudience(registry, line.audience));
        write({ allow: d.allow, reason: d.reason });
      } else if (sub === 'combine') {
        const line = parseLine(CombineLine, text);
        const labels = line.labels.map((l) => labelFromJson(l));
        const label = combineLabels(registry, labels, {
          ...(line.policy !== undefined ? { policy: line.policy } : {}),
          ...(line.owner !== undefined ? { owner: line.owner } : {}),
        });
        write({ label });
      } else if (sub === 'translate') {
        const line = parseLine(TranslateLine, text);
        const to = line.to ?? opts.to;
        const label = readLabel(registry, line);
        if (!to || !label) throw new LineError('BAD_REQUEST');
        write({ label: registry.translate(label, to) });
      } else {
        const line = parseLine(RenderLine, text);
        const lang = line.lang ?? opts.lang ?? 'en';
        if (lang !== 'en' && lang !== 'ja') throw new LineError('BAD_REQUEST');
        const label = readLabel(registry, line);
        if (!label) throw new LineError('BAD_REQUEST');
        write({ marking: renderMarking(registry, label, lang), portion: portionMark(registry, label) });
      }
    } catch (e) {
      failures++;
      // why a label was refused: reason code and element name, never the label's content
      const why = labelParseReason(e);
      write({ error: { code: e instanceof LineError ? e.code : isKizunaError(e) ? e.code : 'INTERNAL', ...(why ?? {}) } });
    }
  }
  return failures === 0 ? 0 : 1;
}

export interface ImportSpifOptions {
  out?: string;
  id?: string;
}

/**
 * `kizuna label import-spif FILE.xml`: an Open XML SPIF to a policy file. Writes the policy to `--out` (else
 * stdout, with the report) and reports, one line each, what it could not map. Exit 0 when it imported.
 */
export function runImportSpif(file: string, opts: ImportSpifOptions, stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream): number {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    stderr.write(`SPIF_INVALID: cannot read ${file}\n`);
    return 2;
  }
  try {
    const r = importSpif(text, opts.id !== undefined ? { id: opts.id } : {});
    const policyJson = `${JSON.stringify(r.policy, null, 2)}\n`;
    if (opts.out !== undefined) writeFileSync(opts.out, policyJson);
    else stdout.write(policyJson);
    for (const u of r.unmapped) stderr.write(`not mapped: ${u}\n`);
    stderr.write(`${r.policy.id}: ${r.policy.classifications.length} classifications, ${r.policy.tagSets.length} tag sets, ${r.unmapped.length} items not mapped${opts.out !== undefined ? `; written to ${opts.out}` : ''}\n`);
    return 0;
  } catch (e) {
    stderr.write(e instanceof KizunaError ? `${e.code}: ${file}: ${e.message}\n` : `INTERNAL: ${String(e)}\n`);
    return e instanceof KizunaError ? 2 : 1;
  }
}
