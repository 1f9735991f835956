import * as hdr from 'hdr-histogram-js';
import type {
  ConsumePhaseResult,
  ConsumerJob,
  CpuTime,
  ProduceResult,
} from './protocol';

/** Send-to-handler latency percentiles, in milliseconds. */
export interface LatencySummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Figures of one produce run. */
export interface ProduceSummary {
  messages: number;
  elapsedMs: number;
  messagesPerSecond: number;
  /** CPU time (user + system) of the producer process per message, in µs. */
  cpuMicrosPerMessage: number;
  cpu: CpuTime;
}

/** Figures of one consume phase over all processes of a fleet. */
export interface ConsumeSummary {
  groups: number;
  membersPerGroup: number;
  /** Messages each group should receive. */
  expectedPerGroup: number;
  delivered: number;
  /** Deliveries of a message its group had already handled. */
  duplicates: number;
  /** Messages some group never handled. */
  missing: number;
  complete: boolean;
  /** Reason the phase ended before every message arrived, when it did. */
  incompleteReason?: string;
  /** Deliveries per second from the first to the last handler start. */
  messagesPerSecond: number | null;
  /** From the resume request to the first handler start, in ms. */
  firstMessageMs: number | null;
  /** First and last handler start over all members, monotonic µs. */
  firstArrivalMicros?: number;
  lastArrivalMicros?: number;
  /** CPU time (user + system) of all consumer processes per delivery, µs. */
  cpuMicrosPerMessage: number | null;
  /**
   * Maximum time from a member's last message until it went idle, in ms.
   * It is `null` when some member was still busy when the wait ended, so
   * `cpuMicrosPerMessage` is then a lower bound.
   */
  settleMs: number | null;
  maxHeapUsedBytes: number;
  maxRssBytes: number;
  latency?: LatencySummary;
  members: Array<{
    name: string;
    count: number;
    duplicates: number;
    cpu: CpuTime;
    maxHeapUsedBytes: number;
    maxRssBytes: number;
    timeline: Array<[number, number, number, number]>;
  }>;
}

/** Returns `value / ceiling`, or `null` when either is unknown or zero. */
export function ratio(
  value: number | null | undefined,
  ceiling: number | null | undefined,
): number | null {
  if (value == null || ceiling == null || ceiling === 0) {
    return null;
  }
  return value / ceiling;
}

/** Summarizes one produce run. */
export function summarizeProduce(result: ProduceResult): ProduceSummary {
  const cpuTotal = result.cpu.user + result.cpu.system;
  return {
    messages: result.messages,
    elapsedMs: result.elapsedMs,
    messagesPerSecond: (result.messages * 1000) / result.elapsedMs,
    cpuMicrosPerMessage: cpuTotal / Math.max(1, result.messages),
    cpu: result.cpu,
  };
}

/** Merges compressed HdrHistograms of microseconds into percentiles in ms. */
export function summarizeLatency(encoded: string[]): LatencySummary {
  const merged = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 600_000_000,
    numberOfSignificantValueDigits: 3,
  });
  for (const text of encoded) {
    const histogram = hdr.decodeFromCompressedBase64(text);
    merged.add(histogram);
    histogram.destroy();
  }
  const summary: LatencySummary = {
    count: merged.totalCount,
    p50: merged.getValueAtPercentile(50) / 1000,
    p95: merged.getValueAtPercentile(95) / 1000,
    p99: merged.getValueAtPercentile(99) / 1000,
    max: merged.maxValue / 1000,
  };
  merged.destroy();
  return summary;
}

function countBits(bytes: Uint8Array): number {
  let count = 0;
  for (const byte of bytes) {
    count += byte;
  }
  return count;
}

/**
 * Checks the deliveries of each group against its expected sequence
 * numbers: a message handled twice (by one member or by two) is a
 * duplicate; one that no member handled is missing.
 */
function checkGroups(
  jobs: ConsumerJob[],
  results: ConsumePhaseResult[],
  expectedPerGroup: number,
): { duplicates: number; missing: number } {
  const groups = new Map<string, number[]>();
  jobs.forEach((job, index) => {
    groups.set(job.groupId, [...(groups.get(job.groupId) ?? []), index]);
  });
  let duplicates = 0;
  let missing = 0;
  for (const indexes of groups.values()) {
    const union = new Uint8Array(expectedPerGroup);
    let handledBits = 0;
    for (const index of indexes) {
      const seen = Buffer.from(results[index].seen, 'base64');
      duplicates += results[index].duplicates;
      handledBits += countBits(seen);
      for (let seq = 0; seq < expectedPerGroup && seq < seen.length; seq++) {
        union[seq] |= seen[seq];
      }
    }
    const distinct = countBits(union);
    duplicates += handledBits - distinct;
    missing += expectedPerGroup - distinct;
  }
  return { duplicates, missing };
}

/**
 * Summarizes one consume phase of a fleet. `resumedAt` is the monotonic
 * time in µs at which the runner asked the members to start reading.
 */
export function summarizeConsume(
  jobs: ConsumerJob[],
  results: ConsumePhaseResult[],
  expectedPerGroup: number,
  resumedAt: number,
  wait: { complete: boolean; reason?: string },
): ConsumeSummary {
  const groupIds = new Set(jobs.map((job) => job.groupId));
  const delivered = results.reduce((sum, result) => sum + result.count, 0);
  const active = results.filter((result) => result.count > 0);
  const first = Math.min(...active.map((result) => result.firstArrival));
  const last = Math.max(...active.map((result) => result.lastArrival));
  const cpuTotal = results.reduce(
    (sum, result) => sum + result.cpu.user + result.cpu.system,
    0,
  );
  const { duplicates, missing } = checkGroups(jobs, results, expectedPerGroup);
  const histograms = results.flatMap((result) =>
    result.latencyHistogram ? [result.latencyHistogram] : [],
  );
  return {
    groups: groupIds.size,
    membersPerGroup: jobs.length / groupIds.size,
    expectedPerGroup,
    delivered,
    duplicates,
    missing,
    complete: wait.complete && missing === 0,
    incompleteReason: wait.reason,
    messagesPerSecond:
      active.length > 0 && last > first
        ? (delivered * 1_000_000) / (last - first)
        : null,
    firstMessageMs: active.length > 0 ? (first - resumedAt) / 1000 : null,
    firstArrivalMicros: active.length > 0 ? first : undefined,
    lastArrivalMicros: active.length > 0 ? last : undefined,
    cpuMicrosPerMessage: delivered > 0 ? cpuTotal / delivered : null,
    settleMs: results.some((result) => result.settleMs === null)
      ? null
      : Math.max(0, ...results.map((result) => result.settleMs ?? 0)),
    maxHeapUsedBytes: Math.max(
      ...results.map((result) => result.memory.maxHeapUsed),
    ),
    maxRssBytes: Math.max(...results.map((result) => result.memory.maxRss)),
    latency: histograms.length > 0 ? summarizeLatency(histograms) : undefined,
    members: results.map((result, index) => ({
      name: `${jobs[index].groupId}/${jobs[index].memberName}`,
      count: result.count,
      duplicates: result.duplicates,
      cpu: result.cpu,
      maxHeapUsedBytes: result.memory.maxHeapUsed,
      maxRssBytes: result.memory.maxRss,
      timeline: result.memory.timeline,
    })),
  };
}
