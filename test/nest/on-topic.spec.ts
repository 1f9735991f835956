import { Injectable, Module } from '@nestjs/common';
import type { INestApplication } from '@nestjs/common';
import type { ConsumerRecord, HandlerContext } from '../../lib/core';
import { ChangeStreamBroker } from '../../lib/core';
import {
  ChangeStreamModule,
  ConsumerRegistry,
  InjectPublisher,
  OnTopic,
  TopicBoundPublisher,
  TopicPublisher,
} from '../../lib/nest';
import { connectTestBroker, uniqueName } from '../support/test-database';
import { waitFor } from '../support/wait-for';
import {
  closeApp,
  RecordingLogger,
  startApp,
  testModuleOptions,
} from './nest-test-app';

interface Greeting {
  text: string;
}

describe('@OnTopic', () => {
  let app: INestApplication | undefined;

  afterEach(async () => {
    if (app) {
      await closeApp(app);
      app = undefined;
    }
  });

  it('receives what TopicPublisher sends', async () => {
    const topic = uniqueName('greetings');

    @Injectable()
    class GreetingHandler {
      readonly records: ConsumerRecord<Greeting>[] = [];
      readonly attempts: number[] = [];

      @OnTopic(topic)
      async handle(
        record: ConsumerRecord<Greeting>,
        context: HandlerContext,
      ): Promise<void> {
        this.records.push(record);
        this.attempts.push(context.attempt);
      }
    }

    const logger = new RecordingLogger();
    app = await startApp(
      {
        imports: [
          ChangeStreamModule.forRoot(testModuleOptions({ groupId: 'greeter' })),
        ],
        providers: [GreetingHandler],
      },
      logger,
    );
    const handler = app.get(GreetingHandler);
    const lifecycle = logger.lines
      .filter((line) => line.params.includes('GreetingHandler#handle'))
      .map((line) => line.message.split(' groupId=')[0])
      .sort();
    expect(lifecycle).toEqual([
      'Joined the consumer group',
      'Partitions assigned',
    ]);
    const publisher = app.get(TopicPublisher);

    const written = await publisher.send<Greeting>(topic, [
      { key: 'a', value: { text: 'hello' }, headers: { kind: 'greeting' } },
      { key: 'a', value: { text: 'bye' } },
    ]);

    await waitFor(() => handler.records.length === 2, {
      description: 'two greetings',
    });
    expect(handler.records.map((record) => record.message.value.text)).toEqual([
      'hello',
      'bye',
    ]);
    expect(handler.records[0].topic).toBe(topic);
    expect(handler.records[0].message.headers).toEqual({ kind: 'greeting' });
    expect(handler.records[0].message.id).toBe(written[0].messageId);
    expect(handler.attempts).toEqual([1, 1]);
  });

  it('receives what @InjectPublisher sends', async () => {
    const topic = uniqueName('greetings');

    @Injectable()
    class GreetingService {
      constructor(
        @InjectPublisher(topic)
        readonly publisher: TopicBoundPublisher<Greeting>,
      ) {}
    }

    @Injectable()
    class GreetingHandler {
      readonly texts: string[] = [];

      @OnTopic(topic)
      handle(record: ConsumerRecord<Greeting>): void {
        this.texts.push(record.message.value.text);
      }
    }

    @Module({
      imports: [
        ChangeStreamModule.forFeature({
          topics: [{ name: topic, partitions: 3 }],
        }),
      ],
      providers: [GreetingService, GreetingHandler],
    })
    class GreetingModule {}

    const options = testModuleOptions({ groupId: 'greeter' });
    app = await startApp({
      imports: [ChangeStreamModule.forRoot(options), GreetingModule],
    });
    const service = app.get(GreetingService);
    const handler = app.get(GreetingHandler);

    expect(service.publisher.topic).toBe(topic);
    const written = await service.publisher.send([
      { key: 'k1', value: { text: 'one' } },
      { key: 'k2', value: { text: 'two' } },
      { key: 'k3', value: { text: 'three' } },
    ]);

    await waitFor(() => handler.texts.length === 3, {
      description: 'three greetings',
    });
    expect([...handler.texts].sort()).toEqual(['one', 'three', 'two']);
    for (const record of written) {
      expect(record.topic).toBe(topic);
    }
    const metadata = await app.get(ChangeStreamBroker).describeTopic(topic);
    expect(metadata?.partitions).toBe(3);
  });

  it('delivers every message to each group', async () => {
    const topic = uniqueName('orders');

    @Injectable()
    class BillingHandler {
      readonly ids: string[] = [];

      @OnTopic(topic, { groupId: 'billing' })
      handle(record: ConsumerRecord): void {
        this.ids.push(record.message.id);
      }
    }

    @Injectable()
    class ShippingHandler {
      readonly ids: string[] = [];

      @OnTopic(topic)
      handle(record: ConsumerRecord): void {
        this.ids.push(record.message.id);
      }
    }

    app = await startApp({
      imports: [
        ChangeStreamModule.forRoot(testModuleOptions({ groupId: 'shipping' })),
      ],
      providers: [BillingHandler, ShippingHandler],
    });
    const messages = [1, 2, 3, 4].map((n) => ({ key: `o-${n}`, value: n }));
    const written = await app.get(TopicPublisher).send(topic, messages);
    const expected = written.map((record) => record.messageId).sort();

    const billing = app.get(BillingHandler);
    const shipping = app.get(ShippingHandler);
    await waitFor(() => billing.ids.length === 4 && shipping.ids.length === 4, {
      description: 'four messages in each group',
    });
    expect([...billing.ids].sort()).toEqual(expected);
    expect([...shipping.ids].sort()).toEqual(expected);
    const groups = app
      .get(ConsumerRegistry)
      .getConsumers()
      .map((entry) => `${entry.name} ${entry.groupId}`)
      .sort();
    expect(groups).toEqual([
      'BillingHandler#handle billing',
      'ShippingHandler#handle shipping',
    ]);
  });

  it('stacks on one method', async () => {
    const orders = uniqueName('orders');
    const refunds = uniqueName('refunds');

    @Injectable()
    class AuditHandler {
      readonly seen: string[] = [];

      @OnTopic(orders)
      @OnTopic(refunds, { groupId: 'refund-audit' })
      handle(record: ConsumerRecord<string>): void {
        this.seen.push(`${record.topic}:${record.message.value}`);
      }
    }

    app = await startApp({
      imports: [
        ChangeStreamModule.forRoot(testModuleOptions({ groupId: 'audit' })),
      ],
      providers: [AuditHandler],
    });
    const publisher = app.get(TopicPublisher);
    await publisher.send(orders, { value: 'o-1' });
    await publisher.send(refunds, { value: 'r-1' });

    const handler = app.get(AuditHandler);
    await waitFor(() => handler.seen.length === 2, {
      description: 'one order and one refund',
    });
    expect([...handler.seen].sort()).toEqual([
      `${orders}:o-1`,
      `${refunds}:r-1`,
    ]);
    const consumers = app
      .get(ConsumerRegistry)
      .getConsumers('AuditHandler#handle');
    expect(consumers.map((entry) => entry.groupId).sort()).toEqual([
      'audit',
      'refund-audit',
    ]);
  });

  it('applies consumerDefaults under own options', async () => {
    const topic = uniqueName('history');
    const options = testModuleOptions({
      groupId: 'replayer',
      consumerDefaults: { fromBeginning: true },
    });
    const seed = await connectTestBroker({ database: options.database });
    try {
      const producer = await seed.createProducer({ topic });
      await producer.send({ value: 'before start' });
    } finally {
      await seed.disconnect();
    }

    @Injectable()
    class HistoryHandler {
      readonly replayed: string[] = [];
      readonly live: string[] = [];

      @OnTopic(topic)
      replay(record: ConsumerRecord<string>): void {
        this.replayed.push(record.message.value);
      }

      @OnTopic(topic, { groupId: 'live-only', fromBeginning: false })
      follow(record: ConsumerRecord<string>): void {
        this.live.push(record.message.value);
      }
    }

    app = await startApp({
      imports: [ChangeStreamModule.forRoot(options)],
      providers: [HistoryHandler],
    });
    await app.get(TopicPublisher).send(topic, { value: 'after start' });

    const handler = app.get(HistoryHandler);
    await waitFor(
      () => handler.replayed.length === 2 && handler.live.length === 1,
      { description: 'two replayed and one live message' },
    );
    expect(handler.replayed).toEqual(['before start', 'after start']);
    expect(handler.live).toEqual(['after start']);
  });

  it('pauses and resumes by handler name', async () => {
    const topic = uniqueName('paced');

    @Injectable()
    class PacedHandler {
      readonly values: string[] = [];

      @OnTopic(topic)
      handle(record: ConsumerRecord<string>): void {
        this.values.push(record.message.value);
      }
    }

    @Injectable()
    class WitnessHandler {
      readonly values: string[] = [];

      @OnTopic(topic, { groupId: 'witness' })
      handle(record: ConsumerRecord<string>): void {
        this.values.push(record.message.value);
      }
    }

    app = await startApp({
      imports: [
        ChangeStreamModule.forRoot(testModuleOptions({ groupId: 'paced' })),
      ],
      providers: [PacedHandler, WitnessHandler],
    });
    const registry = app.get(ConsumerRegistry);
    expect(() => registry.pause('Missing#handle')).toThrow(
      'No running consumer for handler "Missing#handle". Running handlers: ' +
        'PacedHandler#handle, WitnessHandler#handle.',
    );

    registry.pause('PacedHandler#handle');
    expect(registry.isPaused('PacedHandler#handle')).toBe(true);
    expect(registry.isPaused('WitnessHandler#handle')).toBe(false);
    const publisher = app.get(TopicPublisher);
    const witness = app.get(WitnessHandler);
    const paced = app.get(PacedHandler);

    // A read already waiting when pause() ran still delivers its record,
    // so only the second message shows that reading stopped. The witness
    // group reads the same partition and marks when each one was sent.
    for (const value of ['first', 'second']) {
      await publisher.send(topic, { value });
      await waitFor(() => witness.values.includes(value), {
        description: `the witness group to receive "${value}"`,
      });
    }
    expect(paced.values).not.toContain('second');

    registry.resume('PacedHandler#handle');
    expect(registry.isPaused('PacedHandler#handle')).toBe(false);
    await waitFor(() => paced.values.length === 2, {
      description: 'both messages after resume',
    });
    expect(paced.values).toEqual(['first', 'second']);
  });

  it('works with forRootAsync and a factory', async () => {
    const topic = uniqueName('settings');
    const SETTINGS = 'SETTINGS';

    @Module({
      providers: [{ provide: SETTINGS, useValue: { group: 'async-group' } }],
      exports: [SETTINGS],
    })
    class SettingsModule {}

    @Injectable()
    class SettingsHandler {
      readonly values: number[] = [];

      @OnTopic(topic)
      handle(record: ConsumerRecord<number>): void {
        this.values.push(record.message.value);
      }
    }

    const base = testModuleOptions();
    app = await startApp({
      imports: [
        ChangeStreamModule.forRootAsync({
          imports: [SettingsModule],
          inject: [SETTINGS],
          useFactory: async (settings: { group: string }) => ({
            ...base,
            groupId: settings.group,
          }),
        }),
      ],
      providers: [SettingsHandler],
    });
    const broker = app.get(ChangeStreamBroker);
    expect(broker.isConnected()).toBe(true);
    expect(broker.database).toBe(base.database);

    await app.get(TopicPublisher).send(topic, { value: 7 });
    const handler = app.get(SettingsHandler);
    await waitFor(() => handler.values.length === 1, {
      description: 'one value',
    });
    expect(handler.values).toEqual([7]);
    const [entry] = app.get(ConsumerRegistry).getConsumers();
    expect(entry.groupId).toBe('async-group');
  });
});
