import { createHash } from 'node:crypto';
import { clientIdentity, request, startTestNode, type Identity, type Resp, type TestNode } from '../../src/marti/test-support.js';

/** A client certificate to issue: common name, nation, groups (Cyan when left out). */
export type MartiPerson = readonly [name: string, nation: string, groups?: string[]];
export type MartiRequest = Parameters<typeof request>[1];

export interface MartiNode<K extends string> {
  node: TestNode;
  /** the node's CA, which every client trusts */
  ca: string;
  /** one client certificate per person asked for, by the test's own key */
  ids: Record<K, Identity>;
  /** one request to the node's Marti HTTPS port */
  api(o: MartiRequest): Promise<Resp>;
}

/** The Marti servers on port 0 (src/marti/test-support.ts) with a client certificate for each person. */
export async function startMartiNode<K extends string>(people: Record<K, MartiPerson>, limits?: Parameters<typeof startTestNode>[0]): Promise<MartiNode<K>> {
  const node = await startTestNode(limits);
  const ids = {} as Record<K, Identity>;
  // one after another: the order the serials are issued in stays the order the people are listed in
  for (const [key, [name, nation, groups]] of Object.entries(people) as [K, MartiPerson][]) ids[key] = await clientIdentity(node, name, nation, groups ?? ['Cyan']);
  return { node, ca: node.pki.caCertPem, ids, api: (o) => request(node.servers.httpsPort, o) };
}

/** SHA-256 in hex: the hash Marti names a file by. */
export const sha256hex = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
