import * as x509 from '@peculiar/x509';
import { createHash, webcrypto } from 'node:crypto';

// @peculiar/x509 runs on WebCrypto; Node's implementation is native (fast RSA/EC).
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

/**
 * Certificate identity: CN=<name>, O=<nation>; SAN URIs carry what TLS servers need without a database
 * lookup (nation, role, groups; node id for node certificates).
 */
export const URN = {
  nation: 'urn:kizuna:nation:',
  role: 'urn:kizuna:role:',
  group: 'urn:kizuna:group:',
  node: 'urn:kizuna:node:',
} as const;

export interface CertIdentity {
  name: string;
  nation: string;
  groups: string[];
  role: string;
  serial: string;
  kind: 'client' | 'node';
  nodeId?: string;
}

export function identityUris(o: { nation: string; role: string; groups: string[]; nodeId?: string }): string[] {
  const uris = [URN.nation + o.nation, URN.role + encodeURIComponent(o.role)];
  for (const g of o.groups) uris.push(URN.group + encodeURIComponent(g));
  if (o.nodeId !== undefined) uris.push(URN.node + encodeURIComponent(o.nodeId));
  return uris;
}

/** Serial numbers as lower-case hex without separators or leading zeros (Node prints upper case). */
export function normalizeSerial(serial: string): string {
  return serial.replace(/[^0-9a-fA-F]/g, '').toLowerCase().replace(/^0+(?=.)/, '');
}

function safeDecode(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

/**
 * Identities by SHA-256 of the certificate, most recently used last. Every TLS handshake needs the
 * identity, and parsing the certificate in JavaScript each time both costs CPU and left ~30 KiB per
 * connection behind after GC (measured with 1,500 idle clients); the same certificate reconnects
 * again and again (TAK clients, federation peers), so it is parsed once.
 */
const identities = new Map<string, CertIdentity | null>();
const MAX_CACHED_IDENTITIES = 4096;

/** Reads the Kizuna identity from a DER certificate; undefined when it is not one of ours. */
export function identityOfCert(der: Buffer | Uint8Array): CertIdentity | undefined {
  const key = createHash('sha256').update(der).digest('base64');
  let id = identities.get(key);
  if (id === undefined) {
    id = parseIdentity(der) ?? null;
    if (identities.size >= MAX_CACHED_IDENTITIES) identities.delete(identities.keys().next().value!);
  } else {
    identities.delete(key);
  }
  identities.set(key, id);
  // a copy: callers own what they get (the cached object is shared by every connection of the certificate)
  return id === null ? undefined : { ...id, groups: [...id.groups] };
}

function parseIdentity(der: Buffer | Uint8Array): CertIdentity | undefined {
  let cert: x509.X509Certificate;
  try {
    cert = new x509.X509Certificate(new Uint8Array(der));
  } catch {
    return undefined;
  }
  const name = cert.subjectName.getField('CN')[0];
  if (!name) return undefined;
  const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
  const uris = san ? san.names.items.filter((n) => n.type === 'url').map((n) => n.value) : [];
  let nation: string | undefined;
  let role: string | undefined;
  let nodeId: string | undefined;
  const groups: string[] = [];
  for (const u of uris) {
    if (u.startsWith(URN.nation)) nation = u.slice(URN.nation.length);
    else if (u.startsWith(URN.role)) role = safeDecode(u.slice(URN.role.length));
    else if (u.startsWith(URN.group)) {
      const g = safeDecode(u.slice(URN.group.length));
      if (g !== undefined) groups.push(g);
    } else if (u.startsWith(URN.node)) nodeId = safeDecode(u.slice(URN.node.length));
  }
  if (!nation || !/^[A-Z]{3}$/.test(nation)) return undefined;
  const id: CertIdentity = {
    name,
    nation,
    groups,
    role: role ?? 'viewer',
    serial: normalizeSerial(cert.serialNumber),
    kind: nodeId !== undefined ? 'node' : 'client',
  };
  if (nodeId !== undefined) id.nodeId = nodeId;
  return id;
}
