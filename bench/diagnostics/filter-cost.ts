/**
 * Splits the broker's consume cost into server and client parts: one
 * process reads the same backlog with bare `collection.watch()` loops, with
 * and without the `$match` stage the broker's topic streams use. Both loops
 * do the same client work, so a difference in throughput is the server's
 * cost of the filter.
 *
 * Run: node -r @swc-node/register bench/diagnostics/filter-cost.ts [N]
 */
import { Document, MongoClient, ResumeToken } from 'mongodb';
import { ChangeStreamBroker } from '../../lib/core';
import { topicStreamPipeline } from '../../lib/core/stream/stream-pipeline';
import { installExitHandlers } from '../infra/child-processes';
import { startDatabase } from '../infra/database';

const PARTITIONS = 6;
const ROUNDS = 2;

async function readBacklog(
  client: MongoClient,
  token: ResumeToken,
  count: number,
  pipeline: Document[],
): Promise<{ messagesPerSecond: number; cpuMicrosPerMessage: number }> {
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const stream = client
    .db('csb_bench_filter')
    .collection('filter-cost')
    .watch(pipeline, { resumeAfter: token, batchSize: 500 });
  let received = 0;
  try {
    while (received < count) {
      const event = await stream.tryNext();
      if (event?.operationType === 'insert') {
        received += 1;
      }
    }
  } finally {
    await stream.close();
  }
  const cpu = process.cpuUsage(cpuBefore);
  return {
    messagesPerSecond: (count * 1000) / (performance.now() - started),
    cpuMicrosPerMessage: (cpu.user + cpu.system) / count,
  };
}

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 100_000);
  if (!Number.isInteger(count) || count <= 0) {
    throw new Error(
      `Invalid message count ${JSON.stringify(process.argv[2])}: expected ` +
        'a positive integer.',
    );
  }
  installExitHandlers();
  const database = await startDatabase({
    maxEntries: Math.max(1_000_000, count * 2),
    retentionSeconds: 3_600,
  });
  const broker = new ChangeStreamBroker({
    mongoUri: database.url,
    database: 'csb_bench_filter',
    logLevel: 'warn',
  });
  const client = new MongoClient(database.url);
  try {
    await broker.connect();
    await client.connect();
    const producer = await broker.createProducer({
      topic: 'filter-cost',
      partitions: PARTITIONS,
    });
    const probe = client
      .db('csb_bench_filter')
      .collection('filter-cost')
      .watch();
    await probe.tryNext();
    const token = probe.resumeToken;
    await probe.close();
    for (let sent = 0; sent < count; sent += 1000) {
      const size = Math.min(1000, count - sent);
      await producer.send(
        Array.from({ length: size }, (_, index) => ({
          value: { seq: sent + index, sentAt: 0, data: 'x'.repeat(100) },
        })),
      );
    }
    const partitions = Array.from({ length: PARTITIONS }, (_, index) => index);
    const loops: Array<[string, Document[]]> = [
      ['bare watch, batchSize 500', []],
      [
        'bare watch with the $match of a member owning some partitions, batchSize 500',
        // A member that owns every partition reads without a filter, so the
        // count passed here is one more than the partitions listed.
        topicStreamPipeline(partitions, 'filter-cost-reader', PARTITIONS + 1),
      ],
    ];
    console.log(
      `${database.server.name} ${database.server.secantusVersion ?? ''} ` +
        `(MongoDB ${database.server.version}), backlog of ${count}`,
    );
    for (let round = 1; round <= ROUNDS; round++) {
      for (const [label, pipeline] of loops) {
        const result = await readBacklog(client, token, count, pipeline);
        console.log(
          `round ${round}: ${label}: ` +
            `${Math.round(result.messagesPerSecond)} msg/s, ` +
            `${result.cpuMicrosPerMessage.toFixed(1)} µs CPU/msg`,
        );
      }
    }
  } finally {
    await client.close();
    await broker.disconnect();
    await database.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
