import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as https from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { createGuard, loadPolicies, makeLabel, type Labelled, type SecurityLabel } from '../labels/index.js';
import { ensureNodePki, issueClientCert, openRevocations, type NodePki, type Revocations } from '../certs/index.js';
import { startMartiServers, type MartiClient, type MartiDeps, type MartiLimits, type MartiServers } from './index.js';

export interface TestNode {
  dir: string;
  pki: NodePki;
  deps: MartiDeps;
  servers: MartiServers;
  revocations: Revocations;
  audits: { kind: string; actor: string; body: unknown }[];
  published: { xml: string; label: SecurityLabel }[];
  contacts: Labelled<MartiClient>[];
  label(o: { classification?: string; relTo?: string[]; caveats?: string[] }): SecurityLabel;
  close(): Promise<void>;
}

/** A USA node with the real policies and guard, a password user "kate"/"pw", on port 0. */
export async function startTestNode(limits?: Partial<MartiLimits>): Promise<TestNode> {
  const dir = mkdtempSync(join(tmpdir(), 'kizuna-marti-'));
  const pki = await ensureNodePki(dir, { nation: 'USA', nodeId: 'usa-1', hosts: [] });
  const registry = loadPolicies();
  const guard = createGuard(registry);
  const revocations = openRevocations(dir, { pollMs: 20 });
  const audits: TestNode['audits'] = [];
  const published: TestNode['published'] = [];
  const contacts: Labelled<MartiClient>[] = [];
  const label = (o: { classification?: string; relTo?: string[]; caveats?: string[] }) =>
    makeLabel(registry, { policy: 'USA', classification: o.classification ?? 'UNCLASSIFIED', owner: 'USA', ...(o.relTo ? { relTo: o.relTo } : {}), ...(o.caveats ? { caveats: o.caveats } : {}) });
  const deps: MartiDeps = {
    nation: 'USA',
    nodeId: 'usa-1',
    publicHost: 'localhost',
    tlsPort: 8089,
    dataDir: dir,
    guard,
    registry,
    revocations,
    async authenticate(u, p) {
      return u === 'kate' && p === 'pw' ? { username: 'kate', role: 'operator', groups: ['Cyan'] } : undefined;
    },
    async audit(kind, actor, body) {
      audits.push({ kind, actor, body });
    },
    clients: () => contacts,
    async publishCot(xml, l) {
      published.push({ xml, label: l });
    },
    defaultLabel: () => label({ relTo: ['JPN'] }),
  };
  const servers = await startMartiServers({ host: '127.0.0.1', httpsPort: 0, enrollPort: 0, pki, deps, ...(limits ? { limits } : {}) });
  return {
    dir,
    pki,
    deps,
    servers,
    revocations,
    audits,
    published,
    contacts,
    label,
    async close() {
      await servers.close();
      revocations.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Identity {
  key: string;
  cert: string;
}

export async function clientIdentity(node: TestNode, name: string, nation = 'USA', groups = ['Cyan']): Promise<Identity & { serial: string }> {
  const c = await issueClientCert(node.pki, { name, nation, groups, role: 'operator' });
  return { key: c.keyPem!, cert: c.certPem, serial: c.serial };
}

export interface Resp {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** One HTTPS request on a fresh connection (a new TLS handshake each time) unless an agent is given. */
export function request(
  port: number,
  o: {
    method?: string;
    path: string;
    ca: string;
    id?: Identity;
    headers?: Record<string, string | number>;
    body?: Buffer | string | Readable;
    agent?: https.Agent;
  },
): Promise<Resp> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port,
        method: o.method ?? 'GET',
        path: o.path,
        ca: o.ca,
        servername: 'localhost',
        ...(o.id ? { key: o.id.key, cert: o.id.cert } : {}),
        headers: o.headers ?? {},
        agent: o.agent ?? false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    const b = o.body;
    if (b === undefined) req.end();
    else if (typeof b === 'string' || Buffer.isBuffer(b)) req.end(b);
    else {
      b.on('error', (e) => req.destroy(e));
      b.pipe(req);
    }
  });
}

export const basic = (u: string, p: string) => 'Basic ' + Buffer.from(`${u}:${p}`).toString('base64');

export function multipart(boundary: string, filename: string, data: Buffer, field = 'assetfile'): Buffer {
  return Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"\r\nContent-Type: application/x-zip-compressed\r\n\r\n`),
    data,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
}

export function errorCode(r: Resp): string | undefined {
  try {
    return (JSON.parse(r.body.toString()) as { error?: { code?: string } }).error?.code;
  } catch {
    return undefined;
  }
}
