import {
  ChangeStreamBroker,
  MongoOffsetStorage,
  OffsetFencedError,
} from '../../lib/core';
import { connectTestBroker } from '../support/test-database';

describe('MongoOffsetStorage', () => {
  let broker: ChangeStreamBroker;
  let storage: MongoOffsetStorage;
  const base = {
    groupId: 'fencing',
    topic: 'orders',
    offset: { _data: 'a' },
    position: { kind: 'token' as const, token: { _data: 'a' } },
  };

  beforeEach(async () => {
    broker = await connectTestBroker();
    storage = new MongoOffsetStorage(broker.getDatabase());
  });

  afterEach(async () => {
    await broker.getDatabase().dropDatabase();
    await broker.disconnect();
  });

  it('rejects commits from a generation older than the fence', async () => {
    await storage.commitOffset({ ...base, partition: 0, generation: 1 });
    const stored = await storage.fence('fencing', 'orders', 0, 2);
    expect(stored?.offset).toEqual({ _data: 'a' });
    await expect(
      storage.commitOffset({ ...base, partition: 0, generation: 1 }),
    ).rejects.toThrow(OffsetFencedError);
    await storage.commitOffset({
      ...base,
      partition: 0,
      generation: 2,
      offset: { _data: 'b' },
    });
    expect(await storage.getOffset('fencing', 'orders', 0)).toEqual({
      _data: 'b',
    });
  });

  it('reports fenced entries of a batch and writes the others', async () => {
    await storage.fence('fencing', 'orders', 1, 5);
    const outcomes = await storage.commitOffsets([
      { ...base, partition: 0, generation: 1 },
      { ...base, partition: 1, generation: 4 },
    ]);
    expect(outcomes).toEqual(['committed', 'fenced']);
    expect(await storage.getCommit('fencing', 'orders', 1)).toBeNull();
  });

  it('aborts the caller transaction when fenced inside it', async () => {
    await storage.fence('fencing', 'orders', 0, 9);
    const client = broker.getClient();
    const effects = broker.getDatabase().collection('effects');
    await effects.insertOne({ setup: true });
    const session = client.startSession();
    try {
      await expect(
        session.withTransaction(async () => {
          await effects.insertOne({ written: true }, { session });
          await storage.commitOffset(
            { ...base, partition: 0, generation: 8 },
            { session },
          );
        }),
      ).rejects.toThrow(OffsetFencedError);
    } finally {
      await session.endSession();
    }
    expect(await effects.countDocuments({ written: true })).toBe(0);
  });
});
