import { Injectable } from '@nestjs/common';
import type { INestApplication } from '@nestjs/common';
import type { ConsumerRecord } from '../../lib/core';
import {
  ChangeStreamModule,
  ConsumerRegistry,
  OnTopic,
  TopicPublisher,
} from '../../lib/nest';
import { uniqueName } from '../support/test-database';
import { waitFor } from '../support/wait-for';
import { closeApp, startApp, testModuleOptions } from './nest-test-app';

describe('@OnTopic in several app instances', () => {
  const apps: INestApplication[] = [];

  afterEach(async () => {
    const [first, ...others] = apps.splice(0);
    await Promise.all(others.map((app) => app.close()));
    if (first) {
      await closeApp(first);
    }
  });

  it('splits partitions within one group', async () => {
    const topic = uniqueName('jobs');

    @Injectable()
    class JobHandler {
      readonly records: ConsumerRecord<number>[] = [];

      @OnTopic(topic)
      handle(record: ConsumerRecord<number>): void {
        this.records.push(record);
      }
    }

    const options = testModuleOptions({ groupId: 'workers' });
    const metadata = {
      imports: [
        ChangeStreamModule.forRoot(options),
        ChangeStreamModule.forFeature({
          topics: [{ name: topic, partitions: 2 }],
        }),
      ],
      providers: [JobHandler],
    };
    apps.push(await startApp(metadata));
    apps.push(await startApp(metadata));
    const consumers = apps.map(
      (app) => app.get(ConsumerRegistry).getConsumers()[0].consumer,
    );
    await waitFor(
      () => consumers.every((consumer) => consumer.assignment().length === 1),
      { description: 'one partition for each instance' },
    );

    const messages = [0, 1, 2, 3, 4, 5].map((n) => ({
      value: n,
      partition: n % 2,
    }));
    await apps[0].get(TopicPublisher).send(topic, messages);

    const handlers = apps.map((app) => app.get(JobHandler));
    await waitFor(
      () =>
        handlers.reduce((sum, handler) => sum + handler.records.length, 0) >= 6,
      { description: 'six jobs across both instances' },
    );
    const values = handlers
      .flatMap((handler) => handler.records)
      .map((record) => record.message.value)
      .sort((a, b) => a - b);
    expect(values).toEqual([0, 1, 2, 3, 4, 5]);
    for (const [index, handler] of handlers.entries()) {
      const owned = consumers[index].assignment()[0];
      const partitions = handler.records.map((record) => record.partition);
      expect(partitions).toEqual([owned, owned, owned]);
    }
  });
});
