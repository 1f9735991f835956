import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ChangeStreamBroker,
  FileOffsetStorage,
  OffsetFencedError,
} from '../../lib/core';
import { RecordCollector } from '../support/collector';
import { startFixture } from '../support/processes';
import { connectTestBroker, uniqueName } from '../support/test-database';
import { waitFor } from '../support/wait-for';

describe('FileOffsetStorage', () => {
  let directory: string;

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'csb-offsets-'));
  });

  afterEach(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  it('lets a consumer continue after a broker restart', async () => {
    const database = uniqueName('csb_file');
    const topic = uniqueName('files');
    const open = () =>
      connectTestBroker({
        database,
        offsetStorage: new FileOffsetStorage({ directory }),
      });

    let broker: ChangeStreamBroker = await open();
    await broker.createTopic({ name: topic, partitions: 2 });
    const producer = await broker.createProducer({ topic });
    const first = new RecordCollector<number>();
    const consumer = await broker.createConsumer({ groupId: 'files', topic });
    await consumer.subscribe({ handler: first.handler });
    await producer.send(Array.from({ length: 20 }, (_, n) => ({ value: n })));
    await waitFor(() => first.records.length === 20, {
      description: '20 records',
    });
    await broker.disconnect();

    broker = await open();
    try {
      const laterProducer = await broker.createProducer({ topic });
      await laterProducer.send(
        Array.from({ length: 10 }, (_, n) => ({ value: 20 + n })),
      );
      const second = new RecordCollector<number>();
      const restarted = await broker.createConsumer({
        groupId: 'files',
        topic,
      });
      await restarted.subscribe({ handler: second.handler });
      await waitFor(() => second.records.length >= 10, {
        description: '10 records',
      });
      await laterProducer.send({ value: 30 });
      await waitFor(() => second.records.length >= 11, {
        description: 'marker',
      });
      expect(second.values().sort((a, b) => a - b)).toEqual(
        Array.from({ length: 11 }, (_, n) => 20 + n),
      );
      const stored = await new FileOffsetStorage({ directory }).listCommits(
        'files',
      );
      expect(stored.map((commit) => commit.partition)).toEqual([0, 1]);
    } finally {
      await broker.getDatabase().dropDatabase();
      await broker.disconnect();
    }
  });

  it('never leaves a torn file when the writer is killed', async () => {
    for (let round = 0; round < 5; round += 1) {
      const writer = startFixture('file-offset-writer', {
        OFFSET_DIRECTORY: directory,
      });
      await writer.waitForLine(new RegExp(`committed ${5 + round * 3}\\b`));
      await writer.kill('SIGKILL');

      const committed = writer.lines
        .map((line) => Number(/committed (\d+)/.exec(line)?.[1]))
        .filter(Number.isFinite);
      const lastAcknowledged = Math.max(...committed);
      const commits = await new FileOffsetStorage({ directory }).listCommits(
        'writer',
      );
      expect(commits).toHaveLength(3);
      for (const commit of commits) {
        const sequence = Number(commit.lastMessage?.id);
        // The file holds the last acknowledged commit or the one in flight.
        expect(sequence).toBeGreaterThanOrEqual(lastAcknowledged);
        expect(sequence).toBeLessThanOrEqual(lastAcknowledged + 1);
      }
    }
  });

  it('rejects a commit from an older generation', async () => {
    const storage = new FileOffsetStorage({ directory });
    const commit = {
      groupId: 'fenced',
      topic: 'orders',
      partition: 0,
      offset: { _data: 'a' },
      position: { kind: 'token' as const, token: { _data: 'a' } },
    };
    await storage.commitOffset({ ...commit, generation: 1 });
    await storage.fence('fenced', 'orders', 0, 3);
    await expect(
      storage.commitOffset({ ...commit, generation: 2 }),
    ).rejects.toThrow(OffsetFencedError);
    await storage.commitOffset({ ...commit, generation: 3 });
    expect((await storage.getCommit('fenced', 'orders', 0))?.generation).toBe(
      3,
    );
  });
});
