import { ChangeStreamBroker, silentLogger } from '../../lib/core';
import { testMongoUrl, uniqueName } from '../support/test-database';
import { waitFor } from '../support/wait-for';
import { Worker, WorkerFleet } from '../support/worker-fleet';

const PURCHASES = 1_000;

describe('transactional handlers under kill -9', () => {
  let broker: ChangeStreamBroker;
  let fleet: WorkerFleet;

  beforeEach(async () => {
    broker = new ChangeStreamBroker({
      mongoUri: testMongoUrl(),
      database: uniqueName('csb_exactly_once'),
      logger: silentLogger,
    });
    await broker.connect();
  });

  afterEach(async () => {
    await fleet?.stopAll();
    await broker.getDatabase().dropDatabase();
    await broker.disconnect();
  });

  it('leaves exactly one enrollment per purchase', async () => {
    const topic = uniqueName('purchases');
    await broker.createTopic({ name: topic, partitions: 3 });
    const enrollments = broker.getDatabase().collection('enrollments');
    await broker.getDatabase().createCollection('enrollments');
    fleet = new WorkerFleet({
      mongoUrl: testMongoUrl(),
      database: broker.database,
      topic,
      groupId: 'classroom',
      brokerOptions: {
        heartbeatIntervalMs: 300,
        sessionTimeoutMs: 1_500,
        retryDelayMs: 100,
      },
      consumerOptions: { partitionsConsumedConcurrently: 3 },
      env: {
        EFFECTS_COLLECTION: 'enrollments',
        HANDLER_DELAY_MS: '1',
        // One record in a hundred kills its worker after the writes.
        CRASH_AFTER_WRITES: '0.01',
      },
    });

    let started = 0;
    const startWorker = (): Promise<Worker> =>
      fleet.start(`worker-${(started += 1)}`);
    await startWorker();
    await startWorker();

    const producer = await broker.createProducer({ topic });
    let sent = 0;
    const producing = (async () => {
      while (sent < PURCHASES) {
        const batch = Array.from({ length: 25 }, (_, index) => ({
          key: `customer-${(sent + index) % 40}`,
          value: { n: sent + index },
        }));
        await producer.send(batch);
        sent += batch.length;
        await new Promise((resolve) => setTimeout(resolve, 15));
      }
    })();

    // Keep two workers alive: replace crashed ones and kill -9 a random
    // one from outside now and then, which lands anywhere, commits included.
    let externalKills = 0;
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      const count = await enrollments.estimatedDocumentCount();
      const alive = fleet.workers.filter(
        (worker) =>
          worker.process.child.exitCode === null &&
          worker.process.child.signalCode === null,
      );
      if (sent >= PURCHASES && count >= PURCHASES) {
        const distinct = await enrollments.distinct('n');
        if (distinct.length === PURCHASES) {
          break;
        }
      }
      if (alive.length > 0 && Math.random() < 0.2 && count < PURCHASES * 0.9) {
        await alive[Math.floor(Math.random() * alive.length)].process.kill(
          'SIGKILL',
        );
        externalKills += 1;
      }
      for (let missing = 2 - alive.length; missing > 0; missing -= 1) {
        await startWorker();
      }
      if (process.env.CSB_TEST_PROGRESS) {
        process.stderr.write(
          `sent ${sent} enrolled ${count} alive ${alive.length} started ${started}\n`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await producing;
    await waitFor(
      async () => (await enrollments.distinct('n')).length === PURCHASES,
      {
        description: `an enrollment for each of ${PURCHASES} purchases`,
        timeoutMs: 60_000,
      },
    );

    const counts = await enrollments
      .aggregate<{ _id: number; count: number }>([
        { $group: { _id: '$n', count: { $sum: 1 } } },
        { $match: { count: { $ne: 1 } } },
      ])
      .toArray();
    expect(counts).toEqual([]);
    expect(await enrollments.countDocuments()).toBe(PURCHASES);
    const indexes = await enrollments.indexes();
    expect(indexes.map((index) => index.name)).toEqual(['_id_']);
    const crashed = fleet.workers.filter(
      (worker) => worker.process.child.signalCode === 'SIGKILL',
    ).length;
    expect(crashed).toBeGreaterThan(2);
    process.stderr.write(
      `exactly once: ${PURCHASES} purchases, ${started} workers started, ` +
        `${crashed} killed (${externalKills} from outside)\n`,
    );
  }, 240_000);
});
