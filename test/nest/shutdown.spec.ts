import { Injectable } from '@nestjs/common';
import type { INestApplication } from '@nestjs/common';
import { MongoClient } from 'mongodb';
import {
  ChangeStreamBroker,
  InternalCollections,
  type ConsumerRecord,
} from '../../lib/core';
import {
  ChangeStreamModule,
  ConsumerRegistry,
  OnTopic,
  TopicPublisher,
} from '../../lib/nest';
import { testMongoUrl, uniqueName } from '../support/test-database';
import { waitFor } from '../support/wait-for';
import {
  closeApp,
  RecordingLogger,
  startApp,
  testModuleOptions,
} from './nest-test-app';

describe('ChangeStreamModule shutdown', () => {
  let client: MongoClient;
  let app: INestApplication | undefined;

  beforeAll(async () => {
    client = await MongoClient.connect(testMongoUrl());
  });

  afterAll(async () => {
    await client.close();
  });

  afterEach(async () => {
    if (app) {
      await closeApp(app);
      app = undefined;
    }
  });

  it('leaves the group and disconnects', async () => {
    const topic = uniqueName('leaving');
    const logger = new RecordingLogger();

    @Injectable()
    class LeavingHandler {
      @OnTopic(topic)
      handle(): void {}
    }

    const options = testModuleOptions({ groupId: 'leavers' });
    const started = await startApp(
      {
        imports: [ChangeStreamModule.forRoot(options)],
        providers: [LeavingHandler],
      },
      logger,
    );
    const broker = started.get(ChangeStreamBroker);
    const registry = started.get(ConsumerRegistry);
    const [entry] = registry.getConsumers();
    const memberId = entry.consumer.getConsumerId();
    const members = client
      .db(options.database)
      .collection<{ _id: string }>(InternalCollections.members);
    expect(await members.countDocuments({ _id: memberId })).toBe(1);

    await started.close();

    expect(broker.isConnected()).toBe(false);
    expect(await members.countDocuments({ _id: memberId })).toBe(0);
    expect(registry.getConsumers()).toEqual([]);
    const left = logger
      .find('Left the consumer group')
      .filter((line) => line.params.includes('LeavingHandler#handle'));
    expect(left).toHaveLength(1);
    await client.db(options.database).dropDatabase();
  });

  it('finishes and commits the record in progress', async () => {
    const topic = uniqueName('draining');
    const options = testModuleOptions({ groupId: 'drainers' });
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });

    @Injectable()
    class SlowHandler {
      readonly started: string[] = [];
      readonly finished: string[] = [];

      @OnTopic(topic)
      async handle(record: ConsumerRecord<string>): Promise<void> {
        this.started.push(record.message.value);
        await released;
        this.finished.push(record.message.value);
      }
    }

    const first = await startApp({
      imports: [ChangeStreamModule.forRoot(options)],
      providers: [SlowHandler],
    });
    await first.get(TopicPublisher).send(topic, { value: 'slow' });
    const slow = first.get(SlowHandler);
    await waitFor(() => slow.started.length === 1, {
      description: 'the slow handler to start',
    });

    const closing = first.close();
    release();
    await closing;
    expect(slow.finished).toEqual(['slow']);

    @Injectable()
    class NextHandler {
      readonly values: string[] = [];

      @OnTopic(topic)
      handle(record: ConsumerRecord<string>): void {
        this.values.push(record.message.value);
      }
    }

    app = await startApp({
      imports: [ChangeStreamModule.forRoot(options)],
      providers: [NextHandler],
    });
    await app.get(TopicPublisher).send(topic, { value: 'next' });
    const next = app.get(NextHandler);
    await waitFor(() => next.values.length === 1, {
      description: 'the next message',
    });
    expect(next.values).toEqual(['next']);
  });
});
