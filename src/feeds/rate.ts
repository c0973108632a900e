/** Token bucket: `ratePerS` tokens a second, at most `burst` saved up. Clock injected for tests. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly ratePerS: number,
    private readonly burst: number = ratePerS,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = burst;
    this.last = now();
  }

  take(n = 1): boolean {
    const t = this.now();
    if (t > this.last) {
      this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) * this.ratePerS) / 1000);
      this.last = t;
    }
    if (this.tokens < n) return false;
    this.tokens -= n;
    return true;
  }

  /** milliseconds until `n` tokens are available */
  waitMs(n = 1): number {
    return this.tokens >= n ? 0 : Math.ceil(((n - this.tokens) * 1000) / this.ratePerS);
  }
}

/** Exponential reconnect delay: base doubling per failure up to max, reset after a success. */
export class Backoff {
  private failures = 0;
  constructor(
    private readonly baseMs = 250,
    private readonly maxMs = 30_000,
  ) {}
  next(): number {
    const d = Math.min(this.maxMs, this.baseMs * 2 ** this.failures);
    this.failures = Math.min(this.failures + 1, 30);
    return d;
  }
  reset(): void {
    this.failures = 0;
  }
}
