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
  isTerminalOperation,
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
    >(
      topicStreamPipeline(
        [...this.partitions],
        this.context.instanceId,
        this.context.partitionCount,
      ),
      {
        resumeAfter: this.streamToken,
        batchSize: this.context.settings.batchSize,
        maxAwaitTimeMS: this.context.settings.maxAwaitTimeMS,
      },
    );
    try {
      if (await this.scan(isStopped)) {
        for (const partition of this.scanning()) {
          this.context.progressOf(partition)!.replay!.scanning = false;
          this.context.onScanFinished(partition);
        }
      }
    } finally {
      await this.collector.close().catch(ignoreError);
    }
  }

  /** Partitions whose replay scan is still to run. */
  private scanning(): number[] {
    return [...this.partitions].filter(
      (partition) => this.context.progressOf(partition)?.replay?.scanning,
    );
  }

  /**
   * Scans the collection once in `_id` order for every partition that
   * replays, starting at the smallest position among them and skipping,
   * per partition, what that partition already replayed. One pass over
   * `_id` needs no index but the one every collection has.
   */
  private async scan(isStopped: () => boolean): Promise<boolean> {
    const partitions = this.scanning();
    if (partitions.length === 0) {
      return true;
    }
    const startAfter = new Map<number, string | undefined>();
    for (const partition of partitions) {
      const replay = this.context.progressOf(partition)!.replay!;
      startAfter.set(partition, replay.scannedThrough ?? replay.afterId);
    }
    const starts = [...startAfter.values()];
    const lowest = starts.includes(undefined)
      ? undefined
      : (starts as string[]).reduce((low, id) => (id < low ? id : low));

    const cursor = this.context.collection.find(
      {
        partition: { $in: partitions },
        ...(lowest === undefined ? {} : { _id: { $gt: new ObjectId(lowest) } }),
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
        for (const document of batch) {
          if (isStopped()) {
            return false;
          }
          const partition = document.partition;
          const replay = this.partitions.has(partition)
            ? this.context.progressOf(partition)?.replay
            : undefined;
          const id = document._id.toHexString();
          const after = startAfter.get(partition);
          if (!replay || (after !== undefined && id <= after)) {
            continue;
          }
          replay.scannedThrough = id;
          if (this.committedAfterStart.get(partition)?.has(id)) {
            // It reaches the consumer through the stream instead.
            continue;
          }
          if (!this.context.hasCapacity()) {
            await this.context.waitForCapacity();
          }
          this.context.deliverReplayed(document);
        }
        this.forgetScannedIds(batch[batch.length - 1]._id.toHexString());
      }
    } finally {
      await cursor.close().catch(ignoreError);
    }
  }

  /** Drops ids the scan has passed: it will not meet them again. */
  private forgetScannedIds(lastScanned: string): void {
    for (const ids of this.committedAfterStart.values()) {
      for (const id of ids) {
        if (id <= lastScanned) {
          ids.delete(id);
        }
      }
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
        if (isTerminalOperation(event.operationType)) {
          // The topic was dropped or renamed: nothing more will be scanned.
          this.topicGone = true;
          return;
        }
        if (event.operationType !== 'insert') {
          continue;
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
