/**
 * Returns the machine's monotonic clock in microseconds. Node reads it with
 * `clock_gettime(CLOCK_MONOTONIC)` on Linux, which every process on the
 * machine shares, so times taken in different processes compare directly.
 */
export function monotonicMicros(): number {
  return Number(process.hrtime.bigint() / 1000n);
}
