import { join } from 'node:path';
import { ConsumerPool } from '../coordinator/consumer-pool';
import { ProducerProcess } from '../coordinator/producer-process';
import type { PeerName } from '../protocol';
import {
  CONSUME_SHAPES,
  ConsumeRun,
  measureConsumeShapes,
  recordShapeUnavailable,
} from './consume';
import {
  targetOf,
  unavailableReason,
  withTopic,
  WorkloadContext,
} from './context';
import { measureProduceModes, recordProduceUnavailable } from './produce';
import { measureScaling } from './scaling';

/** Peers whose consumer `--cpu-prof` profiles. */
const PROFILED_PEERS: readonly PeerName[] = ['this-broker', 'raw-driver'];

/** Measurements that {@link runPeerFamilies} makes. */
export interface PeerRun extends ConsumeRun {
  produce: boolean;
  /** The scaling grid, measured with the broker's pool and producer. */
  scaling: boolean;
}

/** Folder of the CPU profiles of a run. */
export function profileDirectory(context: WorkloadContext): string {
  return join(context.logDirectory, 'profiles');
}

function poolSize(
  context: WorkloadContext,
  peer: PeerName,
  run: PeerRun,
): number {
  let size = 0;
  if (run.backlog) {
    size = 3;
  } else if (run.latency) {
    size = 1;
  }
  if (run.scaling && peer === 'this-broker') {
    size = Math.max(size, ...context.options.scaleMembers);
  }
  return size;
}

function createPool(
  context: WorkloadContext,
  peer: PeerName,
  size: number,
): ConsumerPool {
  const profile = context.options.cpuProfile && PROFILED_PEERS.includes(peer);
  return new ConsumerPool(
    size,
    `${peer}-consumer`,
    context.logDirectory,
    (index) =>
      profile && index === 0
        ? [
            '--cpu-prof',
            '--cpu-prof-dir',
            profileDirectory(context),
            '--cpu-prof-name',
            `${peer}-consumer.cpuprofile`,
          ]
        : [],
  );
}

function recordUnavailable(
  context: WorkloadContext,
  peer: PeerName,
  reason: string,
  run: PeerRun,
): void {
  if (run.produce) {
    recordProduceUnavailable(context, peer, reason);
  }
  for (const shape of CONSUME_SHAPES) {
    recordShapeUnavailable(context, peer, shape, reason, run);
  }
}

/**
 * Runs the produce, consume and latency measurements of every peer, one
 * peer at a time, and the scaling grid with the broker. Each peer gets one
 * producer process and a pool of consumer processes, reused by all its
 * runs. The produce runs come first, so their messages lie before every
 * consumer's start position.
 */
export async function runPeerFamilies(
  context: WorkloadContext,
  run: PeerRun,
): Promise<void> {
  const { options } = context;
  for (const peer of options.peers) {
    const reason = unavailableReason(context, peer);
    if (reason) {
      recordUnavailable(context, peer, reason, run);
      continue;
    }
    const size = poolSize(context, peer, run);
    if (!run.produce && size === 0) {
      continue;
    }
    const target = targetOf(context, peer, 'bench', options.partitions);
    const pool = size > 0 ? createPool(context, peer, size) : undefined;
    try {
      const producer = await ProducerProcess.start(
        target,
        options.payloadBytes,
        context.logDirectory,
        `${peer}-producer`,
      );
      try {
        await pool?.load(peer, 'raw-driver');
        await withTopic(target, async () => {
          if (run.produce) {
            await measureProduceModes(context, peer, producer);
          }
          if (pool && (run.backlog || run.latency)) {
            await measureConsumeShapes(context, target, producer, pool, run);
          }
        });
        if (pool && run.scaling && peer === 'this-broker') {
          context.log('scaling: starting');
          await measureScaling(context, pool, producer);
        }
      } finally {
        await producer.stop();
      }
    } finally {
      await pool?.close();
    }
  }
}
