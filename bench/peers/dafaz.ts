import {
  BrokerConfig,
  ChangeStreamBroker,
  ChangeStreamConsumer,
  ChangeStreamProducer,
  ConsumerConfig,
  ProducerConfig,
} from '@dafaz/change-stream-broker';
import { MongoClient, MongoServerError } from 'mongodb';
import type { BenchValue, ConsumerJob, PeerTarget } from '../protocol';
import { delay, waitFor } from '../util/wait';
import type { BenchConsumer, BenchProducer, Peer } from './peer';

/**
 * Returns the broker settings of the package README (version 1.4.2) with
 * one change. The README sets `logLevel: 'INFO'`, which prints a line for
 * every send and every offset commit, so `ERROR` keeps per-message logging
 * off, as it is for the other peers.
 */
function brokerConfig(target: PeerTarget): BrokerConfig {
  return {
    mongoUri: target.mongoUrl,
    database: target.database,
    autoCreateTopics: true,
    logLevel: 'ERROR',
    logContext: 'bench',
  };
}

function producerConfig(target: PeerTarget): ProducerConfig {
  return {
    topic: target.topic,
    partitions: target.partitions,
    retentionMs: 7 * 24 * 60 * 60 * 1000,
    partitionStrategy: 'hash',
  };
}

function consumerConfig(job: ConsumerJob): ConsumerConfig {
  return {
    groupId: job.groupId,
    topic: job.topic,
    partitions: Array.from({ length: job.partitions }, (_, index) => index),
    autoCommit: true,
    autoCommitIntervalMs: 15_000,
    fromBeginning: false,
    maxRetries: 3,
    retryDelayMs: 1_000,
    enableOffsetMonitoring: false,
    options: {
      batchSize: 100,
      maxAwaitTimeMS: 1_000,
      fullDocument: 'updateLookup',
    },
  };
}

const NAMESPACE_NOT_FOUND = 26;

/** Returns the collection of a partition: the package uses `topic_p{p}`. */
function partitionCollection(topic: string, partition: number): string {
  return `${topic}_p${partition}`;
}

class DafazProducer implements BenchProducer {
  constructor(
    private readonly broker: ChangeStreamBroker,
    private readonly producer: ChangeStreamProducer,
  ) {}

  async send(values: BenchValue[]): Promise<void> {
    const timestamp = new Date();
    const messages = values.map((value) => ({ value, timestamp }));
    await this.producer.send(messages.length === 1 ? messages[0] : messages);
  }

  close(): Promise<void> {
    return this.broker.disconnect();
  }
}

/**
 * A consumer of the package. Its `pause()` drops the events that arrive
 * while paused, so pausing here disconnects the consumer (which commits its
 * offsets) and resuming creates a new one that resumes from them.
 */
class DafazConsumer implements BenchConsumer {
  private consumer?: ChangeStreamConsumer;
  private onMessage: (value: BenchValue) => void = () => undefined;
  private warmUpSeen = new Set<number>();

  constructor(
    private readonly broker: ChangeStreamBroker,
    private readonly job: ConsumerJob,
  ) {}

  async start(onMessage: (value: BenchValue) => void): Promise<void> {
    this.onMessage = onMessage;
    await this.subscribe();
    // The package opens its change streams in the background, so a message
    // is known to be received only once a warm-up message came through on
    // every partition. Each one also leaves a committed offset behind.
    await this.receiveWarmUpMessages();
  }

  assignment(): number[] | null {
    return null;
  }

  async pause(): Promise<void> {
    await this.consumer?.disconnect();
    this.consumer = undefined;
  }

  async resume(): Promise<void> {
    if (!this.consumer) {
      await this.subscribe();
    }
  }

  async stop(): Promise<void> {
    await this.broker.disconnect();
  }

  private async subscribe(): Promise<void> {
    const consumer = await this.broker.createConsumer(consumerConfig(this.job));
    await consumer.subscribe({
      handler: async (record) => {
        const value = record.message.value as unknown as BenchValue & {
          _partition: number;
        };
        if (value.seq < 0) {
          this.warmUpSeen.add(value._partition);
          return;
        }
        this.onMessage(value);
      },
      errorHandler: async () => undefined,
      maxRetries: 3,
      retryDelay: 1_000,
      autoCommit: true,
    });
    this.consumer = consumer;
  }

  private async receiveWarmUpMessages(): Promise<void> {
    const client = new MongoClient(this.job.mongoUrl);
    await client.connect();
    try {
      const db = client.db(this.job.database);
      await waitFor(
        `warm-up messages of ${this.job.memberName}`,
        async () => {
          for (
            let partition = 0;
            partition < this.job.partitions;
            partition++
          ) {
            if (!this.warmUpSeen.has(partition)) {
              await db
                .collection(partitionCollection(this.job.topic, partition))
                .insertOne({
                  seq: -1,
                  sentAt: 0,
                  data: '',
                  _headers: {},
                  _timestamp: new Date(),
                  _key: null,
                  _partition: partition,
                });
            }
          }
          await delay(200);
          return this.warmUpSeen.size === this.job.partitions;
        },
        60_000,
      );
    } finally {
      await client.close();
    }
  }
}

/** `@dafaz/change-stream-broker`, configured as its README shows. */
export const dafazPeer: Peer = {
  async createProducer(job) {
    const broker = new ChangeStreamBroker(brokerConfig(job));
    await broker.connect();
    const producer = await broker.createProducer(producerConfig(job));
    return new DafazProducer(broker, producer);
  },

  async createConsumer(job) {
    const broker = new ChangeStreamBroker(brokerConfig(job));
    await broker.connect();
    return new DafazConsumer(broker, job);
  },

  async prepareTopic() {
    // The producer creates the topic (autoCreateTopics, as in the README),
    // and every workload starts its producer before its consumers.
  },

  async dropTopic(target) {
    const client = new MongoClient(target.mongoUrl);
    await client.connect();
    try {
      const db = client.db(target.database);
      for (let partition = 0; partition < target.partitions; partition++) {
        await db
          .dropCollection(partitionCollection(target.topic, partition))
          .catch((error: unknown) => {
            // A partition that never received a message has no collection.
            if (
              !(error instanceof MongoServerError) ||
              error.code !== NAMESPACE_NOT_FOUND
            ) {
              throw error;
            }
          });
      }
      await db.collection('topics').deleteOne({ name: target.topic });
      await db
        .collection('consumer_offsets')
        .deleteMany({ topic: target.topic });
    } finally {
      await client.close();
    }
  },
};
