import type { ChangeStreamBroker, ChangeStreamConsumer } from '../../lib/core';
import { InternalCollections } from '../../lib/core';
import { RecordCollector } from '../support/collector';
import { checkSequence } from '../support/sequence-check';
import { useTopicFixture } from '../support/topic-fixture';
import { waitFor } from '../support/wait-for';

async function values(
  producerBroker: ChangeStreamBroker,
  topic: string,
  from: number,
  to: number,
): Promise<void> {
  const producer = await producerBroker.createProducer({ topic });
  const batch = [];
  for (let n = from; n < to; n += 1) {
    batch.push({ key: `k${n % 5}`, value: { n } });
  }
  await producer.send(batch);
}

describe('offsets and restarts', () => {
  const fixture = useTopicFixture('payments', 4);
  const consumers = fixture.consumers;
  let broker: ChangeStreamBroker;
  let topic: string;

  beforeEach(() => {
    ({ broker, topic } = fixture);
  });

  async function start(
    groupId: string,
    collector: RecordCollector<{ n: number }>,
    options: { fromBeginning?: boolean } = {},
  ): Promise<ChangeStreamConsumer> {
    const consumer = await broker.createConsumer({
      groupId,
      topic,
      autoCommitIntervalMs: 100,
      ...options,
    });
    consumers.push(consumer);
    await consumer.subscribe({ handler: collector.handler });
    return consumer;
  }

  it('continues after the last commit with nothing lost or repeated', async () => {
    const first = new RecordCollector<{ n: number }>();
    const consumer = await start('ledger', first);
    await values(broker, topic, 0, 50);
    await waitFor(() => first.records.length === 50, {
      description: '50 records',
    });
    await consumer.disconnect();

    await values(broker, topic, 50, 120);
    const second = new RecordCollector<{ n: number }>();
    await start('ledger', second);
    await waitFor(() => second.records.length >= 70, {
      description: '70 records',
    });
    // Give a duplicate the chance to show up.
    await values(broker, topic, 120, 121);
    await waitFor(() => second.records.length >= 71, { description: 'marker' });

    const seen = second.values().map((value) => value.n);
    expect(checkSequence(seen, 50, 121)).toEqual({
      missing: [],
      duplicates: [],
    });
  });

  it('stores a new group position when it first subscribes', async () => {
    const early = new RecordCollector<{ n: number }>();
    const consumer = await start('audit', early);
    await consumer.disconnect();

    // Nobody of the group runs while these are written.
    await values(broker, topic, 0, 30);
    const late = new RecordCollector<{ n: number }>();
    await start('audit', late);
    await waitFor(() => late.records.length === 30, {
      description: '30 records',
    });
    expect(early.records).toHaveLength(0);
  });

  it('gives every group every message', async () => {
    const billing = new RecordCollector<{ n: number }>();
    const shipping = new RecordCollector<{ n: number }>();
    await start('billing', billing);
    await start('shipping', shipping);
    await values(broker, topic, 0, 40);

    await waitFor(
      () => billing.records.length === 40 && shipping.records.length === 40,
      { description: 'both groups' },
    );
    expect(new Set(billing.ids())).toEqual(new Set(shipping.ids()));
  });

  it('replays retained messages with fromBeginning, then continues live', async () => {
    await values(broker, topic, 0, 25);
    const replay = new RecordCollector<{ n: number }>();
    await start('backfill', replay, { fromBeginning: true });
    await values(broker, topic, 25, 40);

    await waitFor(() => replay.records.length >= 40, {
      description: '40 records',
    });
    await values(broker, topic, 40, 41);
    await waitFor(() => replay.records.length >= 41, { description: 'marker' });
    const seen = replay.values().map((value) => value.n);
    expect(checkSequence(seen, 0, 41)).toEqual({ missing: [], duplicates: [] });
    const replayed = replay.records.filter((record) => record.offset === null);
    expect(replayed.length).toBeGreaterThanOrEqual(25);
  });

  it('ignores updates and deletes made by other tools', async () => {
    const collector = new RecordCollector<{ n: number }>();
    await start('strict', collector);
    await values(broker, topic, 0, 3);
    await waitFor(() => collector.records.length === 3, {
      description: '3 records',
    });

    const collection = broker.getDatabase().collection(topic);
    await collection.updateMany({}, { $set: { 'value.n': 99 } });
    await collection.deleteOne({});
    await values(broker, topic, 3, 4);
    await waitFor(() => collector.records.length >= 4, {
      description: '4 records',
    });

    expect(collector.values().map((value) => value.n)).toEqual(
      expect.arrayContaining([0, 1, 2, 3]),
    );
    expect(collector.records).toHaveLength(4);
  });

  it('advances the stored position of a quiet topic', async () => {
    const collector = new RecordCollector<{ n: number }>();
    await start('quiet', collector);
    const offsets = broker
      .getDatabase()
      .collection(InternalCollections.offsets);
    const before = await offsets.find({ topic }).toArray();
    expect(before).toHaveLength(4);

    const busy = broker.getDatabase().collection('unrelated');
    await waitFor(
      async () => {
        await busy.insertOne({ at: new Date() });
        const after = await offsets.find({ topic }).toArray();
        return after.every(
          (document) =>
            JSON.stringify(document.offset) !==
            JSON.stringify(
              before.find((old) => old.partition === document.partition)
                ?.offset,
            ),
        );
      },
      { description: 'every partition position to move', intervalMs: 200 },
    );
    expect(collector.records).toHaveLength(0);
  });
});
