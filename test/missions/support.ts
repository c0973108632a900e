import { randomUUID } from 'node:crypto';
import { issueClientCert } from '../../src/certs/index.js';
import { labelToJson, makeLabel, serializeLabelXml, type SecurityLabel } from '../../src/labels/index.js';
import { request, type Resp } from '../../src/marti/test-support.js';
import type { startTestNode } from '../support/node-harness.js';
import { sa, TestTakClient } from '../support/tak-client.js';
import type { CotEvent } from '../../src/cot/model.js';

export type Node = Awaited<ReturnType<typeof startTestNode>>;
export interface Id {
  key: string;
  cert: string;
}

export async function certFor(node: Node, name: string, nation: string, groups = ['Cyan']): Promise<Id> {
  const c = await issueClientCert(node.pki, { name, nation, groups, role: 'operator' });
  return { key: c.keyPem!, cert: c.certPem };
}

/**
 * A user as ATAK connects: a client certificate from `node` and a TLS TAK client with it that has announced
 * itself (uid `ANDROID-<name>`, callsign `<NAME>`), so the node knows the client's uid.
 */
export async function takUser(node: Node, name: string, nation: string): Promise<{ id: Id; tak: TestTakClient }> {
  const id = await certFor(node, name, nation);
  const tak = await TestTakClient.identified(node.ready.tls, { ...id, ca: node.pki.caCertPem }, `ANDROID-${name}`, name.toUpperCase());
  return { id, tak };
}

export function labelOf(node: Node, o: { classification?: string; relTo: string[] }): SecurityLabel {
  return makeLabel(node.registry, { policy: node.registry.policyOf(node.config.nation), classification: o.classification ?? 'UNCLASSIFIED', relTo: o.relTo, owner: node.config.nation });
}

/** An HTTPS call on the Marti port as ATAK / CloudTAK make it (client certificate, optional mission token). */
export function marti(node: Node, id: Id, method: string, path: string, o: { token?: string; label?: SecurityLabel; body?: unknown; headers?: Record<string, string> } = {}): Promise<Resp> {
  const headers: Record<string, string> = { ...(o.headers ?? {}) };
  if (o.token) headers.MissionAuthorization = `Bearer ${o.token}`;
  if (o.label) headers['x-kizuna-label'] = labelToJson(o.label);
  if (o.body !== undefined) headers['content-type'] = 'application/json';
  return request(node.ready.https, { method, path, ca: node.pki.caCertPem, id, headers, ...(o.body !== undefined ? { body: JSON.stringify(o.body) } : {}) });
}

export const json = <T = { data: unknown }>(r: Resp): T => JSON.parse(r.body.toString()) as T;

/** A marker as ATAK sends it into a mission (`<marti><dest mission=…/>`), with an optional label. */
export function missionCot(uid: string, mission: string, label?: SecurityLabel): CotEvent {
  const ev = sa(uid, `MK-${uid.slice(-4)}`, { type: 'a-h-G' });
  ev.detailXml = `<contact callsign="MK-${uid.slice(-4)}"/><marti><dest mission="${mission}"/></marti>`;
  if (label) ev.labelXml = serializeLabelXml(label);
  return ev;
}

export const uid = (p: string) => `${p}-${randomUUID()}`;
