import type { FastifyInstance, FastifyRequest } from 'fastify';
import * as x509 from '@peculiar/x509';
import {
  buildConnectionPackage,
  buildP12,
  checkEnrollToken,
  consumeEnrollToken,
  lookupEnrollToken,
  csrCommonName,
  DEFAULT_P12_PASSWORD,
  issueClientCert,
  parseCsr,
  type NodePki,
} from '../certs/index.js';
import { KizunaError, isKizunaError } from '../util/errors.js';
import { parseBasicAuth, queryString, readSmallBody } from './http.js';
import type { MartiDeps } from './types.js';

interface Enrollee {
  username: string;
  role: string;
  groups: string[];
  /** set when authenticated by a one-time token */
  token?: string;
}

/**
 * Basic auth against a one-time token first (cheap, no password hashing), then the node's users.
 * A token that exists but is used or expired is TOKEN_INVALID, not a silent fall-through.
 */
async function authenticate(req: FastifyRequest, deps: MartiDeps): Promise<Enrollee> {
  const creds = parseBasicAuth(req.headers.authorization);
  if (!creds) throw new KizunaError('UNAUTHENTICATED');
  if (lookupEnrollToken(deps.dataDir, creds.username, creds.password)) {
    try {
      const t = checkEnrollToken(deps.dataDir, creds.username, creds.password);
      return { username: t.name, role: t.role, groups: t.groups, token: creds.password };
    } catch (e) {
      await deps.audit('cert.enroll.denied', creds.username, { code: 'TOKEN_INVALID' });
      throw e;
    }
  }
  const user = await deps.authenticate(creds.username, creds.password, req.ip);
  if (!user) {
    await deps.audit('cert.enroll.denied', creds.username, { code: 'UNAUTHENTICATED' });
    throw new KizunaError('UNAUTHENTICATED');
  }
  return { username: user.username, role: user.role, groups: user.groups?.length ? user.groups : ['__ANON__'] };
}

function b64Wrapped(der: ArrayBuffer | Buffer): string {
  return (Buffer.from(der as ArrayBuffer).toString('base64').match(/.{1,64}/g) ?? []).join('\n');
}

export function registerEnrollRoutes(app: FastifyInstance, deps: MartiDeps, pki: NodePki): void {
  const caDer = new x509.X509Certificate(pki.caCertPem).rawData;

  // ATAK builds the CSR's DN from these entries (after CN=<username>). iOS needs text/plain (TAKAware #132).
  app.get('/Marti/api/tls/config', async (req, reply) => {
    await authenticate(req, deps);
    const xml =
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
      '<ns2:certificateConfig xmlns="http://bbn.com/marti/xml/config" xmlns:ns2="com.bbn.marti.config" validityDays="365">' +
      `<nameEntries><nameEntry name="O" value="${deps.nation}"/></nameEntries>` +
      '</ns2:certificateConfig>';
    return reply.type('text/plain; charset=UTF-8').send(xml);
  });

  const sign = async (req: FastifyRequest) => {
    const who = await authenticate(req, deps);
    const clientUid = queryString(req.query, 'clientUid', 'clientUID') ?? '';
    const body = (await readSmallBody(req.raw, 16 * 1024)).toString('latin1');
    try {
      // check the request fully before a token is spent on it
      const csr = await parseCsr(body);
      if (csrCommonName(csr) !== who.username) throw new KizunaError('CERT_INVALID', 'CSR common name does not match the enrolled user');
      if (who.token !== undefined) consumeEnrollToken(deps.dataDir, who.username, who.token);
      const issued = await issueClientCert(pki, { name: who.username, nation: deps.nation, groups: who.groups, role: who.role, csrPem: body });
      await deps.audit('cert.enroll', who.username, { serial: issued.serial, clientUid, via: who.token ? 'token' : 'password', groups: who.groups });
      return { der: Buffer.from(new x509.X509Certificate(issued.certPem).rawData), serial: issued.serial };
    } catch (e) {
      await deps.audit('cert.enroll.denied', who.username, { code: isKizunaError(e) ? e.code : 'INTERNAL', clientUid });
      throw e;
    }
  };

  // v1 (ATAK 4.x): PKCS#12, certificates only, aliases signedCert + ca0 (no signedCert => ATAK crashes, ATAK-CIV #279)
  app.post('/Marti/api/tls/signClient', async (req, reply) => {
    const { der } = await sign(req);
    const p12 = buildP12({ certs: [{ der, alias: 'signedCert' }, { der: Buffer.from(caDer), alias: 'ca0' }], password: DEFAULT_P12_PASSWORD });
    return reply.type('application/x-pkcs12').send(p12);
  });

  // v2 (iTAK, pytak): JSON unless the client asks for XML
  app.post('/Marti/api/tls/signClient/v2', async (req, reply) => {
    const { der } = await sign(req);
    const signedCert = b64Wrapped(der);
    const ca0 = b64Wrapped(Buffer.from(caDer));
    if (/application\/xml|text\/xml/i.test(req.headers.accept ?? '')) {
      return reply.type('application/xml').send(`<enrollment><signedCert>${signedCert}</signedCert><ca>${ca0}</ca></enrollment>`);
    }
    return reply.type('application/json').send(JSON.stringify({ signedCert, ca0 }));
  });

  // No per-user profile yet: 204 is "nothing to import". Accepts a token that was just spent.
  app.get('/Marti/api/tls/profile/enrollment', async (req, reply) => {
    const creds = parseBasicAuth(req.headers.authorization);
    if (!creds) throw new KizunaError('UNAUTHENTICATED');
    const known = lookupEnrollToken(deps.dataDir, creds.username, creds.password) ?? (await deps.authenticate(creds.username, creds.password, req.ip));
    if (!known) throw new KizunaError('UNAUTHENTICATED');
    return reply.code(204).send();
  });

  // Enrollment-style connection package (truststore only) for users who sign in with a password.
  app.get('/Marti/api/kizuna/enrollment-package', async (req, reply) => {
    const who = await authenticate(req, deps);
    const zip = await buildConnectionPackage({ name: `${deps.nodeId} ${who.username}`, host: deps.publicHost, tlsPort: deps.tlsPort, caCertPem: pki.caCertPem });
    return reply.type('application/zip').header('content-disposition', `attachment; filename="${deps.nodeId}-enroll.zip"`).send(zip);
  });
}
