import { isIPv4, isIPv6 } from 'node:net';

/**
 * Login brute-force throttle: pure state (no I/O), clock injected. Counts failed password checks per
 * username and per client address; after `maxFailures` failures a key is locked for `lockoutMs`, and every
 * further lockout of that key (the next failure after a lockout ends, before the key is forgotten) doubles
 * it up to `maxLockoutMs`. A key is forgotten after `windowMs` with neither a failure nor a lockout.
 * Unknown usernames are keyed exactly like known ones, so the answers never reveal whether a user exists.
 * Lives beside the user service (not in src/api) so the REST login and Marti basic auth share one count.
 */
export interface LoginThrottleConfig {
  /** failures per username before a lockout */
  maxFailures: number;
  /** failures per client address before a lockout; 0 turns the address key off (e.g. behind a proxy) */
  maxFailuresPerAddress: number;
  windowMs: number;
  /** first lockout; doubled for each further one */
  lockoutMs: number;
  maxLockoutMs: number;
  /** memory bound: least recently touched keys are evicted beyond this */
  maxTrackedKeys: number;
}

export const DEFAULT_LOGIN_THROTTLE: LoginThrottleConfig = {
  maxFailures: 5,
  maxFailuresPerAddress: 20,
  windowMs: 15 * 60_000,
  lockoutMs: 30_000,
  maxLockoutMs: 15 * 60_000,
  maxTrackedKeys: 10_000,
};

export type ThrottleKey = { type: 'user' | 'address'; value: string };

export type ThrottleEvent =
  /** a lockout started; `refusedInPrevious` = attempts refused during this key's previous lockout */
  | { kind: 'locked'; key: ThrottleKey; failures: number; level: number; lockoutMs: number; until: number; refusedInPrevious: number }
  /** the first attempt refused in a lockout (later ones in the same lockout are only counted) */
  | { kind: 'throttled'; key: ThrottleKey; until: number };

export type BeginResult =
  | { ok: true; attempt: LoginAttempt }
  | { ok: false; retryAfterMs: number; events: ThrottleEvent[] };

/** One password check in flight: finish it with exactly one of fail/succeed/abandon. */
export interface LoginAttempt {
  fail(): ThrottleEvent[];
  succeed(): void;
  /** the check did not happen (store error): neither a failure nor a success */
  abandon(): void;
}

interface KeyState {
  key: ThrottleKey;
  failures: number;
  lastFailureAt: number;
  lockedUntil: number;
  /** lockouts so far; the next one lasts lockoutMs · 2^level */
  level: number;
  /** attempts refused since the last 'locked' event */
  refused: number;
  throttledNoted: boolean;
  /** password checks running now: counted as failures-to-be so parallel guesses cannot overshoot */
  inFlight: number;
}

/** ::ffff:a.b.c.d is the IPv4 address; IPv6 is keyed by its /64 (one host usually owns a whole /64). */
export function addressKey(address: string): string {
  const a = address.replace(/%.*$/, '').toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (mapped && isIPv4(mapped[1]!)) return mapped[1]!;
  if (!isIPv6(a)) return a.slice(0, 64);
  const [head = '', tail] = a.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(Math.max(0, 8 - h.length - t.length)).fill('0'), ...t];
  return `${groups.slice(0, 4).map((g) => (/^[0-9a-f]+$/.test(g) ? parseInt(g, 16).toString(16) : g)).join(':')}::/64`;
}

export class LoginThrottle {
  private readonly keys = new Map<string, KeyState>();
  readonly config: LoginThrottleConfig;

  constructor(config: Partial<LoginThrottleConfig> = {}, private readonly now: () => number = Date.now) {
    this.config = { ...DEFAULT_LOGIN_THROTTLE, ...config };
  }

  /** tracked keys (bounded by maxTrackedKeys) */
  get size(): number {
    return this.keys.size;
  }

  private limit(k: ThrottleKey): number {
    return k.type === 'user' ? this.config.maxFailures : this.config.maxFailuresPerAddress;
  }

  /** failures left before a lockout; after one lockout, the next failure locks again */
  private budget(s: KeyState): number {
    return s.level > 0 ? 1 : this.limit(s.key);
  }

  private id(k: ThrottleKey): string {
    return `${k.type}:${k.value}`;
  }

  /** The state of a key, forgetting it when it has been quiet for a window; `create` touches it (LRU). */
  private state(k: ThrottleKey, create: boolean): KeyState | undefined {
    const id = this.id(k);
    let s = this.keys.get(id);
    const t = this.now();
    if (s && s.inFlight === 0 && t >= s.lockedUntil && t - Math.max(s.lastFailureAt, s.lockedUntil) > this.config.windowMs) {
      this.keys.delete(id);
      s = undefined;
    }
    if (!create) return s;
    if (s) this.keys.delete(id); // re-insert: Map order is least recently touched first
    else {
      s = { key: k, failures: 0, lastFailureAt: t, lockedUntil: 0, level: 0, refused: 0, throttledNoted: false, inFlight: 0 };
      while (this.keys.size >= this.config.maxTrackedKeys) this.keys.delete(this.keys.keys().next().value!);
    }
    this.keys.set(id, s);
    return s;
  }

  /** Keys of one attempt: the username as typed (known or not) and the client address when known. */
  keysFor(username: string, address: string | undefined): ThrottleKey[] {
    const keys: ThrottleKey[] = [{ type: 'user', value: String(username).slice(0, 128) }];
    if (address && this.config.maxFailuresPerAddress > 0) keys.push({ type: 'address', value: addressKey(address) });
    return keys;
  }

  /** Call before the password check: refuses locked keys (and keys whose remaining budget is all in flight). */
  begin(keys: ThrottleKey[]): BeginResult {
    const t = this.now();
    let retryAfterMs = 0;
    const events: ThrottleEvent[] = [];
    const states = keys.map((k) => this.state(k, false));
    states.forEach((s) => {
      if (!s) return;
      if (s.lockedUntil > t) {
        retryAfterMs = Math.max(retryAfterMs, s.lockedUntil - t);
        s.refused += 1;
        if (!s.throttledNoted) {
          s.throttledNoted = true;
          events.push({ kind: 'throttled', key: s.key, until: s.lockedUntil });
        }
      } else if (s.failures + s.inFlight >= this.budget(s)) {
        // the rest of this key's budget is being spent by checks still running
        retryAfterMs = Math.max(retryAfterMs, 1000);
        s.refused += 1;
      }
    });
    if (retryAfterMs > 0) return { ok: false, retryAfterMs, events };
    const held = keys.map((k) => this.state(k, true)!);
    for (const s of held) s.inFlight += 1;
    let done = false;
    const finish = (): KeyState[] => {
      if (done) return [];
      done = true;
      // a key evicted meanwhile comes back fresh: a failure must still count
      return held.map((s) => {
        const cur = this.state(s.key, true)!;
        if (cur === s) s.inFlight -= 1;
        return cur;
      });
    };
    return {
      ok: true,
      attempt: {
        fail: () => finish().flatMap((s) => this.failed(s)),
        succeed: () => {
          // only the username is cleared: one valid account must not reset an address's count
          for (const s of finish()) {
            if (s.key.type !== 'user') continue;
            if (s.inFlight === 0) this.keys.delete(this.id(s.key));
            else Object.assign(s, { failures: 0, level: 0, lockedUntil: 0, refused: 0, throttledNoted: false });
          }
        },
        abandon: () => void finish(),
      },
    };
  }

  private failed(s: KeyState): ThrottleEvent[] {
    const t = this.now();
    s.lastFailureAt = t;
    // a check that began before this lockout ran on: the lockout already covers it
    if (s.lockedUntil > t) return [];
    s.failures += 1;
    if (s.failures < this.budget(s)) return [];
    const lockoutMs = Math.min(this.config.lockoutMs * 2 ** s.level, this.config.maxLockoutMs);
    const ev: ThrottleEvent = { kind: 'locked', key: s.key, failures: s.failures, level: s.level + 1, lockoutMs, until: t + lockoutMs, refusedInPrevious: s.refused };
    s.level += 1;
    s.lockedUntil = t + lockoutMs;
    s.failures = 0;
    s.refused = 0;
    s.throttledNoted = false;
    return [ev];
  }
}
