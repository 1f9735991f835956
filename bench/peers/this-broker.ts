import {
  ChangeStreamBroker,
  ChangeStreamConsumer,
  ChangeStreamProducer,
  LogLevel,
} from '../../lib/core';
import type { BenchValue, ConsumerJob, PeerTarget } from '../protocol';
import type { BenchConsumer, BenchProducer, Peer } from './peer';

/**
 * Connects a broker with its defaults, except for two settings. The client
 * id names the member in the worker log. The runner's own topic set-up
 * logs at `warn`, so its lines do not land between the results.
 */
async function connect(
  target: PeerTarget,
  clientId = 'bench',
  logLevel: LogLevel = 'info',
): Promise<ChangeStreamBroker> {
  const broker = new ChangeStreamBroker({
    mongoUri: target.mongoUrl,
    database: target.database,
    clientId,
    logLevel,
  });
  await broker.connect();
  return broker;
}

class BrokerProducer implements BenchProducer {
  constructor(
    private readonly broker: ChangeStreamBroker,
    private readonly producer: ChangeStreamProducer,
  ) {}

  async send(values: BenchValue[]): Promise<void> {
    if (values.length === 1) {
      await this.producer.send({ value: values[0] });
    } else {
      await this.producer.send(values.map((value) => ({ value })));
    }
  }

  close(): Promise<void> {
    return this.broker.disconnect();
  }
}

/**
 * A group member with default settings. Its assignment counts a partition
 * only once the consumer reported it assigned, which happens after the
 * start position was fixed, so nothing written later can be skipped.
 */
class BrokerConsumer implements BenchConsumer {
  private consumer?: ChangeStreamConsumer;
  private readonly ready = new Set<number>();

  constructor(
    private readonly broker: ChangeStreamBroker,
    private readonly job: ConsumerJob,
  ) {}

  async start(onMessage: (value: BenchValue) => void): Promise<void> {
    const consumer = await this.broker.createConsumer({
      groupId: this.job.groupId,
      topic: this.job.topic,
      partitions: this.job.partitions,
    });
    this.consumer = consumer;
    consumer.on('consumer.partitions.assigned', (_source, partitions) => {
      partitions.forEach((partition) => this.ready.add(partition));
    });
    const forget = (_source: unknown, partitions: number[]): void => {
      partitions.forEach((partition) => this.ready.delete(partition));
    };
    consumer.on('consumer.partitions.revoked', forget);
    consumer.on('consumer.partitions.lost', forget);
    consumer.on('consumer.error', (_source, error) => {
      console.error('Consumer error:', error);
    });
    await consumer.subscribe<BenchValue>({
      handler: (record) => onMessage(record.message.value),
    });
  }

  assignment(): number[] | null {
    return [...this.ready].sort((a, b) => a - b);
  }

  async pause(): Promise<void> {
    this.consumer?.pause();
  }

  async resume(): Promise<void> {
    this.consumer?.resume();
  }

  stop(): Promise<void> {
    return this.broker.disconnect();
  }
}

/** This library's core, with its default settings. */
export const thisBrokerPeer: Peer = {
  async createProducer(job) {
    const broker = await connect(job);
    const producer = await broker.createProducer({
      topic: job.topic,
      partitions: job.partitions,
    });
    return new BrokerProducer(broker, producer);
  },

  async createConsumer(job) {
    return new BrokerConsumer(await connect(job, job.memberName), job);
  },

  async prepareTopic(target) {
    const broker = await connect(target, 'bench', 'warn');
    try {
      await broker.createTopic({
        name: target.topic,
        partitions: target.partitions,
      });
    } finally {
      await broker.disconnect();
    }
  },

  async dropTopic(target) {
    const broker = await connect(target, 'bench', 'warn');
    try {
      await broker.deleteTopic(target.topic);
      await broker.deleteTopic(`${target.topic}.dlq`);
    } finally {
      await broker.disconnect();
    }
  },
};
