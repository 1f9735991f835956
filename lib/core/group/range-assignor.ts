/**
 * Splits partitions `0..partitionCount-1` into contiguous ranges over the
 * members sorted by id; the first `partitionCount % members` members get
 * one extra partition. Every member computes the same result from the same
 * member list, which is what lets members agree without a coordinator.
 */
export function assignRanges(
  memberIds: readonly string[],
  partitionCount: number,
): Map<string, number[]> {
  const sorted = [...new Set(memberIds)].sort();
  const assignment = new Map<string, number[]>();
  if (sorted.length === 0) {
    return assignment;
  }
  const base = Math.floor(partitionCount / sorted.length);
  const extra = partitionCount % sorted.length;
  let next = 0;
  sorted.forEach((member, index) => {
    const count = base + (index < extra ? 1 : 0);
    assignment.set(
      member,
      Array.from({ length: count }, (_, offset) => next + offset),
    );
    next += count;
  });
  return assignment;
}
