/**
 * Label model after STANAG 4774 (see docs/labels.md §0). Pure data, no behaviour:
 * every other module imports these types; this file imports nothing.
 */
export type CategoryType = 'restrictive' | 'permissive' | 'informative';

export interface LabelCategory {
  /** 4774 Category/@TagName, e.g. "Releasable To", "Caveat". */
  tagSet: string;
  type: CategoryType;
  /** Set semantics: kept sorted and de-duplicated by `normalizeLabel`. */
  values: string[];
}

/** 4774 OriginatorID/@IDType values Kizuna carries (GeneralName forms other systems write). */
export type OriginatorIdType = 'rfc822Name' | 'dNSName' | 'uniformResourceIdentifier' | 'directoryName' | 'userPrincipalName';
export const ORIGINATOR_ID_TYPES: readonly OriginatorIdType[] = ['rfc822Name', 'dNSName', 'uniformResourceIdentifier', 'directoryName', 'userPrincipalName'];

export interface SecurityLabel {
  /** Policy id (SPIF name): "USA", "JPN", "NATO", "PHL". */
  policy: string;
  /** Classification name defined by that policy. */
  classification: string;
  categories: LabelCategory[];
  /** Originating nation (trigraph). */
  owner: string;
  /** Owners of every contributing part of a combined label. */
  contributors?: string[];
  originator?: { idType: OriginatorIdType; value: string };
  /** ISO 8601 UTC. */
  createdAt: string;
  reviewAt?: string;
}

/** Who would receive data: a TAK client, a REST/WS user, or a federated peer node. */
export interface Audience {
  /** Policy the audience is cleared under (normally its nation's policy). */
  policy: string;
  /** Audience nation trigraph; counts as held in the releasability tag set. */
  nation: string;
  /** Ceiling by the policy's hierarchy. */
  maxClassification: string;
  /** Restrictive and permissive values held, by tag set. */
  held: Record<string, string[]>;
}

/** Stable reason codes: safe for audit and logs, never reveal protected content. */
export const DecisionReason = {
  ALLOW: 'ALLOW',
  NO_LABEL: 'DENY_NO_LABEL',
  UNKNOWN_POLICY: 'DENY_UNKNOWN_POLICY',
  INVALID_LABEL: 'DENY_INVALID_LABEL',
  UNKNOWN_CLASSIFICATION: 'DENY_UNKNOWN_CLASSIFICATION',
  UNKNOWN_CATEGORY: 'DENY_UNKNOWN_CATEGORY',
  UNMAPPABLE: 'DENY_UNMAPPABLE',
  CLASSIFICATION: 'DENY_CLASSIFICATION',
  RESTRICTIVE: 'DENY_RESTRICTIVE',
  RELEASABILITY: 'DENY_RELEASABILITY',
  EMPTY_RELEASABILITY: 'DENY_EMPTY_RELEASABILITY',
  AUDIENCE_POLICY: 'DENY_AUDIENCE_POLICY',
} as const;
export type DecisionReason = (typeof DecisionReason)[keyof typeof DecisionReason];

export interface Decision {
  allow: boolean;
  reason: DecisionReason;
}

/** Anything stored carries its label beside its value. */
export interface Labelled<T> {
  label: SecurityLabel | undefined;
  value: T;
}
