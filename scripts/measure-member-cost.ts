/**
 * Measures what one consumer-group member costs the server and the client:
 * change streams open, and pooled connections checked out at once, for a
 * few partition and member counts. Prints a Markdown table.
 *
 *   node -r @swc-node/register scripts/measure-member-cost.ts
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

interface Row {
  partitions: number;
  members: number;
  topics: number;
  streamsPerMember: number;
  /** Peak while joining, claiming and storing start positions. */
  startupConnections: number;
  /** Peak over three seconds once the group settled. */
  steadyConnections: number;
}

async function measure(
  url: string,
  partitions: number,
  members: number,
  topics: number,
): Promise<Row> {
  const database = `csb_cost_${partitions}_${members}_${topics}`;
  const brokers: ChangeStreamBroker[] = [];
  const consumers: ChangeStreamConsumer[] = [];
  const counters: Array<{ out: number; peak: number }> = [];
  for (let member = 0; member < members; member += 1) {
    const broker = new ChangeStreamBroker({
      mongoUri: url,
      database,
      logger: silentLogger,
      heartbeatIntervalMs: 200,
      sessionTimeoutMs: 1_000,
    });
    await broker.connect();
    brokers.push(broker);
    const counter = { out: 0, peak: 0 };
    counters.push(counter);
    broker.getClient().on('connectionCheckedOut', () => {
      counter.out += 1;
      counter.peak = Math.max(counter.peak, counter.out);
    });
    broker.getClient().on('connectionCheckedIn', () => {
      counter.out -= 1;
    });
    for (let topic = 0; topic < topics; topic += 1) {
      const name = `topic${topic}`;
      await broker.createTopic({ name, partitions });
      const consumer = await broker.createConsumer({
        groupId: 'cost',
        topic: name,
      });
      await consumer.subscribe({ handler: async () => undefined });
      consumers.push(consumer);
    }
  }
  // Let rebalancing finish and the streams settle.
  await new Promise((resolve) => setTimeout(resolve, 4_000));
  const startupConnections = Math.max(
    ...counters.map((counter) => counter.peak),
  );
  counters.forEach((counter) => (counter.peak = counter.out));
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  const streams = consumers.reduce(
    (sum, consumer) => sum + consumer.streamCount(),
    0,
  );
  const row: Row = {
    partitions,
    members,
    topics,
    streamsPerMember: streams / members,
    startupConnections,
    steadyConnections: Math.max(...counters.map((counter) => counter.peak)),
  };
  await Promise.all(consumers.map((consumer) => consumer.disconnect()));
  await brokers[0].getDatabase().dropDatabase();
  await Promise.all(brokers.map((broker) => broker.disconnect()));
  return row;
}

async function main(): Promise<void> {
  const database = await resolveDatabase();
  try {
    const rows: Row[] = [];
    for (const [partitions, members, topics] of [
      [1, 1, 1],
      [6, 1, 1],
      [6, 3, 1],
      [64, 1, 1],
      [64, 4, 1],
      [6, 1, 4],
    ]) {
      rows.push(await measure(database.url, partitions, members, topics));
    }
    console.log(
      '| partitions | members | topics per member | change streams per member ' +
        '| pooled connections per member, peak at start-up | ' +
        'pooled connections per member, peak once settled |',
    );
    console.log('| --- | --- | --- | --- | --- | --- |');
    for (const row of rows) {
      console.log(
        `| ${row.partitions} | ${row.members} | ${row.topics} | ` +
          `${row.streamsPerMember} | ${row.startupConnections} | ` +
          `${row.steadyConnections} |`,
      );
    }
  } finally {
    await database.stop();
  }
}

void main();
