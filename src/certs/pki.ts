import * as x509 from '@peculiar/x509';
import { existsSync, mkdirSync, readFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { KizunaError } from '../util/errors.js';
import { writeFileAtomic } from '../util/fs.js';
import { createCaCert, issueLeaf, type Signer } from './issue.js';
import { generateRsaKeys, importRsaPrivateKey, pemToDer } from './keys.js';
import { csrCommonName, parseCsr } from './csr.js';
import { buildP12, DEFAULT_P12_PASSWORD } from './p12.js';
import { CertName, GroupName, Nation, RoleName } from './names.js';
import { normalizeSerial } from './identity.js';

export interface NodePki {
  dir: string;
  nation: string;
  nodeId: string;
  caCertPem: string;
  caKeyPem: string;
  /** TLS server certificate for 8089/8443/8446 (serverAuth, the node's host names) */
  serverCertPem: string;
  serverKeyPem: string;
  /** federation certificate: client + server, carries urn:kizuna:node:<nodeId> */
  nodeCertPem: string;
  nodeKeyPem: string;
}

const FILES = ['ca.pem', 'ca.key', 'server.pem', 'server.key', 'node.pem', 'node.key'] as const;

export function pkiDir(dataDir: string): string {
  return join(dataDir, 'pki');
}

export { writeFileAtomic };

const Meta = z.object({ nation: Nation, nodeId: z.string().min(1) });

const EnsureOpts = z.object({ nation: Nation, nodeId: z.string().min(1).max(64), hosts: z.array(z.string().min(1)).default([]) });

/** Idempotent: creates DATA/pki/{ca,server,node}.{pem,key} on first run, loads them afterwards. */
export async function ensureNodePki(dataDir: string, opts: { nation: string; nodeId: string; hosts: string[] }): Promise<NodePki> {
  const o = EnsureOpts.parse(opts);
  const dir = pkiDir(dataDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const metaFile = join(dir, 'meta.json');
  if (existsSync(metaFile)) {
    const meta = Meta.parse(JSON.parse(readFileSync(metaFile, 'utf8')));
    if (meta.nation !== o.nation) throw new KizunaError('CONFIG_INVALID', `PKI in ${dir} belongs to ${meta.nation}`);
  }
  const present = (f: string) => existsSync(join(dir, f));
  if (!present('ca.pem') || !present('ca.key')) {
    const kp = await generateRsaKeys();
    const ca = await createCaCert({ nation: o.nation, nodeId: o.nodeId, keys: kp.keys });
    writeFileAtomic(join(dir, 'ca.key'), kp.privateKeyPem);
    writeFileAtomic(join(dir, 'ca.pem'), ca.toString('pem'), 0o644);
    writeFileAtomic(metaFile, JSON.stringify({ nation: o.nation, nodeId: o.nodeId }), 0o644);
  }
  const signer = await loadSigner(dir);
  const hosts = [...new Set(['localhost', '127.0.0.1', ...o.hosts])];
  for (const kind of ['server', 'node'] as const) {
    if (present(`${kind}.pem`) && present(`${kind}.key`)) continue;
    const kp = await generateRsaKeys();
    const cert = await issueLeaf(signer, {
      name: kind === 'server' ? (o.hosts[0] ?? 'localhost') : `node:${o.nodeId}`,
      nation: o.nation,
      role: 'node',
      groups: [],
      ...(kind === 'node' ? { nodeId: o.nodeId } : {}),
      hosts,
      usage: kind,
      days: 825,
      publicKey: kp.keys.publicKey,
    });
    writeFileAtomic(join(dir, `${kind}.key`), kp.privateKeyPem);
    writeFileAtomic(join(dir, `${kind}.pem`), cert.toString('pem'), 0o644);
  }
  return loadNodePki(dataDir);
}

/** Loads an existing PKI (the CLI uses this: it must not create a CA by accident). */
export function loadNodePki(dataDir: string): NodePki {
  const dir = pkiDir(dataDir);
  for (const f of FILES) {
    if (!existsSync(join(dir, f))) throw new KizunaError('CONFIG_INVALID', `missing ${join(dir, f)}: run "kizuna certs init" first`);
  }
  const meta = Meta.parse(JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')));
  const read = (f: string) => readFileSync(join(dir, f), 'utf8');
  return {
    dir,
    nation: meta.nation,
    nodeId: meta.nodeId,
    caCertPem: read('ca.pem'),
    caKeyPem: read('ca.key'),
    serverCertPem: read('server.pem'),
    serverKeyPem: read('server.key'),
    nodeCertPem: read('node.pem'),
    nodeKeyPem: read('node.key'),
  };
}

async function loadSigner(dir: string): Promise<Signer> {
  return {
    cert: new x509.X509Certificate(readFileSync(join(dir, 'ca.pem'), 'utf8')),
    key: await importRsaPrivateKey(readFileSync(join(dir, 'ca.key'), 'utf8')),
  };
}

export interface IssuedRecord {
  serial: string;
  name: string;
  nation: string;
  role: string;
  groups: string[];
  kind: 'client' | 'node';
  issuedAt: string;
  notAfter: string;
}

const IssuedRecordSchema = z.object({
  serial: z.string(),
  name: z.string(),
  nation: z.string(),
  role: z.string(),
  groups: z.array(z.string()),
  kind: z.enum(['client', 'node']),
  issuedAt: z.string(),
  notAfter: z.string(),
});

/** Every issued client certificate, one JSON line each: revocation by name needs it. */
export function listIssued(dir: string): IssuedRecord[] {
  const file = join(dir, 'issued.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => IssuedRecordSchema.parse(JSON.parse(l)));
}

const IssueOpts = z.object({
  name: CertName,
  nation: Nation,
  groups: z.array(GroupName).max(64),
  role: RoleName,
  days: z.number().int().positive().max(3650).default(365),
  csrPem: z.string().optional(),
});

export interface IssuedClientCert {
  certPem: string;
  /** only when the key was generated here (no CSR) */
  keyPem?: string;
  serial: string;
  /** key + certificate + CA, password `atakatak`, legacy MAC/PBE (no CSR only) */
  p12?: Buffer;
}

export async function issueClientCert(
  pki: NodePki,
  opts: { name: string; nation: string; groups: string[]; role: string; days?: number; csrPem?: string },
): Promise<IssuedClientCert> {
  const parsed = IssueOpts.safeParse(opts);
  if (!parsed.success) throw new KizunaError('CERT_INVALID', parsed.error.issues.map((i) => i.message).join('; '));
  const o = parsed.data;
  const signer: Signer = { cert: new x509.X509Certificate(pki.caCertPem), key: await importRsaPrivateKey(pki.caKeyPem) };
  let publicKey: x509.PublicKeyType;
  let keyPem: string | undefined;
  if (o.csrPem !== undefined) {
    const csr = await parseCsr(o.csrPem);
    // The CN is the identity TAK uses; a request for someone else's name is refused, not rewritten.
    if (csrCommonName(csr) !== o.name) throw new KizunaError('CERT_INVALID', 'CSR common name does not match the enrolled user');
    publicKey = csr.publicKey;
  } else {
    const kp = await generateRsaKeys();
    publicKey = kp.keys.publicKey;
    keyPem = kp.privateKeyPem;
  }
  const cert = await issueLeaf(signer, { name: o.name, nation: o.nation, role: o.role, groups: o.groups, usage: 'client', days: o.days, publicKey });
  const serial = normalizeSerial(cert.serialNumber);
  const record: IssuedRecord = {
    serial,
    name: o.name,
    nation: o.nation,
    role: o.role,
    groups: o.groups,
    kind: 'client',
    issuedAt: new Date().toISOString(),
    notAfter: cert.notAfter.toISOString(),
  };
  appendFileSync(join(pki.dir, 'issued.jsonl'), JSON.stringify(record) + '\n', { mode: 0o600 });
  const certPem = cert.toString('pem');
  const out: IssuedClientCert = { certPem, serial };
  if (keyPem !== undefined) {
    out.keyPem = keyPem;
    out.p12 = buildP12({
      key: { pkcs8Der: pemToDer(keyPem), alias: o.name },
      certs: [
        { der: Buffer.from(cert.rawData), alias: o.name },
        { der: pemToDer(pki.caCertPem), alias: 'ca0' },
      ],
      password: DEFAULT_P12_PASSWORD,
    });
  }
  return out;
}

/** Truststore (CA only) for data packages and federation peers. */
export function buildTruststore(pki: NodePki, password = DEFAULT_P12_PASSWORD): Buffer {
  return buildP12({ certs: [{ der: pemToDer(pki.caCertPem), alias: `kizuna-${pki.nodeId.toLowerCase()}-ca` }], password });
}
