/**
 * Public API of the labels package. Everything else in src/ uses labels
 * only through this module, src/labels/types.ts, released.ts and guard-types.ts.
 */
export type { Audience, CategoryType, Decision, LabelCategory, Labelled, SecurityLabel } from './types.js';
export { DecisionReason } from './types.js';
export type { Released, ReleasedCount } from './released.js';
export type { DecisionRecord, EgressPath, ReleaseGuard } from './guard-types.js';

export { loadPolicies, MULTI_OWNER, type PolicyRegistry, type PolicyDef, type PhaseRule } from './registry.js';
export { DEFAULT_POLICIES_DIR } from './package-root.js';
export { canonicalJson, labelDigest, normalizeLabel } from './canonical.js';
export { combineLabels, makeLabel, type CombineOptions, type MakeLabelInput } from './algebra.js';
export { audienceFor, decide, type AudienceInput } from './decide.js';
export { createGuard, type GuardOptions, type KizunaGuard } from './guard.js';
export { createLabelInterner, type LabelInterner } from './intern.js';
export { importSpif, SPIF_NAMESPACE, type SpifEquivalent, type SpifImport, type SpifImportOptions } from './spif-import.js';
export {
  parseLabelXml,
  labelParseReason,
  ownerWasDerived,
  LabelParseReason,
  type PolicyResolver,
  serializeLabelXml,
  LABEL_NAMESPACE,
  OWNER_TAG,
  CONTRIBUTORS_TAG,
  DEFAULT_MAX_LABEL_BYTES,
  type ParseLabelOptions,
  type SerializeLabelOptions,
} from './xml.js';
export { labelFromJson, labelToJson, SecurityLabelSchema } from './json.js';
export { japaneseEquivalent, labelView, portionMark, renderMarking, UNCLASSIFIED_JA, type Lang, type LabelView } from './marking.js';
export {
  bindingDigest,
  bindingDigestOf,
  bindingPayload,
  canonicalLabelJson,
  generateBindingKeys,
  signBatchBinding,
  signBinding,
  verifyBatchBinding,
  verifyBinding,
} from './binding.js';
export type { Admitted } from './admitted.js';
export {
  admit,
  admitNodeRecord,
  authorityContext,
  dominates,
  originatorOfPeer,
  WriteRefusal,
  type AdmitResult,
  type AuthorityContext,
  type ExistingObject,
  type IncomingWrite,
  type WriteActor,
} from './authority.js';
