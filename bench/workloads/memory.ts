import type { ConsumerFleet } from '../coordinator/consumer-fleet';
import { ConsumerPool } from '../coordinator/consumer-pool';
import { ProducerProcess } from '../coordinator/producer-process';
import type { PeerName } from '../protocol';
import { summarizeConsume } from '../stats';
import { monotonicMicros } from '../util/clock';
import { consumerJobs, targetOf, withTopic, WorkloadContext } from './context';
import { deliveryProblem } from './notes';
import { BACKLOG_BATCH_SIZE } from './phases';

const STALL_MS = 60_000;

async function drain(
  fleet: ConsumerFleet,
  count: number,
): Promise<ReturnType<typeof summarizeConsume>> {
  await fleet.beginPhase(count, false);
  const resumedAt = monotonicMicros();
  await fleet.resume();
  const wait = await fleet.waitForDeliveries(
    count,
    STALL_MS,
    Math.max(300_000, count * 5),
  );
  const results = await fleet.collect();
  return summarizeConsume(
    fleet.members.map(({ job }) => job),
    results,
    count,
    resumedAt,
    wait,
  );
}

/**
 * Measures the memory of one consumer working through a large backlog. A
 * broker member and a bare watch loop (the raw driver) both wait at the
 * same position while the backlog is written. Then each reads all of it in
 * turn, and its process samples `process.memoryUsage()` every 100 ms.
 */
export async function runMemoryFamily(context: WorkloadContext): Promise<void> {
  const { options, figures } = context;
  const count = options.memoryBacklog;
  const target = targetOf(context, 'this-broker', 'memory', options.partitions);
  const peers = ['this-broker', 'raw-driver'] as const;
  const pools = peers.map(
    (peer) => new ConsumerPool(1, `memory-${peer}`, context.logDirectory),
  );
  const readers: Array<[PeerName, ConsumerFleet]> = [];
  await withTopic(target, async () => {
    const producer = await ProducerProcess.start(
      target,
      options.payloadBytes,
      context.logDirectory,
      'memory-producer',
    );
    try {
      for (const [index, peer] of peers.entries()) {
        // The raw driver watches the broker's topic collection itself.
        const jobs = consumerJobs({ ...target, peer }, 'memory', 1, 1);
        readers.push([peer, await pools[index].startFleet(jobs)]);
      }
      for (const [, fleet] of readers) {
        await fleet.waitUntilAssigned();
        await fleet.pause();
      }
      context.log(`memory: writing a backlog of ${count} messages`);
      const produced = await producer.run({
        mode: 'backlog',
        batchSize: BACKLOG_BATCH_SIZE,
        count,
      });
      context.details['memory/backlog'] = produced;
      for (const [peer, fleet] of readers) {
        const summary = await drain(fleet, count);
        const note = deliveryProblem(summary);
        context.details[`memory/${peer}`] = summary;
        context.log(
          `memory ${peer}: max heap ` +
            `${(summary.maxHeapUsedBytes / 2 ** 20).toFixed(1)} MB, max RSS ` +
            `${(summary.maxRssBytes / 2 ** 20).toFixed(1)} MB` +
            (note ? ` (${note})` : ''),
        );
        const rows: Array<[string, number | null, string, 'higher' | 'lower']> =
          [
            [
              'max heap used',
              summary.maxHeapUsedBytes / 2 ** 20,
              'MB',
              'lower',
            ],
            ['max RSS', summary.maxRssBytes / 2 ** 20, 'MB', 'lower'],
            ['msg/s', summary.messagesPerSecond, 'msg/s', 'higher'],
          ];
        for (const [row, value, unit, better] of rows) {
          figures.add({
            family: 'memory',
            row: `${row}, backlog of ${count}`,
            metric: unit,
            unit,
            peer,
            value,
            note,
            better,
          });
        }
      }
    } finally {
      await Promise.all(readers.map(([, fleet]) => fleet.stop()));
      await Promise.all(pools.map((pool) => pool.close()));
      await producer.stop();
    }
  });
  for (const peer of options.peers) {
    if (peer === 'this-broker' || peer === 'raw-driver') {
      continue;
    }
    for (const row of ['max heap used', 'max RSS', 'msg/s']) {
      figures.notMeasured(
        {
          family: 'memory',
          row: `${row}, backlog of ${count}`,
          metric: row === 'msg/s' ? 'msg/s' : 'MB',
          unit: row === 'msg/s' ? 'msg/s' : 'MB',
          peer,
          better: row === 'msg/s' ? 'higher' : 'lower',
        },
        'not run: this run covers the broker and its ceiling; the ' +
          'consume backlog row shows every peer',
      );
    }
  }
}
