export { createFederation } from './federation.js';
export type { FedDeps, FedObject, FedPeer, Federation, LinkState, PeerStatus } from './types.js';
export { PROTOCOL_VERSION, MAX_FRAME_BYTES } from './wire.js';
