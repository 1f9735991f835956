import {
  ChangeStream,
  ChangeStreamInsertDocument,
  Document,
  MongoClient,
  MongoServerError,
} from 'mongodb';
import type { BenchValue, ConsumerJob, PeerTarget } from '../protocol';
import { GatedConsumer } from './gated-consumer';
import type { BenchProducer, Peer } from './peer';

/** Shape of a message document, the same as the broker stores. */
interface MessageDocument {
  partition: number;
  key: null;
  value: BenchValue;
  headers: Record<string, string>;
  timestamp: Date;
}

const NAMESPACE_NOT_FOUND = 26;
const NAMESPACE_EXISTS = 48;

async function connect(url: string): Promise<MongoClient> {
  const client = new MongoClient(url);
  await client.connect();
  return client;
}

/**
 * Runs `work` on a client of its own and ignores a server error with
 * `toleratedCode`, such as a collection that exists already.
 */
async function runTolerating(
  url: string,
  toleratedCode: number,
  work: (client: MongoClient) => Promise<unknown>,
): Promise<void> {
  const client = await connect(url);
  try {
    await work(client);
  } catch (error) {
    if (!(error instanceof MongoServerError) || error.code !== toleratedCode) {
      throw error;
    }
  } finally {
    await client.close();
  }
}

class RawProducer implements BenchProducer {
  private nextPartition = 0;

  constructor(
    private readonly client: MongoClient,
    private readonly target: PeerTarget,
  ) {}

  async send(values: BenchValue[]): Promise<void> {
    const collection = this.client
      .db(this.target.database)
      .collection<MessageDocument>(this.target.topic);
    const timestamp = new Date();
    const documents = values.map((value) => {
      const partition = this.nextPartition;
      this.nextPartition = (partition + 1) % this.target.partitions;
      return { partition, key: null, value, headers: {}, timestamp };
    });
    if (documents.length === 1) {
      await collection.insertOne(documents[0]);
    } else {
      await collection.insertMany(documents);
    }
  }

  close(): Promise<void> {
    return this.client.close();
  }
}

/**
 * One bare `collection.watch()` loop: no offsets, no groups, no buffering
 * beyond the driver's own batch. A static partition list becomes a
 * `$match` stage.
 */
class RawConsumer extends GatedConsumer {
  private stream?: ChangeStream<MessageDocument>;
  private loop?: Promise<void>;

  constructor(
    private readonly client: MongoClient,
    private readonly job: ConsumerJob,
  ) {
    super();
  }

  async start(onMessage: (value: BenchValue) => void): Promise<void> {
    const pipeline: Document[] = this.job.staticPartitions
      ? [
          {
            $match: {
              'fullDocument.partition': { $in: this.job.staticPartitions },
            },
          },
        ]
      : [];
    const stream = this.client
      .db(this.job.database)
      .collection<MessageDocument>(this.job.topic)
      .watch(pipeline);
    this.stream = stream;
    // The first read opens the cursor, which fixes the start position.
    const first = await stream.tryNext();
    if (first) {
      this.handle(first, onMessage);
    }
    // `stop` closes the stream under a pending read, so only a failure
    // before `stop` is an error. It must crash the worker even unawaited.
    this.loop = this.read(stream, onMessage).catch((error: unknown) => {
      if (!this.stopped) {
        throw error;
      }
    });
  }

  async stop(): Promise<void> {
    this.beginStop();
    await this.stream?.close();
    await this.loop;
    await this.client.close();
  }

  private async read(
    stream: ChangeStream<MessageDocument>,
    onMessage: (value: BenchValue) => void,
  ): Promise<void> {
    while (!this.stopped) {
      await this.gate.wait();
      const event = await stream.tryNext();
      if (event) {
        // A read that was waiting when `pause` came in may return events.
        await this.gate.wait();
        this.handle(event, onMessage);
      }
    }
  }

  private handle(
    event: Document,
    onMessage: (value: BenchValue) => void,
  ): void {
    if (event.operationType !== 'insert') {
      return;
    }
    const { value } = (event as ChangeStreamInsertDocument<MessageDocument>)
      .fullDocument;
    // The broker's control records in a topic collection have no value.
    if (value !== null && typeof value === 'object') {
      onMessage(value);
    }
  }
}

/** The MongoDB Node driver on its own: the ceiling for the MongoDB peers. */
export const rawDriverPeer: Peer = {
  async createProducer(job) {
    return new RawProducer(await connect(job.mongoUrl), job);
  },

  async createConsumer(job) {
    return new RawConsumer(await connect(job.mongoUrl), job);
  },

  async prepareTopic(target) {
    await runTolerating(target.mongoUrl, NAMESPACE_EXISTS, (client) =>
      client.db(target.database).createCollection(target.topic),
    );
  },

  async dropTopic(target) {
    await runTolerating(target.mongoUrl, NAMESPACE_NOT_FOUND, (client) =>
      client.db(target.database).dropCollection(target.topic),
    );
  },
};
