import { Injectable, Scope } from '@nestjs/common';
import type { INestApplication } from '@nestjs/common';
import {
  ConfigurationError,
  PartitionMismatchError,
  type ConsumerRecord,
} from '../../lib/core';
import {
  ChangeStreamModule,
  ConsumerRegistry,
  OnTopic,
  TopicPublisher,
} from '../../lib/nest';
import { uniqueName } from '../support/test-database';
import { waitFor } from '../support/wait-for';
import {
  closeApp,
  RecordingLogger,
  startApp,
  testModuleOptions,
} from './nest-test-app';

describe('ChangeStreamModule bootstrap', () => {
  let app: INestApplication | undefined;

  afterEach(async () => {
    if (app) {
      await closeApp(app);
      app = undefined;
    }
  });

  it('fails without a groupId', async () => {
    const topic = uniqueName('orphans');

    @Injectable()
    class OrphanHandler {
      @OnTopic(topic)
      handle(): void {}
    }

    const failure = startApp({
      imports: [ChangeStreamModule.forRoot(testModuleOptions())],
      providers: [OrphanHandler],
    });

    await expect(failure).rejects.toBeInstanceOf(ConfigurationError);
    await expect(failure).rejects.toThrow(
      `Missing groupId for @OnTopic("${topic}") on OrphanHandler#handle: ` +
        'pass { groupId } to @OnTopic or set groupId in ' +
        'ChangeStreamModule.forRoot().',
    );
  });

  it('fails on a repeated subscription', async () => {
    const topic = uniqueName('twice');

    @Injectable()
    class RepeatedHandler {
      @OnTopic(topic, { groupId: 'g' })
      @OnTopic(topic, { groupId: 'g' })
      handle(): void {}
    }

    const failure = startApp({
      imports: [ChangeStreamModule.forRoot(testModuleOptions())],
      providers: [RepeatedHandler],
    });

    await expect(failure).rejects.toThrow(
      `RepeatedHandler#handle subscribes to topic "${topic}" in group "g" ` +
        'twice.',
    );
  });

  it('fails when a consumer cannot start', async () => {
    const topic = uniqueName('sized');
    const logger = new RecordingLogger();

    @Injectable()
    class SizedHandler {
      @OnTopic(topic, { partitions: 3 })
      handle(): void {}
    }

    const failure = startApp(
      {
        imports: [
          ChangeStreamModule.forRoot(testModuleOptions({ groupId: 'sized' })),
          ChangeStreamModule.forFeature({
            topics: [{ name: topic, partitions: 2 }],
          }),
        ],
        providers: [SizedHandler],
      },
      logger,
    );

    await expect(failure).rejects.toBeInstanceOf(PartitionMismatchError);
    const lines = logger.find('Failed to start the consumer of SizedHandler');
    expect(lines).toHaveLength(1);
    expect(lines[0].level).toBe('error');
  });

  it('rejects an empty topic name', () => {
    expect(() => OnTopic('')).toThrow(
      'Invalid topic for @OnTopic: expected a non-empty string, got "".',
    );
  });

  it('skips request-scoped providers', async () => {
    const topic = uniqueName('scoped');
    const logger = new RecordingLogger();
    const scopedCalls: string[] = [];

    @Injectable({ scope: Scope.REQUEST })
    class ScopedHandler {
      @OnTopic(topic)
      handle(record: ConsumerRecord<string>): void {
        scopedCalls.push(record.message.value);
      }
    }

    @Injectable()
    class SingletonHandler {
      readonly values: string[] = [];

      @OnTopic(topic, { groupId: 'singleton' })
      handle(record: ConsumerRecord<string>): void {
        this.values.push(record.message.value);
      }
    }

    app = await startApp(
      {
        imports: [
          ChangeStreamModule.forRoot(testModuleOptions({ groupId: 'scoped' })),
        ],
        providers: [ScopedHandler, SingletonHandler],
      },
      logger,
    );

    const warnings = logger
      .find('Ignoring @OnTopic on ScopedHandler (handle)')
      .filter((line) => line.level === 'warn');
    expect(warnings).toHaveLength(1);
    const names = app
      .get(ConsumerRegistry)
      .getConsumers()
      .map((entry) => entry.name);
    expect(names).toEqual(['SingletonHandler#handle']);

    await app.get(TopicPublisher).send(topic, { value: 'only once' });
    const singleton = app.get(SingletonHandler);
    await waitFor(() => singleton.values.length === 1, {
      description: 'the singleton handler to receive the message',
    });
    expect(scopedCalls).toEqual([]);
  });
});
