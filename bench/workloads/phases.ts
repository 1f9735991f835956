import type { ConsumerFleet } from '../coordinator/consumer-fleet';
import type { ProducerProcess } from '../coordinator/producer-process';
import {
  ConsumeSummary,
  ProduceSummary,
  summarizeConsume,
  summarizeProduce,
} from '../stats';
import { processCpuMicros } from '../infra/process-cpu';
import { monotonicMicros } from '../util/clock';

/** Messages per producer call when a backlog is written. */
export const BACKLOG_BATCH_SIZE = 1_000;
/** A phase ends as incomplete when no message arrived for this long. */
const STALL_MS = 30_000;
/**
 * Calls a paced producer may have waiting for replies. A send that finds
 * this many waiting goes out late, which lowers the offered rate (the
 * report shows the achieved rate) but not the measured latency.
 */
const MAX_IN_FLIGHT = 16;
/**
 * Returns the length of the unrecorded warm-up before a latency run of
 * `seconds`: up to 2 s, long enough for the JIT and for the driver's
 * connection pool to reach its working size, but no longer than the run.
 */
function warmUpMs(seconds: number): number {
  return Math.min(2_000, Math.max(1_000, seconds * 1000));
}

/** Figures of a backlog run: writing it, then reading it. */
export interface BacklogResult {
  produce: ProduceSummary;
  consume: ConsumeSummary;
  /**
   * CPU time of the server per message delivered, from the resume until
   * the last delivery; `undefined` when the bench did not start the server.
   */
  serverCpuMicrosPerMessage?: number;
}

/** Figures of a latency run at a fixed offered rate. */
export interface LatencyResult {
  ratePerSecond: number;
  produce: ProduceSummary;
  consume: ConsumeSummary;
}

function groupCount(fleet: ConsumerFleet): number {
  return new Set(fleet.members.map(({ job }) => job.groupId)).size;
}

/**
 * Pauses the fleet, writes `count` messages in batches, then resumes it
 * and measures how fast every group works through them.
 */
export async function measureBacklog(
  fleet: ConsumerFleet,
  producer: ProducerProcess,
  count: number,
  serverPid?: number,
): Promise<BacklogResult> {
  const groups = groupCount(fleet);
  await fleet.pause();
  const produced = await producer.run({
    mode: 'backlog',
    batchSize: BACKLOG_BATCH_SIZE,
    count,
  });
  await fleet.beginPhase(count, false);
  const resumedAt = monotonicMicros();
  const serverCpuBefore = processCpuMicros(serverPid);
  await fleet.resume();
  // Allows for a reader as slow as 200 messages a second.
  const timeoutMs = Math.max(120_000, count * groups * 5);
  const wait = await fleet.waitForDeliveries(
    count * groups,
    STALL_MS,
    timeoutMs,
  );
  const serverCpuAfter = processCpuMicros(serverPid);
  const results = await fleet.collect();
  return {
    produce: summarizeProduce(produced),
    consume: summarizeConsume(
      fleet.members.map(({ job }) => job),
      results,
      count,
      resumedAt,
      wait,
    ),
    serverCpuMicrosPerMessage:
      serverCpuBefore === undefined || serverCpuAfter === undefined
        ? undefined
        : (serverCpuAfter - serverCpuBefore) / (count * groups),
  };
}

/**
 * Sends single messages at `ratePerSecond` for `seconds` (after a short
 * unrecorded warm-up) and measures send-to-handler latency.
 */
export async function measureLatency(
  fleet: ConsumerFleet,
  producer: ProducerProcess,
  ratePerSecond: number,
  seconds: number,
): Promise<LatencyResult> {
  const groups = groupCount(fleet);
  await fleet.beginPhase(0, false);
  const warmUp = await producer.run({
    mode: 'paced',
    ratePerSecond,
    durationMs: warmUpMs(seconds),
    maxInFlight: MAX_IN_FLIGHT,
  });
  await fleet.waitForDeliveries(warmUp.messages * groups, STALL_MS, 60_000);

  const size = Math.floor(ratePerSecond * seconds);
  await fleet.beginPhase(size, true);
  const startedAt = monotonicMicros();
  const run = await producer.run({
    mode: 'paced',
    ratePerSecond,
    durationMs: seconds * 1000,
    maxInFlight: MAX_IN_FLIGHT,
  });
  const wait = await fleet.waitForDeliveries(
    run.messages * groups,
    STALL_MS,
    120_000,
  );
  const results = await fleet.collect();
  return {
    ratePerSecond,
    produce: summarizeProduce(run),
    consume: summarizeConsume(
      fleet.members.map(({ job }) => job),
      results,
      run.messages,
      startedAt,
      wait,
    ),
  };
}
