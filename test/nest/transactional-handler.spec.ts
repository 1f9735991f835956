import { Injectable } from '@nestjs/common';
import type { INestApplication } from '@nestjs/common';
import type { MongoClient } from 'mongodb';
import {
  ChangeStreamBroker,
  DeadLetterHeaders,
  type ConsumerRecord,
  type HandlerContext,
} from '../../lib/core';
import {
  ChangeStreamModule,
  InjectMongoClient,
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

interface Payment {
  paymentId: string;
  fail: boolean;
}

describe('transactional @OnTopic handler', () => {
  let app: INestApplication | undefined;

  afterEach(async () => {
    if (app) {
      await closeApp(app);
      app = undefined;
    }
  });

  it('commits writes together with the offset', async () => {
    const topic = uniqueName('payments');
    const deadLetterTopic = `${topic}.dlq`;
    const ledgerDatabase = uniqueName('csb_ledger');
    const options = testModuleOptions({ groupId: 'ledger' });

    @Injectable()
    class LedgerHandler {
      readonly attempts: string[] = [];

      constructor(@InjectMongoClient() private readonly client: MongoClient) {}

      @OnTopic(topic, { transactional: true, maxRetries: 1, retryDelay: 10 })
      async record(
        record: ConsumerRecord<Payment>,
        { session }: HandlerContext,
      ): Promise<void> {
        const { paymentId, fail } = record.message.value;
        this.attempts.push(paymentId);
        await this.client
          .db(ledgerDatabase)
          .collection('entries')
          .insertOne({ paymentId }, { session });
        if (fail) {
          throw new Error(`payment ${paymentId} was rejected`);
        }
      }
    }

    const logger = new RecordingLogger();
    app = await startApp(
      {
        imports: [ChangeStreamModule.forRoot(options)],
        providers: [LedgerHandler],
      },
      logger,
    );
    const broker = app.get(ChangeStreamBroker);
    const entries = broker.getClient().db(ledgerDatabase).collection('entries');
    await entries.createIndex({ paymentId: 1 });

    const written = await app.get(TopicPublisher).send<Payment>(topic, [
      { key: 'p', value: { paymentId: 'rejected', fail: true } },
      { key: 'p', value: { paymentId: 'accepted', fail: false } },
    ]);

    const handler = app.get(LedgerHandler);
    const deadLetters = broker.getDatabase().collection(deadLetterTopic);
    await waitFor(() => deadLetters.countDocuments({ partition: 0 }), {
      description: 'the rejected payment in the dead-letter topic',
    });
    await waitFor(
      async () => (await entries.countDocuments({ paymentId: 'accepted' })) > 0,
      { description: 'the accepted payment in the ledger' },
    );
    // The offset was written in the transaction that wrote the entry, so
    // it is visible as soon as the entry is (the auto-commit interval is
    // five seconds).
    const group = await broker.admin().describeGroup('ledger', topic);
    expect(group.partitions[0].lastMessage?.id).toBe(written[1].messageId);
    expect(handler.attempts).toEqual(['rejected', 'rejected', 'accepted']);
    const failures = logger
      .find('Handler failed')
      .filter((line) => line.params.includes('LedgerHandler#record'));
    expect(failures.map((line) => line.level)).toEqual(['error', 'error']);
    expect(failures[1].message).toContain('attempt=2');
    expect(failures[1].message).toContain(
      'error="payment rejected was rejected"',
    );
    expect(await entries.countDocuments({ paymentId: 'rejected' })).toBe(0);
    expect(await entries.countDocuments({ paymentId: 'accepted' })).toBe(1);
    const [deadLetter] = await deadLetters.find({ partition: 0 }).toArray();
    expect(deadLetter.value).toEqual({ paymentId: 'rejected', fail: true });
    expect(deadLetter.headers[DeadLetterHeaders.errorMessage]).toContain(
      'payment rejected was rejected',
    );

    await closeApp(app);
    app = undefined;

    @Injectable()
    class NextLedgerHandler {
      readonly paymentIds: string[] = [];

      @OnTopic(topic, { transactional: true })
      record(record: ConsumerRecord<Payment>): void {
        this.paymentIds.push(record.message.value.paymentId);
      }
    }

    app = await startApp({
      imports: [ChangeStreamModule.forRoot(options)],
      providers: [NextLedgerHandler],
    });
    await app.get(TopicPublisher).send<Payment>(topic, {
      key: 'p',
      value: { paymentId: 'later', fail: false },
    });
    const next = app.get(NextLedgerHandler);
    await waitFor(() => next.paymentIds.length === 1, {
      description: 'the payment sent after the restart',
    });
    expect(next.paymentIds).toEqual(['later']);
  });
});
