/**
 * A deterministic work meter for complexity tests: while `f` runs, the linear-cost search builtins
 * parsers lean on (Array/String/Buffer indexOf and includes) are wrapped to add up how many elements
 * each call could have examined; Buffer copies add the bytes they copy, Map/Set insertions one each. A quadratic duplicate check or a search that restarts from 0 shows
 * up as work growing with the square of the input, with no clock involved. Code that loops by hand
 * is not seen, so the complexity tests pair this with the parsers' own hand loops being single-pass.
 */
type Searchable = { length: number };

const methods: [object, string][] = [
  [Array.prototype, 'includes'],
  [Array.prototype, 'indexOf'],
  [String.prototype, 'indexOf'],
  [String.prototype, 'includes'],
  [Buffer.prototype, 'indexOf'],
  [Buffer.prototype, 'includes'],
];

/** Byte copies: what a buffer that is re-copied whole for every chunk would show. */
const copies: [object, string, (self: Searchable, args: unknown[], r: unknown) => number][] = [
  [Buffer.prototype, 'copy', (_s, _a, r) => r as number],
  [Uint8Array.prototype, 'copyWithin', (self, a) => Math.min(self.length, (a[2] as number | undefined) ?? self.length) - (a[1] as number)],
  // one unit per entry: copying a Map or Set (new Map(other) calls set() per entry) shows up too
  [Map.prototype, 'set', () => 0],
  [Set.prototype, 'add', () => 0],
];

export function meterWork(f: () => void): number {
  let work = 0;
  const saved = methods.map(([proto, name]) => (proto as Record<string, unknown>)[name] as (...a: unknown[]) => unknown);
  methods.forEach(([proto, name], k) => {
    const original = saved[k]!;
    Object.defineProperty(proto, name, {
      configurable: true,
      writable: true,
      value: function (this: Searchable, needle: unknown, from?: number, ...rest: unknown[]) {
        const r = original.call(this, needle, from, ...rest);
        const start = Math.max(0, typeof from === 'number' ? from : 0);
        // what was examined: up to the hit (indexOf), else the rest of the receiver
        work += 1 + (typeof r === 'number' && r >= 0 ? r - start : this.length - start);
        return r;
      },
    });
  });
  const savedCopies = copies.map(([proto, name]) => (proto as Record<string, unknown>)[name] as (...a: unknown[]) => unknown);
  copies.forEach(([proto, name, cost], k) => {
    const original = savedCopies[k]!;
    Object.defineProperty(proto, name, {
      configurable: true,
      writable: true,
      value: function (this: Searchable, ...args: unknown[]) {
        const r = original.apply(this, args);
        work += 1 + Math.max(0, cost(this, args, r));
        return r;
      },
    });
  });
  try {
    f();
  } finally {
    methods.forEach(([proto, name], k) => Object.defineProperty(proto, name, { configurable: true, writable: true, value: saved[k] }));
    copies.forEach(([proto, name], k) => Object.defineProperty(proto, name, { configurable: true, writable: true, value: savedCopies[k] }));
  }
  return work;
}

/** Work for input size n and 16n, and their ratio (≈ 16 when linear, ≈ 256 when quadratic). */
export function growth(make: (n: number) => () => void, n: number): { small: number; large: number; ratio: number } {
  const small = meterWork(make(n));
  const large = meterWork(make(16 * n));
  return { small, large, ratio: large / small };
}
