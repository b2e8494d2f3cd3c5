/** One JSON line per metric, the format `npm run bench` collects. */
export function report(metric: string, value: number, unit: string): void {
  process.stdout.write(JSON.stringify({ metric, value, unit }) + '\n');
}

/** The p-th percentile (0..100) of `samples`. */
export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
