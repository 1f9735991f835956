import { createClient } from 'redis';
import type { BenchValue, ConsumerJob, PeerTarget } from '../protocol';
import { GatedConsumer } from './gated-consumer';
import type { BenchProducer, Peer } from './peer';

type RedisClient = ReturnType<typeof createClient>;

/** Entries one XREADGROUP call returns at most. */
const READ_COUNT = 100;
/** Blocking time of an empty XREADGROUP, in milliseconds. */
const READ_BLOCK_MS = 1_000;

async function connect(target: PeerTarget): Promise<RedisClient> {
  if (!target.redisUrl) {
    throw new Error('Missing redisUrl: the redis-streams peer needs one.');
  }
  const client = createClient({ url: target.redisUrl });
  client.on('error', (error: unknown) => {
    console.error('Redis client error:', error);
  });
  await client.connect();
  return client;
}

class StreamProducer implements BenchProducer {
  constructor(
    private readonly client: RedisClient,
    private readonly stream: string,
  ) {}

  async send(values: BenchValue[]): Promise<void> {
    if (values.length === 1) {
      await this.client.xAdd(this.stream, '*', {
        value: JSON.stringify(values[0]),
      });
      return;
    }
    // One round trip per batch, like the other peers' batch calls.
    const pipeline = this.client.multi();
    for (const value of values) {
      pipeline.xAdd(this.stream, '*', { value: JSON.stringify(value) });
    }
    await pipeline.execAsPipeline();
  }

  async close(): Promise<void> {
    await this.client.quit();
  }
}

/**
 * A consumer-group member: XREADGROUP of up to {@link READ_COUNT} entries,
 * the handler for each, then one XACK for the batch.
 */
class StreamConsumer extends GatedConsumer {
  private loop?: Promise<void>;

  constructor(
    private readonly client: RedisClient,
    private readonly job: ConsumerJob,
  ) {
    super();
  }

  async start(onMessage: (value: BenchValue) => void): Promise<void> {
    try {
      // `$`: the group receives what is added from now on.
      await this.client.xGroupCreate(this.job.topic, this.job.groupId, '$', {
        MKSTREAM: true,
      });
    } catch (error) {
      if (!String(error).includes('BUSYGROUP')) {
        throw error;
      }
    }
    this.loop = this.read(onMessage);
  }

  async stop(): Promise<void> {
    this.beginStop();
    await this.loop;
    await this.client.quit();
  }

  private async read(onMessage: (value: BenchValue) => void): Promise<void> {
    const { topic, groupId, memberName } = this.job;
    while (!this.stopped) {
      await this.gate.wait();
      const reply = await this.client.xReadGroup(
        groupId,
        memberName,
        { key: topic, id: '>' },
        { COUNT: READ_COUNT, BLOCK: READ_BLOCK_MS },
      );
      if (!reply) {
        continue;
      }
      // A read that was blocking when `pause` came in may return entries.
      await this.gate.wait();
      const ids: string[] = [];
      for (const stream of reply as Array<{
        messages: Array<{ id: string; message: Record<string, string> }>;
      }>) {
        for (const entry of stream.messages) {
          onMessage(JSON.parse(entry.message.value) as BenchValue);
          ids.push(entry.id);
        }
      }
      if (ids.length > 0) {
        await this.client.xAck(topic, groupId, ids);
      }
    }
  }
}

/** Redis Streams with a consumer group: what many teams pick instead. */
export const redisStreamsPeer: Peer = {
  async createProducer(job) {
    return new StreamProducer(await connect(job), job.topic);
  },

  async createConsumer(job) {
    return new StreamConsumer(await connect(job), job);
  },

  async prepareTopic(target) {
    const client = await connect(target);
    try {
      await client.del(target.topic);
    } finally {
      await client.quit();
    }
  },

  async dropTopic(target) {
    const client = await connect(target);
    try {
      await client.del(target.topic);
    } finally {
      await client.quit();
    }
  },
};
