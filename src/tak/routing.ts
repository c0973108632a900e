/**
 * Pure routing rules (docs/tak-protocol.md §2.7): who, among connected clients, an event is addressed to.
 * Release (the label decision) is separate and always applied after routing, by the guard.
 */
export interface RouteInfo {
  /** connection id of the sender on this process (never echoed back) */
  sourceConn?: string;
  /** process id of the sender, so other processes on the bus do not skip their own clients */
  sourceProcess?: string;
  destCallsigns: string[];
  destUids: string[];
  /** groups the sender publishes into; undefined = not from a TAK client (federation, API): all groups */
  senderGroups?: string[];
}

export interface RoutableClient {
  id: string;
  uid?: string;
  callsign?: string;
  groups: readonly string[];
}

const ALL_STREAMING = 'All Streaming';

/** Group reachability (TAK Server's IN/OUT simplified to shared membership). */
export function sharesGroup(sender: readonly string[] | undefined, receiver: readonly string[]): boolean {
  if (sender === undefined) return true;
  for (const g of sender) if (receiver.includes(g)) return true;
  return false;
}

export function isAddressedTo(route: RouteInfo, processId: string, client: RoutableClient): boolean {
  if (route.sourceProcess === processId && route.sourceConn === client.id) return false;
  if (!sharesGroup(route.senderGroups, client.groups)) return false;
  const explicit = route.destCallsigns.length > 0 || route.destUids.length > 0;
  if (!explicit || route.destCallsigns.includes(ALL_STREAMING)) return true;
  if (client.callsign !== undefined && route.destCallsigns.includes(client.callsign)) return true;
  return client.uid !== undefined && route.destUids.includes(client.uid);
}

const MARTI = /<marti\b[^>]*\/>|<marti\b[^>]*>[\s\S]*?<\/marti>/g;

/** `<marti>` is resolved by the server and removed before delivery (docs/tak-protocol.md §2.7). */
export function stripMarti(detailXml: string): string {
  return detailXml.includes('<marti') ? detailXml.replace(MARTI, '') : detailXml;
}
