import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { audienceFor, bindingDigestOf, canonicalLabelJson, createLabelInterner, labelToJson } from '../labels/index.js';
import type { Audience, SecurityLabel } from '../labels/types.js';
import { createLogger } from '../util/log.js';
import { KizunaError } from '../util/errors.js';
import { PeerLink, newHolderId } from './link.js';
import { certIdentity } from './peer-cert.js';
import { InboundChecker } from './receive.js';
import { OfferJournal } from './offer-journal.js';
import type { FedDeps, FedObject, Federation, PeerStatus } from './types.js';
import type { OutboxEntry } from '../store/types.js';
import { encodeEnvelopeBody, encodeStoredEnvelope } from './wire.js';
import { encodeChunkPayload } from './file-chunk.js';
import { mayTravelBeyond, signOrigin } from './origin-binding.js';

/**
 * Federation of sovereign nodes. One TLS connection per pair carries both directions; the node with
 * the lexicographically smaller nodeId dials (a node without `listen` always dials). An inbound
 * connection for a peer replaces any existing one, so a duplicate dial never leaves two links.
 */
const LEASE_TTL_MS = 10_000;
const LEASE_RENEW_MS = 3_000;

export function createFederation(d: FedDeps): Federation {
  const log = (d.log ?? createLogger()).child({ mod: 'federation', node: d.nodeId });
  const checker = new InboundChecker(d);
  const journal = new OfferJournal(d, log);
  const links = new Map<string, PeerLink>();
  const audiences = new Map<string, Audience>();
  for (const p of d.peers) {
    if (p.name === d.nodeId) throw new KizunaError('CONFIG_INVALID', 'a node cannot federate with itself');
    const link = new PeerLink(
      p,
      d,
      checker,
      {
        batch: d.limits?.batch ?? 256,
        window: d.limits?.window ?? 1024,
        maxOutbox: d.limits?.maxOutbox ?? 1_000_000,
        backoffMin: d.backoff?.minMs ?? 200,
        backoffMax: d.backoff?.maxMs ?? 10_000,
        stallMs: d.stallMs ?? 30_000,
        dialer: !d.listen || d.nodeId < p.name,
      },
      log,
    );
    link.onConnected = () => void announceTo([link]);
    links.set(p.name, link);
    audiences.set(p.name, audienceFor(d.registry, { nation: p.nation }));
  }
  let server: tls.Server | undefined;
  let leaseTimer: NodeJS.Timeout | undefined;
  let auditTimer: NodeJS.Timeout | undefined;
  const holder = newHolderId(d.nodeId);
  let closed = false;

  // Enqueues are coalesced per peer into one store transaction per tick (throughput under load).
  const pendingEnqueue = new Map<string, { items: OutboxEntry[]; waiters: { ok(): void; fail(e: unknown): void }[] }>();
  let flushScheduled = false;
  function enqueue(peer: string, item: OutboxEntry): Promise<void> {
    return new Promise((ok, fail) => {
      let q = pendingEnqueue.get(peer);
      if (!q) pendingEnqueue.set(peer, (q = { items: [], waiters: [] }));
      q.items.push(item);
      q.waiters.push({ ok, fail });
      if (!flushScheduled) {
        flushScheduled = true;
        setImmediate(flush);
      }
    });
  }
  function flush(): void {
    flushScheduled = false;
    const all = [...pendingEnqueue];
    pendingEnqueue.clear();
    for (const [peer, q] of all) {
      d.store.outbox
        .enqueue(peer, q.items)
        .then(async () => {
          const link = links.get(peer);
          link?.enqueued(q.items.length);
          // superseded rows leave gaps: the count of what waits comes from the store
          for (const w of q.waiters) w.ok();
          if (link && q.items.some((it) => it.conflate !== undefined)) {
            link.depth = await d.store.outbox.depth(peer).catch(() => link.depth);
          }
        })
        .catch((err) => {
          for (const w of q.waiters) w.fail(err);
        });
    }
  }

  async function offer(obj: FedObject, cameFrom?: string, only?: string): Promise<string[]> {
    if (closed) throw new KizunaError('CONFLICT', 'federation is closed');
    const t = journal.begin(obj);
    try {
      return await offerNow(obj, cameFrom, only);
    } finally {
      journal.end(t);
    }
  }

  async function offerNow(obj: FedObject, cameFrom?: string, only?: string): Promise<string[]> {
    // no link, nothing to decide: a node without peers pays nothing per stored event
    if (links.size === 0) return [];
    const label = internLabel(obj.kind === 'cot' ? obj.event.label : obj.kind === 'doc' ? obj.doc.label : obj.chunk.label);
    let payload: Uint8Array | undefined;
    const jobs: Promise<void>[] = [];
    const sentTo: string[] = [];
    const originMemo: { sig?: Promise<string> } = {};
    for (const link of links.values()) {
      const peer = link.peer;
      if (peer.name === cameFrom || peer.name === obj.origin) continue; // never back where it came from
      if (only !== undefined && peer.name !== only) continue;
      const audience = audiences.get(peer.name)!;
      const decision = d.guard.decide(label, audience);
      const released = decision.allow ? d.guard.release({ label, value: obj }, audience, 'federation') : undefined;
      if (!released) {
        jobs.push(
          d.audit('fed.withheld', d.nodeId, {
            peer: peer.name,
            nation: peer.nation,
            origin: obj.origin,
            id: obj.id,
            kind: obj.kind,
            reason: decision.reason,
          }),
        );
        continue;
      }
      const originBindingJws = obj.kind === 'file-chunk' ? undefined : await originBindingFor(obj, label, peer.nation, originMemo);
      if (originBindingJws === null) {
        // a relay without the originator's binding would be refused by the receiver: not sent at all
        jobs.push(d.audit('fed.withheld', d.nodeId, { peer: peer.name, nation: peer.nation, origin: obj.origin, id: obj.id, kind: obj.kind, reason: 'NO_ORIGIN_BINDING' }));
        continue;
      }
      if (!link.admit(1)) continue;
      sentTo.push(peer.name);
      payload ??=
        obj.kind === 'file-chunk'
          ? encodeChunkPayload(obj.chunk, obj.data)
          : new TextEncoder().encode(JSON.stringify(obj.kind === 'cot' ? obj.event : obj.doc));
      // Bound to the label in the RECEIVER's policy: that is what the receiver checks and stores beside it.
      // Only the digest here: the signature is made at send time, once per batch (v3) or per object (v1/v2).
      const wire = wireForm(released.label);
      const digest = bindingDigestOf(payload, wire.canonical);
      const body = encodeEnvelopeBody({
        origin: obj.origin,
        id: obj.id,
        kind: obj.kind,
        labelJson: wire.json,
        bindingJws: '',
        payload,
        ...(originBindingJws ? { originBindingJws } : {}),
      });
      const entry: OutboxEntry = { key: `${obj.origin}:${obj.id}`, payload: encodeStoredEnvelope(digest, body) };
      // A position (an "a-" SA event) for a peer that is not keeping up supersedes its queued older one;
      // chat, alerts, deletes, documents and file chunks are never conflated.
      if (obj.kind === 'cot' && obj.event.type.startsWith('a-') && link.backedUp) entry.conflate = `${obj.origin}:${obj.event.uid}`;
      jobs.push(enqueue(peer.name, entry));
    }
    await Promise.all(jobs);
    return sentTo;
  }

  /**
   * The originator binding to send with a track or document: ours (signed once per object, only when its
   * label releases beyond the peer), the one received with a relayed object, or null for a relayed object
   * without one.
   */
  async function originBindingFor(obj: Exclude<FedObject, { kind: 'file-chunk' }>, label: SecurityLabel, peerNation: string, memo: { sig?: Promise<string> }): Promise<string | null | undefined> {
    if (obj.origin !== d.nodeId) return checker.originBindings.get(obj.origin, obj.id) ?? null;
    if (!mayTravelBeyond(d.registry, label, peerNation)) return undefined;
    return (memo.sig ??= signOrigin(d.binding.privateJwk, obj.kind === 'cot' ? obj.event : obj));
  }

  /** Our audit head to the given links (those connected at v2); names of the peers it went to. */
  async function announceTo(targets: PeerLink[]): Promise<string[]> {
    if (!d.auditHead || closed) return [];
    let head;
    try {
      head = await d.auditHead();
    } catch (err) {
      log.warn({ code: (err as { code?: string }).code ?? 'INTERNAL' }, 'audit head unavailable');
      return [];
    }
    if (!head) return [];
    const h = { seq: head.seq, hash: head.hash };
    return targets.filter((l) => l.sendAuditHead(h)).map((l) => l.peer.name);
  }

  async function renewLeases(): Promise<void> {
    for (const link of links.values()) {
      let held = false;
      try {
        held = await d.bus!.acquireLease(`fed-link:${link.peer.name}`, holder, LEASE_TTL_MS);
      } catch (err) {
        log.warn({ peer: link.peer.name, err: (err as Error).message }, 'federation lease renewal failed');
      }
      if (closed) return;
      if (held && !link.isRunning) link.run();
      if (!held && link.isRunning) link.stop();
      if (!held) link.depth = await d.store.outbox.depth(link.peer.name).catch(() => link.depth);
    }
  }

  function onInbound(sock: tls.TLSSocket): void {
    const cert = sock.getPeerX509Certificate();
    const id = cert ? certIdentity(cert) : {};
    const link = id.nodeId ? links.get(id.nodeId) : undefined;
    if (!link) {
      sock.destroy();
      log.warn({ remote: sock.remoteAddress }, 'federation connection from an unknown node refused');
      void d.audit('fed.untrusted', d.nodeId, { code: 'FED_UNTRUSTED_PEER', reason: 'unknown-node', remote: sock.remoteAddress }).catch(() => undefined);
      return;
    }
    const refused = link.verifyPeerCert(cert, sock.authorized);
    if (refused) {
      void link.refuse(sock, refused, sock.remoteAddress);
      return;
    }
    if (!link.isRunning) {
      sock.destroy(); // another process of this node holds the link
      return;
    }
    link.attach(sock);
  }

  return {
    async start() {
      await Promise.all([...links.values()].map((l) => l.init()));
      // Events stored before a crash whose offer never reached the outboxes (see offer-journal.ts).
      await journal.recover(async (obj) => void (await offerNow(obj)));
      journal.start();
      let port: number | undefined;
      if (d.listen) {
        const cas = d.peers.map((p) => p.caPem);
        server = tls.createServer(
          {
            cert: d.tls.certPem,
            key: d.tls.keyPem,
            // Only the configured peers' CAs; which CA is right for which peer is checked per connection.
            ca: cas.length ? cas : undefined,
            requestCert: true,
            rejectUnauthorized: true,
            handshakeTimeout: 10_000,
            minVersion: 'TLSv1.2',
          },
          onInbound,
        );
        server.on('tlsClientError', (err: NodeJS.ErrnoException, sock) => {
          log.warn({ code: err.code, remote: sock.remoteAddress }, 'federation TLS handshake refused');
          sock.destroy(); // with a listener attached Node does not close it (idle handshakes would linger)
          void d
            .audit('fed.untrusted', d.nodeId, { code: 'FED_UNTRUSTED_PEER', reason: err.code ?? 'tls', remote: sock.remoteAddress })
            .catch(() => undefined);
        });
        await new Promise<void>((ok, fail) => {
          server!.once('error', fail);
          server!.listen(d.listen!.port, d.listen!.host, () => {
            server!.off('error', fail);
            ok();
          });
        });
        port = (server.address() as AddressInfo).port;
      }
      if (d.bus) {
        await renewLeases();
        leaseTimer = setInterval(() => void renewLeases(), LEASE_RENEW_MS);
        leaseTimer.unref();
      } else {
        for (const l of links.values()) l.run();
      }
      if (d.auditHead) {
        auditTimer = setInterval(() => void announceTo([...links.values()]), d.auditHeadEveryMs ?? 60_000);
        auditTimer.unref();
      }
      log.info({ port, peers: d.peers.map((p) => p.name) }, 'federation started');
      return port === undefined ? {} : { port };
    },
    offer,
    announceAuditHead: () => announceTo([...links.values()]),
    status(): PeerStatus[] {
      return [...links.values()].map((l) => l.status());
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(leaseTimer);
      clearInterval(auditTimer);
      await journal.stop();
      // Stop accepting first, then drop the links: server.close only resolves once its sockets are gone.
      const serverClosed = new Promise<void>((r) => (server ? server.close(() => r()) : r()));
      await Promise.all([...links.values()].map((l) => l.close()));
      await serverClosed;
      if (d.bus) {
        await Promise.all(
          [...links.values()].map((l) => d.bus!.releaseLease(`fed-link:${l.peer.name}`, holder).catch(() => undefined)),
        );
      }
    },
  };
}

/**
 * One label object per distinct label (exact JSON): the guard caches its digest per object, so equal
 * labels of successive objects hit instead of being re-canonicalised. The guard still decides each time.
 */
const interned = createLabelInterner(1024);
const internLabel = (label: SecurityLabel): SecurityLabel => interned.byValue(label);

/** Wire JSON and canonical JSON of a released label; memoised per object only when frozen (the guard's are). */
const wireForms = new WeakMap<SecurityLabel, { json: string; canonical: string }>();
function wireForm(label: SecurityLabel): { json: string; canonical: string } {
  let w = wireForms.get(label);
  if (!w) {
    w = { json: labelJsonString(label), canonical: canonicalLabelJson(label) };
    if (Object.isFrozen(label)) wireForms.set(label, w);
  }
  return w;
}

/** labelToJson may return a string or an object depending on the labels module; the wire wants a string. */
function labelJsonString(label: Parameters<typeof labelToJson>[0]): string {
  const j: unknown = labelToJson(label);
  return typeof j === 'string' ? j : JSON.stringify(j);
}
