/**
 * Decluttering a crowded picture: in each square screen cell holding more than `crowd` tracks, one
 * track keeps its full symbol (the selected one, else a hostile-type one, else the first in draw order)
 * and the others are drawn as small dots in their affiliation colour. Every track stays on the map and
 * clickable; zooming in spreads the cells out and the symbols come back. Pure (no DOM): unit-tested.
 */

/** Lower draws first as a full symbol. */
export const PRIORITY = { selected: 0, threat: 1, other: 2 } as const;

export class Declutter {
  private readonly counts = new Map<number, number>();
  private readonly winners = new Map<number, number>();

  /**
   * Sets full[i] = 1 for positions drawn as full symbols and 0 for dots, for the first n positions.
   * Cells are `cell` px squares; a cell with at most `crowd` tracks keeps all of them full.
   */
  run(xs: Float32Array, ys: Float32Array, priority: Uint8Array, n: number, cell: number, crowd: number, full: Uint8Array): number {
    const { counts, winners } = this;
    counts.clear();
    winners.clear();
    const key = (i: number) => (Math.floor(xs[i]! / cell) + 32768) * 65536 + (Math.floor(ys[i]! / cell) + 32768);
    for (let i = 0; i < n; i++) {
      const k = key(i);
      counts.set(k, (counts.get(k) ?? 0) + 1);
      const w = winners.get(k);
      if (w === undefined || priority[i]! < priority[w]!) winners.set(k, i);
    }
    let dots = 0;
    for (let i = 0; i < n; i++) {
      const k = key(i);
      const on = counts.get(k)! <= crowd || winners.get(k) === i;
      full[i] = on ? 1 : 0;
      if (!on) dots++;
    }
    return dots;
  }
}
