/**
 * Measures how long a consumer group takes to rebalance with the default
 * timing settings, on a topic of 6 partitions. A join lasts from a second
 * member's `subscribe()` call until each member owns three partitions. A
 * leave lasts from its `disconnect()` call until the first member owns all
 * six again.
 *
 *   node -r @swc-node/register scripts/measure-rebalance-time.ts [rounds]
 *
 * Uses MONGO_URL when set, otherwise starts the SecantusDB server that
 * `scripts/install-secantusdb.sh` installs.
 */
import {
  ChangeStreamBroker,
  ChangeStreamConsumer,
  silentLogger,
} from '../lib/core';
import { resolveDatabase } from './database/resolve-database';

const PARTITIONS = 6;
const DEADLINE_MS = 60_000;

async function waitFor(condition: () => boolean): Promise<number> {
  const started = performance.now();
  while (!condition()) {
    if (performance.now() - started > DEADLINE_MS) {
      throw new Error(`No rebalance within ${DEADLINE_MS} ms.`);
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return performance.now() - started;
}

async function member(
  url: string,
  database: string,
): Promise<[ChangeStreamBroker, ChangeStreamConsumer]> {
  const broker = new ChangeStreamBroker({
    mongoUri: url,
    database,
    logger: silentLogger,
  });
  await broker.connect();
  await broker.createTopic({ name: 'timing', partitions: PARTITIONS });
  const consumer = await broker.createConsumer({
    groupId: 'rebalance',
    topic: 'timing',
  });
  return [broker, consumer];
}

function summary(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  return (
    `median ${median.toFixed(0)} ms, ` +
    `min ${sorted[0].toFixed(0)} ms, ` +
    `max ${sorted[sorted.length - 1].toFixed(0)} ms`
  );
}

async function main(): Promise<void> {
  const rounds = Number(process.argv[2] ?? 20);
  if (!Number.isInteger(rounds) || rounds <= 0) {
    throw new Error(
      `Invalid round count ${JSON.stringify(process.argv[2])}: expected a ` +
        'positive integer.',
    );
  }
  const resolved = await resolveDatabase();
  const database = 'csb_rebalance_time';
  const joins: number[] = [];
  const leaves: number[] = [];
  try {
    const [firstBroker, first] = await member(resolved.url, database);
    await first.subscribe({ handler: async () => undefined });
    await waitFor(() => first.assignment().length === PARTITIONS);
    for (let round = 0; round < rounds; round += 1) {
      const [secondBroker, second] = await member(resolved.url, database);
      const joining = performance.now();
      await second.subscribe({ handler: async () => undefined });
      await waitFor(
        () =>
          first.assignment().length === PARTITIONS / 2 &&
          second.assignment().length === PARTITIONS / 2,
      );
      joins.push(performance.now() - joining);
      const leaving = performance.now();
      await second.disconnect();
      await waitFor(() => first.assignment().length === PARTITIONS);
      leaves.push(performance.now() - leaving);
      await secondBroker.disconnect();
    }
    await first.disconnect();
    await firstBroker.getDatabase().dropDatabase();
    await firstBroker.disconnect();
  } finally {
    await resolved.stop();
  }
  console.log(`${rounds} rounds, default heartbeat and session timeout`);
  console.log(`join (subscribe until 3 + 3):    ${summary(joins)}`);
  console.log(`leave (disconnect until 6 + 0):  ${summary(leaves)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
