/**
 * Alliance Coordination Mechanism: users and sessions, requests with per-nation concurrence, readiness
 * posture, chat, calendar, and the hash-chained audit log. Public surface of src/coordination.
 */
export {
  chainAudit,
  verifyAuditRows,
  createAuditLog,
  rowHash,
  ChainVerifier,
  classifyBrokenLink,
  GENESIS_HASH,
  COUNTERSIGN_KIND,
  type AuditLog,
  type AuditVerdict,
  type AuditProblem,
  type AuditAnchor,
} from './audit.js';
export { canonicalJson } from '../util/canonical-json.js';
export { createUserService, hashPassword, checkPassword, type UserService, type SessionUser, type LoginSource, type Revocation } from './users.js';
export { LoginThrottle, DEFAULT_LOGIN_THROTTLE, addressKey, type LoginThrottleConfig, type ThrottleEvent } from './login-throttle.js';
export {
  createCoordination,
  type Coordination,
  type CoordinationOptions,
  type ChangeInfo,
  type ChangeListener,
  type PhaseListener,
} from './service.js';
export { deriveStatus, currentDecisions, transitionError, roleAtLeast, ACTIONS, type Action } from './workflow.js';
export { derivePosture } from './posture.js';
export { requestView, calendarView, chatView, postureView, type LabelViewFn } from './views.js';
export { audienceOf, labelFromInput, type RegistryLike } from './registry.js';
export {
  COL,
  ROLES,
  PHASES,
  REQUEST_KINDS,
  FEDERATED_COLLECTIONS,
  MAX_ATTACHMENT_BYTES,
  RequestInputSchema,
  CalendarInputSchema,
  LabelInputSchema,
  type Role,
  type RequestBundle,
  type RequestBody,
  type ConcurrenceBody,
  type CommentBody,
  type CalendarBody,
  type ChatBody,
  type ProposalBody,
  type AckBody,
  type PostureDoc,
  type RequestInput,
  type CalendarInput,
  type LabelInput,
} from './model.js';
