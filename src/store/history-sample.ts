/**
 * Sampled event history over a time window, across all uids: what a replay slider needs. A 1 Hz track
 * over hours is thousands of rows; the replay needs one position per uid per step, so each backend picks
 * the newest event per (uid, step bucket) in SQL and only those rows leave the database.
 * Tombstones (t-x-d-d) are left out: a replayed track ends at its stale time.
 */
import { KizunaError } from '../util/errors.js';
import { TOMBSTONE_TYPE } from './common.js';

export interface HistorySampleQuery {
  /** ms since epoch, inclusive */
  since: number;
  /** ms since epoch, exclusive */
  until: number;
  /** bucket width in ms: at most one event per uid per bucket (the newest in it) */
  step: number;
  /** most rows returned (oldest buckets first) */
  limit: number;
}

/** Bounds that keep one query's work proportional to its window: checked before any SQL runs. */
export const SAMPLE_LIMITS = { maxRows: 200_000, minStep: 1000 } as const;

export function checkSampleQuery(q: HistorySampleQuery): HistorySampleQuery {
  const ok =
    Number.isSafeInteger(q.since) && Number.isSafeInteger(q.until) && q.until > q.since &&
    Number.isSafeInteger(q.step) && q.step >= SAMPLE_LIMITS.minStep &&
    Number.isSafeInteger(q.limit) && q.limit > 0 && q.limit <= SAMPLE_LIMITS.maxRows;
  if (!ok) throw new KizunaError('BAD_REQUEST', `history sample needs integer since < until, step >= ${SAMPLE_LIMITS.minStep} ms and 0 < limit <= ${SAMPLE_LIMITS.maxRows}`);
  return q;
}

/**
 * One statement for both backends; `p(i)` renders the i-th parameter (1-based) in the driver's syntax, typed as
 * a 64-bit integer (better-sqlite3 binds numbers as REAL, which would make the bucket division fractional).
 * Parameters: 1 since, 2 step, 3 since, 4 until, 5 limit.
 */
export function sampleSql(cols: string, p: (i: number) => string): string {
  return `SELECT ${cols} FROM (
      SELECT ${cols}, ROW_NUMBER() OVER (PARTITION BY uid, (time - ${p(1)}) / ${p(2)} ORDER BY time DESC, received_at DESC, origin, id) AS rn
      FROM event_history WHERE time >= ${p(3)} AND time < ${p(4)} AND type <> '${TOMBSTONE_TYPE}'
    ) sampled WHERE rn = 1 ORDER BY time, uid LIMIT ${p(5)}`;
}

export function sampleParams(q: HistorySampleQuery): number[] {
  return [q.since, q.step, q.since, q.until, q.limit];
}
