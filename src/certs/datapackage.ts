import yazl from 'yazl';
import { randomUUID } from 'node:crypto';
import { DEFAULT_P12_PASSWORD, buildP12 } from './p12.js';
import { pemToDer } from './keys.js';

function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

type PrefValue = string | boolean | number;
function entry(key: string, v: PrefValue): string {
  const cls = typeof v === 'boolean' ? 'Boolean' : typeof v === 'number' ? 'Integer' : 'String';
  return `    <entry key="${xmlEscape(key)}" class="class java.lang.${cls}">${xmlEscape(String(v))}</entry>`;
}

/** ATAK's Java-typed preference XML (docs/tak-protocol.md §4.3). */
export function serverPref(o: { description: string; connectString: string; stream: Record<string, PrefValue>; app: Record<string, PrefValue> }): string {
  const stream: Record<string, PrefValue> = { description0: o.description, enabled0: true, connectString0: o.connectString, ...o.stream };
  return [
    '<?xml version="1.0" standalone="yes"?>',
    '<preferences>',
    '  <preference version="1" name="cot_streams">',
    entry('count', 1),
    ...Object.entries(stream).map(([k, v]) => entry(k, v)),
    '  </preference>',
    '  <preference version="1" name="com.atakmap.app_preferences">',
    entry('displayServerConnectionWidget', true),
    ...Object.entries(o.app).map(([k, v]) => entry(k, v)),
    '  </preference>',
    '</preferences>',
    '',
  ].join('\n');
}

export function manifestXml(o: { uid: string; name: string; entries: string[] }): string {
  return [
    '<MissionPackageManifest version="2">',
    '  <Configuration>',
    `    <Parameter name="uid" value="${xmlEscape(o.uid)}"/>`,
    `    <Parameter name="name" value="${xmlEscape(o.name)}"/>`,
    '    <Parameter name="onReceiveDelete" value="true"/>',
    '  </Configuration>',
    '  <Contents>',
    ...o.entries.map((e) => `    <Content ignore="false" zipEntry="${xmlEscape(e)}"/>`),
    '  </Contents>',
    '</MissionPackageManifest>',
    '',
  ].join('\n');
}

async function zip(files: { name: string; data: Buffer }[]): Promise<Buffer> {
  const z = new yazl.ZipFile();
  // fixed mtime: the same inputs give the same archive
  const mtime = new Date('2020-01-01T00:00:00Z');
  for (const f of files) z.addBuffer(f.data, f.name, { mtime, compress: true });
  z.end();
  const chunks: Buffer[] = [];
  for await (const c of z.outputStream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function safeStem(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '_') || 'kizuna';
}

export interface ConnectionPackageOptions {
  /** connection description shown in ATAK and base for file names */
  name: string;
  host: string;
  tlsPort: number;
  caCertPem: string;
  /** client key + certificate; omit for an enrollment package (ATAK then enrolls over 8446) */
  clientP12?: Buffer;
  p12Password?: string;
  /** file stem of the client p12 inside the package (default: name) */
  clientName?: string;
}

/**
 * ATAK connection data package: MANIFEST/manifest.xml, certs/server.pref, certs/truststore-*.p12 and,
 * unless enrollment-style, certs/<client>.p12. ATAK imports .p12 into its cert/ directory, which is
 * where the pref points.
 */
export async function buildConnectionPackage(o: ConnectionPackageOptions): Promise<Buffer> {
  const password = o.p12Password ?? DEFAULT_P12_PASSWORD;
  const stem = safeStem(o.name);
  const trustName = `truststore-${stem}.p12`;
  const truststore = buildP12({ certs: [{ der: pemToDer(o.caCertPem), alias: 'ca0' }], password });
  const stream: Record<string, PrefValue> = { caLocation0: `cert/${trustName}`, caPassword0: password };
  const app: Record<string, PrefValue> = { caLocation: `cert/${trustName}`, caPassword: password };
  const files = [{ name: `certs/${trustName}`, data: truststore }];
  if (o.clientP12) {
    const clientName = `${safeStem(o.clientName ?? o.name)}.p12`;
    Object.assign(stream, { certificateLocation0: `cert/${clientName}`, clientPassword0: password });
    Object.assign(app, { certificateLocation: `cert/${clientName}`, clientPassword: password });
    files.push({ name: `certs/${clientName}`, data: o.clientP12 });
  } else {
    Object.assign(stream, { enrollForCertificateWithTrust0: true, useAuth0: true, cacheCreds0: 'Cache credentials' });
  }
  const pref = serverPref({ description: o.name, connectString: `${o.host}:${o.tlsPort}:ssl`, stream, app });
  files.unshift({ name: 'certs/server.pref', data: Buffer.from(pref, 'utf8') });
  const manifest = manifestXml({ uid: randomUUID(), name: o.name, entries: files.map((f) => f.name) });
  return zip([...files, { name: 'MANIFEST/manifest.xml', data: Buffer.from(manifest, 'utf8') }]);
}
