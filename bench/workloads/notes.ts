import type { ConsumeSummary } from '../stats';

/**
 * Returns what went wrong in a consume phase (lost or duplicated messages,
 * an early end), or `undefined` when every message arrived exactly once.
 */
export function deliveryProblem(summary: ConsumeSummary): string | undefined {
  const problems: string[] = [];
  if (summary.incompleteReason) {
    problems.push(`incomplete: ${summary.incompleteReason}`);
  }
  if (summary.missing > 0) {
    problems.push(`${summary.missing} messages never arrived`);
  }
  if (summary.duplicates > 0) {
    problems.push(`${summary.duplicates} messages arrived twice or more`);
  }
  return problems.length > 0 ? problems.join('; ') : undefined;
}

/**
 * Returns a caveat for a CPU figure whose consumers were still busy when
 * the wait for them to go idle ended, or `undefined` when all went idle.
 */
export function cpuCaveat(summary: ConsumeSummary): string | undefined {
  return summary.settleMs === null
    ? 'lower bound: a consumer was still busy 20 s after its last message'
    : undefined;
}
