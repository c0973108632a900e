import { X509Certificate } from 'node:crypto';

/**
 * A federation peer's identity is read from its certificate, never from what it says in Hello:
 * node id from SAN URI urn:kizuna:node:<id> (else CN), nation from SAN URI urn:kizuna:nation:<N> (else O).
 */
export interface CertIdentity {
  nodeId?: string;
  nation?: string;
}

export function certIdentity(cert: X509Certificate): CertIdentity {
  const uris = (cert.subjectAltName ?? '')
    .split(/,\s*/)
    .filter((s) => s.startsWith('URI:'))
    .map((s) => s.slice(4));
  const fromUri = (prefix: string) => {
    const hit = uris.find((u) => u.startsWith(prefix));
    return hit ? decodeURIComponent(hit.slice(prefix.length)) : undefined;
  };
  const rdn = (key: string) =>
    cert.subject
      .split('\n')
      .map((l) => l.split('='))
      .find(([k]) => k === key)?.[1];
  const id: CertIdentity = {};
  const nodeId = fromUri('urn:kizuna:node:') ?? rdn('CN');
  const nation = fromUri('urn:kizuna:nation:') ?? rdn('O');
  if (nodeId) id.nodeId = nodeId;
  if (nation) id.nation = nation;
  return id;
}

/** True when `cert` was signed by the (single, directly issuing) CA in `caPem`. */
export function issuedBy(cert: X509Certificate, caPem: string): boolean {
  try {
    const ca = new X509Certificate(caPem);
    return cert.checkIssued(ca) && cert.verify(ca.publicKey);
  } catch {
    return false;
  }
}

/** A refusal reason, or undefined when the certificate names exactly this peer, issued by its CA. */
export function peerCertRefusal(peer: { name: string; nation: string; caPem: string }, cert: X509Certificate | undefined, authorized: boolean): string | undefined {
  if (!cert || !authorized) return 'untrusted-ca';
  if (!issuedBy(cert, peer.caPem)) return 'wrong-ca';
  const id = certIdentity(cert);
  if (id.nodeId !== peer.name) return 'node-mismatch';
  if (id.nation !== peer.nation) return 'nation-mismatch';
  return undefined;
}
