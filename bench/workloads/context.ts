import type { BenchDatabase } from '../infra/database';
import type { BenchRedis, RedisUnavailable } from '../infra/redis-server';
import type { BenchOptions } from '../options';
import { loadPeer } from '../peers/peer';
import type { ConsumerJob, PeerName, PeerTarget } from '../protocol';
import type { FigureBook } from '../report/figures';

/** Settings, servers and outputs that the runner shares with every workload. */
export interface WorkloadContext {
  options: BenchOptions;
  database: BenchDatabase;
  redis: BenchRedis | RedisUnavailable;
  /** Folder for worker logs and CPU profiles of this run. */
  logDirectory: string;
  /** Suffix that keeps topic and group names of this run apart. */
  runId: string;
  figures: FigureBook;
  /** Details of every measurement, for the JSON file. */
  details: Record<string, unknown>;
  log(line: string): void;
}

/** Returns why a peer cannot run at all, or `undefined` when it can. */
export function unavailableReason(
  context: WorkloadContext,
  peer: PeerName,
): string | undefined {
  if (peer === 'redis-streams' && 'unavailable' in context.redis) {
    return context.redis.unavailable;
  }
  return undefined;
}

/**
 * Returns the process id of the server a peer works against (Redis for
 * Redis Streams, the database otherwise), or `undefined` when the bench
 * did not start it.
 */
export function serverPidOf(
  context: WorkloadContext,
  peer: PeerName,
): number | undefined {
  if (peer === 'redis-streams') {
    return 'pid' in context.redis ? context.redis.pid : undefined;
  }
  return context.database.pid;
}

/** Builds the target of a peer: its own database and a topic of this run. */
export function targetOf(
  context: WorkloadContext,
  peer: PeerName,
  topic: string,
  partitions: number,
): PeerTarget {
  return {
    peer,
    mongoUrl: context.database.url,
    redisUrl: 'url' in context.redis ? context.redis.url : undefined,
    database: `csb_bench_${peer.replace(/-/g, '_')}`,
    topic: `${topic}-${context.runId}`,
    partitions,
  };
}

/**
 * Builds the jobs of `groups` groups with `members` members each. Without
 * group coordination (the raw driver) each member gets a static share of
 * the partitions, split the way the broker's range assignor splits them.
 */
export function consumerJobs(
  target: PeerTarget,
  label: string,
  groups: number,
  members: number,
): ConsumerJob[] {
  const jobs: ConsumerJob[] = [];
  for (let group = 0; group < groups; group++) {
    for (let member = 0; member < members; member++) {
      const job: ConsumerJob = {
        ...target,
        groupId: `${label}-g${group}`,
        memberName: `m${member}`,
      };
      if (target.peer === 'raw-driver' && members > 1) {
        const base = Math.floor(target.partitions / members);
        const extra = target.partitions % members;
        const start = member * base + Math.min(member, extra);
        const count = base + (member < extra ? 1 : 0);
        job.staticPartitions = Array.from(
          { length: count },
          (_, offset) => start + offset,
        );
      }
      jobs.push(job);
    }
  }
  return jobs;
}

/** Creates the peer's topic, runs `body`, and drops the topic afterwards. */
export async function withTopic<T>(
  target: PeerTarget,
  body: () => Promise<T>,
): Promise<T> {
  const peer = await loadPeer(target.peer);
  await peer.prepareTopic(target);
  try {
    return await body();
  } finally {
    await peer.dropTopic(target);
  }
}
