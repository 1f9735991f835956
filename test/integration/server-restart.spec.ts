import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChangeStreamBroker, silentLogger } from '../../lib/core';
import type { SecantusdServer } from '../../scripts/database/secantusd-server';
import {
  describeWithOwnServer,
  startOwnServer,
} from '../support/dedicated-server';
import { startFixture } from '../support/processes';
import { readProcessingLog } from '../support/processing-log';
import { uniqueName } from '../support/test-database';
import { waitFor } from '../support/wait-for';

describeWithOwnServer('database restart', () => {
  let server: SecantusdServer;

  beforeAll(async () => {
    // MongoDB journals majority writes before acknowledging them. Without
    // this flag SecantusDB does not, and a kill -9 loses acknowledged writes.
    server = await startOwnServer({ extraArgs: ['--sync-on-commit'] });
  });

  afterAll(async () => {
    await server.stop();
  });

  it('loses no acknowledged message when the server is killed and restarted', async () => {
    const database = uniqueName('csb_restart');
    const topic = uniqueName('orders');
    const broker = new ChangeStreamBroker({
      mongoUri: server.url,
      database,
      logger: silentLogger,
      // The producer waits for the restarted server instead of failing fast.
      clientOptions: { serverSelectionTimeoutMS: 15_000 },
    });
    await broker.connect();
    await broker.createTopic({ name: topic, partitions: 4 });
    const producer = await broker.createProducer({ topic });

    const logPath = join(mkdtempSync(join(tmpdir(), 'csb-restart-')), 'log');
    const worker = startFixture('consumer-worker', {
      MONGO_URL: server.url,
      DATABASE: database,
      TOPIC: topic,
      GROUP_ID: 'restart',
      PROCESSING_LOG: logPath,
      BROKER_OPTIONS: JSON.stringify({
        heartbeatIntervalMs: 500,
        sessionTimeoutMs: 10_000,
        retryDelayMs: 200,
        maxRetryDelayMs: 2_000,
      }),
      CONSUMER_OPTIONS: JSON.stringify({ autoCommitIntervalMs: 200 }),
    });

    const acknowledged = new Set<number>();
    const failed: number[] = [];
    try {
      await worker.waitForLine(/"type":"ready"/);
      let next = 0;
      const produce = async (batches: number): Promise<void> => {
        for (let batch = 0; batch < batches; batch += 1) {
          const values = Array.from({ length: 10 }, (_, index) => next + index);
          next += 10;
          try {
            await producer.send(
              values.map((n) => ({ key: `customer-${n % 13}`, value: n })),
            );
            values.forEach((n) => acknowledged.add(n));
          } catch {
            failed.push(...values);
          }
        }
      };

      await produce(30);
      const writing = produce(60);
      await new Promise((resolve) => setTimeout(resolve, 150));
      await server.kill('SIGKILL');
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      await server.start();
      await writing;
      await produce(30);

      await waitFor(
        () => {
          const seen = new Set(
            readProcessingLog(logPath).map((entry) => entry.n),
          );
          return [...acknowledged].every((n) => seen.has(n));
        },
        { description: 'every acknowledged message', timeoutMs: 45_000 },
      );
      const processed = readProcessingLog(logPath);
      const seen = new Set(processed.map((entry) => entry.n));
      const lost = [...acknowledged].filter((n) => !seen.has(n));
      expect(lost).toEqual([]);
      expect(acknowledged.size + failed.length).toBe(1_200);
      // The worker logged the outage and its recovery.
      expect(
        worker.lines.some((line) =>
          line.includes('Lost the connection to the server'),
        ),
      ).toBe(true);
      expect(
        worker.lines.some((line) => line.includes('Reconnected to the server')),
      ).toBe(true);
      process.stderr.write(
        `restart: ${acknowledged.size} acknowledged, ${failed.length} failed, ` +
          `${processed.length} processed (${processed.length - seen.size} again)\n`,
      );
    } finally {
      await worker.kill('SIGTERM');
      await broker.getDatabase().dropDatabase();
      await broker.disconnect();
    }
  });
});
