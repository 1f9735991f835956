import type { ChangeStreamDocument, Collection, ResumeToken } from 'mongodb';
import type { BrokerLogger } from '../logging/broker-logger';
import type { TopicMessageDocument } from '../producer/message-types';
import type { PartitionProgress } from './partition-progress';
import type { LedgerEntry, SegmentLedger } from './segment-ledger';
import type { StreamSlots } from './stream-slots';

/** Tuning of the change streams a reader opens. */
export interface StreamSettings {
  /** Events per server batch. */
  batchSize: number;
  /** Longest wait of the server on an empty `getMore`, in milliseconds. */
  maxAwaitTimeMS: number;
  /** A read that takes longer than this is treated as stalled. */
  stallTimeoutMs: number;
  /** Documents per replay batch. */
  replayBatchSize: number;
  initialRetryDelayMs: number;
  maxRetryDelayMs: number;
  /** Consecutive failures after which a stream failure is an error. */
  maxRetries: number;
}

/** Services a stream segment uses from its reader. */
export interface ReaderContext {
  readonly topic: string;
  readonly instanceId: string;
  /** Partition count of the topic. */
  readonly partitionCount: number;
  readonly collection: Collection<TopicMessageDocument>;
  readonly logger: BrokerLogger;
  readonly slots: StreamSlots;
  readonly settings: StreamSettings;

  /** Progress of an owned partition, or undefined once it left. */
  progressOf(partition: number): PartitionProgress | undefined;
  nextSeq(): number;
  createLedger(startToken: ResumeToken, startAfter?: boolean): SegmentLedger;

  /** Whether the consumer can take another record right now. */
  hasCapacity(): boolean;
  /** Resolves when the consumer can take another record. */
  waitForCapacity(): Promise<void>;
  /** Hands a change event to the consumer. */
  deliverEvent(
    event: ChangeStreamDocument<TopicMessageDocument> & {
      fullDocument: TopicMessageDocument;
    },
    entry: LedgerEntry,
    ledger: SegmentLedger,
  ): void;
  /** Hands a replayed document (which has no change event) to the consumer. */
  deliverReplayed(document: TopicMessageDocument): void;

  /** A partition's replay scan finished. */
  onScanFinished(partition: number): void;
  /** A segment finished its replay and now reads its stream. */
  onSegmentStreaming(): void;
  /** A segment's stream failed `failures` times in a row. */
  onStreamFailing(error: unknown, failures: number): void;
  /** The topic collection was dropped or renamed. */
  onInvalidated(operation: string): void;
  /** The topic collection exists again after an invalidation. */
  onRecreated(): void;
}

/** Callbacks for failures that end a segment. */
export interface SegmentFailureHandler {
  /** The segment cannot resume: its history fell off the oplog. */
  onHistoryLost(segment: SegmentHandle, error: unknown): void;
  /** The segment cannot continue for a reason retrying will not fix. */
  onFatal(segment: SegmentHandle, error: unknown): void;
}

/** The parts of a segment a failure handler may read. */
export interface SegmentHandle {
  readonly partitions: ReadonlySet<number>;
}
