import {
  ChangeStream,
  ChangeStreamDocument,
  FindCursor,
  ObjectId,
  ResumeToken,
  WithId,
} from 'mongodb';
import type { TopicMessageDocument } from '../producer/message-types';
import { ignoreError } from '../util/ignore-error';
import type { ReaderContext } from './reader-context';
import {
  insertControlRecord,
  probeCurrentToken,
  topicStreamPipeline,
} from './stream-pipeline';
import { tryNextEvent } from './try-next';

type TopicEvent = ChangeStreamDocument<TopicMessageDocument>;

/**
 * Replays what a topic collection retains for some partitions, so that the
 * live stream can take over at a token with no gap and no duplicate.
 *
 * The stream token S is taken first. Messages committed after S reach the
 * consumer through the stream, so the scan must skip them. Before it hands
 * out a batch of scanned documents, the scanner writes a control record and
 * reads a stream from S up to it: every message committed after S that the
 * batch could contain is then known and left out. Documents of one
 * partition are replayed in `_id` order, which is the order in which one
 * producer sent them.
 */
export class ReplayScanner {
  private streamToken?: ResumeToken;
  private collector?: ChangeStream<TopicMessageDocument, TopicEvent>;
  private readonly committedAfterStart = new Map<number, Set<string>>();
  private topicGone = false;

  constructor(
    private readonly context: ReaderContext,
    private readonly partitions: ReadonlySet<number>,
  ) {}

  /** Fixes the stream token (taking the current one when none is given). */
  async prepare(streamToken?: ResumeToken): Promise<ResumeToken> {
    this.streamToken =
      streamToken ?? (await probeCurrentToken(this.context.collection));
    for (const partition of this.partitions) {
      const replay = this.context.progressOf(partition)?.replay;
      if (replay) {
        replay.streamToken = this.streamToken;
      }
    }
    return this.streamToken;
  }

  /** Scans every partition in turn; stops early when `isStopped()`. */
  async run(isStopped: () => boolean): Promise<void> {
    this.collector = this.context.collection.watch<
      TopicMessageDocument,
      TopicEvent
    >(topicStreamPipeline([...this.partitions], this.context.instanceId), {
      resumeAfter: this.streamToken,
      batchSize: this.context.settings.batchSize,
      maxAwaitTimeMS: this.context.settings.maxAwaitTimeMS,
    });
    try {
      for (const partition of [...this.partitions].sort((a, b) => a - b)) {
        const progress = this.context.progressOf(partition);
        if (!progress?.replay || !progress.replay.scanning) {
          continue;
        }
        const finished = await this.scanPartition(partition, isStopped);
        if (!finished) {
          return;
        }
        this.committedAfterStart.delete(partition);
        progress.replay.scanning = false;
        this.context.onScanFinished(partition);
      }
    } finally {
      await this.collector.close().catch(ignoreError);
    }
  }

  private async scanPartition(
    partition: number,
    isStopped: () => boolean,
  ): Promise<boolean> {
    const replay = this.context.progressOf(partition)?.replay;
    const afterId = replay?.scannedThrough ?? replay?.afterId;
    const cursor = this.context.collection.find(
      {
        partition,
        ...(afterId === undefined
          ? {}
          : { _id: { $gt: new ObjectId(afterId) } }),
      },
      { sort: { _id: 1 }, batchSize: this.context.settings.replayBatchSize },
    );
    try {
      for (;;) {
        const batch = await this.readBatch(cursor);
        if (batch.length === 0) {
          return true;
        }
        await this.collectCommittedAfterStart();
        const skip = this.committedAfterStart.get(partition);
        for (const document of batch) {
          const current = this.context.progressOf(partition)?.replay;
          if (isStopped() || !this.partitions.has(partition) || !current) {
            return false;
          }
          const id = document._id.toHexString();
          current.scannedThrough = id;
          if (skip?.has(id)) {
            continue;
          }
          await this.context.waitForCapacity();
          this.context.deliverReplayed(document);
        }
        const last = batch[batch.length - 1]._id.toHexString();
        for (const id of skip ?? []) {
          if (id <= last) {
            skip?.delete(id);
          }
        }
      }
    } finally {
      await cursor.close().catch(ignoreError);
    }
  }

  private async readBatch(
    cursor: FindCursor<WithId<TopicMessageDocument>>,
  ): Promise<WithId<TopicMessageDocument>[]> {
    const batch: WithId<TopicMessageDocument>[] = [];
    const size = this.context.settings.replayBatchSize;
    while (batch.length < size) {
      const document = await cursor.next();
      if (!document) {
        break;
      }
      batch.push(document);
      if (cursor.bufferedCount() === 0 && batch.length > 0) {
        break;
      }
    }
    return batch;
  }

  /**
   * Reads the collector stream up to a fresh control record, recording the
   * ids of messages committed after the stream token.
   */
  private async collectCommittedAfterStart(): Promise<void> {
    const collector = this.collector;
    if (!collector || this.topicGone) {
      return;
    }
    const barrierId = new ObjectId().toHexString();
    const controlId = await insertControlRecord(
      this.context.collection,
      this.context.instanceId,
      barrierId,
    );
    try {
      for (;;) {
        const event = await this.context.slots.run(() =>
          tryNextEvent(collector),
        );
        if (!event) {
          continue;
        }
        if (event.operationType !== 'insert') {
          // The topic was dropped or renamed: nothing more will be scanned.
          this.topicGone = true;
          return;
        }
        const document = event.fullDocument;
        if (document.control) {
          if (document.control.barrier === barrierId) {
            return;
          }
          continue;
        }
        const ids =
          this.committedAfterStart.get(document.partition) ?? new Set();
        ids.add(document._id.toHexString());
        this.committedAfterStart.set(document.partition, ids);
      }
    } finally {
      await this.context.collection
        .deleteOne({ _id: controlId })
        .catch(ignoreError);
    }
  }
}
