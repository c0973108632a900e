import { admitNodeRecord, makeLabel } from '../labels/index.js';
import type { Logger } from '../util/log.js';
import type { FedDeps, FedObject } from './types.js';

/**
 * Closes the crash window between "event durable in the store" and "event durable in every peer's
 * outbox": the node stores an event and only then offers it (two commits), so a kill -9 in between
 * would lose it for the federation forever. The journal persists a checkpoint T meaning "every event
 * with receivedAt < T has been completely offered"; on start, events stored since T are offered again.
 * Re-offers are harmless: the receiver's accept is idempotent by origin+id.
 *
 * Limits (documented, not hidden): the store lists the latest state per uid, so when one uid changed
 * several times inside the crash window only its latest state is re-offered (the picture converges,
 * a history row may be missing on the peer); coordination documents are not journalled here; with
 * several processes per node each writes the same checkpoint (the lowest would be needed).
 */
const COLLECTION = 'federation';
const DOC_ID = 'offer-checkpoint';
/** an offer starts after the store commit and the bus publish; generous slack for slow commits */
const SAFETY_MS = 10_000;
const WRITE_EVERY_MS = 1_000;

export class OfferJournal {
  private readonly inflight = new Map<number, number>();
  private timer: NodeJS.Timeout | undefined;
  private written = 0;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly d: FedDeps,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  begin(obj: FedObject): number | undefined {
    if (obj.kind !== 'cot') return undefined;
    const t = obj.event.receivedAt;
    this.inflight.set(t, (this.inflight.get(t) ?? 0) + 1);
    return t;
  }

  end(t: number | undefined): void {
    if (t === undefined) return;
    const n = (this.inflight.get(t) ?? 1) - 1;
    if (n <= 0) this.inflight.delete(t);
    else this.inflight.set(t, n);
  }

  /** Offers again every event stored since the last checkpoint; returns how many. */
  async recover(offer: (obj: FedObject) => Promise<void>): Promise<number> {
    const doc = await this.d.store.getDoc<{ receivedAt: number }>(COLLECTION, DOC_ID);
    if (!doc) return 0; // first start: nothing was stored before the journal existed
    const since = doc.body.receivedAt;
    const events = (await this.d.store.events.latest({ now: 0, includeStale: true, limit: 10_000_000 }))
      .filter((e) => e.receivedAt >= since)
      .sort((a, b) => a.receivedAt - b.receivedAt);
    for (const event of events) await offer({ kind: 'cot', origin: event.origin, id: event.id, event });
    if (events.length) this.log.info({ since, reoffered: events.length }, 'federation re-offered events stored since the last checkpoint');
    return events.length;
  }

  start(): void {
    this.timer = setInterval(() => void this.checkpoint(), WRITE_EVERY_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.checkpoint();
  }

  checkpoint(): Promise<void> {
    this.writing = this.writing.then(async () => {
      let t = this.now() - SAFETY_MS;
      for (const k of this.inflight.keys()) t = Math.min(t, k);
      if (t <= this.written) return;
      const policy = this.d.registry.policyOf(this.d.nation);
      const label = makeLabel(this.d.registry, {
        policy,
        classification: this.d.registry.classifications(policy)[0]!,
        relTo: [this.d.nation],
        owner: this.d.nation,
      });
      try {
        await this.d.store.commit({ docs: [admitNodeRecord({ nation: this.d.nation, policy }, { collection: COLLECTION, id: DOC_ID, label, body: { receivedAt: t } })] });
        this.written = t;
      } catch (err) {
        this.log.warn({ code: (err as { code?: string }).code ?? 'INTERNAL' }, 'federation offer checkpoint not written');
      }
    });
    return this.writing;
  }
}
