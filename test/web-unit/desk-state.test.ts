import { describe, expect, it } from 'vitest';
import type { ChatMessageView, RequestView } from '../../src/api/contract.js';
import { DeskState } from '../../web/src/desk-state.js';
import { parseServerFrame } from '../../web/src/messages.js';

const label = { policy: 'USA', classification: 'UNCLASSIFIED', rank: 0, marking: 'UNCLASSIFIED', markingJa: '', portion: '(U)', color: '#007a33' };
function req(over: Partial<RequestView> = {}): RequestView {
  return {
    id: 'R1', kind: 'isr', title: 't', description: '', requester: 'a', originNation: 'JPN', nations: ['USA', 'JPN'],
    status: 'submitted', priority: 'routine', concurrence: [{ nation: 'USA', decision: 'pending' }, { nation: 'JPN', decision: 'concur' }],
    comments: [], label, version: 1, updatedAt: '2025-01-01T00:00:00Z', ...over,
  };
}
const msg = (id: string, at: string, room = 'ops'): ChatMessageView => ({ id, room, from: 'x', nation: 'USA', text: id, at, label });

describe('DeskState', () => {
  it('keeps the newest version of a request and notifies listeners', () => {
    const s = new DeskState();
    let calls = 0;
    s.on('requests', () => calls++);
    expect(s.upsertRequest(req({ version: 3, title: 'new' }))).toBe(true);
    expect(s.upsertRequest(req({ version: 2, title: 'stale' }))).toBe(false);
    expect(s.requests.get('R1')?.title).toBe('new');
    expect(calls).toBe(1);
  });

  it('lists requests most recently updated first', () => {
    const s = new DeskState();
    s.upsertRequest(req({ id: 'a', updatedAt: '2025-01-01T00:00:00Z' }));
    s.upsertRequest(req({ id: 'b', updatedAt: '2025-01-02T00:00:00Z' }));
    expect(s.requestList().map((r) => r.id)).toEqual(['b', 'a']);
  });

  it('lets only a coordinator of a nation still pending decide', () => {
    const s = new DeskState();
    const r = req();
    s.setUser({ username: 'u', nation: 'USA', role: 'operator' });
    expect(s.canDecide(r)).toBe(false);
    s.setUser({ username: 'u', nation: 'USA', role: 'coordinator' });
    expect(s.canDecide(r)).toBe(true);
    expect(s.canDecide(req({ status: 'closed' }))).toBe(false);
    s.setUser({ username: 'u', nation: 'JPN', role: 'coordinator' });
    expect(s.canDecide(r)).toBe(false); // JPN already concurred
    s.setUser({ username: 'u', nation: 'PHL', role: 'coordinator' });
    expect(s.canDecide(r)).toBe(false); // not a party
  });

  it('merges chat messages per room, de-duplicated and in time order', () => {
    const s = new DeskState();
    s.addChat([msg('2', '2025-01-01T00:00:02Z'), msg('1', '2025-01-01T00:00:01Z')]);
    s.addChat([msg('2', '2025-01-01T00:00:02Z'), msg('3', '2025-01-01T00:00:03Z', 'hadr')]);
    expect(s.chat.get('ops')?.map((m) => m.id)).toEqual(['1', '2']);
    expect(s.chat.get('hadr')?.map((m) => m.id)).toEqual(['3']);
  });

  it('sorts the calendar chronologically', () => {
    const s = new DeskState();
    s.upsertCalendar({ id: 'b', title: 'b', start: '2025-02-01T00:00:00Z', end: '2025-02-02T00:00:00Z', participants: [], label });
    s.upsertCalendar({ id: 'a', title: 'a', start: '2025-01-01T00:00:00Z', end: '2025-01-02T00:00:00Z', participants: [], label });
    expect(s.calendarList().map((e) => e.id)).toEqual(['a', 'b']);
  });
});

describe('parseServerFrame', () => {
  it('accepts one known message or a batch of them, in order', () => {
    expect(parseServerFrame('{"t":"expired"}')).toEqual({ messages: [{ t: 'expired' }], bad: 0 });
    expect(parseServerFrame('[{"t":"remove","uid":"x"},{"t":"remove","uid":"y"}]')).toEqual({
      messages: [{ t: 'remove', uid: 'x' }, { t: 'remove', uid: 'y' }],
      bad: 0,
    });
  });
  it('rejects garbage without throwing; a bad entry in a batch does not lose the good ones', () => {
    for (const bad of ['', 'not json', 'null', '{"t":"nope"}', '{}', 42, new ArrayBuffer(2)]) {
      expect(parseServerFrame(bad)).toEqual({ messages: [], bad: 1 });
    }
    expect(parseServerFrame('[{"t":"nope"},{"t":"expired"},7]')).toEqual({ messages: [{ t: 'expired' }], bad: 2 });
  });
});
