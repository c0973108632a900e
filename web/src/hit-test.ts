/**
 * Which drawn symbol is under the pointer. The overlay records where it drew each symbol
 * (screen x/y in draw order); the last drawn is on top, so among equally near symbols it wins.
 * Pure (no DOM): unit-tested.
 */
export class HitIndex {
  xs = new Float32Array(256);
  ys = new Float32Array(256);
  uids: string[] = [];
  count = 0;

  reset(): void {
    this.count = 0;
  }

  add(uid: string, x: number, y: number): void {
    if (this.count === this.xs.length) {
      const grow = (old: Float32Array) => {
        const next = new Float32Array(old.length * 2);
        next.set(old);
        return next;
      };
      this.xs = grow(this.xs);
      this.ys = grow(this.ys);
    }
    this.xs[this.count] = x;
    this.ys[this.count] = y;
    this.uids[this.count] = uid;
    this.count++;
  }

  /** uid of the nearest symbol centre within `radius` of (x, y), topmost on ties; undefined if none. */
  nearest(x: number, y: number, radius: number): string | undefined {
    let best = -1;
    let bestD = radius * radius;
    for (let i = this.count - 1; i >= 0; i--) {
      const dx = this.xs[i]! - x;
      const dy = this.ys[i]! - y;
      const d = dx * dx + dy * dy;
      if (d < bestD || (best < 0 && d === bestD)) {
        best = i;
        bestD = d;
      }
    }
    return best < 0 ? undefined : this.uids[best];
  }
}
