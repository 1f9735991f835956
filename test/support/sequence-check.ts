/** Numbers missing from `seen` and numbers seen more than once. */
export interface SequenceReport {
  missing: number[];
  duplicates: number[];
}

/**
 * Compares the numbers a consumer saw with `from..to-1`, so a failing test
 * prints which messages were lost or delivered twice.
 */
export function checkSequence(
  seen: readonly number[],
  from: number,
  to: number,
): SequenceReport {
  const counts = new Map<number, number>();
  for (const n of seen) {
    counts.set(n, (counts.get(n) ?? 0) + 1);
  }
  const missing: number[] = [];
  for (let n = from; n < to; n += 1) {
    if (!counts.has(n)) {
      missing.push(n);
    }
  }
  const duplicates = [...counts.entries()]
    .filter(([, count]) => count > 1)
    .map(([n]) => n)
    .sort((a, b) => a - b);
  return { missing, duplicates };
}
