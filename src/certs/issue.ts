import type { webcrypto } from 'node:crypto';
type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;
import * as x509 from '@peculiar/x509';
import { isIP } from 'node:net';
import { identityUris } from './identity.js';
import { newSerial, RSA_ALG } from './keys.js';

const SIGNING = { name: RSA_ALG.name, hash: RSA_ALG.hash } as const;
const DAY_MS = 86_400_000;

/** Back-date a little so a phone with a slightly slow clock accepts a fresh certificate. */
function validity(days: number): { notBefore: Date; notAfter: Date } {
  const now = Date.now();
  return { notBefore: new Date(now - 60 * 60_000), notAfter: new Date(now + days * DAY_MS) };
}

export interface Signer {
  cert: x509.X509Certificate;
  key: CryptoKey;
}

export async function createCaCert(o: { nation: string; nodeId: string; keys: CryptoKeyPair; days?: number }): Promise<x509.X509Certificate> {
  return x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: newSerial(),
    name: [{ CN: [`Kizuna ${o.nodeId} CA`] }, { O: [o.nation] }],
    ...validity(o.days ?? 3650),
    signingAlgorithm: SIGNING,
    keys: o.keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(o.keys.publicKey),
    ],
  });
}

function hostNames(hosts: string[]): x509.JsonGeneralName[] {
  return [...new Set(hosts)].map((h) => (isIP(h) ? { type: 'ip' as const, value: h } : { type: 'dns' as const, value: h }));
}

export interface LeafRequest {
  name: string;
  nation: string;
  role: string;
  groups: string[];
  /** present => node certificate (federation client + server) */
  nodeId?: string;
  /** server certificates: DNS names / IPs */
  hosts?: string[];
  usage: 'client' | 'server' | 'node';
  days: number;
  publicKey: x509.PublicKeyType;
}

/**
 * Leaf certificates carry SKI/AKI and an explicit EKU: Android rejected certificates without them
 * (taky 0.9, commit b779ba4).
 */
export async function issueLeaf(ca: Signer, r: LeafRequest): Promise<x509.X509Certificate> {
  const eku =
    r.usage === 'client'
      ? [x509.ExtendedKeyUsage.clientAuth]
      : r.usage === 'server'
        ? [x509.ExtendedKeyUsage.serverAuth]
        : [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth];
  const names: x509.JsonGeneralName[] = [];
  if (r.usage !== 'server') {
    const idOpts: { nation: string; role: string; groups: string[]; nodeId?: string } = { nation: r.nation, role: r.role, groups: r.groups };
    if (r.nodeId !== undefined) idOpts.nodeId = r.nodeId;
    for (const u of identityUris(idOpts)) names.push({ type: 'url', value: u });
  }
  names.push(...hostNames(r.hosts ?? []));
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
    new x509.ExtendedKeyUsageExtension(eku, false),
    await x509.SubjectKeyIdentifierExtension.create(r.publicKey),
    await x509.AuthorityKeyIdentifierExtension.create(ca.cert),
  ];
  if (names.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(names, false));
  return x509.X509CertificateGenerator.create({
    serialNumber: newSerial(),
    subject: [{ CN: [r.name] }, { O: [r.nation] }],
    issuer: ca.cert.subjectName,
    ...validity(r.days),
    signingAlgorithm: SIGNING,
    publicKey: r.publicKey,
    signingKey: ca.key,
    extensions,
  });
}
