import {
  ChangeStreamBroker,
  ChangeStreamConsumer,
  HistoryLostError,
  HistoryLostPolicy,
} from '../../lib/core';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import type { SecantusdServer } from '../../scripts/database/secantusd-server';
import { RecordCollector } from '../support/collector';
import {
  describeWithOwnServer,
  startOwnServer,
} from '../support/dedicated-server';
import { MemoryLogger } from '../support/memory-logger';
import { startFixture } from '../support/processes';
import { readProcessingLog } from '../support/processing-log';
import { uniqueName } from '../support/test-database';
import { waitFor } from '../support/wait-for';

describeWithOwnServer('lost change history', () => {
  let server: SecantusdServer;
  let broker: ChangeStreamBroker;
  let logger: MemoryLogger;
  let topic: string;
  const consumers: ChangeStreamConsumer[] = [];

  beforeAll(async () => {
    // A tiny oplog makes stored offsets fall off the change history.
    server = await startOwnServer({ oplogMaxEntries: 300 });
  });

  afterAll(async () => {
    await server.stop();
  });

  beforeEach(async () => {
    logger = new MemoryLogger();
    broker = new ChangeStreamBroker({
      mongoUri: server.url,
      database: uniqueName('csb_history'),
      logger,
      heartbeatIntervalMs: 200,
      sessionTimeoutMs: 1_500,
      retryDelayMs: 100,
    });
    await broker.connect();
    topic = uniqueName('ledger');
    await broker.createTopic({ name: topic, partitions: 2 });
  });

  afterEach(async () => {
    await Promise.all(
      consumers.splice(0).map((consumer) => consumer.disconnect()),
    );
    await broker.getDatabase().dropDatabase();
    await broker.disconnect();
  });

  async function produce(from: number, to: number): Promise<void> {
    const producer = await broker.createProducer({ topic });
    for (let start = from; start < to; start += 100) {
      const end = Math.min(to, start + 100);
      await producer.send(
        Array.from({ length: end - start }, (_, index) => ({
          key: `k${(start + index) % 7}`,
          value: start + index,
        })),
      );
    }
  }

  async function start(
    collector: RecordCollector<number>,
    onHistoryLost: HistoryLostPolicy,
  ): Promise<{ consumer: ChangeStreamConsumer; errors: Error[] }> {
    const consumer = await broker.createConsumer({
      groupId: 'ledger',
      topic,
      onHistoryLost,
      historyLostReplayMarginMs: 0,
      autoCommitIntervalMs: 100,
    });
    consumers.push(consumer);
    const errors: Error[] = [];
    consumer.on('consumer.error', (_source, error) => errors.push(error));
    await consumer.subscribe({ handler: collector.handler });
    return { consumer, errors };
  }

  async function consumeThenStop(count: number): Promise<void> {
    const collector = new RecordCollector<number>();
    const { consumer } = await start(collector, 'replay');
    await produce(0, count);
    await waitFor(() => collector.records.length === count, {
      description: `${count} records`,
    });
    await consumer.disconnect();
  }

  it('replays what the topic retains after the last processed message', async () => {
    await consumeThenStop(20);
    await produce(20, 1_000);

    const collector = new RecordCollector<number>();
    const { errors } = await start(collector, 'replay');
    await waitFor(() => new Set(collector.values()).size >= 980, {
      description: 'the 980 messages written while the group was away',
      timeoutMs: 30_000,
    });
    const seen = new Set(collector.values());
    for (let n = 20; n < 1_000; n += 1) {
      expect(seen.has(n)).toBe(true);
    }
    expect(errors[0]).toBeInstanceOf(HistoryLostError);
    expect(
      logger.matching(/fell off the change history/)[0].fields,
    ).toMatchObject({
      groupId: 'ledger',
      topic,
      policy: 'replay',
    });
    await produce(1_000, 1_001);
    await waitFor(() => collector.values().includes(1_000), {
      description: 'a live record after the replay',
    });
  });

  it('skips to now with the latest policy', async () => {
    await consumeThenStop(10);
    await produce(10, 1_500);

    const collector = new RecordCollector<number>();
    const { errors } = await start(collector, 'latest');
    await waitFor(() => errors.length > 0, {
      description: 'the history error',
    });
    await waitFor(() => logger.matching(/Skipped to the latest/).length === 2, {
      description: 'both partitions moved to now',
    });
    await produce(1_500, 1_510);
    await waitFor(() => collector.records.length >= 10, {
      description: 'new records',
    });
    expect(Math.min(...collector.values())).toBeGreaterThanOrEqual(1_500);
  });

  it('stops the partitions with the fail policy and does not retry in a loop', async () => {
    await consumeThenStop(10);
    await produce(10, 1_500);

    const collector = new RecordCollector<number>();
    const stopped: number[] = [];
    const { consumer, errors } = await start(collector, 'fail');
    consumer.on('consumer.partition.stopped', (_source, partition) =>
      stopped.push(partition),
    );
    await waitFor(() => stopped.length === 2, {
      description: 'two stopped partitions',
    });
    const errorCount = errors.length;
    await produce(1_500, 1_510);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(errors.length).toBe(errorCount);
    expect(collector.records).toHaveLength(0);
    expect(errors[0]).toBeInstanceOf(HistoryLostError);
  });

  it('recovers when a running stream falls off the history', async () => {
    // The worker runs in its own process: the driver sends its appName in
    // the handshake there, which the failpoint below is scoped to.
    const appName = uniqueName('victim');
    const logPath = join(mkdtempSync(join(tmpdir(), 'csb-history-')), 'log');
    const worker = startFixture('consumer-worker', {
      MONGO_URL: server.url,
      DATABASE: broker.database,
      TOPIC: topic,
      GROUP_ID: 'running',
      APP_NAME: appName,
      PROCESSING_LOG: logPath,
      BROKER_OPTIONS: JSON.stringify({
        heartbeatIntervalMs: 200,
        sessionTimeoutMs: 1_500,
        retryDelayMs: 100,
      }),
      CONSUMER_OPTIONS: JSON.stringify({
        historyLostReplayMarginMs: 0,
      }),
    });
    try {
      await worker.waitForLine(/"type":"ready"/);
      await produce(0, 10);
      await waitFor(() => readProcessingLog(logPath).length === 10, {
        description: '10 records',
      });

      // Reads fail the way MongoDB fails a cursor that the oplog
      // overtook. failCommand is MongoDB's own test failpoint.
      const admin = new MongoClient(server.url);
      const failGetMore = (mode: 'alwaysOn' | 'off') =>
        admin.db('admin').command({
          configureFailPoint: 'failCommand',
          mode,
          data: { failCommands: ['getMore'], errorCode: 286, appName },
        });
      try {
        await failGetMore('alwaysOn');
        await produce(10, 200);
        await worker.waitForLine(/fell off the change history/);
      } finally {
        await failGetMore('off');
        await admin.close();
      }

      await waitFor(
        () =>
          new Set(readProcessingLog(logPath).map((entry) => entry.n)).size >=
          200,
        { description: 'every record after the failure', timeoutMs: 30_000 },
      );
      await worker.waitForLine(/Replaying retained messages/);
    } finally {
      await worker.kill('SIGTERM');
    }
  });
});
