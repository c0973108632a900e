import type { Server as TlsServer, TLSSocket } from 'node:tls';
import { identityOfCert, type CertIdentity } from './identity.js';
import type { NodePki } from './pki.js';
import type { Revocations } from './revocations.js';

/** Options for a TLS server that requires a client certificate from this node's CA (8089, 8443). */
export function mutualTlsOptions(pki: NodePki): {
  key: string;
  cert: string;
  ca: string[];
  requestCert: true;
  rejectUnauthorized: true;
  minVersion: 'TLSv1.2';
} {
  return {
    key: pki.serverKeyPem,
    cert: pki.serverCertPem,
    ca: [pki.caCertPem],
    requestCert: true,
    rejectUnauthorized: true,
    // TAK Server uses TLS 1.2; older ATAK builds cannot do 1.3.
    minVersion: 'TLSv1.2',
  };
}

/**
 * Identity of an authorised peer, or undefined when the certificate is missing, not ours, or revoked.
 * Call it on every new TLS connection: this is how a revocation refuses the next handshake.
 */
export function peerIdentity(socket: TLSSocket, revocations: Revocations): CertIdentity | undefined {
  if (!socket.authorized) return undefined;
  const peer = socket.getPeerCertificate();
  if (!peer || !peer.raw) return undefined;
  const id = identityOfCert(peer.raw);
  if (!id || revocations.isRevoked(id.serial)) return undefined;
  return id;
}

/**
 * Closes connections whose certificate is revoked before any application byte is read
 * (our listener runs before the HTTP/stream handler's).
 */
export function refuseRevoked(server: TlsServer, revocations: Revocations, onRefused?: (serial: string) => void): void {
  server.prependListener('secureConnection', (socket: TLSSocket) => {
    const peer = socket.getPeerCertificate();
    const id = peer?.raw ? identityOfCert(peer.raw) : undefined;
    if (id && revocations.isRevoked(id.serial)) {
      onRefused?.(id.serial);
      socket.destroy();
    }
  });
}
