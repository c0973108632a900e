import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import QRCode from 'qrcode';
import {
  buildConnectionPackage,
  createEnrollToken,
  ensureNodePki,
  issueClientCert,
  loadNodePki,
  openRevocations,
  pkiDir,
} from '../certs/index.js';
import { KizunaError } from '../util/errors.js';

type Out = (line: string) => void;
const stdout: Out = (l) => process.stdout.write(l + '\n');

/** `kizuna certs init`: the node's CA, TLS server certificate and federation certificate (idempotent). */
export async function certsInit(opts: { data: string; nation: string; nodeId?: string; host?: string[] }, out: Out = stdout): Promise<void> {
  const pki = await ensureNodePki(opts.data, { nation: opts.nation, nodeId: opts.nodeId ?? opts.nation, hosts: opts.host ?? [] });
  out(`PKI for ${pki.nation} (node ${pki.nodeId}) in ${resolve(pki.dir)}`);
  out(`  CA certificate: ${resolve(pki.dir, 'ca.pem')}`);
}

/** `kizuna certs client NAME`: NAME.p12 (password atakatak) and NAME-connection.zip for ATAK. */
export async function certsClient(
  name: string,
  opts: { data: string; groups?: string[]; role?: string; host?: string; tlsPort?: number; out?: string; days?: number },
  out: Out = stdout,
): Promise<{ p12Path: string; zipPath: string; serial: string }> {
  const pki = loadNodePki(opts.data);
  const issued = await issueClientCert(pki, {
    name,
    nation: pki.nation,
    groups: opts.groups ?? ['__ANON__'],
    role: opts.role ?? 'operator',
    ...(opts.days !== undefined ? { days: opts.days } : {}),
  });
  const zip = await buildConnectionPackage({
    name: `${pki.nodeId} ${name}`,
    clientName: name,
    host: opts.host ?? 'localhost',
    tlsPort: opts.tlsPort ?? 8089,
    caCertPem: pki.caCertPem,
    clientP12: issued.p12!,
  });
  const dir = opts.out ?? '.';
  mkdirSync(dir, { recursive: true });
  // name is validated by issueClientCert (no separators), so these stay inside `dir`
  const p12Path = resolve(join(dir, `${name}.p12`));
  const zipPath = resolve(join(dir, `${name}-connection.zip`));
  writeFileSync(p12Path, issued.p12!, { mode: 0o600 });
  writeFileSync(zipPath, zip, { mode: 0o600 });
  out(`client certificate for ${name} (${pki.nation}, serial ${issued.serial})`);
  out(`  ${p12Path}  (password: atakatak)`);
  out(`  ${zipPath}  (import in ATAK: Import > Local SD, or send to the phone)`);
  return { p12Path, zipPath, serial: issued.serial };
}

/** `kizuna certs revoke NAME`: written to DATA/pki/revoked.json; a running node picks it up. */
export async function certsRevoke(name: string, opts: { data: string }, out: Out = stdout): Promise<string[]> {
  const revocations = openRevocations(opts.data);
  try {
    const serials = revocations.revoke(name);
    if (serials.length === 0) out(`${name}: already revoked`);
    for (const s of serials) out(`revoked ${name} serial ${s}`);
    return serials;
  } finally {
    revocations.close();
  }
}

/**
 * `kizuna certs enroll-link NAME`: a one-time token and the ATAK quick-connect link as a QR code.
 * The link's port is the streaming TLS port (ATAK assumes 8089 when it is missing; it enrolls on 8446).
 */
export async function certsEnrollLink(
  name: string,
  opts: { data: string; host?: string; enrollPort?: number; tlsPort?: number; groups?: string[]; role?: string; ttlMinutes?: number },
  out: Out = stdout,
): Promise<{ link: string; token: string; expiresAt: string }> {
  loadNodePki(opts.data); // fail early if the node has no PKI
  if (opts.ttlMinutes !== undefined && !(opts.ttlMinutes > 0)) throw new KizunaError('BAD_REQUEST', 'ttl must be positive');
  const { token, expiresAt } = createEnrollToken(opts.data, {
    name,
    ...(opts.groups ? { groups: opts.groups } : {}),
    ...(opts.role ? { role: opts.role } : {}),
    ttlMs: (opts.ttlMinutes ?? 24 * 60) * 60_000,
  });
  const host = opts.host ?? 'localhost';
  const link =
    `tak://com.atakmap.app/enroll?host=${encodeURIComponent(`${host}:${opts.tlsPort ?? 8089}`)}` +
    `&username=${encodeURIComponent(name)}&token=${encodeURIComponent(token)}`;
  out(await QRCode.toString(link, { type: 'terminal', small: true, errorCorrectionLevel: 'M' }));
  out(link);
  out(`enrollment: https://${host}:${opts.enrollPort ?? 8446}/Marti/api/tls/config  user ${name}, one-time password ${token}`);
  out(`valid until ${expiresAt} (token file: ${join(pkiDir(opts.data), 'enroll-tokens.json')})`);
  return { link, token, expiresAt };
}
