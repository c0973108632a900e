import { describe, expect, it } from 'vitest';
import type { CotEvent } from '../cot/model.js';
import { DELETE } from './control.js';
import { InboundGate } from './inbound-gate.js';

interface Sender {
  id: string;
  paused: boolean;
}

/** `tag` is a sequence number: it names the event (in `how`) and orders its time. */
const ev = (uid: string, type: string, tag: string, extra: Partial<CotEvent> = {}): CotEvent => ({
  version: '2.0',
  uid,
  type,
  how: tag,
  time: new Date(1_800_000_000_000 + Number(tag) * 1000).toISOString(),
  start: new Date(1_800_000_000_000).toISOString(),
  stale: new Date(1_900_000_000_000).toISOString(),
  point: { lat: 0, lon: 0, hae: 0, ce: 0, le: 0 },
  detailXml: '',
  ...extra,
});
const del = (target: string, tag: string): CotEvent => ev(`del-${tag}`, DELETE, tag, { detailXml: `<link uid="${target}" relation="p-p" type="a-f-G"/>` });

/** A gate whose ingests finish only when the test says so; `ingested` lists events in start order. */
function harness(maxInFlight = 1, maxQueued = 100, lag?: { minInFlight: number; maxLagMs: number; clock: { t: number } }, held?: () => boolean) {
  const ingested: string[] = [];
  const pending: (() => void)[] = [];
  const gate = new InboundGate<Sender>({
    ingest: (e) => {
      ingested.push(`${e.uid}@${e.how}`);
      return new Promise<void>((resolve) => pending.push(resolve));
    },
    maxInFlight,
    maxQueued,
    senderId: (s) => s.id,
    pause: (s) => (s.paused = true),
    resume: (s) => (s.paused = false),
    ...(lag ? { minInFlight: lag.minInFlight, maxLagMs: lag.maxLagMs, now: () => lag.clock.t } : {}),
    ...(held ? { held } : {}),
  });
  /** finishes every running ingest, repeatedly, until nothing runs */
  const drain = async (): Promise<void> => {
    while (pending.length) {
      pending.shift()!();
      await new Promise((r) => setImmediate(r));
    }
  };
  return { gate, ingested, drain };
}

describe('inbound gate: conflation of positions while the pipeline is behind', () => {
  it('ingests at once while slots are free, in order', async () => {
    const { gate, ingested } = harness(3);
    const a = { id: 'a', paused: false };
    for (const t of ['1', '2', '3']) gate.submit(ev('A', 'a-f-G', t), a);
    expect(ingested).toEqual(['A@1', 'A@2', 'A@3']);
    expect(gate.stats.conflated).toBe(0);
  });

  it('a newer position of the same sender replaces the waiting one in its place; nothing else is merged or dropped', async () => {
    const { gate, ingested, drain } = harness(1);
    const a = { id: 'a', paused: false };
    const b = { id: 'b', paused: false };
    gate.submit(ev('busy', 'a-f-G', '0'), a); // occupies the only slot
    gate.submit(ev('A', 'a-f-G', '1'), a);
    gate.submit(ev('chat-1', 'b-t-f', '2'), a);
    gate.submit(ev('A', 'a-f-G', '3'), a); // replaces A@1 in its place
    gate.submit(ev('A', 'a-f-G', '4'), b); // another sender's event for A: not merged, queued
    gate.submit(ev('A', 'a-f-G', '5', { destUids: ['X'] }), a); // directed: never merged
    gate.submit(ev('alert', 'b-a-o-tbl', '6'), a);
    gate.submit(ev('chat-1', 'b-t-f', '7'), a); // non-positions with the same uid both stay
    await drain();
    expect(ingested).toEqual(['busy@0', 'A@3', 'chat-1@2', 'A@4', 'A@5', 'alert@6', 'chat-1@7']);
    expect(gate.stats.conflated).toBe(1);
  });

  it('a delete seals the waiting position: a later position of that uid comes after the delete', async () => {
    const { gate, ingested, drain } = harness(1);
    const a = { id: 'a', paused: false };
    gate.submit(ev('busy', 'a-f-G', '0'), a);
    gate.submit(ev('A', 'a-f-G', '1'), a);
    gate.submit(del('A', '2'), a);
    gate.submit(ev('A', 'a-f-G', '3'), a);
    gate.submit(ev('A', 'a-f-G', '4'), a); // replaces A@3 (after the delete), not A@1
    await drain();
    expect(ingested).toEqual(['busy@0', 'A@1', 'del-2@2', 'A@4']);
  });

  it('pauses a sender that fills the queue with events that cannot conflate, resumes it at half', async () => {
    const { gate, ingested, drain } = harness(1, 4);
    const a = { id: 'a', paused: false };
    gate.submit(ev('busy', 'a-f-G', '0'), a);
    for (let i = 1; i <= 5; i++) gate.submit(ev(`chat-${i}`, 'b-t-f', String(i)), a);
    expect(a.paused).toBe(true);
    expect(gate.stats.paused).toBe(1);
    await drain();
    expect(a.paused).toBe(false);
    expect(ingested).toHaveLength(6);
  });

  it('positions alone take one slot per uid and never pause their sender', async () => {
    const { gate, ingested, drain } = harness(1, 4);
    const a = { id: 'a', paused: false };
    gate.submit(ev('busy', 'b-t-f', '0'), a);
    for (let i = 0; i < 1000; i++) gate.submit(ev(`P${i % 3}`, 'a-f-G', String(i)), a);
    expect(gate.waiting).toBe(3);
    expect(a.paused).toBe(false);
    await drain();
    expect(ingested).toEqual(['busy@0', 'P0@999', 'P1@997', 'P2@998']);
  });

  it('counts the pipeline as behind when its oldest running ingest is older than maxLagMs', async () => {
    const clock = { t: 0 };
    const { gate, ingested, drain } = harness(100, 100, { minInFlight: 1, maxLagMs: 100, clock });
    const a = { id: 'a', paused: false };
    gate.submit(ev('busy', 'b-t-f', '0'), a);
    clock.t = 50;
    gate.submit(ev('A', 'a-f-G', '1'), a); // oldest running is 50 ms old: runs
    clock.t = 200;
    gate.submit(ev('A', 'a-f-G', '2'), a); // 200 ms: behind, waits
    gate.submit(ev('A', 'a-f-G', '3'), a); // replaces it
    expect(ingested).toEqual(['busy@0', 'A@1']);
    await drain();
    expect(ingested).toEqual(['busy@0', 'A@1', 'A@3']);
  });

  it('keeps the waiting position when a replacement is older by its own time', async () => {
    const { gate, ingested, drain } = harness(1);
    const a = { id: 'a', paused: false };
    gate.submit(ev('busy', 'b-t-f', '0'), a);
    gate.submit(ev('A', 'a-f-G', '5'), a);
    gate.submit(ev('A', 'a-f-G', '3'), a);
    await drain();
    expect(ingested).toEqual(['busy@0', 'A@5']);
  });

  it('holds everything while downstream is busy: a paused sender resumes on poke and nothing that is not a position is lost', async () => {
    const downstream = { busy: true };
    const { gate, ingested, drain } = harness(100, 4, undefined, () => downstream.busy);
    const a = { id: 'a', paused: false };
    const b = { id: 'b', paused: false };
    const sent: string[] = [];
    for (let i = 1; i <= 30; i++) {
      gate.submit(ev('A', 'a-f-G', String(i)), a); // conflates to one slot
      if (i % 3 === 0) (gate.submit(ev(`chat-${i}`, 'b-t-f', String(i)), b), sent.push(`chat-${i}@${i}`));
      if (i % 10 === 0) (gate.submit(ev(`alert-${i}`, 'b-a-o-tbl', String(i)), b), sent.push(`alert-${i}@${i}`));
    }
    gate.submit(del('gone', '31'), b);
    sent.push('del-31@31');
    expect(ingested).toEqual([]); // held: nothing started
    expect(b.paused).toBe(true); // its ordered traffic filled the queue
    expect(a.paused).toBe(false); // positions alone never pause
    gate.poke(); // still busy: nothing moves
    expect(ingested).toEqual([]);
    downstream.busy = false;
    gate.poke();
    await drain();
    expect(b.paused).toBe(false);
    expect(ingested.filter((x) => !x.startsWith('A@'))).toEqual(sent);
    expect(ingested.filter((x) => x.startsWith('A@'))).toEqual(['A@30']);
  });
});
