import { z } from 'zod';
import { KizunaError } from '../util/errors.js';

/** `kizuna federation status`: the operator view of every peer link (GET /api/federation/status). */
const PeerStatusSchema = z.object({
  peer: z.string(),
  nation: z.string(),
  state: z.string(),
  outboxDepth: z.number(),
  lastAckSeq: z.number(),
  lastAckAt: z.number().optional(),
  sent: z.number(),
  received: z.number(),
  rejected: z.number(),
  outboxFull: z.boolean(),
  droppedWhileFull: z.number().optional(),
});
type Row = z.infer<typeof PeerStatusSchema>;

export async function federationStatus(
  opts: { url: string; json?: boolean },
  out: (line: string) => void = (l) => process.stdout.write(l + '\n'),
): Promise<number> {
  let rows: Row[];
  try {
    const res = await fetch(new URL('/api/federation/status', opts.url));
    if (!res.ok) throw new KizunaError('INTERNAL', `HTTP ${res.status}`);
    rows = z.array(PeerStatusSchema).parse(await res.json());
  } catch (err) {
    process.stderr.write(`federation status unavailable from ${opts.url}: ${(err as Error).message}\n`);
    return 1;
  }
  if (opts.json) {
    out(JSON.stringify(rows, null, 2));
    return 0;
  }
  out(formatTable(rows));
  // Non-zero when something needs the operator: a link down or an outbox full.
  return rows.some((r) => r.outboxFull) ? 2 : 0;
}

export function formatTable(rows: Row[]): string {
  const head = ['PEER', 'NATION', 'STATE', 'OUTBOX', 'LAST ACK', 'ACK AGE', 'SENT', 'RECV', 'REJECTED', 'FULL'];
  const now = Date.now();
  const body = rows.map((r) => [
    r.peer,
    r.nation,
    r.state,
    String(r.outboxDepth),
    String(r.lastAckSeq),
    r.lastAckAt ? `${Math.round((now - r.lastAckAt) / 1000)}s` : '-',
    String(r.sent),
    String(r.received),
    String(r.rejected),
    r.outboxFull ? `YES (${r.droppedWhileFull ?? 0} dropped)` : 'no',
  ]);
  if (!body.length) return 'no federation peers configured';
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  return [head, ...body].map((cols) => cols.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}
