import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { createAuditLog } from '../coordination/index.js';
import { openStore } from '../store/open.js';
import { isKizunaError } from '../util/errors.js';

const AnchorsSchema = z.array(z.object({ seq: z.number().int().positive(), hash: z.string().regex(/^[0-9a-f]{64}$/) }));

/**
 * `kizuna audit verify`: walks the node's hash chain and names the first bad entry.
 * Returns the process exit code (0 intact, 1 broken or unreadable); prints one line on stdout.
 */
export async function auditVerify(
  opts: { data?: string; store?: string; pageSize?: number; anchors?: string },
  out: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
): Promise<number> {
  const spec = opts.store ?? join(opts.data ?? '.kizuna/node', 'kizuna.db');
  let store;
  try {
    store = await openStore(spec);
  } catch (e) {
    out(`audit UNREADABLE: ${isKizunaError(e) ? e.code : 'INTERNAL'}`);
    return 1;
  }
  try {
    // Heads of this chain countersigned by peers (`kizuna federation anchors` on the peer): they reveal
    // a truncated or consistently rewritten tail that the chain alone cannot show.
    let anchors: { seq: number; hash: string }[] = [];
    if (opts.anchors) {
      try {
        anchors = AnchorsSchema.parse(JSON.parse(readFileSync(opts.anchors, 'utf8')));
      } catch {
        out('audit UNREADABLE: anchors file is not a JSON array of {seq, hash}');
        return 1;
      }
    }
    const v = await createAuditLog(store, { nodeId: 'cli' }).verify({ ...(opts.pageSize ? { pageSize: opts.pageSize } : {}), anchors });
    if (v.ok) {
      out(`audit OK: ${v.count} entries, head ${v.head?.hash ?? 'none'}`);
      return 0;
    }
    out(`audit BROKEN at seq ${v.seq}: ${v.problem}`);
    return 1;
  } finally {
    await store.close();
  }
}
