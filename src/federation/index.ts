export { createFederation } from './federation.js';
export { createFileTransfer, type FileTransfer } from './file-transfer.js';
export type { AuditHead, FedDeps, FedObject, FedPeer, Federation, LinkState, PeerStatus } from './types.js';
export { PROTOCOL_VERSION, SUPPORTED_VERSIONS, MAX_FRAME_BYTES } from './wire.js';
