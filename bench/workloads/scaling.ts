import type { ConsumerPool } from '../coordinator/consumer-pool';
import type { ProducerProcess } from '../coordinator/producer-process';
import { consumerJobs, targetOf, withTopic, WorkloadContext } from './context';
import { CONSUME_SHAPES } from './consume';
import { deliveryProblem } from './notes';
import { measureBacklog, measureLatency } from './phases';

/** Row label of one cell of the scaling grid. */
export function scalingRow(partitions: number, members: number): string {
  return `${partitions} partitions, ${members} members`;
}

/** Measures every group size of the grid on a topic of `partitions`. */
async function measurePartitionCount(
  context: WorkloadContext,
  pool: ConsumerPool,
  producer: ProducerProcess,
  partitions: number,
): Promise<void> {
  const { options, figures } = context;
  const target = targetOf(
    context,
    'this-broker',
    `scale-p${partitions}`,
    partitions,
  );
  await withTopic(target, async () => {
    await producer.retarget(target, options.payloadBytes);
    for (const members of options.scaleMembers) {
      const jobs = consumerJobs(target, `m${members}`, 1, members);
      const fleet = await pool.startFleet(jobs);
      try {
        await fleet.waitUntilAssigned();
        const backlog = await measureBacklog(
          fleet,
          producer,
          options.scaleBacklog,
        );
        const latency = await measureLatency(
          fleet,
          producer,
          options.rate,
          options.scaleLatencySeconds,
        );
        const row = scalingRow(partitions, members);
        context.details[`scaling/${row}`] = { backlog, latency };
        figures.add({
          family: 'scaling',
          row,
          metric: 'msg/s',
          unit: 'msg/s',
          peer: 'this-broker',
          value: backlog.consume.messagesPerSecond,
          note: deliveryProblem(backlog.consume),
          better: 'higher',
          ceiling: {
            family: 'consume',
            row: CONSUME_SHAPES[0].label,
            metric: 'msg/s',
          },
        });
        figures.add({
          family: 'scaling',
          row,
          metric: 'p99',
          unit: 'ms',
          peer: 'this-broker',
          value: latency.consume.latency?.p99 ?? null,
          note: deliveryProblem(latency.consume),
          better: 'lower',
          ceiling: { family: 'latency', row: 'p99', metric: 'ms' },
        });
        context.log(
          `scaling ${row}: ` +
            `${Math.round(backlog.consume.messagesPerSecond ?? 0)} msg/s, ` +
            `p99 ${latency.consume.latency?.p99} ms`,
        );
      } finally {
        await fleet.stop();
      }
    }
  });
}

/**
 * Throughput (a backlog) and p99 latency (at the offered rate) of this
 * broker for each partition count and group size of the grid, on the
 * broker's consumer pool and producer process. Ratios refer to the raw
 * driver's 1 x 1 consume throughput and p99 of this run.
 */
export async function measureScaling(
  context: WorkloadContext,
  pool: ConsumerPool,
  producer: ProducerProcess,
): Promise<void> {
  for (const partitions of context.options.scalePartitions) {
    await measurePartitionCount(context, pool, producer, partitions);
  }
}
