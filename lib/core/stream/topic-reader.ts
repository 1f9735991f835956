import { BSON, ObjectId } from 'mongodb';
import type { ChangeStreamDocument, Collection, ResumeToken } from 'mongodb';
import type { ConsumerRecord } from '../consumer/consumer-record';
import type { BrokerLogger } from '../logging/broker-logger';
import type { LastMessage, PartitionPosition } from '../offsets/position';
import type { TopicMessageDocument } from '../producer/message-types';
import { ignoreError } from '../util/ignore-error';
import { PartitionProgress } from './partition-progress';
import type {
  ReaderContext,
  SegmentFailureHandler,
  SegmentHandle,
  StreamSettings,
} from './reader-context';
import { Segment, SegmentStart } from './segment';
import { LedgerEntry, SegmentLedger } from './segment-ledger';
import { insertControlRecord } from './stream-pipeline';
import type { StreamSlots } from './stream-slots';

/** A partition to read and where to start. */
export interface ReaderAssignment {
  partition: number;
  position: PartitionPosition;
  lastMessage?: LastMessage;
}

/** A stream record's {@link RecordTicket}. */
class StreamTicket implements RecordTicket {
  readonly replayed = false;

  constructor(
    private readonly reader: TopicReader,
    private readonly entry: LedgerEntry,
    private readonly ledger: SegmentLedger,
    private readonly progress: PartitionProgress,
  ) {}

  get partition(): number {
    return this.entry.partition;
  }

  get messageId(): string {
    return this.entry.messageId;
  }

  get timestamp(): Date {
    return this.entry.timestamp;
  }

  finish(): void {
    this.reader.finishEntry(this.entry, this.ledger, this.progress);
  }

  positionAfter(): PartitionPosition | undefined {
    return this.reader.positionAfterEntry(this.progress, this.entry);
  }
}

/** Handle of one delivered record, to report it finished. */
export interface RecordTicket {
  readonly partition: number;
  readonly messageId: string;
  readonly timestamp: Date;
  /** Whether the record came from a replay of the collection. */
  readonly replayed: boolean;
  /** Marks the record processed; its partition's position moves past it. */
  finish(): void;
  /** The partition's position once this record is finished. */
  positionAfter(): PartitionPosition | undefined;
}

/** Callbacks a reader needs from the consumer that owns it. */
export interface ReaderHost {
  /** Whether the consumer can take another record right now. */
  hasCapacity(): boolean;
  /** Resolves when the consumer can take another record (not paused). */
  waitForCapacity(): Promise<void>;
  deliver(record: ConsumerRecord, ticket: RecordTicket): void;
  onHistoryLost(partitions: number[], error: unknown): void;
  onFatal(partitions: number[], error: unknown): void;
  onStreamFailing(error: unknown, failures: number): void;
  onInvalidated(operation: string): void;
  onRecreated(): void;
}

/** Options of a {@link TopicReader}. */
export interface TopicReaderOptions {
  topic: string;
  instanceId: string;
  partitionCount: number;
  collection: Collection<TopicMessageDocument>;
  logger: BrokerLogger;
  slots: StreamSlots;
  settings: StreamSettings;
  host: ReaderHost;
}

function positionKey(position: PartitionPosition): string {
  const token =
    position.kind === 'token' ? position.token : position.streamToken;
  const startAfter = position.kind === 'token' && position.startAfter;
  return `${position.kind}:${startAfter ? 'after' : 'resume'}:${
    token === undefined ? '' : BSON.EJSON.stringify(token, { relaxed: false })
  }`;
}

/**
 * Reads the owned partitions of one topic for one consumer and tracks where
 * each partition resumes. Partitions that resume from the same place share
 * one change stream (a segment). When partitions join from other places,
 * their segments meet at a control record and merge into one again.
 */
export class TopicReader implements ReaderContext, SegmentFailureHandler {
  readonly topic: string;
  readonly instanceId: string;
  readonly partitionCount: number;
  readonly collection: Collection<TopicMessageDocument>;
  readonly logger: BrokerLogger;
  readonly slots: StreamSlots;
  readonly settings: StreamSettings;
  private readonly host: ReaderHost;
  private readonly progress = new Map<number, PartitionProgress>();
  private segments: Segment[] = [];
  private ledgers: SegmentLedger[] = [];
  private sequence = 0;
  private ledgerIds = 0;
  private merging?: Promise<void>;
  private mergeRequested = false;
  private stopped = false;

  constructor(options: TopicReaderOptions) {
    this.topic = options.topic;
    this.instanceId = options.instanceId;
    this.partitionCount = options.partitionCount;
    this.collection = options.collection;
    this.logger = options.logger;
    this.slots = options.slots;
    this.settings = options.settings;
    this.host = options.host;
  }

  /** Partitions this reader currently reads. */
  owned(): number[] {
    return [...this.progress.keys()].sort((a, b) => a - b);
  }

  /** Number of change streams open (or about to open) right now. */
  streamCount(): number {
    return this.segments.length;
  }

  /** Starts reading partitions from the given positions. */
  assign(assignments: ReaderAssignment[]): void {
    if (this.stopped || assignments.length === 0) {
      return;
    }
    const groups = new Map<string, ReaderAssignment[]>();
    for (const assignment of assignments) {
      const progress = new PartitionProgress(assignment.partition);
      progress.recordMessage(assignment.lastMessage);
      const position = assignment.position;
      if (position.kind === 'replay') {
        progress.replay = {
          afterId: position.afterId,
          streamToken: position.streamToken,
          scanning: true,
          pending: 0,
        };
      } else if (position.skipThrough !== undefined) {
        progress.skipThrough = position.skipThrough;
      }
      this.progress.set(assignment.partition, progress);

      const key = positionKey(position);
      groups.set(key, [...(groups.get(key) ?? []), assignment]);
    }

    for (const group of groups.values()) {
      const position = group[0].position;
      const start: SegmentStart =
        position.kind === 'token'
          ? {
              kind: 'token',
              token: position.token,
              startAfter: position.startAfter,
            }
          : { kind: 'replay', streamToken: position.streamToken };
      const partitions = group.map((assignment) => assignment.partition);
      const segment = new Segment(this, this, partitions, start);
      if (segment.ledger) {
        for (const partition of partitions) {
          this.progress.get(partition)!.ledger = segment.ledger;
        }
      }
      this.segments.push(segment);
      segment.start();
    }
    this.requestMerge();
  }

  /**
   * Stops handing out records of a partition. Records already handed out
   * may still finish; {@link finalPosition} then gives where it resumes.
   */
  detach(partition: number): void {
    const progress = this.progress.get(partition);
    if (!progress || progress.frozen) {
      return;
    }
    const ledger = progress.ledger;
    if (ledger) {
      progress.frozen = {
        ledger,
        token: ledger.head,
        startAfter: ledger.headIsStartAfter,
        seq: this.sequence,
      };
    }
    for (const segment of this.segments) {
      if (segment.partitions.delete(partition)) {
        if (segment.partitions.size === 0) {
          this.removeSegment(segment);
          segment
            .stop()
            .catch((error: unknown) =>
              this.logger.warn('Failed to stop a change stream', { error }),
            );
        } else {
          segment.requestRefilter();
        }
      }
    }
  }

  /** Whether a partition was detached. */
  isDetached(partition: number): boolean {
    return this.progress.get(partition)?.frozen !== undefined;
  }

  /** Where a partition resumes; `undefined` when it is not read here. */
  position(partition: number): PartitionPosition | undefined {
    return this.progress.get(partition)?.position(this.ledgers);
  }

  /** Last finished message of a partition. */
  lastMessage(partition: number): LastMessage | undefined {
    return this.progress.get(partition)?.lastMessage;
  }

  /** Forgets a detached partition and its unfinished records. */
  forget(partition: number): void {
    this.progress.delete(partition);
    for (const ledger of this.ledgers) {
      ledger.forgetPartition(partition);
    }
    this.pruneLedgers();
  }

  /** Stops every stream. */
  async stop(): Promise<void> {
    this.stopped = true;
    const segments = this.segments;
    this.segments = [];
    await Promise.all(segments.map((segment) => segment.stop()));
    await this.merging;
  }

  // ReaderContext

  progressOf(partition: number): PartitionProgress | undefined {
    const progress = this.progress.get(partition);
    return progress?.frozen ? undefined : progress;
  }

  nextSeq(): number {
    this.sequence += 1;
    return this.sequence;
  }

  createLedger(startToken: ResumeToken, startAfter = false): SegmentLedger {
    this.ledgerIds += 1;
    const ledger = new SegmentLedger(this.ledgerIds, startToken, startAfter);
    this.ledgers.push(ledger);
    return ledger;
  }

  hasCapacity(): boolean {
    return this.host.hasCapacity();
  }

  waitForCapacity(): Promise<void> {
    return this.host.waitForCapacity();
  }

  deliverEvent(
    event: ChangeStreamDocument<TopicMessageDocument> & {
      fullDocument: TopicMessageDocument;
    },
    entry: LedgerEntry,
    ledger: SegmentLedger,
  ): void {
    const progress = this.progress.get(entry.partition)!;
    this.host.deliver(
      this.toRecord(event.fullDocument, event._id),
      new StreamTicket(this, entry, ledger, progress),
    );
  }

  /** Marks a stream record finished (called by its ticket). */
  finishEntry(
    entry: LedgerEntry,
    ledger: SegmentLedger,
    progress: PartitionProgress,
  ): void {
    if (entry.done) {
      return;
    }
    ledger.markDone(entry);
    progress.markDone(entry);
    if (this.ledgers.length > this.segments.length) {
      // Only retired ledgers of merged streams can go away.
      this.pruneLedgers();
    }
  }

  /** The position of a partition once `entry` is finished. */
  positionAfterEntry(
    progress: PartitionProgress,
    entry: LedgerEntry,
  ): PartitionPosition | undefined {
    return progress.position(this.ledgers, { assumeDone: entry });
  }

  deliverReplayed(document: TopicMessageDocument): void {
    const progress = this.progress.get(document.partition)!;
    const replay = progress.replay!;
    replay.pending += 1;
    const messageId = document._id.toHexString();
    let finished = false;
    const ticket: RecordTicket = {
      partition: document.partition,
      messageId,
      timestamp: document.timestamp,
      replayed: true,
      finish: () => {
        if (finished) {
          return;
        }
        finished = true;
        replay.pending -= 1;
        replay.afterId = messageId;
        progress.recordMessage({
          id: messageId,
          timestamp: document.timestamp,
        });
        this.endReplayIfDone(progress);
      },
      positionAfter: () => {
        if (replay.scanning || replay.pending > 1) {
          return {
            kind: 'replay',
            afterId: messageId,
            streamToken: replay.streamToken,
          };
        }
        return progress.position(this.ledgers, { ignoreReplay: true });
      },
    };
    this.host.deliver(this.toRecord(document, null), ticket);
  }

  onScanFinished(partition: number): void {
    const progress = this.progress.get(partition);
    if (progress) {
      this.endReplayIfDone(progress);
    }
  }

  onSegmentStreaming(): void {
    this.requestMerge();
  }

  onStreamFailing(error: unknown, failures: number): void {
    this.host.onStreamFailing(error, failures);
  }

  onInvalidated(operation: string): void {
    this.host.onInvalidated(operation);
  }

  onRecreated(): void {
    this.host.onRecreated();
  }

  // SegmentFailureHandler

  onHistoryLost(segment: SegmentHandle, error: unknown): void {
    this.removeSegment(segment);
    this.host.onHistoryLost([...segment.partitions], error);
  }

  onFatal(segment: SegmentHandle, error: unknown): void {
    this.removeSegment(segment);
    this.host.onFatal([...segment.partitions], error);
  }

  private toRecord(
    document: TopicMessageDocument,
    offset: ResumeToken | null,
  ): ConsumerRecord {
    return {
      topic: this.topic,
      partition: document.partition,
      message: {
        id: document._id.toHexString(),
        key: document.key ?? null,
        value: document.value,
        headers: document.headers ?? {},
        timestamp: document.timestamp,
      },
      offset,
      timestamp: document.timestamp,
    };
  }

  private endReplayIfDone(progress: PartitionProgress): void {
    const replay = progress.replay;
    if (replay && !replay.scanning && replay.pending === 0) {
      progress.replay = undefined;
    }
  }

  private removeSegment(segment: SegmentHandle): void {
    this.segments = this.segments.filter((candidate) => candidate !== segment);
  }

  private pruneLedgers(): void {
    const inUse = new Set<SegmentLedger>();
    for (const segment of this.segments) {
      if (segment.ledger) {
        inUse.add(segment.ledger);
      }
    }
    for (const progress of this.progress.values()) {
      if (progress.ledger) {
        inUse.add(progress.ledger);
      }
      if (progress.frozen) {
        inUse.add(progress.frozen.ledger);
      }
    }
    this.ledgers = this.ledgers.filter(
      (ledger) => inUse.has(ledger) || ledger.hasPending(),
    );
  }

  private requestMerge(): void {
    if (this.merging) {
      this.mergeRequested = true;
      return;
    }
    this.merging = this.mergeWhilePossible().finally(() => {
      this.merging = undefined;
    });
  }

  private async mergeWhilePossible(): Promise<void> {
    do {
      this.mergeRequested = false;
      try {
        await this.mergeOnce();
      } catch (error) {
        this.logger.warn('Failed to merge change streams; will retry', {
          error,
        });
      }
    } while (this.mergeRequested && !this.stopped);
  }

  private async mergeOnce(): Promise<void> {
    const candidates = this.segments.filter(
      (segment) => segment.state === 'streaming' && !segment.awaitingBarrier,
    );
    if (candidates.length < 2 || this.stopped) {
      return;
    }
    const barrierId = new ObjectId().toHexString();
    // Settled at once, so a segment stopped while the control record is
    // being written does not leave a rejection without a handler.
    const parks = Promise.allSettled(
      candidates.map((segment) =>
        segment.parkAt(barrierId).then((token) => ({ segment, token })),
      ),
    );
    let controlId: ObjectId;
    try {
      controlId = await insertControlRecord(
        this.collection,
        this.instanceId,
        barrierId,
      );
    } catch (error) {
      candidates.forEach((segment) => segment.cancelBarrier());
      await parks;
      throw error;
    }

    const settled = await parks;
    await this.collection.deleteOne({ _id: controlId }).catch(ignoreError);
    const parked = settled.flatMap((result) =>
      result.status === 'fulfilled' ? [result.value] : [],
    );
    if (parked.length === 0 || this.stopped) {
      return;
    }

    const partitions = parked.flatMap(({ segment }) => [...segment.partitions]);
    for (const { segment } of parked) {
      this.removeSegment(segment);
    }
    const merged = new Segment(this, this, partitions, {
      kind: 'token',
      token: parked[0].token,
    });
    for (const partition of partitions) {
      const progress = this.progress.get(partition);
      if (progress && !progress.frozen) {
        progress.ledger = merged.ledger;
      }
    }
    this.segments.push(merged);
    merged.start();
    this.pruneLedgers();
    this.logger.debug('Merged change streams', {
      streams: parked.length,
      partitions,
    });
  }
}
