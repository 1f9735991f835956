import {
  ChangeStreamBroker,
  ChangeStreamConsumer,
  ConfigurationError,
  InternalCollections,
  InvalidPartitionError,
  InvalidTopicNameError,
  PartitionNotOwnedError,
  TopicNotFoundError,
} from '../../lib/core';
import type { ResetOffsetsOptions } from '../../lib/core';
import { uniqueName } from '../support/test-database';
import { useTopicFixture } from '../support/topic-fixture';
import { waitFor } from '../support/wait-for';

describe('seek and reset bad input', () => {
  const fixture = useTopicFixture('repositions', 2);
  const consumers = fixture.consumers;
  let broker: ChangeStreamBroker;
  let topic: string;

  beforeEach(() => {
    ({ broker, topic } = fixture);
  });

  async function startConsumer(groupId: string): Promise<ChangeStreamConsumer> {
    const consumer = await broker.createConsumer({ groupId, topic });
    consumers.push(consumer);
    await consumer.subscribe({ handler: async () => undefined });
    return consumer;
  }

  async function committedOffsets(): Promise<number> {
    return broker
      .getDatabase()
      .collection(InternalCollections.offsets)
      .countDocuments();
  }

  async function resetError(
    options: Partial<ResetOffsetsOptions>,
  ): Promise<Error> {
    return broker
      .admin()
      .resetOffsets(options as ResetOffsetsOptions)
      .then(
        () => new Error('expected resetOffsets to reject'),
        (error: unknown) => error as Error,
      );
  }

  describe('admin.resetOffsets', () => {
    it.each([
      ['bogus', 'Invalid reset target "to": "bogus";'],
      [new Date('x'), 'Invalid reset target "to": an invalid Date;'],
      [undefined, 'Invalid reset target "to": undefined;'],
    ])('rejects the target %p and writes nothing', async (to, message) => {
      const error = await resetError({ groupId: 'g', topic, to: to as never });
      expect(error).toBeInstanceOf(ConfigurationError);
      expect(error.message).toContain(message);
      expect(error.message).toContain(
        'expected "earliest", "latest" or a valid Date',
      );
      expect(await committedOffsets()).toBe(0);
    });

    it.each([
      ['', 'Missing groupId'],
      ['   ', 'Missing groupId'],
      [undefined, 'Missing groupId'],
      [7, 'Missing groupId'],
    ])(
      'rejects the groupId %p and writes nothing',
      async (groupId, message) => {
        const error = await resetError({
          groupId: groupId as never,
          topic,
          to: 'earliest',
        });
        expect(error).toBeInstanceOf(ConfigurationError);
        expect(error.message).toContain(message);
        expect(await committedOffsets()).toBe(0);
      },
    );

    it('rejects an empty topic and writes nothing', async () => {
      const error = await resetError({ groupId: 'g', topic: '', to: 'latest' });
      expect(error).toBeInstanceOf(ConfigurationError);
      expect(error.message).toContain('Missing topic');
      expect(await committedOffsets()).toBe(0);
    });

    it('rejects an invalid topic name', async () => {
      const error = await resetError({
        groupId: 'g',
        topic: 'bad name',
        to: 'latest',
      });
      expect(error).toBeInstanceOf(InvalidTopicNameError);
    });

    it('rejects a missing topic and names it', async () => {
      const missing = uniqueName('missing');
      const error = await resetError({
        groupId: 'g',
        topic: missing,
        to: 'earliest',
      });
      expect(error).toBeInstanceOf(TopicNotFoundError);
      expect(error.message).toContain(`Topic "${missing}" does not exist`);
      expect(error.message).toContain('broker.listTopics()');
      expect(await committedOffsets()).toBe(0);
    });

    it.each([
      [[2], 'Invalid partition 2'],
      [[0, -1], 'Invalid partition -1'],
      [['0'], 'Invalid partition "0"'],
    ])(
      'rejects the partitions %p and writes nothing',
      async (partitions, message) => {
        const error = await resetError({
          groupId: 'g',
          topic,
          to: 'earliest',
          partitions: partitions as never,
        });
        expect(error).toBeInstanceOf(InvalidPartitionError);
        expect(error.message).toContain(message);
        expect(await committedOffsets()).toBe(0);
      },
    );

    it('rejects an empty partition list', async () => {
      const error = await resetError({
        groupId: 'g',
        topic,
        to: 'earliest',
        partitions: [],
      });
      expect(error).toBeInstanceOf(ConfigurationError);
      expect(error.message).toContain('Omit partitions');
      expect(await committedOffsets()).toBe(0);
    });

    it('clamps times outside the id range', async () => {
      const admin = broker.admin();
      await admin.resetOffsets({
        groupId: 'past',
        topic,
        to: new Date(Date.UTC(1960, 0, 1)),
      });
      await admin.resetOffsets({
        groupId: 'future',
        topic,
        to: new Date(Date.UTC(2200, 0, 1)),
      });

      const past = await admin.describeGroup('past', topic);
      const future = await admin.describeGroup('future', topic);
      expect(past.partitions[0].position).toEqual({
        kind: 'replay',
        afterId: '0'.repeat(24),
      });
      expect(future.partitions[0].position).toEqual({
        kind: 'replay',
        afterId: 'ffffffff' + '0'.repeat(16),
      });
    });
  });

  describe('admin.describeGroup', () => {
    it('rejects a missing topic and names it', async () => {
      const missing = uniqueName('missing');
      const error = await broker
        .admin()
        .describeGroup('g', missing)
        .catch((caught: unknown) => caught as Error);
      expect(error).toBeInstanceOf(TopicNotFoundError);
      expect((error as Error).message).toContain(
        `Topic "${missing}" does not exist`,
      );
    });

    it('rejects an empty groupId', async () => {
      await expect(broker.admin().describeGroup('', topic)).rejects.toThrow(
        ConfigurationError,
      );
    });
  });

  describe('consumer.seek', () => {
    it.each([
      ['0', 'Invalid partition "0"'],
      [-1, 'Invalid partition -1'],
      [2, 'Invalid partition 2'],
      [0.5, 'Invalid partition 0.5'],
    ])('rejects the partition %p', async (partition, message) => {
      const consumer = await startConsumer('seekers');
      await waitFor(() => consumer.assignment().length === 2, {
        description: 'both partitions',
      });
      const error = await consumer
        .seek(partition as never, 'earliest')
        .catch((caught: unknown) => caught as Error);
      expect(error).toBeInstanceOf(InvalidPartitionError);
      expect((error as Error).message).toContain(message);
      expect((error as Error).message).toContain(`topic "${topic}"`);
    });

    it.each([
      ['bogus', 'Invalid seek target: "bogus";'],
      [new Date('x'), 'Invalid seek target: an invalid Date;'],
    ])('rejects the target %p', async (to, message) => {
      const consumer = await startConsumer('seekers');
      await waitFor(() => consumer.assignment().length === 2, {
        description: 'both partitions',
      });
      const error = await consumer
        .seek(0, to as never)
        .catch((caught: unknown) => caught as Error);
      expect(error).toBeInstanceOf(ConfigurationError);
      expect((error as Error).message).toContain(message);
      expect((error as Error).message).toContain(
        'expected "earliest", "latest" or a valid Date',
      );
    });

    it('rejects a partition another member owns', async () => {
      const first = await startConsumer('pair');
      const second = await startConsumer('pair');
      await waitFor(
        () =>
          first.assignment().length === 1 && second.assignment().length === 1,
        { description: 'one partition each' },
      );
      const [foreign] = second.assignment();

      const error = await first
        .seek(foreign, 'earliest')
        .catch((caught: unknown) => caught as Error);
      expect(error).toBeInstanceOf(PartitionNotOwnedError);
      expect((error as Error).message).toContain(`partition ${foreign}`);
      expect((error as Error).message).toContain('describeGroup()');
      expect((error as Error).message).toContain('resetOffsets()');
    });
  });
});
