import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import tls from 'node:tls';
import { issueClientCert } from '../../src/certs/index.js';
import { startTestNode, waitFor } from '../support/node-harness.js';

type Node = Awaited<ReturnType<typeof startTestNode>>;

/**
 * TLS session tickets on the TAK TLS port: off by default (each costs the server memory per idle
 * connection and TAK clients reconnect fine with a full handshake), on with
 * `connections.tlsSessionTickets`. Off means no TLS 1.2 ticket at all, and under TLS 1.3 no session a
 * client keeps can resume.
 */
interface Attempt {
  session: Buffer | undefined;
  ticket: boolean;
  reused: boolean;
}

async function connect(node: Node, id: { key: string; cert: string }, maxVersion: tls.SecureVersion, session?: Buffer): Promise<Attempt> {
  const s = tls.connect({ port: node.ready.tls, host: '127.0.0.1', ...id, ca: node.pki.caCertPem, servername: 'localhost', maxVersion, session });
  let last: Buffer | undefined;
  s.on('session', (b: Buffer) => (last = b)).on('error', () => undefined);
  s.resume(); // tickets arrive with the first read after the handshake (TLS 1.3)
  await new Promise<void>((ok, fail) => s.once('secureConnect', ok).once('error', fail));
  // a fresh handshake always hands the client a session (ticket or id); a resumed one may not
  if (!session) await waitFor(() => last !== undefined, 'a session from the handshake');
  const out = { session: last, ticket: s.getTLSTicket() !== undefined, reused: s.isSessionReused() };
  s.destroy();
  return out;
}

for (const enabled of [false, true]) {
  describe(`TAK TLS port, session tickets ${enabled ? 'enabled' : 'default (off)'}`, () => {
    let node: Node;
    let id: { key: string; cert: string };
    beforeAll(async () => {
      node = await startTestNode({ nation: 'JPN', ...(enabled ? { connections: { tlsSessionTickets: true } } : {}) });
      const c = await issueClientCert(node.pki, { name: 'ticket', nation: 'JPN', groups: ['Blue'], role: 'operator' });
      id = { key: c.keyPem!, cert: c.certPem };
    });
    afterAll(async () => node.stop());

    it(`TLS 1.2: ${enabled ? 'a ticket is issued' : 'no ticket is issued'} and a reconnect ${enabled ? 'resumes' : 'is a full handshake'}`, async () => {
      const first = await connect(node, id, 'TLSv1.2');
      expect(first.ticket).toBe(enabled);
      expect((await connect(node, id, 'TLSv1.2', first.session)).reused).toBe(enabled);
    });

    it(`TLS 1.3: a reconnect with the session ${enabled ? 'resumes' : 'is a full handshake'}`, async () => {
      const first = await connect(node, id, 'TLSv1.3');
      expect((await connect(node, id, 'TLSv1.3', first.session)).reused).toBe(enabled);
    });
  });
}
