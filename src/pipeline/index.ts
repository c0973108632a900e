// The CoT pipeline room: ingest (write authority → store → bus → local delivery) and its holder index.
export { Pipeline, type PipelineOptions, type TakSender, type UserSender } from './pipeline.js';
export { ingest, boundTime, REFUSED, type IngestDeps, type IngestResult, type IngestSource } from './ingest.js';
export { ingestBatch, type BatchIngestResult, type SensorWrites } from './ingest-batch.js';
export { HolderIndex, type Holder } from './holders.js';
export { createRefusalAudit, type RefusalRecord } from './refusals.js';
export { takClientActor, userActor, peerActor, nodeActor } from './actors.js';
export { decodeBusEvent, encodeBusEvent, isFromProcess, type BusEvent } from './bus-codec.js';
