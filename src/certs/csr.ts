import * as x509 from '@peculiar/x509';
import { KizunaError } from '../util/errors.js';
import './identity.js';

const MAX_CSR_BYTES = 16 * 1024;

/**
 * Parses a PKCS#10 request as clients send it: PEM, or bare base64 DER with the BEGIN/END lines
 * removed (ATAK), possibly wrapped. The signature must verify (proof of possession).
 */
export async function parseCsr(text: string | Buffer): Promise<x509.Pkcs10CertificateRequest> {
  const s = typeof text === 'string' ? text : text.toString('latin1');
  if (s.length > MAX_CSR_BYTES) throw new KizunaError('CERT_INVALID', 'CSR too large');
  const b64 = s.replace(/-----(BEGIN|END) [A-Z ]+-----/g, '').replace(/\s+/g, '');
  if (b64.length === 0 || !/^[A-Za-z0-9+/]+=*$/.test(b64)) throw new KizunaError('CERT_INVALID', 'CSR is not base64');
  let csr: x509.Pkcs10CertificateRequest;
  try {
    csr = new x509.Pkcs10CertificateRequest(Buffer.from(b64, 'base64'));
  } catch (cause) {
    throw new KizunaError('CERT_INVALID', 'CSR does not parse', { cause });
  }
  let ok = false;
  try {
    ok = await csr.verify();
  } catch (cause) {
    throw new KizunaError('CERT_INVALID', 'CSR signature could not be checked', { cause });
  }
  if (!ok) throw new KizunaError('CERT_INVALID', 'CSR signature does not verify');
  return csr;
}

export function csrCommonName(csr: x509.Pkcs10CertificateRequest): string | undefined {
  return csr.subjectName.getField('CN')[0];
}
