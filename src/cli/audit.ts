import { join } from 'node:path';
import { createAuditLog } from '../coordination/index.js';
import { openStore } from '../store/open.js';
import { isKizunaError } from '../util/errors.js';

/**
 * `kizuna audit verify`: walks the node's hash chain and names the first bad entry.
 * Returns the process exit code (0 intact, 1 broken or unreadable); prints one line on stdout.
 */
export async function auditVerify(
  opts: { data?: string; store?: string; pageSize?: number },
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
    const v = await createAuditLog(store, { nodeId: 'cli' }).verify(opts.pageSize ? { pageSize: opts.pageSize } : {});
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
