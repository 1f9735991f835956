import {
  ChangeStreamBroker,
  ChangeStreamConsumer,
  GroupActiveError,
  InvalidPartitionError,
  MongoOffsetStorage,
  OffsetMismatchError,
  OffsetStorage,
} from '../../lib/core';
import { RecordCollector } from '../support/collector';
import { connectTestBroker } from '../support/test-database';
import { useTopicFixture } from '../support/topic-fixture';
import { waitFor } from '../support/wait-for';

describe('topic lifecycle, seek and reset', () => {
  const fixture = useTopicFixture('lifecycle', 2);
  const consumers = fixture.consumers;
  let broker: ChangeStreamBroker;
  let topic: string;

  beforeEach(() => {
    ({ broker, topic } = fixture);
  });

  async function start(
    collector: RecordCollector<number>,
    groupId = 'readers',
  ): Promise<{ consumer: ChangeStreamConsumer; errors: Error[] }> {
    const consumer = await broker.createConsumer({
      groupId,
      topic,
      autoCommitIntervalMs: 100,
    });
    consumers.push(consumer);
    const errors: Error[] = [];
    consumer.on('consumer.error', (_source, error) => errors.push(error));
    await consumer.subscribe({ handler: collector.handler });
    return { consumer, errors };
  }

  async function send(from: number, to: number): Promise<void> {
    const producer = await broker.createProducer({ topic });
    await producer.send(
      Array.from({ length: to - from }, (_, index) => ({
        value: from + index,
      })),
    );
  }

  it('reports a dropped topic and continues once it is created again', async () => {
    const collector = new RecordCollector<number>();
    const { consumer } = await start(collector);
    const invalidations: string[] = [];
    consumer.on('consumer.topic.invalidated', (_source, operation) =>
      invalidations.push(operation),
    );
    await send(0, 5);
    await waitFor(() => collector.records.length === 5, {
      description: '5 records',
    });

    await broker.getDatabase().collection(topic).drop();
    await waitFor(() => invalidations.includes('drop'), {
      description: 'the drop event',
    });
    await broker.getDatabase().createCollection(topic);
    await send(5, 10);

    await waitFor(() => collector.records.length === 10, {
      description: 'records of the new collection',
    });
    expect(collector.values()).toEqual([...Array(10).keys()]);
  });

  it('refuses offsets of an earlier incarnation of the topic', async () => {
    const first = new RecordCollector<number>();
    const { consumer } = await start(first, 'history');
    await send(0, 3);
    await waitFor(() => first.records.length === 3, {
      description: '3 records',
    });
    await consumer.disconnect();

    await broker.getDatabase().collection(topic).drop();
    await broker.getDatabase().createCollection(topic);
    await send(3, 6);
    const second = new RecordCollector<number>();
    const stopped: number[] = [];
    const restarted = await start(second, 'history');
    restarted.consumer.on('consumer.partition.stopped', (_source, partition) =>
      stopped.push(partition),
    );
    await waitFor(() => restarted.errors.length === 2, {
      description: 'one refusal per partition',
    });
    expect(restarted.errors[0]).toBeInstanceOf(OffsetMismatchError);
    expect(restarted.errors[0].message).toContain('dropped and created again');
    expect(second.records).toHaveLength(0);

    await restarted.consumer.disconnect();
    await broker
      .admin()
      .resetOffsets({ groupId: 'history', topic, to: 'earliest' });
    const third = new RecordCollector<number>();
    await start(third, 'history');
    await waitFor(() => third.records.length === 3, {
      description: 'the messages of the new incarnation',
    });
    expect(third.values().sort()).toEqual([3, 4, 5]);
  });

  it('refuses an offset that belongs to another topic', async () => {
    // A storage that hands back a commit of another topic, as a misplaced
    // offset file would.
    const storage = new MongoOffsetStorage(broker.getDatabase());
    const misplaced: OffsetStorage = Object.assign(
      Object.create(storage) as MongoOffsetStorage,
      {
        fence: async (
          groupId: string,
          _topic: string,
          partition: number,
          generation: number,
        ) => {
          await storage.fence(groupId, 'elsewhere', partition, generation);
          return {
            groupId,
            topic: 'elsewhere',
            partition,
            offset: { _data: 'not-for-this-topic' },
            position: { kind: 'token' as const, token: { _data: 'x' } },
          };
        },
      },
    );
    const other = await connectTestBroker({
      database: broker.database,
      offsetStorage: misplaced,
    });
    try {
      const consumer = await other.createConsumer({ groupId: 'wrong', topic });
      const errors: Error[] = [];
      consumer.on('consumer.error', (_source, error) => errors.push(error));
      await consumer.subscribe({ handler: async () => undefined });
      await waitFor(() => errors.length === 2, {
        description: 'one refusal per partition',
      });
      expect(errors[0]).toBeInstanceOf(OffsetMismatchError);
      expect(errors[0].message).toContain('it belongs to topic "elsewhere"');
      await consumer.disconnect();
    } finally {
      await other.disconnect();
    }
  });

  it('seeks a running consumer to the earliest, a time and the latest', async () => {
    const collector = new RecordCollector<number>();
    const { consumer } = await start(collector);
    await send(0, 10);
    await waitFor(() => collector.records.length === 10, {
      description: '10 records',
    });

    await consumer.seek(0, 'earliest');
    await consumer.seek(1, 'earliest');
    await waitFor(() => collector.records.length === 20, {
      description: 'everything again',
    });

    await consumer.seek(0, 'latest');
    await consumer.seek(1, 'latest');
    await send(10, 12);
    await waitFor(() => collector.records.length === 22, {
      description: 'only new records',
    });
    expect(collector.values().slice(20).sort()).toEqual([10, 11]);

    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const cutoff = new Date();
    await send(12, 14);
    await waitFor(() => collector.records.length === 24, {
      description: '2 more',
    });
    await consumer.seek(0, cutoff);
    await consumer.seek(1, cutoff);
    await waitFor(() => collector.records.length === 26, {
      description: 'records after the cutoff again',
    });
    expect(collector.values().slice(24).sort()).toEqual([12, 13]);

    await expect(consumer.seek(7, 'earliest')).rejects.toThrow(
      InvalidPartitionError,
    );
  });

  it('resets offsets only while the group has no live member', async () => {
    const collector = new RecordCollector<number>();
    const { consumer } = await start(collector, 'admin');
    await send(0, 4);
    await waitFor(() => collector.records.length === 4, {
      description: '4 records',
    });
    await expect(
      broker.admin().resetOffsets({ groupId: 'admin', topic, to: 'earliest' }),
    ).rejects.toThrow(GroupActiveError);

    const described = await broker.admin().describeGroup('admin', topic);
    expect(described.members).toHaveLength(1);
    expect(described.partitions.map((partition) => partition.owner)).toEqual([
      consumer.getConsumerId(),
      consumer.getConsumerId(),
    ]);

    await consumer.disconnect();
    await broker
      .admin()
      .resetOffsets({ groupId: 'admin', topic, to: 'earliest' });
    const again = new RecordCollector<number>();
    await start(again, 'admin');
    await waitFor(() => again.records.length === 4, {
      description: 'a full replay',
    });
    const after = await broker.admin().describeGroup('admin', topic);
    await waitFor(
      async () =>
        (await broker.admin().describeGroup('admin', topic)).partitions.every(
          (partition) => partition.lag === 0,
        ),
      { description: 'zero lag' },
    );
    expect(after.members).toHaveLength(1);
  });
});
