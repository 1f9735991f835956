import type { ChangeStreamBroker } from '../../lib/core';
import { RecordCollector } from '../support/collector';
import { connectTestBroker, uniqueName } from '../support/test-database';
import { waitFor } from '../support/wait-for';

describe('fromBeginning replay seam', () => {
  let broker: ChangeStreamBroker;

  beforeEach(async () => {
    broker = await connectTestBroker();
  });

  afterEach(async () => {
    await broker.getDatabase().dropDatabase();
    await broker.disconnect();
  });

  it('has no gap and no duplicate while producers keep writing', async () => {
    const topic = uniqueName('seam');
    await broker.createTopic({ name: topic, partitions: 3 });
    const producer = await broker.createProducer({ topic });
    for (let batch = 0; batch < 10; batch += 1) {
      await producer.send(
        Array.from({ length: 300 }, (_, index) => ({
          key: `key-${index % 17}`,
          value: { n: batch * 300 + index },
        })),
      );
    }

    let next = 3_000;
    let writing = true;
    const writer = (async () => {
      while (writing) {
        await producer.send(
          Array.from({ length: 20 }, (_, index) => ({
            key: `key-${index % 17}`,
            value: { n: next + index },
          })),
        );
        next += 20;
      }
    })();

    const collector = new RecordCollector<{ n: number }>();
    const consumer = await broker.createConsumer({
      groupId: 'backfill',
      topic,
      fromBeginning: true,
      maxBufferedRecords: 200,
    });
    await consumer.subscribe({ handler: collector.handler });
    await waitFor(() => collector.records.length >= 3_500, {
      description: 'the replay and some live records',
      timeoutMs: 60_000,
    });
    writing = false;
    await writer;
    const total = next;
    await waitFor(() => collector.records.length >= total, {
      description: `${total} records`,
      timeoutMs: 60_000,
    });
    await producer.send({ key: 'end', value: { n: -1 } });
    await waitFor(() => collector.records.length >= total + 1, {
      description: 'the end marker',
    });
    await consumer.disconnect();

    const numbers = collector.values().map((value) => value.n);
    expect(numbers).toHaveLength(total + 1);
    expect(new Set(numbers).size).toBe(total + 1);
    const perKey = new Map<string, number[]>();
    for (const record of collector.records) {
      const list = perKey.get(record.message.key!) ?? [];
      list.push(record.message.value.n);
      perKey.set(record.message.key!, list);
    }
    for (const list of perKey.values()) {
      expect(list).toEqual([...list].sort((a, b) => a - b));
    }
  });
});
