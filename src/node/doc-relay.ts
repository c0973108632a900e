import type { Bus, Subscription } from '../bus/types.js';
import type { Doc } from '../store/types.js';
import type { Coordination } from '../coordination/index.js';
import type { Logger } from '../util/log.js';
import { nodeSubject } from '../bus/subject.js';
import { isFromProcess } from '../pipeline/index.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

interface DocChange {
  doc: Doc;
  remote: boolean;
  from?: string;
}

/**
 * Scale-out: every process of a node keeps its own WebSocket clients, so a coordination change one
 * process commits to the shared store is announced on the node's bus; the other processes update
 * their live views (never storing, auditing or federating it again).
 */
export function relayCoordinationChanges(o: { bus: Bus; nodeId: string; processId: string; coordination: Coordination; log: Logger }): Subscription {
  const subject = nodeSubject(o.nodeId, 'docs');
  const off = o.coordination.onChange((doc, info) => {
    if (info.sibling) return;
    const change: DocChange = { doc, remote: info.remote, ...(info.from ? { from: info.from } : {}) };
    o.bus.publish(subject, enc.encode(o.processId + '\n' + JSON.stringify(change))).catch((err: unknown) => {
      o.log.warn({ code: (err as { code?: string }).code ?? 'BUS_FAILED' }, 'coordination change not announced to sibling processes');
    });
  });
  const sub = o.bus.subscribe(subject, (data) => {
    if (isFromProcess(data, o.processId)) return;
    const nl = data.indexOf(0x0a);
    const change = JSON.parse(dec.decode(data.subarray(nl + 1))) as DocChange;
    o.coordination.notifySibling(change.doc, { remote: change.remote, ...(change.from ? { from: change.from } : {}) });
  });
  return {
    ...(sub.ready ? { ready: sub.ready } : {}),
    unsubscribe() {
      off();
      sub.unsubscribe();
    },
  };
}
