/**
 * CoT types the server consumes and never brokers (docs/tak-protocol.md §2.6, §3.2).
 */
import { CONTROL_TYPES } from '../cot/control.js';
import type { CotEvent } from '../cot/model.js';

const { PING, PONG } = CONTROL_TYPES;
export const DELETE = 't-x-d-d';

export function isControlType(type: string): boolean {
  return (
    type === PING ||
    type === PONG ||
    type.startsWith('t-x-takp') ||
    type.startsWith('t-b') ||
    type === 't-x-c-f' ||
    type === 't-x-c-m' ||
    type.startsWith('t-x-c-i-')
  );
}

/** SA / own-position events (docs/tak-protocol.md §1.4): atoms "a-…" with a contact endpoint are contacts. */
export function isSituationalAwareness(type: string): boolean {
  return type.startsWith('a-');
}

/** A position for everyone (not addressed to some clients): the kind a newer one of its sender may replace. */
export function isBroadcastSa(
  ev: { type: string; destCallsigns?: string[] | undefined; destUids?: string[] | undefined },
  route: { destCallsigns?: string[] | undefined; destUids?: string[] | undefined } = ev,
): boolean {
  return isSituationalAwareness(ev.type) && !route.destCallsigns?.length && !route.destUids?.length;
}

/**
 * A client's own SA: an atom whose detail names the client's contact endpoint or its TAK version
 * (ATAK, WinTAK, iTAK send both). Tracks relayed by gateways (PyTAK, aiscot) carry neither.
 */
export function isOwnSa(ev: { type: string; uid: string; detailXml: string }): boolean {
  if (!ev.uid || !isSituationalAwareness(ev.type)) return false;
  const d = ev.detailXml;
  if (d.includes('<takv')) return true;
  // each character is looked at a bounded number of times, whatever the detail holds
  for (let pos = 0; ; ) {
    const at = d.indexOf('<contact', pos);
    if (at === -1) return false;
    const end = d.indexOf('>', at);
    const tag = d.slice(at, end === -1 ? undefined : end);
    if (tag.includes('endpoint=')) return true;
    if (end === -1) return false;
    pos = end;
  }
}

const UID_ATTR = /\buid\s*=\s*["']([^"']+)["']/;

/**
 * The uid a t-x-d-d removes (its first `<link uid>`), or undefined when it names none (e.g. PyTAK's hello).
 * Each `<link` tag is searched on its own, so the work stays linear in the detail whatever it holds (one regex
 * over the whole detail backtracked across every `<link` without a `>`).
 */
export function deleteTarget(detailXml: string): string | undefined {
  const d = detailXml;
  let gt = -2; // -2: not looked for yet; the next '>' at or after the current tag, -1 once none is left: each is searched for once
  for (let pos = 0; ; ) {
    const at = d.indexOf('<link', pos);
    if (at === -1) return undefined;
    if (gt !== -1 && gt < at) gt = d.indexOf('>', at);
    const next = gt === -1 ? d.indexOf('<link', at + 5) : -1;
    const stop = gt !== -1 ? gt : next !== -1 ? next : d.length;
    const tag = d.slice(at + 5, stop);
    // `<link` itself, not `<link_attr` (a route's)
    if (tag === '' || /^[\s/]/.test(tag)) {
      const uid = UID_ATTR.exec(tag)?.[1];
      if (uid !== undefined) return uid;
    }
    if (stop === d.length) return undefined;
    pos = stop;
  }
}

/** The delete a node announces when a client leaves: its own SA uid is gone (stale after 20 s). */
export function departureOf(sa: { uid: string; type: string }, now = new Date()): CotEvent {
  return {
    version: '2.0',
    uid: sa.uid,
    type: DELETE,
    how: 'h-g-i-g-o',
    time: now.toISOString(),
    start: now.toISOString(),
    stale: new Date(now.getTime() + 20_000).toISOString(),
    point: { lat: 0, lon: 0, hae: 0, ce: 9999999, le: 9999999 },
    detailXml: `<link uid="${escapeAttr(sa.uid)}" type="${escapeAttr(sa.type)}" relation="p-p"/>`,
  };
}

function escapeAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}
