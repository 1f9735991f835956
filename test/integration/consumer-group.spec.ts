import type {
  ChangeStreamBroker,
  ChangeStreamConsumer,
  ConsumerRecord,
} from '../../lib/core';
import { connectTestBroker, uniqueName } from '../support/test-database';
import { waitFor } from '../support/wait-for';

interface Seen {
  member: string;
  record: ConsumerRecord<{ n: number }>;
}

describe('consumer group in one process', () => {
  let broker: ChangeStreamBroker;
  let topic: string;
  let seen: Seen[];
  const consumers: ChangeStreamConsumer[] = [];

  async function join(groupId = 'workers'): Promise<ChangeStreamConsumer> {
    const consumer = await broker.createConsumer({
      groupId,
      topic,
      autoCommitIntervalMs: 100,
    });
    consumers.push(consumer);
    const member = consumer.getConsumerId();
    await consumer.subscribe<{ n: number }>({
      handler: async (record) => {
        seen.push({ member, record });
      },
    });
    return consumer;
  }

  async function produce(from: number, to: number): Promise<void> {
    const producer = await broker.createProducer({ topic });
    await producer.send(
      Array.from({ length: to - from }, (_, index) => ({
        key: `key-${(from + index) % 11}`,
        value: { n: from + index },
      })),
    );
  }

  function numbers(): number[] {
    return seen.map((entry) => entry.record.message.value.n);
  }

  beforeEach(async () => {
    broker = await connectTestBroker();
    topic = uniqueName('jobs');
    seen = [];
    await broker.createTopic({ name: topic, partitions: 6 });
  });

  afterEach(async () => {
    await Promise.all(
      consumers.splice(0).map((consumer) => consumer.disconnect()),
    );
    await broker.getDatabase().dropDatabase();
    await broker.disconnect();
  });

  it('splits the partitions between members', async () => {
    const first = await join();
    const second = await join();
    await waitFor(
      () => first.assignment().length === 3 && second.assignment().length === 3,
      { description: 'three partitions each' },
    );
    expect([...first.assignment(), ...second.assignment()].sort()).toEqual([
      0, 1, 2, 3, 4, 5,
    ]);

    await produce(0, 300);
    await waitFor(() => seen.length >= 300, { description: '300 records' });
    expect(new Set(numbers()).size).toBe(300);
    expect(seen).toHaveLength(300);
    const members = new Set(seen.map((entry) => entry.member));
    expect(members.size).toBe(2);
  });

  it('hands partitions over on join and leave without redelivery', async () => {
    const first = await join();
    await waitFor(() => first.assignment().length === 6, {
      description: 'the first member to own everything',
    });
    await produce(0, 200);
    await waitFor(() => seen.length >= 200, { description: '200 records' });

    const second = await join();
    await waitFor(
      () => first.assignment().length === 3 && second.assignment().length === 3,
      { description: 'a rebalance to three partitions each' },
    );
    await produce(200, 400);
    await waitFor(() => seen.length >= 400, { description: '400 records' });

    await first.disconnect();
    await waitFor(() => second.assignment().length === 6, {
      description: 'the second member to own everything',
    });
    await produce(400, 600);
    await waitFor(() => seen.length >= 600, { description: '600 records' });
    await produce(600, 601);
    await waitFor(() => seen.length >= 601, { description: 'the last record' });

    expect(new Set(numbers()).size).toBe(601);
    expect(seen).toHaveLength(601);
    const byKey = new Map<string, number[]>();
    for (const { record } of seen) {
      const list = byKey.get(record.message.key!) ?? [];
      list.push(record.message.value.n);
      byKey.set(record.message.key!, list);
    }
    for (const list of byKey.values()) {
      expect(list).toEqual([...list].sort((a, b) => a - b));
    }
  });

  it('keeps one change stream per member after a rebalance', async () => {
    const first = await join();
    const second = await join();
    await waitFor(
      () => first.assignment().length === 3 && second.assignment().length === 3,
      { description: 'three partitions each' },
    );
    await second.disconnect();
    await waitFor(() => first.assignment().length === 6, {
      description: 'the first member to own everything again',
    });
    await produce(0, 50);
    await waitFor(() => seen.length >= 50, { description: '50 records' });
    await waitFor(() => first.streamCount() === 1, {
      description: 'the streams to merge into one',
    });
  });

  it('rebalances between brokers before any heartbeat', async () => {
    // Heartbeats far apart: only the membership streams can tell each
    // broker about the other's join and leave in time.
    const slow = { heartbeatIntervalMs: 30_000, sessionTimeoutMs: 60_000 };
    const brokers = await Promise.all([
      connectTestBroker({ ...slow, database: broker.database }),
      connectTestBroker({ ...slow, database: broker.database }),
    ]);
    try {
      const [first, second] = await Promise.all(
        brokers.map((member) =>
          member.createConsumer({ groupId: 'watchers', topic }),
        ),
      );
      await first.subscribe({ handler: async () => undefined });
      await waitFor(() => first.assignment().length === 6, {
        description: 'the first broker to own everything',
      });

      const joinedAt = Date.now();
      await second.subscribe({ handler: async () => undefined });
      await waitFor(
        () =>
          first.assignment().length === 3 && second.assignment().length === 3,
        { description: 'three partitions each', timeoutMs: 5_000 },
      );
      expect(Date.now() - joinedAt).toBeLessThan(5_000);

      const leftAt = Date.now();
      await second.disconnect();
      await waitFor(() => first.assignment().length === 6, {
        description: 'the first broker to own everything again',
        timeoutMs: 5_000,
      });
      expect(Date.now() - leftAt).toBeLessThan(5_000);
      await first.disconnect();
    } finally {
      await Promise.all(brokers.map((member) => member.disconnect()));
    }
  });
});
