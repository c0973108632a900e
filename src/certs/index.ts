/** Node PKI, client certificates, ATAK data packages, revocation, enrollment tokens. */
export { ensureNodePki, loadNodePki, issueClientCert, buildTruststore, listIssued, pkiDir } from './pki.js';
export type { NodePki, IssuedClientCert, IssuedRecord } from './pki.js';
export { identityOfCert, normalizeSerial, URN } from './identity.js';
export type { CertIdentity } from './identity.js';
export { openRevocations } from './revocations.js';
export type { Revocations, RevokedEntry } from './revocations.js';
export { buildConnectionPackage, serverPref, manifestXml } from './datapackage.js';
export type { ConnectionPackageOptions } from './datapackage.js';
export { buildP12, DEFAULT_P12_PASSWORD } from './p12.js';
export { parseCsr, csrCommonName } from './csr.js';
export { createEnrollToken, checkEnrollToken, consumeEnrollToken, lookupEnrollToken } from './tokens.js';
export type { TokenRecord } from './tokens.js';
export { mutualTlsOptions, peerIdentity, refuseRevoked } from './tls-options.js';
