/**
 * One table of stable error codes (Fastify style). Messages here are generic on purpose:
 * an error must never carry protected content. Details go to `cause` (never sent to a client).
 */
export const ErrorCodes = {
  // labels
  LABEL_PARSE: { status: 400, message: 'label could not be parsed' },
  LABEL_FORBIDDEN_XML: { status: 400, message: 'DOCTYPE and entity declarations are not accepted' },
  LABEL_TOO_LARGE: { status: 413, message: 'label exceeds the size limit' },
  LABEL_UNKNOWN_POLICY: { status: 400, message: 'unknown label policy' },
  LABEL_INVALID: { status: 400, message: 'label is not valid under its policy' },
  LABEL_UNMAPPABLE: { status: 400, message: 'label cannot be translated exactly' },
  BINDING_INVALID: { status: 400, message: 'binding signature does not verify' },
  POLICY_FILE_INVALID: { status: 500, message: 'policy file is invalid' },
  SPIF_INVALID: { status: 400, message: 'SPIF could not be imported' },
  // cot / framing
  COT_PARSE: { status: 400, message: 'CoT event could not be parsed' },
  COT_FORBIDDEN_XML: { status: 400, message: 'DOCTYPE and entity declarations are not accepted' },
  COT_TOO_LARGE: { status: 413, message: 'event exceeds the size limit' },
  COT_INVALID: { status: 400, message: 'CoT event is missing required fields' },
  PROTO_DECODE: { status: 400, message: 'TAK protocol message could not be decoded' },
  FRAME_INVALID: { status: 400, message: 'stream framing is invalid' },
  // store / bus
  STORE_FAILED: { status: 503, message: 'store operation failed' },
  BUS_FAILED: { status: 503, message: 'bus operation failed' },
  // api
  BAD_REQUEST: { status: 400, message: 'request is invalid' },
  UNAUTHENTICATED: { status: 401, message: 'authentication required' },
  FORBIDDEN: { status: 403, message: 'not permitted' },
  NOT_FOUND: { status: 404, message: 'not found' },
  CONFLICT: { status: 409, message: 'state does not allow this action' },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'payload too large' },
  QUOTA_EXCEEDED: { status: 413, message: 'quota exceeded' },
  RATE_LIMITED: { status: 429, message: 'too many requests' },
  // same answer for known and unknown users; Retry-After says when to try again
  LOGIN_THROTTLED: { status: 429, message: 'too many failed logins; try again later' },
  INTERNAL: { status: 500, message: 'internal error' },
  // certs / enrollment
  CERT_INVALID: { status: 400, message: 'certificate request is invalid' },
  TOKEN_INVALID: { status: 401, message: 'token is invalid, expired or used' },
  // federation
  FED_PROTOCOL: { status: 400, message: 'federation protocol error' },
  FED_UNTRUSTED_PEER: { status: 403, message: 'peer is not trusted' },
  FED_REJECTED: { status: 403, message: 'object rejected at the boundary' },
  OUTBOX_FULL: { status: 503, message: 'federation outbox is full' },
  // audit
  AUDIT_BROKEN: { status: 500, message: 'audit chain does not verify' },
  CONFIG_INVALID: { status: 400, message: 'configuration is invalid' },
  // certs / marti (appended by CERTS helper)
  CERT_REVOKED: { status: 403, message: 'certificate is revoked' },
  UPLOAD_INCOMPLETE: { status: 400, message: 'upload is incomplete or malformed' },
  HASH_MISMATCH: { status: 400, message: 'content hash does not match' },
  FILENAME_INVALID: { status: 400, message: 'file name is not acceptable' },
  RANGE_NOT_SATISFIABLE: { status: 416, message: 'range not satisfiable' },
  // operator errors at start-up and in the CLI (never sent over HTTP; the detail names the cause and the fix)
  CONFIG_SYNTAX: { status: 400, message: 'configuration file is not valid JSON' },
  CONFIG_UNKNOWN_KEY: { status: 400, message: 'configuration has an unknown key' },
  CONFIG_UNREADABLE: { status: 400, message: 'configuration file cannot be read' },
  PORT_IN_USE: { status: 500, message: 'port is already in use' },
  PORT_DENIED: { status: 500, message: 'port cannot be opened' },
  ADDRESS_UNAVAILABLE: { status: 500, message: 'listen address is not available on this machine' },
  DATA_DIR_INVALID: { status: 500, message: 'data directory cannot be used' },
  DATA_DIR_NOT_FOUND: { status: 500, message: 'no node data directory found' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ErrorCodes;

export class KizunaError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  /** seconds, sent as the Retry-After header by the HTTP error handlers */
  readonly retryAfterS?: number;
  constructor(code: ErrorCode, detail?: string, options?: { cause?: unknown; retryAfterS?: number }) {
    super(detail ? `${ErrorCodes[code].message}: ${detail}` : ErrorCodes[code].message, options);
    this.name = 'KizunaError';
    this.code = code;
    this.status = ErrorCodes[code].status;
    if (options?.retryAfterS !== undefined) this.retryAfterS = options.retryAfterS;
  }
  /** The only shape that may leave a node: code and the generic message, nothing else. */
  toPublic(): { error: { code: ErrorCode; message: string } } {
    return { error: { code: this.code, message: ErrorCodes[this.code].message } };
  }
}

export function isKizunaError(e: unknown, code?: ErrorCode): e is KizunaError {
  return e instanceof KizunaError && (code === undefined || e.code === code);
}
