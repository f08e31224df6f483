// Latency statistics shared by the benchmarks (nearest-rank percentiles, no interpolation).

/** The p-th percentile (0–100) of ascending `sorted`. */
export function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
