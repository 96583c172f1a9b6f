// Small statistics for the benchmarks: nearest-rank percentiles and a mergeable histogram, so that reader
// processes can ship their lateness samples to the orchestrator without shipping every sample.

/** Nearest-rank percentile (p in 0..1) of an ascending array; NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[rank] ?? NaN;
}

export type Spread = { min: number; median: number; max: number };

export function spread(values: readonly number[], digits = 0): Spread {
  const s = [...values].sort((a, b) => a - b);
  return {
    min: round(s[0] ?? NaN, digits),
    median: round(percentile(s, 0.5), digits),
    max: round(s.at(-1) ?? NaN, digits),
  };
}

export function round(x: number, digits = 0): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Counts of values rounded to a fixed bin width; keys are bin indexes (value / width, rounded). */
export class Histogram {
  readonly counts = new Map<number, number>();
  total = 0;

  constructor(readonly width: number) {}

  add(value: number): void {
    const key = Math.round(value / this.width);
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    this.total++;
  }

  merge(pairs: readonly (readonly [number, number])[]): void {
    for (const [key, n] of pairs) {
      this.counts.set(key, (this.counts.get(key) ?? 0) + n);
      this.total += n;
    }
  }

  toPairs(): [number, number][] {
    return [...this.counts.entries()];
  }

  /** Nearest-rank percentile of the recorded values, at bin resolution; NaN when empty. */
  percentile(p: number): number {
    if (this.total === 0) return NaN;
    const rank = Math.min(this.total, Math.max(1, Math.ceil(p * this.total)));
    let seen = 0;
    for (const key of [...this.counts.keys()].sort((a, b) => a - b)) {
      seen += this.counts.get(key) ?? 0;
      if (seen >= rank) return key * this.width;
    }
    return NaN;
  }
}
